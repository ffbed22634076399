#include "tokenizer/byte_level.h"

#include <array>

namespace dsinfer::tokenizer {

namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool MapsToItself(uint32_t b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct ByteTables {
  std::array<std::string, 256> symbol;      // byte -> UTF-8 of its code point
  std::array<int16_t, 0x144> byte_of_cp{};  // code point (< 0x144) -> byte, or -1
  ByteTables() {
    byte_of_cp.fill(-1);
    uint32_t next = 0x100;
    for (uint32_t b = 0; b < 256; ++b) {
      const uint32_t cp = MapsToItself(b) ? b : next++;
      AppendUtf8(cp, &symbol[b]);
      byte_of_cp[cp] = static_cast<int16_t>(b);
    }
  }
};

const ByteTables& Tables() {
  static const ByteTables tables;
  return tables;
}

}  // namespace

const std::string& ByteToSymbol(uint8_t byte) { return Tables().symbol[byte]; }

std::string EncodeByteLevel(std::string_view bytes) {
  const ByteTables& t = Tables();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out += t.symbol[static_cast<uint8_t>(c)];
  return out;
}

std::string DecodeByteLevel(std::string_view symbols) {
  const ByteTables& t = Tables();
  std::string out;
  out.reserve(symbols.size());
  size_t i = 0;
  while (i < symbols.size()) {
    const auto b0 = static_cast<uint8_t>(symbols[i]);
    // Every symbol of the alphabet is a 1-byte (< 0x80) or 2-byte (U+0080..U+0143) sequence.
    if (b0 < 0x80) {
      const int16_t byte = t.byte_of_cp[b0];
      out.push_back(byte >= 0 ? static_cast<char>(byte) : static_cast<char>(b0));
      ++i;
      continue;
    }
    if ((b0 & 0xE0) == 0xC0 && i + 1 < symbols.size() &&
        (static_cast<uint8_t>(symbols[i + 1]) & 0xC0) == 0x80) {
      const uint32_t cp = ((b0 & 0x1Fu) << 6) | (static_cast<uint8_t>(symbols[i + 1]) & 0x3Fu);
      if (cp < t.byte_of_cp.size() && t.byte_of_cp[cp] >= 0) {
        out.push_back(static_cast<char>(t.byte_of_cp[cp]));
        i += 2;
        continue;
      }
    }
    // Not a symbol of the alphabet: copy the whole UTF-8 sequence (or the stray byte) through.
    size_t len = 1;
    if ((b0 & 0xE0) == 0xC0)
      len = 2;
    else if ((b0 & 0xF0) == 0xE0)
      len = 3;
    else if ((b0 & 0xF8) == 0xF0)
      len = 4;
    size_t j = 1;
    while (j < len && i + j < symbols.size() &&
           (static_cast<uint8_t>(symbols[i + j]) & 0xC0) == 0x80) {
      ++j;
    }
    out.append(symbols.substr(i, j));
    i += j;
  }
  return out;
}

}  // namespace dsinfer::tokenizer
