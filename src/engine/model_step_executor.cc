#include "engine/model_step_executor.h"

#include <vector>

namespace dsinfer::engine {

void CopyKvBlock(KvCache& kv, int32_t src, int32_t dst) {
  const KvLayout& layout = kv.layout();
  std::vector<float> k_scratch(static_cast<size_t>(layout.k_width));
  std::vector<float> v_scratch(static_cast<size_t>(layout.v_width));
  for (int layer = 0; layer < layout.n_layer; ++layer) {
    for (int slot = 0; slot < kv.block_size(); ++slot) {
      kv.WriteK(layer, dst, slot, kv.ReadK(layer, src, slot, k_scratch.data()));
      if (layout.v_width > 0) kv.WriteV(layer, dst, slot, kv.ReadV(layer, src, slot, v_scratch.data()));
    }
  }
}

Expected<std::unique_ptr<ModelStepExecutor>> ModelStepExecutor::Create(const Model& model, ThreadPool& pool,
                                                                       int block_size, int32_t n_blocks,
                                                                       DType kv_type) {
  DSINFER_ASSIGN_OR_RETURN(KvCache kv, KvCache::Create(model.kv_layout(), block_size, n_blocks, kv_type));
  return std::unique_ptr<ModelStepExecutor>(new ModelStepExecutor(model, pool, std::move(kv)));
}

Status ModelStepExecutor::Forward(const ForwardBatch& batch, std::vector<float>* logits) {
  return model_.Forward(batch, kv_, pool_, logits);
}

}  // namespace dsinfer::engine
