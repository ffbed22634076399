#include "model/weights.h"

#include <map>

#include "tensor/quant.h"

namespace dsinfer {

namespace {

class Binder {
 public:
  Binder(const gguf::GgufFile& file, const std::vector<TensorSpec>& specs) : file_(file) {
    for (const auto& s : specs) specs_[s.name] = &s;
  }

  // Finds `name`, checks it against its spec, and returns it; records the first error.
  const gguf::TensorInfo* Get(const std::string& name) {
    if (!status_.ok()) return nullptr;
    auto spec = specs_.find(name);
    CHECK(spec != specs_.end()) << "no layout entry for " << name;
    const gguf::TensorInfo* t = file_.FindTensor(name);
    if (t == nullptr) {
      status_ = DataLoss(file_.path() + ": missing tensor " + name);
      return nullptr;
    }
    std::vector<int64_t> ne(t->ne, t->ne + t->n_dims);
    const std::vector<int64_t>& want = spec->second->ne;
    // Trailing dimensions of 1 are equivalent (ggml pads shapes to 4 dims).
    std::vector<int64_t> trimmed = ne;
    while (trimmed.size() > want.size() && trimmed.back() == 1) trimmed.pop_back();
    if (trimmed != want) {
      status_ = DataLoss(file_.path() + ": " + name + ": expected " + ShapeToString(want) +
                         ", found " + ShapeToString(ne));
      return nullptr;
    }
    Status s = CheckDequantizable(t->type, name);
    if (!s.ok()) status_ = s.WithPrefix(file_.path());
    return status_.ok() ? t : nullptr;
  }

  WeightMatrix Matrix(const std::string& name) {
    const gguf::TensorInfo* t = Get(name);
    if (t == nullptr) return {};
    if (!MatMulSupports(t->type)) {
      status_ = Unimplemented(file_.path() + ": " + name + ": no matrix product for type " +
                              DTypeName(t->type));
      return {};
    }
    WeightMatrix m;
    m.type = t->type;
    m.data = t->data;
    m.cols = t->ne[0];
    m.rows = t->ne[1];
    m.row_bytes = *RowBytes(t->type, static_cast<uint64_t>(t->ne[0]));
    return m;
  }

  StackedMatrix Stacked(const std::string& name) {
    WeightMatrix first = Matrix(name);
    if (!status_.ok()) return {};
    return {first, file_.FindTensor(name)->ne[2]};
  }

  std::vector<float> Vector(const std::string& name) {
    const gguf::TensorInfo* t = Get(name);
    if (t == nullptr) return {};
    std::vector<float> v(static_cast<size_t>(t->n_elements()));
    DequantizeRow(t->type, t->data, v.data(), t->n_elements());
    return v;
  }

  const Status& status() const { return status_; }

 private:
  const gguf::GgufFile& file_;
  std::map<std::string, const TensorSpec*> specs_;
  Status status_;
};

}  // namespace

Expected<ModelWeights> BindWeights(const gguf::GgufFile& file, ModelConfig* config) {
  ModelConfig& c = *config;
  ModelWeights w;
  w.layout.tied_embeddings = file.FindTensor("output.weight") == nullptr;
  w.layout.rope_freqs = file.FindTensor("rope_freqs.weight") != nullptr;
  w.layout.qkv_bias = file.FindTensor("blk.0.attn_q.bias") != nullptr;
  w.layout.expert_bias = false;
  for (uint32_t l = 0; l < c.n_layer; ++l) {
    if (file.FindTensor("blk." + std::to_string(l) + ".exp_probs_b.bias") != nullptr) {
      w.layout.expert_bias = true;
    }
  }
  if (c.arch == Architecture::kDeepseek2) {
    if (const gguf::TensorInfo* qa = file.FindTensor("blk.0.attn_q_a.weight")) {
      c.q_lora_rank = static_cast<uint32_t>(qa->ne[1]);
    } else {
      c.q_lora_rank = 0;
    }
    if (file.FindTensor("blk.0.attn_kv_b.weight") != nullptr) c.is_mla = false;
  }
  if (const gguf::TensorInfo* emb = file.FindTensor("token_embd.weight")) {
    if (emb->ne[1] != static_cast<int64_t>(c.n_vocab) && c.n_vocab != 0) {
      return DataLoss(file.path() + ": token_embd.weight has " + std::to_string(emb->ne[1]) +
                      " rows but the vocabulary has " + std::to_string(c.n_vocab) + " tokens");
    }
    c.n_vocab = static_cast<uint32_t>(emb->ne[1]);
  }

  const std::vector<TensorSpec> specs = ExpectedTensors(c, w.layout);
  Binder b(file, specs);
  w.token_embd = b.Matrix("token_embd.weight");
  w.output_norm = b.Vector("output_norm.weight");
  w.output = w.layout.tied_embeddings ? w.token_embd : b.Matrix("output.weight");
  if (w.layout.rope_freqs) w.rope_freqs = b.Vector("rope_freqs.weight");
  w.layers.resize(c.n_layer);
  for (uint32_t l = 0; l < c.n_layer && b.status().ok(); ++l) {
    LayerWeights& L = w.layers[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    L.attn_norm = b.Vector(p + "attn_norm.weight");
    L.ffn_norm = b.Vector(p + "ffn_norm.weight");
    if (c.arch == Architecture::kDeepseek2) {
      if (c.q_lora_rank > 0) {
        L.wq_a = b.Matrix(p + "attn_q_a.weight");
        L.q_a_norm = b.Vector(p + "attn_q_a_norm.weight");
        L.wq_b = b.Matrix(p + "attn_q_b.weight");
      } else {
        L.wq = b.Matrix(p + "attn_q.weight");
      }
      L.wkv_a = b.Matrix(p + "attn_kv_a_mqa.weight");
      L.kv_a_norm = b.Vector(p + "attn_kv_a_norm.weight");
      if (c.is_mla) {
        L.wk_b = b.Stacked(p + "attn_k_b.weight");
        L.wv_b = b.Stacked(p + "attn_v_b.weight");
      } else {
        L.wkv_b = b.Matrix(p + "attn_kv_b.weight");
      }
    } else {
      L.wq = b.Matrix(p + "attn_q.weight");
      L.wk = b.Matrix(p + "attn_k.weight");
      L.wv = b.Matrix(p + "attn_v.weight");
      if (w.layout.qkv_bias) {
        L.bq = b.Vector(p + "attn_q.bias");
        L.bk = b.Vector(p + "attn_k.bias");
        L.bv = b.Vector(p + "attn_v.bias");
      }
    }
    L.wo = b.Matrix(p + "attn_output.weight");
    if (c.is_moe_layer(l)) {
      L.router = b.Matrix(p + "ffn_gate_inp.weight");
      if (w.layout.expert_bias) L.expert_bias = b.Vector(p + "exp_probs_b.bias");
      L.gate_exps = b.Stacked(p + "ffn_gate_exps.weight");
      L.up_exps = b.Stacked(p + "ffn_up_exps.weight");
      L.down_exps = b.Stacked(p + "ffn_down_exps.weight");
      if (c.n_expert_shared > 0) {
        L.gate_shexp = b.Matrix(p + "ffn_gate_shexp.weight");
        L.up_shexp = b.Matrix(p + "ffn_up_shexp.weight");
        L.down_shexp = b.Matrix(p + "ffn_down_shexp.weight");
      }
    } else {
      L.ffn_gate = b.Matrix(p + "ffn_gate.weight");
      L.ffn_up = b.Matrix(p + "ffn_up.weight");
      L.ffn_down = b.Matrix(p + "ffn_down.weight");
    }
  }
  if (!b.status().ok()) return b.status();
  return w;
}

}  // namespace dsinfer
