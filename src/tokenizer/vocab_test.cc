#include "tokenizer/vocab.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gguf/reader.h"
#include "gguf/writer.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/test_vocab.h"

namespace dsinfer::tokenizer {
namespace {

using gguf::GgufValue;
using testing::MakeTestVocab;

// The test vocabulary's tokenizer.ggml.* keys; tests then replace or erase some of them.
std::vector<std::pair<std::string, GgufValue>> TestVocabKeys() {
  const Vocab v = MakeTestVocab();
  std::vector<int32_t> types;
  for (TokenType t : v.types) types.push_back(static_cast<int32_t>(t));
  std::vector<std::string> merges;
  for (const auto& [l, r] : v.merges) merges.push_back(l + " " + r);
  return {
      {"general.architecture", GgufValue::Str("deepseek2")},
      {"tokenizer.ggml.model", GgufValue::Str("gpt2")},
      {"tokenizer.ggml.pre", GgufValue::Str("deepseek-v3")},
      {"tokenizer.ggml.tokens", GgufValue::StrArray(v.tokens)},
      {"tokenizer.ggml.token_type", GgufValue::I32Array(types)},
      {"tokenizer.ggml.merges", GgufValue::StrArray(merges)},
      {"tokenizer.ggml.bos_token_id", GgufValue::U32(v.bos_id)},
      {"tokenizer.ggml.eos_token_id", GgufValue::U32(v.eos_id)},
      {"tokenizer.ggml.padding_token_id", GgufValue::U32(1000000)},
      {"tokenizer.ggml.add_bos_token", GgufValue::Bool(true)},
  };
}

class GgufVocabTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  Expected<Vocab> Load(const std::vector<std::pair<std::string, GgufValue>>& keys) {
    path_ = ::testing::TempDir() + "/tokenizer_vocab_test_" + std::to_string(::getpid()) + ".gguf";
    gguf::GgufWriter writer(path_);
    for (const auto& [k, v] : keys) writer.SetMetadata(k, v);
    EXPECT_TRUE(writer.Finish().ok());
    auto file = gguf::GgufFile::Open(path_);
    EXPECT_TRUE(file.ok()) << file.status().message();
    return LoadVocabFromGguf(*file);
  }
  static std::vector<std::pair<std::string, GgufValue>> With(const std::string& key,
                                                             GgufValue value) {
    auto keys = TestVocabKeys();
    for (auto& [k, v] : keys) {
      if (k == key) v = std::move(value);
    }
    return keys;
  }
  static std::vector<std::pair<std::string, GgufValue>> Without(const std::string& key) {
    auto keys = TestVocabKeys();
    std::erase_if(keys, [&](const auto& kv) { return kv.first == key; });
    return keys;
  }
  std::string path_;
};

TEST_F(GgufVocabTest, LoadsTokensTypesMergesAndSpecialIds) {
  auto v = Load(TestVocabKeys());
  ASSERT_TRUE(v.ok()) << v.status().message();
  const Vocab want = MakeTestVocab();
  EXPECT_EQ(v->tokens, want.tokens);
  EXPECT_EQ(v->types, want.types);
  EXPECT_EQ(v->merges, want.merges);
  EXPECT_EQ(v->bos_id, want.bos_id);
  EXPECT_EQ(v->eos_id, want.eos_id);
  EXPECT_EQ(v->pad_id, kNoToken);  // out of range: ignored, as llama.cpp does
  EXPECT_TRUE(v->add_bos);
  EXPECT_FALSE(v->add_eos);
  EXPECT_EQ(v->pre_name, "deepseek-v3");
  EXPECT_EQ(v->pre_regexes, want.pre_regexes);
  // EOT found by its text and the end-of-generation set built from it.
  EXPECT_EQ(v->eot_id, want.eos_id);
  EXPECT_EQ(v->eog_ids, std::vector<int32_t>{want.eos_id});
}

TEST_F(GgufVocabTest, MissingPreSelectsDefaultAndAddBosFollowsThePreType) {
  auto keys = Without("tokenizer.ggml.add_bos_token");
  std::erase_if(keys, [](const auto& kv) { return kv.first == "tokenizer.ggml.pre"; });
  auto v = Load(keys);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->pre_name, "default");
  EXPECT_FALSE(v->add_bos);
  auto llama3 = Load(With("tokenizer.ggml.pre", GgufValue::Str("llama-bpe")));
  ASSERT_TRUE(llama3.ok());
  EXPECT_TRUE(llama3->ignore_merges);
}

TEST_F(GgufVocabTest, ErrorsNameTheFileAndTheProblem) {
  struct Case {
    std::vector<std::pair<std::string, GgufValue>> keys;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {With("tokenizer.ggml.model", GgufValue::Str("llama")), "'llama'"},
      {With("tokenizer.ggml.pre", GgufValue::Str("mystery-pre")), "'mystery-pre'"},
      {Without("tokenizer.ggml.tokens"), "tokenizer.ggml.tokens"},
      {Without("tokenizer.ggml.merges"), "tokenizer.ggml.merges"},
      {With("tokenizer.ggml.merges", GgufValue::StrArray({"nospace"})), "merges[0]"},
      {With("tokenizer.ggml.token_type", GgufValue::I32Array({1, 1})), "token_type"},
      {With("tokenizer.ggml.tokens", GgufValue::I32Array({1, 2})), "tokenizer.ggml.tokens"},
      {With("tokenizer.ggml.bos_token_id", GgufValue::I32(3)), "bos_token_id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.needle);
    auto v = Load(c.keys);
    ASSERT_FALSE(v.ok());
    EXPECT_NE(v.status().message().find(path_), std::string::npos) << v.status().message();
    EXPECT_NE(v.status().message().find(c.needle), std::string::npos) << v.status().message();
  }
}

// A minimal tokenizer.json in the DeepSeek-V3 layout.
std::string MiniTokenizerJson(const std::string& normalizer = "null",
                              const std::string& behavior = "Isolated") {
  return R"({
    "added_tokens": [
      {"id": 5, "content": "<｜begin▁of▁sentence｜>", "special": true},
      {"id": 6, "content": "<｜User｜>", "special": false},
      {"id": 7, "content": "<think>", "special": false}
    ],
    "normalizer": )" +
         normalizer + R"(,
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}"}, "behavior": ")" +
         behavior + R"(",
       "invert": false},
      {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]},
    "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3},
              "merges": ["a b", ["Ġ", "a"]]}
  })";
}

TEST(HfVocabTest, ParsesVocabMergesAddedTokensAndConfig) {
  const std::string config = R"({"add_bos_token": true,
    "bos_token": {"content": "<｜begin▁of▁sentence｜>"}, "eos_token": null})";
  auto v = ParseHfTokenizerJson(MiniTokenizerJson(), "tok.json", config, "cfg.json");
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_EQ(v->n_vocab(), 8);
  EXPECT_EQ(v->tokens[2], "ab");
  EXPECT_EQ(v->tokens[4], "[PAD4]");
  EXPECT_EQ(v->types[4], TokenType::kUnused);
  EXPECT_EQ(v->types[5], TokenType::kControl);
  EXPECT_EQ(v->types[6], TokenType::kControl);      // not special, but looks special
  EXPECT_EQ(v->types[7], TokenType::kUserDefined);  // plain added token
  ASSERT_EQ(v->merges.size(), 2u);
  EXPECT_EQ(v->merges[1], (std::pair<std::string, std::string>{"Ġ", "a"}));
  EXPECT_EQ(v->pre_regexes, std::vector<std::string>{"\\p{N}{1,3}"});
  EXPECT_EQ(v->bos_id, 5);
  EXPECT_EQ(v->eos_id, kNoToken);
  EXPECT_TRUE(v->add_bos);
}

TEST(HfVocabTest, UnsupportedFeaturesAndBadInputAreErrors) {
  struct Case {
    std::string json;
    std::string config;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {MiniTokenizerJson(R"({"type": "NFC"})"), "", "normalizer 'NFC'"},
      {MiniTokenizerJson("null", "Removed"), "", "'Removed'"},
      {"{not json", "", "invalid JSON"},
      {MiniTokenizerJson(), R"({"bos_token": "<missing>"})", "'<missing>'"},
      {R"({"model": {"type": "Unigram", "vocab": []},
          "pre_tokenizer": {"type": "ByteLevel"}})",
       "", "'Unigram'"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []},
          "pre_tokenizer": {"type": "Metaspace"}})",
       "", "'Metaspace'"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": "x"},
          "pre_tokenizer": {"type": "ByteLevel"}})",
       "", "tok.json"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.needle);
    auto v = ParseHfTokenizerJson(c.json, "tok.json", c.config, "cfg.json");
    ASSERT_FALSE(v.ok());
    EXPECT_NE(v.status().message().find(c.needle), std::string::npos) << v.status().message();
  }
}

TEST(HfVocabTest, MissingFileIsAnIoErrorNamingIt) {
  auto v = LoadVocabFromHfJson("/nonexistent/tokenizer.json");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kIoError);
  EXPECT_NE(v.status().message().find("/nonexistent/tokenizer.json"), std::string::npos);
}

TEST(HfVocabTest, MiniTokenizerEncodes) {
  auto v = ParseHfTokenizerJson(MiniTokenizerJson(), "tok.json", "", "");
  ASSERT_TRUE(v.ok()) << v.status().message();
  auto t = Tokenizer::Create(std::move(v).value());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ((*t)->Encode("ab<think>", false, false), (std::vector<int32_t>{2, 7}));
}

}  // namespace
}  // namespace dsinfer::tokenizer
