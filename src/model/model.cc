#include "model/model.h"

#include <string>

#include "kernels/ops.h"
#include "model/attention_params.h"
#include "model/forward_state.h"
#include "model/packed_weights.h"
#include "tensor/quant.h"

namespace dsinfer {

Model::Model(gguf::GgufFile file, ModelConfig config, ModelWeights weights)
    : file_(std::move(file)), config_(std::move(config)), weights_(std::move(weights)) {}

Expected<std::unique_ptr<Model>> Model::Load(const std::string& path) {
  DSINFER_ASSIGN_OR_RETURN(gguf::GgufFile file, gguf::GgufFile::Open(path));
  DSINFER_ASSIGN_OR_RETURN(ModelConfig config, ReadModelConfig(file));
  DSINFER_ASSIGN_OR_RETURN(ModelWeights weights, BindWeights(file, &config));
  ThreadPool pool(ThreadPool::HardwareThreads());
  PackOptions pack_options;
  pack_options.file_backed = true;
  pack_options.source_path = path;
  pack_options.cache_dir = DefaultPackCacheDir();
  const PackSummary packed = PackModelWeights(&weights, pool, pack_options);
  // The weights point into the mapping, which moves with `file` without changing address.
  std::unique_ptr<Model> model(new Model(std::move(file), std::move(config), std::move(weights)));
  model->pack_summary_ = packed;
  return model;
}

KvLayout Model::kv_layout() const {
  const ModelConfig& c = config_;
  KvLayout l;
  l.n_layer = static_cast<int>(c.n_layer);
  if (c.arch == Architecture::kDeepseek2) {
    if (c.is_mla) {
      l.k_width = c.kv_lora_rank + c.n_rot;
      l.v_width = 0;
    } else {
      l.k_width = int64_t{c.n_head} * c.head_dim_k;
      l.v_width = int64_t{c.n_head} * c.head_dim_v;
    }
  } else {
    l.k_width = int64_t{c.n_head_kv} * c.head_dim_k;
    l.v_width = int64_t{c.n_head_kv} * c.head_dim_v;
  }
  return l;
}

Status Model::Forward(const ForwardBatch& batch, KvCache& kv, ThreadPool& pool,
                      std::vector<float>* logits, RoutingTrace* routing) const {
  const ModelConfig& c = config_;
  const KvLayout want = kv_layout();
  if (kv.layout().n_layer != want.n_layer || kv.layout().k_width != want.k_width ||
      kv.layout().v_width != want.v_width) {
    return InvalidArgument("KV cache layout does not match the model");
  }
  // Validate everything before touching the cache.
  std::vector<TokenRow> rows;
  rows.reserve(static_cast<size_t>(batch.total_tokens()));
  for (const SequenceChunk& seq : batch.sequences) {
    if (seq.n_tokens < 0 || seq.start_pos < 0) return InvalidArgument("negative token count or position");
    const int64_t end = seq.start_pos + seq.n_tokens;
    const int64_t blocks_needed = (end + kv.block_size() - 1) / kv.block_size();
    if (seq.n_blocks < blocks_needed) {
      return InvalidArgument("block table has " + std::to_string(seq.n_blocks) + " blocks, " +
                             std::to_string(blocks_needed) + " needed for position " +
                             std::to_string(end - 1));
    }
    for (int64_t b = 0; b < blocks_needed; ++b) {
      if (seq.block_table[b] < 0 || seq.block_table[b] >= kv.n_blocks()) {
        return InvalidArgument("block id " + std::to_string(seq.block_table[b]) + " is outside the cache");
      }
    }
    for (int i = 0; i < seq.n_tokens; ++i) {
      if (seq.tokens[i] < 0 || static_cast<uint32_t>(seq.tokens[i]) >= c.n_vocab) {
        return InvalidArgument("token id " + std::to_string(seq.tokens[i]) + " is outside the vocabulary (" +
                               std::to_string(c.n_vocab) + ")");
      }
      rows.push_back({seq.start_pos + i, seq.block_table});
    }
  }
  const int64_t T = static_cast<int64_t>(rows.size());
  const int64_t D = c.n_embd;
  // Sized, not cleared: the output product overwrites every value (zeroing 6.5 MB took ~0.5 ms
  // of a 16-sequence step on one thread).
  logits->resize(static_cast<size_t>(batch.logit_rows() * c.n_vocab));
  if (T == 0) return Status::Ok();

  const AttentionParams attn =
      MakeAttentionParams(c, weights_.rope_freqs.empty() ? nullptr : weights_.rope_freqs.data());
  ForwardState s{c, weights_, attn, kv, pool, std::move(rows), routing};

  ScratchArena::Scope scope(s.scratch);
  // x: [T x D] embeddings.
  float* x = s.scratch.Floats(static_cast<size_t>(T * D));
  {
    int64_t t = 0;
    for (const SequenceChunk& seq : batch.sequences) {
      for (int i = 0; i < seq.n_tokens; ++i, ++t) {
        const WeightMatrix& e = weights_.token_embd;
        DequantizeRow(e.type, e.data + static_cast<uint64_t>(seq.tokens[i]) * e.row_bytes,
                      x + t * D, D);
      }
    }
  }
  float* h = s.scratch.Floats(static_cast<size_t>(T * D));
  float* y = s.scratch.Floats(static_cast<size_t>(T * D));
  // h = norm(x + y) row by row (no residual before the first layer), in parallel over the
  // batch's tokens: element-wise passes the other threads would otherwise wait for.
  auto residual_norm = [&](const float* y_or_null, const std::vector<float>& norm) {
    pool.ParallelFor(static_cast<size_t>(T), [&](int, size_t b, size_t e) {
      for (size_t t = b; t < e; ++t) {
        float* xt = x + static_cast<int64_t>(t) * D;
        if (y_or_null != nullptr) {
          const float* yt = y_or_null + static_cast<int64_t>(t) * D;
          for (int64_t i = 0; i < D; ++i) xt[i] += yt[i];
        }
        RmsNorm(xt, norm.data(), D, c.rms_eps, h + static_cast<int64_t>(t) * D);
      }
    });
  };
  for (uint32_t l = 0; l < c.n_layer; ++l) {
    const LayerWeights& L = weights_.layers[l];
    residual_norm(l == 0 ? nullptr : y, L.attn_norm);
    if (c.arch == Architecture::kDeepseek2) {
      MlaAttention(s, static_cast<int>(l), h, y);
    } else {
      DenseAttention(s, static_cast<int>(l), h, y);
    }
    residual_norm(y, L.ffn_norm);
    if (c.is_moe_layer(l)) {
      MoeFfn(s, static_cast<int>(l), h, y);
    } else {
      DenseFfn(s, L, h, y);
    }
  }
  if (c.n_layer > 0) {
    for (int64_t i = 0; i < T * D; ++i) x[i] += y[i];
  }

  // Final norm and LM head for the requested rows only.
  std::vector<float> selected;
  selected.reserve(static_cast<size_t>(batch.logit_rows() * D));
  int64_t t0 = 0;
  for (const SequenceChunk& seq : batch.sequences) {
    const int first = seq.all_logits ? 0 : seq.n_tokens - 1;
    for (int i = std::max(first, 0); i < seq.n_tokens; ++i) {
      const float* row = x + (t0 + i) * D;
      const size_t at = selected.size();
      selected.resize(at + static_cast<size_t>(D));
      RmsNorm(row, weights_.output_norm.data(), D, c.rms_eps, selected.data() + at);
    }
    t0 += seq.n_tokens;
  }
  MatMul(weights_.output, selected.data(), batch.logit_rows(), logits->data(), &pool);
  return Status::Ok();
}

}  // namespace dsinfer
