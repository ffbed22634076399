#include "model/packed_weights.h"

#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "kernels/packed.h"

namespace dsinfer {

namespace {

// A matrix to pack: `rows` rows starting at m->data (all slices of a stacked tensor at once).
struct PackTarget {
  WeightMatrix* m;
  int64_t rows;
};

uint64_t AvailableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return UINT64_MAX;  // unknown: do not refuse
}

void Collect(WeightMatrix* m, int64_t count, std::vector<PackTarget>* out) {
  if (m->data == nullptr || m->rows <= 0 || !PackedKernelAvailable(m->type)) return;
  // A stacked tensor is packed whole only when no 16-row group straddles two slices.
  if (count > 1 && m->rows % kPackRows != 0) return;
  const int64_t rows = count > 1 ? m->rows * count : m->rows - m->rows % kPackRows;
  if (rows > 0) out->push_back({m, rows});
}

// Drops the process's mapping of the whole pages inside [p, p + n) of the read-only file
// mapping; a later read faults them back in from the page cache.
void ReleaseFilePages(const uint8_t* p, uint64_t n) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t begin = (reinterpret_cast<uint64_t>(p) + page - 1) / page * page;
  const uint64_t end = (reinterpret_cast<uint64_t>(p) + n) / page * page;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace

PackSummary PackModelWeights(ModelWeights* w, ThreadPool& pool, bool file_backed) {
  PackSummary summary;
  std::vector<PackTarget> targets;
  Collect(&w->output, 1, &targets);
  for (LayerWeights& L : w->layers) {
    for (WeightMatrix* m : {&L.wq, &L.wk, &L.wv, &L.wo, &L.wq_a, &L.wq_b, &L.wkv_a, &L.wkv_b,
                            &L.ffn_gate, &L.ffn_up, &L.ffn_down, &L.router, &L.gate_shexp,
                            &L.up_shexp, &L.down_shexp}) {
      Collect(m, 1, &targets);
    }
    for (StackedMatrix* s : {&L.wk_b, &L.wv_b, &L.gate_exps, &L.up_exps, &L.down_exps}) {
      Collect(&s->first, s->count, &targets);
    }
  }
  if (targets.empty()) return summary;

  // One copy per distinct source (tied embeddings share the output matrix).
  std::map<const uint8_t*, uint64_t> offsets;
  uint64_t total = 0;
  for (const PackTarget& t : targets) {
    if (offsets.count(t.m->data) != 0) continue;
    offsets[t.m->data] = total;
    total += (static_cast<uint64_t>(t.rows) * t.m->row_bytes + 63) / 64 * 64;
  }
  const uint64_t available = AvailableMemoryBytes();
  if (total + (uint64_t{1} << 30) > available) {
    std::ostringstream reason;
    reason << "packing needs " << total / (1 << 20) << " MiB but only " << available / (1 << 20)
           << " MiB are available";
    summary.skipped_reason = reason.str();
    return summary;
  }
  void* region = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) {
    summary.skipped_reason = "could not map " + std::to_string(total / (1 << 20)) + " MiB";
    return summary;
  }
  madvise(region, total, MADV_HUGEPAGE);
  auto* base = static_cast<uint8_t*>(region);
  w->packed_storage = std::shared_ptr<void>(region, [total](void* p) { munmap(p, total); });

  std::map<const uint8_t*, bool> done;
  for (const PackTarget& t : targets) {
    uint8_t* dst = base + offsets[t.m->data];
    if (!done[t.m->data]) {
      const int64_t groups = t.rows / kPackRows;
      const WeightMatrix& m = *t.m;
      pool.ParallelFor(static_cast<size_t>(groups), [&](int, size_t b, size_t e) {
        const uint64_t group_bytes = static_cast<uint64_t>(kPackRows) * m.row_bytes;
        PackRows(m.type, m.data + b * group_bytes, static_cast<int64_t>(e - b) * kPackRows, m.cols,
                 dst + b * group_bytes);
      });
      done[t.m->data] = true;
      summary.packed_bytes += static_cast<uint64_t>(t.rows) * m.row_bytes;
      ++summary.packed_matrices;
      if (file_backed && t.rows % m.rows == 0) {
        ReleaseFilePages(m.data, static_cast<uint64_t>(t.rows) * m.row_bytes);
      }
    }
    t.m->packed = dst;
  }
  return summary;
}

}  // namespace dsinfer
