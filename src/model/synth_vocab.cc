#include "model/synth_vocab.h"

#include <map>

#include "base/check.h"

namespace dsinfer {

namespace {

// UTF-8 encoding of a code point.
std::string Utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// GPT-2's reversible byte -> printable code point map, in its canonical order.
std::vector<std::string> ByteSymbols() {
  std::vector<std::string> by_byte(256);
  std::vector<int> order;
  for (int b = '!'; b <= '~'; ++b) order.push_back(b);
  for (int b = 0xA1; b <= 0xAC; ++b) order.push_back(b);
  for (int b = 0xAE; b <= 0xFF; ++b) order.push_back(b);
  std::vector<bool> printable(256, false);
  for (int b : order) {
    printable[b] = true;
    by_byte[b] = Utf8(static_cast<uint32_t>(b));
  }
  int next = 256;
  for (int b = 0; b < 256; ++b) {
    if (!printable[b]) {
      by_byte[b] = Utf8(static_cast<uint32_t>(next++));
      order.push_back(b);
    }
  }
  std::vector<std::string> symbols;
  for (int b : order) symbols.push_back(by_byte[b]);
  return symbols;
}

// Frequent English words and fragments; each becomes a chain of merges.
const char* const kWords[] = {
    "the", "and", "ing", "ion", "tion", "that", "for", "with", "you", "this", "are", "have",
    "not", "was", "but", "they", "from", "what", "can", "will", "one", "all", "would", "there",
    "their", "about", "which", "when", "make", "like", "time", "just", "know", "take", "people",
    "year", "good", "some", "could", "them", "see", "other", "than", "then", "now", "look",
    "only", "come", "its", "over", "think", "also", "back", "after", "use", "two", "how",
    "our", "work", "first", "well", "way", "even", "new", "want", "because", "any", "these",
    "give", "day", "most", "is", "it", "in", "of", "to", "a", "be", "on", "as", "at", "by",
    "he", "we", "or", "an", "my", "so", "up", "if", "do", "no", "me", "model", "hello",
    "world", "question", "answer", "code", "data", "deep", "seek", "token", "text", "er", "ed",
    "es", "en", "re", "on", "st", "al", "ar", "or", "ly", "nt",
};

}  // namespace

SynthVocab BuildSynthVocab(uint32_t size) {
  SynthVocab v;
  std::map<std::string, bool> known;
  for (const std::string& s : ByteSymbols()) {
    v.tokens.push_back(s);
    v.token_types.push_back(1);
    known[s] = true;
  }
  const std::string space = Utf8(0x120);  // "Ġ", the byte-level symbol of ' '
  for (const char* word : kWords) {
    for (const std::string& prefix : {space, std::string()}) {
      // Merge left to right: (Ġ t) -> Ġt, (Ġt h) -> Ġth, ...
      std::string left = prefix.empty() ? std::string(1, word[0]) : prefix;
      size_t start = prefix.empty() ? 1 : 0;
      for (size_t i = start; word[i] != '\0'; ++i) {
        std::string right(1, word[i]);
        std::string merged = left + right;
        if (!known[merged]) {
          v.merges.push_back(left + " " + right);
          v.tokens.push_back(merged);
          v.token_types.push_back(1);
          known[merged] = true;
        }
        left = merged;
      }
    }
  }
  const char* const kSpecials[] = {
      "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜▁pad▁｜>", "<｜User｜>", "<｜Assistant｜>",
      "<think>", "</think>", "<｜tool▁calls▁begin｜>", "<｜tool▁calls▁end｜>", "<｜tool▁call▁begin｜>",
      "<｜tool▁call▁end｜>", "<｜tool▁sep｜>", "<｜tool▁outputs▁begin｜>", "<｜tool▁outputs▁end｜>",
      "<｜tool▁output▁begin｜>", "<｜tool▁output▁end｜>", "<｜fim▁hole｜>", "<｜fim▁begin｜>",
      "<｜fim▁end｜>",
  };
  const uint32_t n_special = sizeof(kSpecials) / sizeof(kSpecials[0]);
  if (size != 0) {
    CHECK(size >= v.tokens.size() + n_special) << "vocabulary size " << size << " too small";
    while (v.tokens.size() + n_special < size) {
      v.tokens.push_back("[PAD" + std::to_string(v.tokens.size()) + "]");
      v.token_types.push_back(5);
    }
  }
  v.bos_id = static_cast<uint32_t>(v.tokens.size());
  v.eos_id = v.bos_id + 1;
  for (const char* s : kSpecials) {
    v.tokens.push_back(s);
    v.token_types.push_back(3);
  }
  return v;
}

}  // namespace dsinfer
