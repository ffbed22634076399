#include "tokenizer/incremental_decoder.h"

namespace dsinfer::tokenizer {

namespace {

// Total length of the sequence a lead byte starts (2..4), or 0 for bytes that start none.
size_t SequenceLength(uint8_t lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Whether `second` may follow `lead` in a valid sequence (excludes overlong forms, surrogates and
// code points above U+10FFFF).
bool ValidSecondByte(uint8_t lead, uint8_t second) {
  if ((second & 0xC0) != 0x80) return false;
  if (lead == 0xE0) return second >= 0xA0;
  if (lead == 0xED) return second <= 0x9F;
  if (lead == 0xF0) return second >= 0x90;
  if (lead == 0xF4) return second <= 0x8F;
  return true;
}

}  // namespace

size_t IncompleteUtf8Suffix(const std::string& bytes) {
  const size_t n = bytes.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto byte = static_cast<uint8_t>(bytes[n - back]);
    if ((byte & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    const size_t need = SequenceLength(byte);
    if (need <= back) return 0;  // ASCII, invalid lead, or a complete sequence
    for (size_t k = 1; k < back; ++k) {
      const auto next = static_cast<uint8_t>(bytes[n - back + k]);
      if (k == 1 ? !ValidSecondByte(byte, next) : (next & 0xC0) != 0x80) return 0;
    }
    return back;
  }
  return 0;
}

std::string IncrementalDecoder::Push(int32_t id) {
  tokenizer_->AppendPiece(id, skip_special_, &pending_);
  const size_t keep = IncompleteUtf8Suffix(pending_);
  std::string delta = pending_.substr(0, pending_.size() - keep);
  pending_.erase(0, pending_.size() - keep);
  return delta;
}

std::string IncrementalDecoder::Finish() {
  std::string rest;
  rest.swap(pending_);
  return rest;
}

}  // namespace dsinfer::tokenizer
