// PackModelWeights: packed copies in memory and through the cache file give the same matrix
// products; a second load maps the cache file instead of packing; a changed model file gets a
// new cache file and the stale one is removed; an unusable cache directory falls back to memory.

#include "model/packed_weights.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gguf/reader.h"
#include "kernels/packed.h"
#include "model/model_config.h"
#include "model/synth.h"
#include "model/synth_presets.h"

namespace dsinfer {
namespace {

namespace fs = std::filesystem;

std::string SynthQ4(const std::string& name) {
  const std::string path = std::string(::testing::TempDir()) + "/" + name;
  ThreadPool pool(2);
  auto r = SynthesizeModel(*FindSynthPreset("tiny"), *FindQuantRecipe("Q4_K_M"), 7, path, pool, nullptr);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return path;
}

struct Bound {
  gguf::GgufFile file;
  ModelWeights weights;
};

Bound Bind(const std::string& path) {
  auto file = gguf::GgufFile::Open(path);
  EXPECT_TRUE(file.ok());
  auto config = ReadModelConfig(*file);
  EXPECT_TRUE(config.ok());
  auto weights = BindWeights(*file, &*config);
  EXPECT_TRUE(weights.ok()) << weights.status().message();
  return {std::move(*file), std::move(*weights)};
}

// Products of every packed matrix of the first layers with a fixed input; with `from_file`, of
// the same matrices read from the model file instead of the packed copy.
std::vector<float> Products(const ModelWeights& w, bool from_file = false) {
  std::vector<float> out;
  for (const LayerWeights& L : w.layers) {
    for (const WeightMatrix* m : {&L.wq, &L.wo, &L.wkv_a, &L.gate_shexp, &L.ffn_gate}) {
      if (m->rows == 0 || m->packed == nullptr) continue;
      WeightMatrix read = *m;
      if (from_file) read.packed = nullptr;
      std::vector<float> x(static_cast<size_t>(m->cols)), y(static_cast<size_t>(m->rows));
      for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.1f * static_cast<float>(i));
      MatMul(read, x.data(), 1, y.data(), nullptr);
      out.insert(out.end(), y.begin(), y.end());
    }
  }
  return out;
}

class PackedWeightsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PackedKernelAvailable(DType::kQ4_K)) GTEST_SKIP() << "no packed kernels on this CPU";
    dir_ = std::string(::testing::TempDir()) + "/pack_cache_" + std::to_string(::getpid());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  PackOptions Options(const std::string& path) const {
    PackOptions o;
    o.file_backed = true;
    o.source_path = path;
    o.cache_dir = dir_;
    o.min_cached_bytes = 0;
    return o;
  }
  std::string dir_;
};

TEST_F(PackedWeightsTest, CacheFileIsWrittenOnceThenMappedWithTheSameResults) {
  const std::string model = SynthQ4("pack_cache_model.gguf");
  ThreadPool pool(2);

  Bound memory = Bind(model);
  PackOptions in_memory = Options(model);
  in_memory.cache_dir.clear();
  const PackSummary m = PackModelWeights(&memory.weights, pool, in_memory);
  ASSERT_GT(m.packed_matrices, 0);
  EXPECT_TRUE(m.cache_path.empty());
  const std::vector<float> want = Products(memory.weights);
  ASSERT_FALSE(want.empty());

  Bound first = Bind(model);
  const PackSummary a = PackModelWeights(&first.weights, pool, Options(model));
  EXPECT_FALSE(a.from_cache);
  ASSERT_FALSE(a.cache_path.empty());
  EXPECT_TRUE(fs::exists(a.cache_path));
  EXPECT_EQ(a.packed_bytes, m.packed_bytes);
  EXPECT_EQ(Products(first.weights), want);

  Bound second = Bind(model);
  const PackSummary b = PackModelWeights(&second.weights, pool, Options(model));
  EXPECT_TRUE(b.from_cache);
  EXPECT_EQ(b.cache_path, a.cache_path);
  EXPECT_EQ(b.packed_matrices, a.packed_matrices);
  EXPECT_EQ(Products(second.weights), want);
}

TEST_F(PackedWeightsTest, ReclaimingTheFilePagesKeepsEveryResult) {
  // What a load does when the file and its packed copy exceed memory: the file's pages leave the
  // page cache as they are packed; later reads of the file (unpacked rows, tied embeddings)
  // fault them back in from the file.
  const std::string model = SynthQ4("pack_evict_model.gguf");
  ThreadPool pool(2);
  Bound reference = Bind(model);
  PackOptions keep = Options(model);
  keep.cache_dir.clear();
  keep.evict_source_pages = false;
  const PackSummary k = PackModelWeights(&reference.weights, pool, keep);
  EXPECT_FALSE(k.evicted_source_pages);
  const std::vector<float> want = Products(reference.weights);
  const std::vector<float> want_from_file = Products(reference.weights, /*from_file=*/true);
  ASSERT_FALSE(want.empty());

  Bound evicted = Bind(model);
  PackOptions evict = keep;
  evict.evict_source_pages = true;
  const PackSummary e = PackModelWeights(&evicted.weights, pool, evict);
  EXPECT_TRUE(e.evicted_source_pages);
  EXPECT_EQ(e.packed_bytes, k.packed_bytes);
  EXPECT_EQ(Products(evicted.weights), want);
  EXPECT_EQ(Products(evicted.weights, /*from_file=*/true), want_from_file);

  // Left to decide by size, a small model and its copy fit in memory: nothing is evicted.
  Bound automatic = Bind(model);
  PackOptions by_size = keep;
  by_size.evict_source_pages.reset();
  EXPECT_FALSE(PackModelWeights(&automatic.weights, pool, by_size).evicted_source_pages);
}

TEST_F(PackedWeightsTest, ChangedModelFileGetsANewCacheFileAndTheStaleOneIsRemoved) {
  const std::string model = SynthQ4("pack_cache_stale.gguf");
  ThreadPool pool(2);
  std::optional<Bound> first(Bind(model));
  const PackSummary a = PackModelWeights(&first->weights, pool, Options(model));
  ASSERT_TRUE(fs::exists(a.cache_path));
  first.reset();  // unmap before the file changes

  fs::last_write_time(model, fs::last_write_time(model) + std::chrono::seconds(5));
  Bound again = Bind(model);
  const PackSummary b = PackModelWeights(&again.weights, pool, Options(model));
  EXPECT_FALSE(b.from_cache);
  EXPECT_NE(b.cache_path, a.cache_path);
  EXPECT_TRUE(fs::exists(b.cache_path));
  EXPECT_FALSE(fs::exists(a.cache_path)) << "stale cache file left behind";
}

TEST_F(PackedWeightsTest, UnusableCacheDirectoryFallsBackToMemory) {
  const std::string model = SynthQ4("pack_cache_nodir.gguf");
  ThreadPool pool(2);
  Bound w = Bind(model);
  PackOptions o = Options(model);
  o.cache_dir = "/proc/no-such-dir/dsinfer";
  const PackSummary s = PackModelWeights(&w.weights, pool, o);
  EXPECT_GT(s.packed_matrices, 0);
  EXPECT_TRUE(s.cache_path.empty());
  EXPECT_TRUE(s.skipped_reason.empty());
  EXPECT_FALSE(Products(w.weights).empty());
}

}  // namespace
}  // namespace dsinfer
