#include "model/tensor_layout.h"

namespace dsinfer {

namespace {

using Init = TensorSpec::Init;

class Builder {
 public:
  explicit Builder(std::vector<TensorSpec>* out) : out_(out) {}
  void Matrix(const std::string& name, std::vector<int64_t> ne, int64_t fan_in) {
    out_->push_back({name, std::move(ne), Init::kMatrix, fan_in});
  }
  void Spec(const std::string& name, std::vector<int64_t> ne, Init init, int64_t fan_in) {
    out_->push_back({name, std::move(ne), init, fan_in});
  }
  void Vector(const std::string& name, int64_t n, Init init) {
    out_->push_back({name, {n}, init, 1});
  }

 private:
  std::vector<TensorSpec>* out_;
};

void DenseFfn(Builder& b, const std::string& p, int64_t d, int64_t f) {
  b.Matrix(p + "ffn_gate.weight", {d, f}, d);
  b.Matrix(p + "ffn_up.weight", {d, f}, d);
  b.Matrix(p + "ffn_down.weight", {f, d}, f);
}

void MoeFfn(Builder& b, const std::string& p, const ModelConfig& c, bool expert_bias) {
  const int64_t d = c.n_embd, fe = c.n_ff_exp, e = c.n_expert;
  b.Spec(p + "ffn_gate_inp.weight", {d, e}, Init::kRouter, d);
  if (expert_bias) b.Vector(p + "exp_probs_b.bias", e, Init::kBias);
  b.Matrix(p + "ffn_gate_exps.weight", {d, fe, e}, d);
  b.Matrix(p + "ffn_up_exps.weight", {d, fe, e}, d);
  b.Matrix(p + "ffn_down_exps.weight", {fe, d, e}, fe);
  if (c.n_expert_shared > 0) {
    const int64_t fs = fe * c.n_expert_shared;
    b.Matrix(p + "ffn_gate_shexp.weight", {d, fs}, d);
    b.Matrix(p + "ffn_up_shexp.weight", {d, fs}, d);
    b.Matrix(p + "ffn_down_shexp.weight", {fs, d}, fs);
  }
}

}  // namespace

std::vector<TensorSpec> ExpectedTensors(const ModelConfig& c, const LayoutOptions& o) {
  std::vector<TensorSpec> out;
  Builder b(&out);
  const int64_t d = c.n_embd, v = c.n_vocab, h = c.n_head;
  b.Spec("token_embd.weight", {d, v}, Init::kEmbedding, d);
  if (o.rope_freqs) b.Vector("rope_freqs.weight", c.n_rot / 2, Init::kRopeFreqs);

  for (uint32_t l = 0; l < c.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    b.Vector(p + "attn_norm.weight", d, Init::kNorm);
    if (c.arch == Architecture::kDeepseek2) {
      const int64_t dqk = c.head_dim_k, dv = c.head_dim_v, rot = c.n_rot, nope = dqk - rot;
      const int64_t rkv = c.kv_lora_rank, rq = c.q_lora_rank;
      if (rq > 0) {
        b.Matrix(p + "attn_q_a.weight", {d, rq}, d);
        b.Vector(p + "attn_q_a_norm.weight", rq, Init::kNorm);
        b.Matrix(p + "attn_q_b.weight", {rq, h * dqk}, rq);
      } else {
        b.Matrix(p + "attn_q.weight", {d, h * dqk}, d);
      }
      b.Matrix(p + "attn_kv_a_mqa.weight", {d, rkv + rot}, d);
      b.Vector(p + "attn_kv_a_norm.weight", rkv, Init::kNorm);
      if (c.is_mla) {
        b.Matrix(p + "attn_k_b.weight", {nope, rkv, h}, rkv);
        b.Matrix(p + "attn_v_b.weight", {rkv, dv, h}, rkv);
      } else {
        b.Matrix(p + "attn_kv_b.weight", {rkv, h * (nope + dv)}, rkv);
      }
      b.Matrix(p + "attn_output.weight", {h * dv, d}, h * dv);
    } else {
      const int64_t dk = c.head_dim_k, dv = c.head_dim_v, hkv = c.n_head_kv;
      b.Matrix(p + "attn_q.weight", {d, h * dk}, d);
      b.Matrix(p + "attn_k.weight", {d, hkv * dk}, d);
      b.Matrix(p + "attn_v.weight", {d, hkv * dv}, d);
      if (o.qkv_bias) {
        b.Vector(p + "attn_q.bias", h * dk, Init::kBias);
        b.Vector(p + "attn_k.bias", hkv * dk, Init::kBias);
        b.Vector(p + "attn_v.bias", hkv * dv, Init::kBias);
      }
      b.Matrix(p + "attn_output.weight", {h * dv, d}, h * dv);
    }
    b.Vector(p + "ffn_norm.weight", d, Init::kNorm);
    if (c.is_moe_layer(l)) {
      MoeFfn(b, p, c, o.expert_bias);
    } else {
      DenseFfn(b, p, d, c.n_ff);
    }
  }
  b.Vector("output_norm.weight", d, Init::kNorm);
  if (!o.tied_embeddings) b.Matrix("output.weight", {d, v}, d);
  return out;
}

std::string ShapeToString(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(ne[i]);
  }
  return s + "]";
}

}  // namespace dsinfer
