#include "engine/tokenizer_text_decoder.h"

#include "tokenizer/incremental_decoder.h"

namespace dsinfer::engine {

namespace {

class IncrementalTextDecoder : public TextDecoder {
 public:
  IncrementalTextDecoder(const tokenizer::Tokenizer& tokenizer, bool skip_special)
      : decoder_(tokenizer, skip_special) {}
  std::string Push(int32_t token) override { return decoder_.Push(token); }
  std::string Finish() override { return decoder_.Finish(); }

 private:
  tokenizer::IncrementalDecoder decoder_;
};

}  // namespace

std::unique_ptr<TextDecoder> TokenizerTextDecoderFactory::Create() const {
  return std::make_unique<IncrementalTextDecoder>(tokenizer_, skip_special_);
}

std::vector<int32_t> EndOfGenerationIds(const tokenizer::Tokenizer& tokenizer) {
  return tokenizer.vocab().eog_ids;
}

}  // namespace dsinfer::engine
