// BuildForwardBatch: the "build" phase. Turns a StepPlan into the model's ForwardBatch: one
// SequenceChunk per scheduled sequence, pointing into that sequence's tokens and block table
// (no copies), asking for the logits of the chunk's last token only. The pointers stay valid
// until the sequences are next modified (after the forward pass).
#pragma once

#include "engine/step_scheduler.h"
#include "model/forward_batch.h"

namespace dsinfer::engine {

ForwardBatch BuildForwardBatch(const StepPlan& plan);

}  // namespace dsinfer::engine
