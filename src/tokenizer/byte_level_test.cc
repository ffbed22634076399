#include "tokenizer/byte_level.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace dsinfer::tokenizer {
namespace {

TEST(ByteLevelTest, KnownSymbolsMatchGpt2Table) {
  EXPECT_EQ(ByteToSymbol(' '), "Ġ");   // U+0120
  EXPECT_EQ(ByteToSymbol('\n'), "Ċ");  // U+010A
  EXPECT_EQ(ByteToSymbol('\t'), "ĉ");  // U+0109
  EXPECT_EQ(ByteToSymbol(0x00), "Ā");  // U+0100
  EXPECT_EQ(ByteToSymbol('A'), "A");
  EXPECT_EQ(ByteToSymbol('~'), "~");
  EXPECT_EQ(ByteToSymbol(0x7F), "ġ");  // U+0121: 0x7F is the 34th remapped byte
  EXPECT_EQ(ByteToSymbol(0xAD), "Ń");  // U+0143: the last remapped byte
  EXPECT_EQ(ByteToSymbol(0xE4), "ä");
}

TEST(ByteLevelTest, AllBytesMapToDistinctSymbolsAndBack) {
  std::set<std::string> symbols;
  std::string all;
  for (int b = 0; b < 256; ++b) {
    symbols.insert(ByteToSymbol(static_cast<uint8_t>(b)));
    all.push_back(static_cast<char>(b));
  }
  EXPECT_EQ(symbols.size(), 256u);
  EXPECT_EQ(DecodeByteLevel(EncodeByteLevel(all)), all);
}

TEST(ByteLevelTest, EncodesUtf8TextBytewise) {
  EXPECT_EQ(EncodeByteLevel(" 中"), "Ġä¸Ń");
  EXPECT_EQ(DecodeByteLevel("Ġä¸Ń"), " 中");
}

TEST(ByteLevelTest, DecodePassesThroughCharactersOutsideTheAlphabet) {
  EXPECT_EQ(DecodeByteLevel("<｜User｜>"), "<｜User｜>");
  EXPECT_EQ(DecodeByteLevel("a\x01"
                            "b"),
            "a\x01"
            "b");
  EXPECT_EQ(DecodeByteLevel("\xff"), "\xff");
}

}  // namespace
}  // namespace dsinfer::tokenizer
