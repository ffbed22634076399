// The engine's optional seam to a detokenizer. The engine works on token ids only; when the
// EngineOptions carry a TextDecoderFactory, every sample gets its own TextDecoder, its stream
// carries text deltas, and requests may use stop strings.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace dsinfer::engine {

// Turns one sample's token ids into text, incrementally. One instance per sample, used only by
// the engine thread.
class TextDecoder {
 public:
  virtual ~TextDecoder() = default;
  // The text that became complete by appending `token` (never ends inside a UTF-8 character
  // that later tokens could complete; may be empty).
  virtual std::string Push(int32_t token) = 0;
  // Whatever is still held back at the end of the stream.
  virtual std::string Finish() = 0;
};

// Makes TextDecoders. Create() may be called from the engine thread while other threads use the
// factory too, so implementations must be thread-safe; the factory must outlive the engine.
class TextDecoderFactory {
 public:
  virtual ~TextDecoderFactory() = default;
  virtual std::unique_ptr<TextDecoder> Create() const = 0;
};

}  // namespace dsinfer::engine
