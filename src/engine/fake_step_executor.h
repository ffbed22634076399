// FakeStepExecutor: a StepExecutor for tests that needs no model, header-only, test code only.
//
// It keeps a fake KV cache holding the token id written at every (block, slot). Forward()
// stores each chunk's tokens through the chunk's block table, then reads the whole prefix back
// through the same table and derives the logits from a hash of it. So the logits depend on
// exactly what the block tables make visible: a wrong block, a shared block written without
// copy-on-write, or a slot read before it was written changes the output or fails the call,
// just as it would corrupt a real model's attention.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/step_executor.h"

namespace dsinfer::engine::testing {

class FakeStepExecutor : public StepExecutor {
 public:
  FakeStepExecutor(int32_t n_vocab, int32_t n_blocks, int block_size)
      : n_vocab_(n_vocab), n_blocks_(n_blocks), block_size_(block_size),
        slots_(static_cast<size_t>(n_blocks) * block_size, -1) {}

  int32_t n_vocab() const override { return n_vocab_; }
  int32_t n_blocks() const override { return n_blocks_; }
  int block_size() const override { return block_size_; }
  uint64_t kv_bytes_per_token() const override { return 4; }

  Status Forward(const ForwardBatch& batch, std::vector<float>* logits) override {
    WaitForGate();
    if (fail_next_) {
      fail_next_ = false;
      return Internal("injected failure");
    }
    ++forward_calls_;
    batch_sizes_.push_back(static_cast<int>(batch.sequences.size()));
    logits->assign(static_cast<size_t>(batch.logit_rows()) * n_vocab_, 0.0f);
    size_t row = 0;
    for (const SequenceChunk& c : batch.sequences) {
      const int64_t end = c.start_pos + c.n_tokens;
      if (static_cast<int64_t>(c.n_blocks) * block_size_ < end) return InvalidArgument("block table too short");
      for (int b = 0; b < c.n_blocks; ++b) {
        if (c.block_table[b] < 0 || c.block_table[b] >= n_blocks_) return InvalidArgument("block id out of range");
      }
      for (int i = 0; i < c.n_tokens; ++i) Slot(c, c.start_pos + i) = c.tokens[i];
      uint64_t h = 1469598103934665603ull;
      for (int64_t p = 0; p < end; ++p) {
        const int32_t t = Slot(c, p);
        if (t < 0) return Internal("position " + std::to_string(p) + " reads an unwritten slot");
        h = Mix(h ^ static_cast<uint64_t>(t));
      }
      float* out = logits->data() + row * static_cast<size_t>(n_vocab_);
      for (int32_t v = 0; v < n_vocab_; ++v) {
        out[v] = static_cast<float>(Mix(h + static_cast<uint64_t>(v) * 0x9e3779b97f4a7c15ull) >> 40) / 1048576.0f;
      }
      ++row;
    }
    return Status::Ok();
  }

  void CopyBlock(int32_t src, int32_t dst) override {
    for (int s = 0; s < block_size_; ++s) {
      slots_[static_cast<size_t>(dst) * block_size_ + s] = slots_[static_cast<size_t>(src) * block_size_ + s];
    }
  }

  void FailNextForward() { fail_next_ = true; }
  int forward_calls() const { return forward_calls_; }
  const std::vector<int>& batch_sizes() const { return batch_sizes_; }

  // While closed, Forward() blocks (lets threaded tests hold the engine inside a step).
  void CloseGate() {
    std::lock_guard<std::mutex> lock(gate_mu_);
    gate_open_ = false;
  }
  void OpenGate() {
    {
      std::lock_guard<std::mutex> lock(gate_mu_);
      gate_open_ = true;
      gate_deadline_.reset();
    }
    gate_cv_.notify_all();
  }
  // Closes the gate until `duration` has passed: no other thread has to reach the executor to
  // open it, so a test may destroy the engine (and this executor) while the gate is closed.
  void CloseGateFor(std::chrono::milliseconds duration) {
    std::lock_guard<std::mutex> lock(gate_mu_);
    gate_open_ = false;
    gate_deadline_ = std::chrono::steady_clock::now() + duration;
  }

 private:
  static uint64_t Mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
  }
  int32_t& Slot(const SequenceChunk& c, int64_t pos) {
    const int32_t block = c.block_table[pos / block_size_];
    return slots_[static_cast<size_t>(block) * block_size_ + static_cast<size_t>(pos % block_size_)];
  }
  void WaitForGate() {
    std::unique_lock<std::mutex> lock(gate_mu_);
    if (gate_deadline_) {
      gate_cv_.wait_until(lock, *gate_deadline_, [&] { return gate_open_; });
      gate_open_ = true;
      gate_deadline_.reset();
    } else {
      gate_cv_.wait(lock, [&] { return gate_open_; });
    }
  }

  int32_t n_vocab_;
  int32_t n_blocks_;
  int block_size_;
  std::vector<int32_t> slots_;
  bool fail_next_ = false;
  int forward_calls_ = 0;
  std::vector<int> batch_sizes_;
  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  bool gate_open_ = true;
  std::optional<std::chrono::steady_clock::time_point> gate_deadline_;
};

}  // namespace dsinfer::engine::testing
