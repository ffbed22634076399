// MatMul: per-type kernel selection (AVX-512 > AVX2 > scalar, once per process) and the driver
// that converts activations and sweeps weight rows in cache-sized tiles over the thread pool.

#include "kernels/matmul.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/check.h"
#include "base/cpu_features.h"
#include "base/spin_wait.h"
#include "kernels/matmul_kernel.h"
#include "kernels/packed.h"
#include "kernels/x86/matmul_x86.h"

namespace dsinfer {

namespace {

constexpr DType kSupported[] = {
    DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ4_0, DType::kQ4_1,
    DType::kQ5_0, DType::kQ5_1, DType::kQ8_0, DType::kQ2_K, DType::kQ3_K,
    DType::kQ4_K, DType::kQ5_K, DType::kQ6_K,
};

constexpr size_t kMaxTypeId = 64;  // larger than every ggml type id in DType

// Weight bytes swept per tile when several token groups reuse it: small enough to stay in L2.
constexpr uint64_t kTileBytes = 128 * 1024;

MatMulKernel BestKernel(DType weight_type) {
  MatMulKernel kernel = ReferenceMatMulKernel(weight_type);
  const CpuFeatures& cpu = GetCpuFeatures();
  if (cpu.avx512 && cpu.avx512_vnni) {
    DotRowsFn dot = weight_type == DType::kBF16 && cpu.avx512_bf16
                        ? x86::Avx512Bf16DotRows()
                        : x86::Avx512DotRows(weight_type);
    if (dot != nullptr) {
      kernel.dot = dot;
      kernel.name = "avx512";
      if (PackedKernelAvailable(weight_type)) kernel.packed_dot = x86::Avx512PackedDotRows(weight_type);
      if (QuantizeActivationFn q = x86::Avx512ActivationQuantizer(kernel.activation_type)) {
        kernel.quantize = q;
      }
      return kernel;
    }
  }
  if (cpu.avx2) {
    if (DotRowsFn dot = x86::Avx2DotRows(weight_type)) {
      kernel.dot = dot;
      kernel.name = "avx2";
    }
  }
  return kernel;
}

std::array<MatMulKernel, kMaxTypeId> ChooseKernels() {
  std::array<MatMulKernel, kMaxTypeId> table{};
  for (DType type : kSupported) table[static_cast<size_t>(type)] = BestKernel(type);
  return table;
}

// Decode-shaped products only stream. Each thread reads its own contiguous run of a call's
// tiles (see RunTiles), so the prefetchers and the kernels' own prefetches run on from one tile
// into the next; the tile is then only the unit of the final balancing between threads.
constexpr uint64_t kStreamTileBytes = 64 * 1024;
// An owner claims up to this many tiles of its run at once while the run is long.
constexpr uint64_t kMaxClaimTiles = 8;

// Inputs of at most this many values (per conversion, all its tokens) are converted lazily by
// the threads that sweep the tiles (see RunMatMulMany).
constexpr uint64_t kLazyConversionValues = 16 * 1024;

// A call too small for one tile per thread (the F32 MoE router of one token, 512 KiB) would
// run on one thread while the others wait; its tiles shrink so each thread gets one, down to
// this size, below which the hand-off costs more than it saves.
constexpr uint64_t kMinSplitTileBytes = 16 * 1024;

uint64_t TileBytesFor(int64_t n_tokens, uint64_t call_bytes, int threads) {
  const uint64_t bytes = n_tokens <= kMaxPackedTokens ? kStreamTileBytes : kTileBytes;
  const uint64_t share = (call_bytes + static_cast<uint64_t>(threads) - 1) / static_cast<uint64_t>(threads);
  return std::min(bytes, std::max(share, kMinSplitTileBytes));
}

// Scratch for the converted activations of the calling thread; grows, never shrinks.
std::vector<uint8_t>& ActivationScratch() {
  thread_local std::vector<uint8_t> scratch;
  return scratch;
}

// One job of a MatMulMany call as the workers see it.
struct PreparedJob {
  const MatMulJob* job;
  const MatMulKernel* kernel;
  uint64_t activation_bytes;
  const uint8_t* activations;  // [n_tokens][activation_bytes], set after conversion
  int64_t tile_rows;
  int64_t packed_rows;  // rows [0, packed_rows) run on the packed kernel
  size_t first_tile;
  size_t conversion;  // index into the call's conversions
};

// An activation matrix converted once for every job that reads it.
struct Conversion {
  const float* x;
  int64_t cols;
  int64_t n_tokens;
  DType type;
  const MatMulKernel* kernel;
  uint64_t row_bytes;
  uint64_t offset;  // in the scratch buffer
  size_t first_unit;
};

// Everything one call's workers share, read-only except the runs' claim states. The lambdas
// handed to ParallelFor capture only a pointer to it, so std::function stores them without
// allocating.
struct ManyCall {
  std::vector<PreparedJob> jobs;
  std::vector<Conversion> conversions;
  size_t n_tiles = 0;
  size_t n_units = 0;  // conversion units: one per (conversion, token)
  uint8_t* scratch = nullptr;
  // Thread i owns a contiguous run of tiles and takes them from the front; a thread whose run is
  // empty takes others' from the back. State (front << 32) | back, tiles [front, back) left.
  struct alignas(64) Run {
    std::atomic<uint64_t> state{0};
  };
  std::unique_ptr<Run[]> runs;
  int n_runs = 0;
  // Per conversion when the threads convert lazily (see RunMatMulMany): 0 not started, 1 being
  // converted, 2 done. Null when every conversion is done before the tiles.
  std::unique_ptr<std::atomic<int>[]> conversion_state;
};

void Convert(const ManyCall& c, size_t unit_begin, size_t unit_end) {
  size_t ci = 0;
  for (size_t u = unit_begin; u < unit_end; ++u) {
    while (u >= c.conversions[ci].first_unit + static_cast<size_t>(c.conversions[ci].n_tokens)) ++ci;
    const Conversion& v = c.conversions[ci];
    const int64_t t = static_cast<int64_t>(u - v.first_unit);
    v.kernel->quantize(v.x + t * v.cols, c.scratch + v.offset + t * v.row_bytes, v.cols);
  }
}

// Converts conversion v unless another thread did or is doing it, then returns once it is done.
void EnsureConverted(const ManyCall& c, size_t v) {
  std::atomic<int>& state = c.conversion_state[v];
  if (state.load(std::memory_order_acquire) == 2) return;
  int expected = 0;
  if (state.compare_exchange_strong(expected, 1, std::memory_order_acquire)) {
    const Conversion& cv = c.conversions[v];
    Convert(c, cv.first_unit, cv.first_unit + static_cast<size_t>(cv.n_tokens));
    state.store(2, std::memory_order_release);
    return;
  }
  // The other thread converts a few KiB: microseconds, unless it was descheduled.
  SpinUntil([&] { return state.load(std::memory_order_acquire) == 2; });
}

// Rows [r0, r1) of one job, swept once per group of kMaxDotTokens tokens (kMaxPackedTokens for
// packed rows; r0 and packed_rows are multiples of kPackRows).
void SweepTile(const PreparedJob& p, int64_t r0, int64_t r1) {
  const WeightMatrix& w = p.job->w;
  const int64_t packed_end = std::min(r1, p.packed_rows);
  if (r0 < packed_end) {
    for (int64_t t0 = 0; t0 < p.job->n_tokens; t0 += kMaxPackedTokens) {
      const int n_x = static_cast<int>(std::min<int64_t>(kMaxPackedTokens, p.job->n_tokens - t0));
      const uint8_t* xt = p.activations + t0 * p.activation_bytes;
      float* y = p.job->y + t0 * w.rows;
      for (int64_t r = r0; r < packed_end; r += kPackRows) {
        p.kernel->packed_dot(w.cols, w.packed + r * w.row_bytes, xt, p.activation_bytes, n_x,
                             y + r, static_cast<size_t>(w.rows));
      }
    }
    r0 = packed_end;
  }
  if (r0 >= r1) return;
  for (int64_t t0 = 0; t0 < p.job->n_tokens; t0 += kMaxDotTokens) {
    const int n_x = static_cast<int>(std::min<int64_t>(kMaxDotTokens, p.job->n_tokens - t0));
    const uint8_t* xt = p.activations + t0 * p.activation_bytes;
    float* y = p.job->y + t0 * w.rows;
    for (int64_t r = r0; r < r1; ++r) {
      p.kernel->dot(w.cols, w.data + r * w.row_bytes, xt, p.activation_bytes, n_x, y + r,
                    static_cast<size_t>(w.rows));
    }
  }
}

void RunTile(const ManyCall& c, size_t tile) {
  // The last job whose first tile is at or before `tile`.
  size_t lo = 0, hi = c.jobs.size();
  while (hi - lo > 1) {
    const size_t mid = (lo + hi) / 2;
    (c.jobs[mid].first_tile <= tile ? lo : hi) = mid;
  }
  const PreparedJob& p = c.jobs[lo];
  if (c.conversion_state != nullptr && p.conversion != SIZE_MAX) EnsureConverted(c, p.conversion);
  const int64_t r0 = static_cast<int64_t>(tile - p.first_tile) * p.tile_rows;
  SweepTile(p, r0, std::min(r0 + p.tile_rows, p.job->w.rows));
}

// Thread `self` sweeps its own run front to back, claiming several tiles at a time while the
// run is long and fewer towards its end, then takes the other runs' tiles one at a time from
// their backs.
void RunTiles(ManyCall& c, int self) {
  for (int k = 0; k < c.n_runs; ++k) {
    std::atomic<uint64_t>& state = c.runs[static_cast<size_t>((self + k) % c.n_runs)].state;
    const bool own = k == 0;
    uint64_t s = state.load(std::memory_order_relaxed);
    for (;;) {
      const uint64_t front = s >> 32, back = s & 0xffffffffu;
      if (front >= back) break;
      const uint64_t take = own ? std::clamp<uint64_t>((back - front) / 4, 1, kMaxClaimTiles) : 1;
      const uint64_t next = own ? s + (take << 32) : s - 1;
      if (!state.compare_exchange_weak(s, next, std::memory_order_relaxed)) continue;
      const uint64_t first = own ? front : back - 1;
      for (uint64_t tile = first; tile < first + take; ++tile) RunTile(c, static_cast<size_t>(tile));
      s = state.load(std::memory_order_relaxed);
    }
  }
}

}  // namespace

bool MatMulSupports(DType type) {
  return std::find(std::begin(kSupported), std::end(kSupported), type) != std::end(kSupported);
}

const MatMulKernel& ChooseMatMulKernel(DType weight_type) {
  CHECK(MatMulSupports(weight_type))
      << "MatMul: unsupported weight type " << DTypeName(weight_type);
  static const std::array<MatMulKernel, kMaxTypeId> table = ChooseKernels();
  return table[static_cast<size_t>(weight_type)];
}

MatMulKernel ReferenceMatMulKernel(DType weight_type) {
  MatMulKernel kernel;
  kernel.activation_type = VecDotType(weight_type);
  kernel.quantize = reference::ActivationQuantizer(kernel.activation_type);
  kernel.dot = reference::DotRows(weight_type);
  kernel.name = "scalar";
  return kernel;
}

void RunMatMulMany(const MatMulJob* jobs, const MatMulKernel* const* kernels, size_t n_jobs,
                   ThreadPool* pool) {
  const bool parallel = pool != nullptr && pool->num_threads() > 1;
  ManyCall call;
  call.jobs.reserve(n_jobs);
  uint64_t call_bytes = 0;  // weight bytes the call reads
  for (size_t i = 0; i < n_jobs; ++i) {
    if (jobs[i].n_tokens > 0 && jobs[i].w.rows > 0) {
      call_bytes += static_cast<uint64_t>(jobs[i].w.rows) * jobs[i].w.row_bytes;
    }
  }
  const int threads = parallel ? pool->num_threads() : 1;
  uint64_t scratch_bytes = 0;
  for (size_t i = 0; i < n_jobs; ++i) {
    const MatMulJob& job = jobs[i];
    const WeightMatrix& w = job.w;
    const MatMulKernel& kernel = *kernels[i];
    CHECK(MatMulSupports(w.type)) << "MatMul: unsupported weight type " << DTypeName(w.type);
    CHECK(w.row_bytes == RowBytes(w.type, w.cols))
        << "MatMul: row_bytes " << w.row_bytes << " does not match " << w.cols << " "
        << DTypeName(w.type) << " elements";
    if (job.n_tokens <= 0 || w.rows <= 0) continue;
    PreparedJob p{};
    p.job = &job;
    p.kernel = &kernel;
    p.activation_bytes = ActivationRowBytes(kernel.activation_type, w.cols);
    p.activations = reinterpret_cast<const uint8_t*>(job.x);
    p.tile_rows = std::max<int64_t>(
        1, static_cast<int64_t>(TileBytesFor(job.n_tokens, call_bytes, threads) /
                                std::max<uint64_t>(w.row_bytes, 1)));
    p.packed_rows = 0;
    if (w.packed != nullptr && kernel.packed_dot != nullptr) {
      p.packed_rows = w.rows - w.rows % kPackRows;
      p.tile_rows = std::max<int64_t>(kPackRows, p.tile_rows - p.tile_rows % kPackRows);
    }
    p.first_tile = call.n_tiles;
    p.conversion = SIZE_MAX;
    call.n_tiles += static_cast<size_t>((w.rows + p.tile_rows - 1) / p.tile_rows);
    // F32 weights read x as it is; others share one conversion per distinct input.
    if (kernel.activation_type != DType::kF32) {
      for (size_t v = 0; v < call.conversions.size(); ++v) {
        const Conversion& c = call.conversions[v];
        if (c.x == job.x && c.cols == w.cols && c.n_tokens == job.n_tokens &&
            c.type == kernel.activation_type && c.kernel->quantize == kernel.quantize) {
          p.conversion = v;
        }
      }
      if (p.conversion == SIZE_MAX) {
        p.conversion = call.conversions.size();
        call.conversions.push_back({job.x, w.cols, job.n_tokens, kernel.activation_type, &kernel,
                                    p.activation_bytes, scratch_bytes, call.n_units});
        scratch_bytes += p.activation_bytes * static_cast<uint64_t>(job.n_tokens);
        call.n_units += static_cast<size_t>(job.n_tokens);
      }
    }
    call.jobs.push_back(p);
  }
  if (call.n_tiles == 0) return;

  if (!call.conversions.empty()) {
    std::vector<uint8_t>& scratch = ActivationScratch();
    if (scratch.size() < scratch_bytes) scratch.resize(scratch_bytes);
    call.scratch = scratch.data();
    // Decode-sized inputs (a few KiB each: one token's row, a head's slice, an expert's few
    // tokens) are converted by the first thread whose tiles read them: a thread converts mostly
    // the inputs of its own run, and a call with several inputs runs one parallel loop instead
    // of two. A large input (prefill) is converted in parallel over its tokens first.
    bool lazy = parallel && call.n_tiles > 1;
    for (const Conversion& v : call.conversions) {
      lazy = lazy && static_cast<uint64_t>(v.n_tokens * v.cols) <= kLazyConversionValues;
    }
    if (lazy) {
      call.conversion_state = std::make_unique<std::atomic<int>[]>(call.conversions.size());  // all 0
    } else if (parallel && call.n_units > 1) {
      pool->ParallelFor(call.n_units, [c = &call](int, size_t b, size_t e) { Convert(*c, b, e); });
    } else {
      Convert(call, 0, call.n_units);
    }
    for (PreparedJob& p : call.jobs) {
      if (p.conversion != SIZE_MAX) p.activations = call.scratch + call.conversions[p.conversion].offset;
    }
  }

  CHECK(call.n_tiles < (uint64_t{1} << 32)) << "MatMul: " << call.n_tiles << " tiles in one call";
  call.n_runs = parallel && call.n_tiles > 1 ? pool->num_threads() : 1;
  call.runs = std::make_unique<ManyCall::Run[]>(static_cast<size_t>(call.n_runs));
  for (int i = 0; i < call.n_runs; ++i) {
    const uint64_t front = call.n_tiles * static_cast<uint64_t>(i) / static_cast<uint64_t>(call.n_runs);
    const uint64_t back = call.n_tiles * static_cast<uint64_t>(i + 1) / static_cast<uint64_t>(call.n_runs);
    call.runs[static_cast<size_t>(i)].state.store((front << 32) | back, std::memory_order_relaxed);
  }
  if (call.n_runs > 1) {
    pool->ParallelFor(static_cast<size_t>(call.n_runs),
                      [c = &call](int chunk, size_t, size_t) { RunTiles(*c, chunk); });
  } else {
    RunTiles(call, 0);
  }
}

void RunMatMul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool* pool,
               const MatMulKernel& kernel) {
  const MatMulJob job{w, x, n_tokens, y};
  const MatMulKernel* k = &kernel;
  RunMatMulMany(&job, &k, 1, pool);
}

void MatMulMany(const MatMulJob* jobs, size_t n_jobs, ThreadPool* pool) {
  std::vector<const MatMulKernel*> kernels(n_jobs);
  for (size_t i = 0; i < n_jobs; ++i) kernels[i] = &ChooseMatMulKernel(jobs[i].w.type);
  RunMatMulMany(jobs, kernels.data(), n_jobs, pool);
}

void MatMul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool* pool) {
  RunMatMul(w, x, n_tokens, y, pool, ChooseMatMulKernel(w.type));
}

}  // namespace dsinfer
