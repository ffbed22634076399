// Conformance with llama.cpp: logits, greedy continuations and MoE routing of every golden model
// (tolerances from ../shared/golden/README.md §6), and batch-shape invariance.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "gguf/writer.h"
#include "model/model.h"
#include "kernels/packed.h"
#include "model/synth.h"
#include "testing/golden.h"

namespace dsinfer {
namespace {

template <typename T>
std::vector<T> ReadBinary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::vector<T> out(bytes.size() / sizeof(T));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

// Runs sequences through a fresh cache; each sequence gets its own blocks.
class Runner {
 public:
  Runner(const Model& model, int max_tokens, int n_seqs = 1)
      : model_(model), pool_(2) {
    const int blocks_per_seq = (max_tokens + kBlock - 1) / kBlock;
    kv_ = std::make_unique<KvCache>(
        std::move(KvCache::Create(model.kv_layout(), kBlock, blocks_per_seq * n_seqs, DType::kF32).value()));
    for (int s = 0; s < n_seqs; ++s) {
      tables_.emplace_back(blocks_per_seq);
      std::iota(tables_.back().begin(), tables_.back().end(), s * blocks_per_seq);
    }
  }
  // Evaluates tokens [start, start+n) of sequence `seq`; returns logits of every row.
  std::vector<float> Eval(int seq, const int32_t* tokens, int n, int64_t start, bool all,
                          RoutingTrace* routing = nullptr) {
    ForwardBatch b;
    b.sequences.push_back({tokens, n, start, tables_[seq].data(), static_cast<int>(tables_[seq].size()), all});
    std::vector<float> logits;
    Status st = model_.Forward(b, *kv_, pool_, &logits, routing);
    EXPECT_TRUE(st.ok()) << st.message();
    return logits;
  }
  std::vector<float> EvalBatch(ForwardBatch& b) {
    std::vector<float> logits;
    Status st = model_.Forward(b, *kv_, pool_, &logits);
    EXPECT_TRUE(st.ok()) << st.message();
    return logits;
  }
  const std::vector<int32_t>& table(int seq) const { return tables_[seq]; }

  static constexpr int kBlock = 16;

 private:
  const Model& model_;
  ThreadPool pool_;
  std::unique_ptr<KvCache> kv_;
  std::vector<std::vector<int32_t>> tables_;
};

int Argmax(const float* row, int n) { return static_cast<int>(std::max_element(row, row + n) - row); }

struct Errors {
  double max_abs = 0, rel_rms = 0, worst_pos_rel_rms = 0;
  int argmax_checked = 0, argmax_mismatch = 0;
};

Errors Compare(const std::vector<float>& ours, const std::vector<float>& ref, int n_vocab,
               const std::vector<float>& margins, double margin_threshold) {
  Errors e;
  double err = 0, norm = 0;
  const int rows = static_cast<int>(ref.size() / n_vocab);
  for (int r = 0; r < rows; ++r) {
    double row_err = 0, row_norm = 0;
    for (int i = 0; i < n_vocab; ++i) {
      const double d = ours[r * n_vocab + i] - ref[r * n_vocab + i];
      e.max_abs = std::max(e.max_abs, std::abs(d));
      row_err += d * d;
      row_norm += static_cast<double>(ref[r * n_vocab + i]) * ref[r * n_vocab + i];
    }
    err += row_err;
    norm += row_norm;
    e.worst_pos_rel_rms = std::max(e.worst_pos_rel_rms, std::sqrt(row_err / row_norm));
    if (margins[r] >= margin_threshold) {
      e.argmax_checked++;
      if (Argmax(&ours[r * n_vocab], n_vocab) != Argmax(&ref[r * n_vocab], n_vocab)) e.argmax_mismatch++;
    }
  }
  e.rel_rms = std::sqrt(err / norm);
  return e;
}

class ModelGoldenTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ModelGoldenTest, LogitsGreedyAndRoutingMatchLlamaCpp) {
  DSINFER_REQUIRE_GOLDEN(golden);
  const std::string dir = golden + "/" + GetParam();
  std::ifstream in(dir + "/manifest.json");
  nlohmann::json manifest = nlohmann::json::parse(in);
  auto model = Model::Load(golden + "/" + manifest["model_file"].get<std::string>());
  ASSERT_TRUE(model.ok()) << model.status().message();
  const int n_vocab = static_cast<int>((*model)->config().n_vocab);
  const auto prompt = ReadBinary<int32_t>(dir + "/prompt_tokens.i32");
  const auto ref = ReadBinary<float>(dir + "/prompt_logits.f32");
  const auto margins = manifest["prompt_argmax_margin"]["values"].get<std::vector<float>>();
  const std::string name = GetParam();
  const bool f32 = name.find("-f32") != std::string::npos;
  const bool half = name.find("-f16") != std::string::npos || name.find("-bf16") != std::string::npos;
  // The check must cover the fast path: quantized files of packable types run packed kernels
  // where this CPU has them (the matrices' packed copies are what Forward reads).
  int packable = 0;
  for (const LayerWeights& L : (*model)->weights().layers) {
    for (const WeightMatrix* m : {&L.wq, &L.wo, &L.wkv_a, &L.ffn_gate, &L.gate_shexp, &L.gate_exps.first}) {
      if (m->rows >= 16 && PackedKernelAvailable(m->type)) {
        ++packable;
        EXPECT_NE(m->packed, nullptr) << "a packable matrix was not packed";
      }
    }
  }
  if (packable > 0) {
    EXPECT_GT((*model)->pack_summary().packed_matrices, 0);
    std::printf("[ info ] %s: %d checked matrices run on packed kernels\n", name.c_str(), packable);
  }

  Runner runner(**model, static_cast<int>(prompt.size()) + 40);
  RoutingTrace routing;
  const auto logits = runner.Eval(0, prompt.data(), static_cast<int>(prompt.size()), 0, true, &routing);
  ASSERT_EQ(logits.size(), ref.size());
  const double margin_threshold = f32 ? 0.0 : half ? 0.01 : 0.05;
  const Errors e = Compare(logits, ref, n_vocab, margins, margin_threshold);
  std::printf("%s: max|d| %.3g, rel RMS %.3g (worst position %.3g), argmax %d/%d agree (margin >= %.2f)\n",
              name.c_str(), e.max_abs, e.rel_rms, e.worst_pos_rel_rms,
              e.argmax_checked - e.argmax_mismatch, e.argmax_checked, margin_threshold);

  // MoE routing against llama.cpp's, except where our own selection margin is a near-tie.
  int routing_total = 0, routing_flips = 0, routing_near_ties = 0;
  if (std::filesystem::exists(dir + "/routing.json")) {
    std::ifstream rin(dir + "/routing.json");
    nlohmann::json rj = nlohmann::json::parse(rin);
    for (const auto& [layer_str, layer] : rj["layers"].items()) {
      const auto& ours = routing.layers[std::stoi(layer_str)];
      const auto& topk = layer["ffn_moe_topk"];
      ASSERT_EQ(ours.size(), topk.size());
      for (size_t t = 0; t < ours.size(); ++t) {
        routing_total++;
        std::vector<int32_t> theirs = topk[t].get<std::vector<int32_t>>();
        std::vector<int32_t> mine = ours[t].experts;
        std::sort(theirs.begin(), theirs.end());
        std::sort(mine.begin(), mine.end());
        if (theirs == mine) continue;
        // Selection margin: k-th best minus (k+1)-th best selection score.
        std::vector<float> scores = ours[t].selection_scores;
        std::sort(scores.begin(), scores.end(), std::greater<float>());
        const size_t k = mine.size();
        const float margin = scores[k - 1] - scores[k];
        if (margin < 1e-3f) {
          routing_near_ties++;
        } else {
          routing_flips++;
          ADD_FAILURE() << "layer " << layer_str << " token " << t << ": experts differ at margin " << margin;
        }
      }
    }
    std::printf("%s: routing %d/%d token-layers equal, %d near-tie flips, %d real flips\n", name.c_str(),
                routing_total - routing_flips - routing_near_ties, routing_total, routing_near_ties,
                routing_flips);
  }

  if (f32) {
    EXPECT_LE(e.max_abs, 1e-4);
    EXPECT_EQ(e.argmax_mismatch, 0);
  } else if (half) {
    EXPECT_LE(e.rel_rms, 5e-3);
    EXPECT_LE(e.worst_pos_rel_rms, 5e-3);
    EXPECT_EQ(e.argmax_mismatch, 0);
  } else {
    EXPECT_LE(e.rel_rms, 5e-2);
    // Argmax disagreements at margin >= 0.05 are allowed only when a routing near-tie explains them.
    if (routing_near_ties == 0) {
      EXPECT_EQ(e.argmax_mismatch, 0);
    }
  }

  // Greedy continuation, one token per step (F32 files: exact token match).
  if (f32) {
    const auto greedy_ref = ReadBinary<int32_t>(dir + "/greedy_tokens.i32");
    std::vector<int32_t> generated;
    int32_t next = Argmax(&logits[(prompt.size() - 1) * n_vocab], n_vocab);
    for (size_t i = 0; i < greedy_ref.size(); ++i) {
      generated.push_back(next);
      if (i + 1 == greedy_ref.size()) break;
      const auto step = runner.Eval(0, &next, 1, static_cast<int64_t>(prompt.size() + i), false);
      next = Argmax(step.data(), n_vocab);
    }
    EXPECT_EQ(generated, greedy_ref);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Golden, ModelGoldenTest,
    ::testing::Values("ds2-lite-mini-f32", "ds2-lite-mini-q4_k_m", "ds2-lite-mini-q6_k",
                      "ds2-lite-mini-q8_0", "ds3-mini-f32", "ds3-mini-q4_k_m", "llama-mini-bf16",
                      "llama-mini-f16", "llama-mini-f32", "llama-mini-q4_0", "qwen2-mini-f32",
                      "qwen2-mini-q5_k_m"),
    [](const ::testing::TestParamInfo<const char*>& info) {
      std::string n = info.param;
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

// The same prompt evaluated in one batch, in chunks, one token at a time, and interleaved with
// another sequence in the same batch gives the same logits.
class BatchInvarianceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BatchInvarianceTest, LogitsDoNotDependOnHowThePromptIsBatched) {
  DSINFER_REQUIRE_GOLDEN(golden);
  auto model = Model::Load(golden + "/models/" + GetParam() + ".gguf");
  ASSERT_TRUE(model.ok()) << model.status().message();
  const int n_vocab = static_cast<int>((*model)->config().n_vocab);
  const auto prompt = ReadBinary<int32_t>(golden + "/" + GetParam() + "/prompt_tokens.i32");
  const int n = static_cast<int>(prompt.size());

  Runner one(**model, n);
  const auto whole = one.Eval(0, prompt.data(), n, 0, true);

  auto check = [&](const std::vector<float>& other, const char* how) {
    ASSERT_EQ(other.size(), whole.size()) << how;
    double max_abs = 0;
    for (size_t i = 0; i < whole.size(); ++i) max_abs = std::max(max_abs, double(std::abs(other[i] - whole[i])));
    EXPECT_LE(max_abs, 1e-5) << how;
    std::printf("%s %s: max|d| vs one batch %.3g\n", GetParam(), how, max_abs);
  };

  Runner chunked(**model, n);
  std::vector<float> chunks;
  for (int start = 0; start < n; start += 13) {
    const int len = std::min(13, n - start);
    const auto part = chunked.Eval(0, prompt.data() + start, len, start, true);
    chunks.insert(chunks.end(), part.begin(), part.end());
  }
  check(chunks, "chunks of 13");

  Runner single(**model, n);
  std::vector<float> singles;
  for (int i = 0; i < n; ++i) {
    const auto part = single.Eval(0, prompt.data() + i, 1, i, true);
    singles.insert(singles.end(), part.begin(), part.end());
  }
  check(singles, "one token at a time");

  // Interleaved: a second sequence (the prompt reversed) shares every batch.
  Runner pair(**model, n, 2);
  std::vector<int32_t> other(prompt.rbegin(), prompt.rend());
  std::vector<float> interleaved;
  for (int start = 0; start < n; start += 16) {
    const int len = std::min(16, n - start);
    ForwardBatch b;
    b.sequences.push_back({other.data() + start, len, start, pair.table(1).data(),
                           static_cast<int>(pair.table(1).size()), true});
    b.sequences.push_back({prompt.data() + start, len, start, pair.table(0).data(),
                           static_cast<int>(pair.table(0).size()), true});
    const auto part = pair.EvalBatch(b);
    interleaved.insert(interleaved.end(), part.begin() + static_cast<long>(len) * n_vocab, part.end());
  }
  check(interleaved, "interleaved with another sequence");
}

INSTANTIATE_TEST_SUITE_P(Golden, BatchInvarianceTest,
                         ::testing::Values("ds2-lite-mini-f32", "ds3-mini-f32", "llama-mini-f32",
                                           "qwen2-mini-f32"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

std::string SynthTiny(const char* name, const char* recipe) {
  const std::string path = std::string(::testing::TempDir()) + "/" + name;
  ThreadPool pool(2);
  auto r = SynthesizeModel(*FindSynthPreset("tiny"), *FindQuantRecipe(recipe), 3, path, pool, nullptr);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return path;
}

TEST(ModelLoadTest, ShapeMismatchNamesTheTensorAndBothShapes) {
  const std::string good = SynthTiny("tiny_shape_src.gguf", "F32");
  auto src = gguf::GgufFile::Open(good);
  ASSERT_TRUE(src.ok());
  const std::string bad = std::string(::testing::TempDir()) + "/tiny_bad_shape.gguf";
  {
    gguf::GgufWriter w(bad);
    for (const auto& e : src->metadata()) w.SetMetadata(e.key, e.value);
    for (const auto& t : src->tensors()) {
      std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
      if (t.name == "blk.1.attn_k_b.weight") ne[2] /= 2;
      ASSERT_TRUE(w.AddTensor(t.name, t.type, ne).ok());
    }
    for (const auto& t : src->tensors()) {
      const uint64_t bytes = t.name == "blk.1.attn_k_b.weight" ? t.nbytes / 2 : t.nbytes;
      ASSERT_TRUE(w.WriteTensorData(t.name, t.data, bytes).ok());
    }
    ASSERT_TRUE(w.Finish().ok());
  }
  auto model = Model::Load(bad);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("blk.1.attn_k_b.weight: expected [32, 128, 4], found [32, 128, 2]"),
            std::string::npos)
      << model.status().message();
}

// Runs without ../shared: the built-in demo model evaluates a batch to finite logits, and
// bad inputs are rejected before the cache is touched.
TEST(ModelForwardTest, TinyModelProducesFiniteLogitsAndRejectsBadInput) {
  auto model = Model::Load(SynthTiny("tiny_fwd.gguf", "Q8_0"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  Runner runner(**model, 32);
  std::vector<int32_t> tokens = {1, 2, 3, 4, 5, 6, 7};
  const auto logits = runner.Eval(0, tokens.data(), 7, 0, true);
  ASSERT_EQ(logits.size(), 7u * (*model)->config().n_vocab);
  for (float v : logits) ASSERT_TRUE(std::isfinite(v));

  KvCache kv = std::move(KvCache::Create((*model)->kv_layout(), 16, 1, DType::kF16).value());
  ThreadPool pool(1);
  std::vector<int32_t> table = {0};
  std::vector<float> out;
  int32_t bad_token = static_cast<int32_t>((*model)->config().n_vocab);
  ForwardBatch b;
  b.sequences.push_back({&bad_token, 1, 0, table.data(), 1, false});
  EXPECT_EQ((*model)->Forward(b, kv, pool, &out).code(), StatusCode::kInvalidArgument);
  b.sequences[0] = {tokens.data(), 7, 12, table.data(), 1, false};  // needs 2 blocks
  EXPECT_EQ((*model)->Forward(b, kv, pool, &out).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dsinfer
