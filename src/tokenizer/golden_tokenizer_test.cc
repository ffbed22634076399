// Agreement with the reference encodings in ../shared/golden/tokenizer (README §7): llama.cpp's
// DeepSeek vocab tests, and Hugging Face tokenizers' encodings of the corpus for the ds3-mini
// and full DeepSeek-V3 vocabularies, from the GGUF files and from tokenizer.json.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "testing/golden.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/golden_test_data.h"
#include "tokenizer/incremental_decoder.h"

namespace dsinfer::tokenizer {
namespace {

using testing::EncodingCase;

std::unique_ptr<Tokenizer> LoadGguf(const std::string& path) {
  auto t = Tokenizer::FromGgufPath(path);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(t).value() : nullptr;
}

std::string Show(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s.append(" ").append(std::to_string(id));
  return s;
}

// Encodes every case in the given mode and expects the reference ids; prints the agreement.
void ExpectAgreement(const Tokenizer& t, const std::vector<EncodingCase>& cases, bool special,
                     const std::string& label) {
  ASSERT_FALSE(cases.empty()) << label << ": no reference cases read";
  int agree = 0;
  for (const EncodingCase& c : cases) {
    const std::vector<int32_t> got = t.Encode(c.text, false, special);
    const std::vector<int32_t>& want = special ? c.ids_special : c.ids_plain;
    if (got == want) {
      ++agree;
    } else {
      ADD_FAILURE() << label << " case " << c.id << " text '" << c.text << "'\n  want" << Show(want)
                    << "\n  got " << Show(got);
    }
  }
  std::cout << "[ agreement ] " << label << ": " << agree << "/" << cases.size() << " ("
            << 100.0 * agree / cases.size() << "%)\n";
}

bool IsValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<uint8_t>(s[i]);
    size_t n = b < 0x80                   ? 1
               : (b >= 0xC2 && b <= 0xDF) ? 2
               : (b >= 0xE0 && b <= 0xEF) ? 3
               : (b >= 0xF0 && b <= 0xF4) ? 4
                                          : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<uint8_t>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST(GoldenTokenizerTest, LlamaCppDeepseekVocabTests) {
  DSINFER_REQUIRE_GOLDEN(golden);
  for (const std::string name : {"deepseek-llm", "deepseek-coder"}) {
    const std::string base = golden + "/tokenizer/llama.cpp/ggml-vocab-" + name + ".gguf";
    auto t = LoadGguf(base);
    ASSERT_NE(t, nullptr);
    const auto cases = testing::ReadInpOut(base + ".inp", base + ".out");
    EXPECT_EQ(cases.size(), 46u);
    ExpectAgreement(*t, cases, false, name + " .inp/.out");
  }
}

TEST(GoldenTokenizerTest, Ds3MiniGgufMatchesHuggingFace) {
  DSINFER_REQUIRE_GOLDEN(golden);
  const std::string dir = golden + "/tokenizer/ds3-mini/";
  auto t = LoadGguf(dir + "ggml-vocab-ds3-mini.gguf");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->n_vocab(), 4096);
  EXPECT_EQ(t->bos_id(), 4077);
  EXPECT_EQ(t->eos_id(), 4078);
  const auto hf = testing::ReadEncodingsJsonl(dir + "hf.jsonl");
  ExpectAgreement(*t, hf, false, "ds3-mini gguf ids_plain");
  ExpectAgreement(*t, hf, true, "ds3-mini gguf ids_special");
  ExpectAgreement(*t,
                  testing::ReadInpOut(dir + "ggml-vocab-ds3-mini.gguf.inp",
                                      dir + "ggml-vocab-ds3-mini.gguf.out"),
                  false, "ds3-mini .inp/.out");
}

TEST(GoldenTokenizerTest, Ds3MiniTokenizerJsonMatchesHuggingFace) {
  DSINFER_REQUIRE_GOLDEN(golden);
  auto t = Tokenizer::FromHfJson(golden + "/tokenizer/ds3-mini/tokenizer.json",
                                 golden + "/vocab/ds3-mini/tokenizer_config.json");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ((*t)->bos_id(), 4077);
  EXPECT_TRUE((*t)->add_bos());
  const auto hf = testing::ReadEncodingsJsonl(golden + "/tokenizer/ds3-mini/hf.jsonl");
  ExpectAgreement(**t, hf, false, "ds3-mini tokenizer.json ids_plain");
  ExpectAgreement(**t, hf, true, "ds3-mini tokenizer.json ids_special");
}

TEST(GoldenTokenizerTest, DeepseekV3GgufMatchesHuggingFace) {
  DSINFER_REQUIRE_GOLDEN(golden);
  const std::string dir = golden + "/tokenizer/deepseek-v3/";
  auto t = LoadGguf(dir + "ggml-vocab-deepseek-v3.gguf");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->n_vocab(), 129280);
  EXPECT_EQ(t->bos_id(), 0);
  EXPECT_EQ(t->eos_id(), 1);
  EXPECT_TRUE(t->add_bos());
  EXPECT_TRUE(t->IsEndOfGeneration(1));
  const auto hf = testing::ReadEncodingsJsonl(dir + "hf.jsonl");
  EXPECT_EQ(hf.size(), 189u);
  ExpectAgreement(*t, hf, false, "deepseek-v3 gguf ids_plain");
  ExpectAgreement(*t, hf, true, "deepseek-v3 gguf ids_special");
  ExpectAgreement(*t,
                  testing::ReadInpOut(dir + "ggml-vocab-deepseek-v3.gguf.inp",
                                      dir + "ggml-vocab-deepseek-v3.gguf.out"),
                  false, "deepseek-v3 .inp/.out");
  // BOS comes first with add_special.
  const std::vector<int32_t> with_bos = t->Encode("Hello world", true, false);
  ASSERT_FALSE(with_bos.empty());
  EXPECT_EQ(with_bos.front(), 0);
}

// Where we differ from llama.cpp, it must be exactly the '~' cases listed in disagreements.json
// (llama.cpp's regex engine puts ASCII '~' in neither \p{P} nor \p{S}; we follow Unicode and HF).
TEST(GoldenTokenizerTest, DeepseekV3DiffersFromLlamaCppOnlyOnTildeCases) {
  DSINFER_REQUIRE_GOLDEN(golden);
  const std::string dir = golden + "/tokenizer/deepseek-v3/";
  auto t = LoadGguf(dir + "ggml-vocab-deepseek-v3.gguf");
  ASSERT_NE(t, nullptr);
  const auto hf = testing::ReadEncodingsJsonl(dir + "hf.jsonl");
  const auto llama = testing::ReadEncodingsJsonl(dir + "llamacpp.jsonl");
  ASSERT_EQ(hf.size(), llama.size());
  std::set<std::pair<int, std::string>> listed;
  const auto disagreements =
      nlohmann::json::parse(testing::ReadWholeFile(dir + "disagreements.json"));
  for (const auto& d : disagreements.at("disagreements")) {
    listed.emplace(d.at("id").get<int>(), d.at("mode").get<std::string>());
  }
  std::set<std::pair<int, std::string>> differing;
  for (size_t i = 0; i < hf.size(); ++i) {
    if (t->Encode(hf[i].text, false, false) != llama[i].ids_plain)
      differing.emplace(hf[i].id, "plain");
    if (t->Encode(hf[i].text, false, true) != llama[i].ids_special) {
      differing.emplace(hf[i].id, "special");
    }
  }
  EXPECT_EQ(differing, listed);
  std::cout << "[ agreement ] deepseek-v3 gguf vs llama.cpp: " << 2 * hf.size() - differing.size()
            << "/" << 2 * hf.size() << " (differences = the " << listed.size()
            << " listed '~' cases)\n";
}

TEST(GoldenTokenizerTest, DeepseekV3TokenizerJsonMatchesHuggingFace) {
  DSINFER_REQUIRE_GOLDEN(golden);
  const std::string dir = golden + "/tokenizer/deepseek-v3/";
  const std::string json_path =
      ::testing::TempDir() + "/ds3_tokenizer_" + std::to_string(::getpid()) + ".json";
  ASSERT_TRUE(testing::GunzipToFile(dir + "tokenizer.json.gz", json_path));
  auto t = Tokenizer::FromHfJson(json_path, dir + "tokenizer_config.json");
  std::remove(json_path.c_str());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ((*t)->n_vocab(), 128815);
  EXPECT_EQ((*t)->bos_id(), 0);
  EXPECT_EQ((*t)->eos_id(), 1);
  EXPECT_TRUE((*t)->add_bos());
  const auto hf = testing::ReadEncodingsJsonl(dir + "hf.jsonl");
  ExpectAgreement(**t, hf, false, "deepseek-v3 tokenizer.json ids_plain");
  ExpectAgreement(**t, hf, true, "deepseek-v3 tokenizer.json ids_special");
}

TEST(GoldenTokenizerTest, StreamingDecodeOfCorpusNeverSplitsCharacters) {
  DSINFER_REQUIRE_GOLDEN(golden);
  auto t = LoadGguf(golden + "/tokenizer/deepseek-v3/ggml-vocab-deepseek-v3.gguf");
  ASSERT_NE(t, nullptr);
  const auto texts = testing::ReadCorpusTexts(golden + "/tokenizer/corpus.jsonl");
  ASSERT_EQ(texts.size(), 189u);
  int held_back = 0;
  for (const std::string& text : texts) {
    for (bool parse_special : {false, true}) {
      EXPECT_EQ(t->Decode(t->Encode(text, false, parse_special), false), text) << "round trip";
      const std::vector<int32_t> ids = t->Encode(text, true, parse_special);
      for (bool skip : {false, true}) {
        IncrementalDecoder decoder(*t, skip);
        std::string joined;
        for (int32_t id : ids) {
          const std::string delta = decoder.Push(id);
          EXPECT_TRUE(IsValidUtf8(delta)) << "delta splits a character in '" << text << "'";
          held_back += decoder.pending_bytes() > 0;
          joined += delta;
        }
        EXPECT_EQ(decoder.Finish(), "");
        EXPECT_EQ(joined, t->Decode(ids, skip)) << text;
      }
    }
  }
  EXPECT_GT(held_back, 0) << "the corpus should exercise partial characters";
}

}  // namespace
}  // namespace dsinfer::tokenizer
