#include "engine/batch_builder.h"

#include "base/check.h"

namespace dsinfer::engine {

ForwardBatch BuildForwardBatch(const StepPlan& plan) {
  ForwardBatch batch;
  batch.sequences.reserve(plan.chunks.size());
  for (const ScheduledChunk& c : plan.chunks) {
    const Sequence& s = *c.seq;
    CHECK(c.n_tokens > 0 && c.n_tokens <= s.n_remaining()) << "chunk of " << c.n_tokens << " tokens for sequence " << s.id;
    SequenceChunk chunk;
    chunk.tokens = s.tokens.data() + s.n_computed;
    chunk.n_tokens = c.n_tokens;
    chunk.start_pos = s.n_computed;
    chunk.block_table = s.blocks.blocks.data();
    chunk.n_blocks = static_cast<int>(s.blocks.blocks.size());
    chunk.all_logits = false;
    batch.sequences.push_back(chunk);
  }
  return batch;
}

}  // namespace dsinfer::engine
