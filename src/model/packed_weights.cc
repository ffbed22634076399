#include "model/packed_weights.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "base/huge_page_memory.h"
#include "base/memory_limits.h"
#include "kernels/packed.h"

namespace dsinfer {

namespace {

// A matrix to pack: `rows` rows starting at m->data (all slices of a stacked tensor at once).
struct PackTarget {
  WeightMatrix* m;
  int64_t rows;
};

void Collect(WeightMatrix* m, int64_t count, std::vector<PackTarget>* out) {
  if (m->data == nullptr || m->rows <= 0 || !PackedKernelAvailable(m->type)) return;
  // A stacked tensor is packed whole only when no 16-row group straddles two slices.
  if (count > 1 && m->rows % kPackRows != 0) return;
  const int64_t rows = count > 1 ? m->rows * count : m->rows - m->rows % kPackRows;
  if (rows > 0) out->push_back({m, rows});
}

// Drops the process's mapping of the whole pages inside [p, p + n) of the read-only file
// mapping; a later read faults them back in (from the page cache, or from the file when `evict`
// also reclaimed them from the page cache).
void ReleaseFilePages(const uint8_t* p, uint64_t n, bool evict) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t begin = (reinterpret_cast<uint64_t>(p) + page - 1) / page * page;
  const uint64_t end = (reinterpret_cast<uint64_t>(p) + n) / page * page;
  if (end <= begin) return;
  // MADV_PAGEOUT reclaims only pages still mapped here, so it goes first; on kernels without it
  // (before 5.4) the pages merely stay cached.
  if (evict) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_PAGEOUT);
  madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

// Whether the model file and its packed copy together exceed `memory` (what the process may use;
// 0: unknown). Then the file's pages are reclaimed as soon as they are packed: otherwise the page
// cache fills memory while the copy is made, and the rest of the copy gets 4 KiB pages instead
// of 2 MiB ones (V2-Lite Q8_0, 15.6 GB file + 15.3 GiB copy on 24 GiB: 12% of the copy on small
// pages, decode at 50% of the memory roofline).
bool FileAndCopyExceed(uint64_t memory, const std::string& path, uint64_t copy_bytes) {
  struct stat st;
  if (memory == 0 || path.empty() || stat(path.c_str(), &st) != 0) return false;
  return static_cast<uint64_t>(st.st_size) + copy_bytes > memory;
}

// madvise(advice) over the whole pages inside [p, p + n); a failure (older kernel) only costs
// speed.
void Populate(const uint8_t* p, uint64_t n, int advice) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t begin = reinterpret_cast<uint64_t>(p) / page * page;
  const uint64_t end = (reinterpret_cast<uint64_t>(p) + n + page - 1) / page * page;
  madvise(reinterpret_cast<void*>(begin), end - begin, advice);
}

// Bump the version whenever a packed layout (kernels/packed.cc) changes.
constexpr const char* kFormat = "dsinfer-packed-v1";
constexpr uint64_t kHeaderBytes = 4096;

// Where packed data lives: `base` for `total` bytes, kept alive by `owner`; `commit`, when set,
// publishes a freshly written cache file once packing is done.
struct Region {
  uint8_t* base = nullptr;
  std::shared_ptr<void> owner;
  std::function<void()> commit;
};

Region MapAnonymous(uint64_t total) {
  auto memory = std::make_shared<HugePageMemory>(HugePageMemory::Map(total));
  if (memory->data() == nullptr) return {};
  Region r;
  r.base = static_cast<uint8_t*>(memory->data());
  r.owner = std::move(memory);
  return r;
}

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Deletes the other cache files of `source` in `dir` (left by an older layout or an older
// version of the file), found by name and confirmed by the source line of their header.
void RemoveStaleCacheFiles(const std::string& dir, const std::string& stem, const std::string& source,
                           const std::string& keep) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  const std::string want = "\nsource " + source + " ";
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    const std::string path = dir + "/" + name;
    if (path == keep || name.rfind(stem + ".", 0) != 0 || name.size() < 7 ||
        name.compare(name.size() - 7, 7, ".packed") != 0) {
      continue;
    }
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    std::string head(kHeaderBytes, '\0');
    const ssize_t n = pread(fd, head.data(), head.size(), 0);
    close(fd);
    if (n > 0 && head.compare(0, std::strlen(kFormat) - 1, kFormat, std::strlen(kFormat) - 1) == 0 &&
        head.find(want) != std::string::npos) {
      unlink(path.c_str());
    }
  }
  closedir(d);
}

// The cache file for this source and layout: mapped read-only when a complete one exists
// (*filled = true), else created (temporary name, renamed by commit) and mapped writable.
// Returns an empty Region when the cache cannot be used.
Region OpenCached(const PackOptions& o, const std::string& layout, uint64_t total, bool* filled,
                  std::string* cache_path) {
  struct stat st {};
  if (stat(o.source_path.c_str(), &st) != 0) return {};
  char resolved[PATH_MAX];
  const std::string source = realpath(o.source_path.c_str(), resolved) ? resolved : o.source_path;
  char layout_key[32];
  std::snprintf(layout_key, sizeof(layout_key), "%016llx",
                static_cast<unsigned long long>(Fnv1a(layout)));
  const std::string header = std::string(kFormat) + "\nlayout " + layout_key + "\nsource " + source + " " + std::to_string(st.st_size) + " " +
                             std::to_string(st.st_mtim.tv_sec) + "." +
                             std::to_string(st.st_mtim.tv_nsec) + "\n";
  if (header.size() >= kHeaderBytes) return {};
  char name[32];
  std::snprintf(name, sizeof(name), "%016llx", static_cast<unsigned long long>(Fnv1a(header)));
  std::string stem = source.substr(source.find_last_of('/') + 1);
  const std::string path = o.cache_dir + "/" + stem + "." + name + ".packed";
  const uint64_t size = kHeaderBytes + total;

  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat cst {};
    std::string head(header.size(), '\0');
    const bool valid = fstat(fd, &cst) == 0 && static_cast<uint64_t>(cst.st_size) == size &&
                       pread(fd, head.data(), head.size(), 0) == static_cast<ssize_t>(head.size()) &&
                       head == header;
    void* p = valid ? mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd);
    if (p != MAP_FAILED) {
      // Large page-cache folios can then be mapped whole, and every page table entry is set
      // now rather than by a fault during the first requests.
      madvise(p, size, MADV_HUGEPAGE);
      madvise(p, size, MADV_POPULATE_READ);
      *filled = true;
      *cache_path = path;
      Region r;
      r.base = static_cast<uint8_t*>(p) + kHeaderBytes;
      r.owner = std::shared_ptr<void>(p, [size](void* q) { munmap(q, size); });
      return r;
    }
  }

  // Create: mkdir -p, write under a temporary name, rename when complete.
  for (size_t i = 1; i <= o.cache_dir.size(); ++i) {
    if (i == o.cache_dir.size() || o.cache_dir[i] == '/') mkdir(o.cache_dir.substr(0, i).c_str(), 0755);
  }
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  const int wfd = open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (wfd < 0) return {};
  void* p = MAP_FAILED;
  // Blocks are allocated up front: a full disk is an error here, not a SIGBUS on a later store
  // into the mapping.
  if (posix_fallocate(wfd, 0, static_cast<off_t>(size)) == 0 &&
      pwrite(wfd, header.data(), header.size(), 0) == static_cast<ssize_t>(header.size())) {
    p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, wfd, 0);
  }
  close(wfd);
  if (p == MAP_FAILED) {
    unlink(tmp.c_str());
    return {};
  }
  *cache_path = path;
  Region r;
  r.base = static_cast<uint8_t*>(p) + kHeaderBytes;
  r.owner = std::shared_ptr<void>(p, [size](void* q) { munmap(q, size); });
  r.commit = [tmp, path, dir = o.cache_dir, stem, source] {
    if (rename(tmp.c_str(), path.c_str()) != 0) {
      unlink(tmp.c_str());
      return;
    }
    RemoveStaleCacheFiles(dir, stem, source, path);
  };
  return r;
}

// Nothing packed, and why.
PackSummary Skipped(std::string reason) {
  PackSummary s;
  s.skipped_reason = std::move(reason);
  return s;
}

}  // namespace

std::string DefaultPackCacheDir() {
  const char* dir = std::getenv("DSINFER_CACHE_DIR");
  if (dir == nullptr || std::string(dir) == "off") return {};
  return dir;
}

PackSummary PackModelWeights(ModelWeights* w, ThreadPool& pool, const PackOptions& options) {
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
    const uint64_t bytes = static_cast<uint64_t>(t.rows) * t.m->row_bytes;
    total += (bytes + 63) / 64 * 64;
    summary.packed_bytes += bytes;
    ++summary.packed_matrices;
  }
  std::string descriptor = kFormat;
  for (const PackTarget& t : targets) {
    descriptor += " " + std::to_string(offsets[t.m->data]) + ":" + std::to_string(t.rows) + "x" +
                  std::to_string(t.m->cols) + ":" + DTypeName(t.m->type);
  }
  Region region;
  bool filled = false;
  if (total >= options.min_cached_bytes && !options.source_path.empty() && !options.cache_dir.empty()) {
    region = OpenCached(options, descriptor, total, &filled, &summary.cache_path);
  }
  // A container's limit counts, not only the host's free memory: packing past it is an OOM kill.
  const MemoryLimits memory = ReadMemoryLimits();
  if (region.base == nullptr) {
    if (memory.available != 0 && total + (uint64_t{1} << 30) > memory.available) {
      std::ostringstream reason;
      reason << "packing needs " << total / (1 << 20) << " MiB but only " << memory.available / (1 << 20)
             << " MiB are available";
      return Skipped(reason.str());
    }
    region = MapAnonymous(total);
    if (region.base == nullptr) {
      return Skipped("could not map " + std::to_string(total / (1 << 20)) + " MiB");
    }
  }
  summary.from_cache = filled;
  uint8_t* base = region.base;
  w->packed_storage = region.owner;

  const bool evict = options.file_backed && !filled &&
                     options.evict_source_pages.value_or(FileAndCopyExceed(memory.total, options.source_path, total));
  summary.evicted_source_pages = evict;
  std::set<const uint8_t*> copied;  // sources already packed (a cache file holds them all)
  for (const PackTarget& t : targets) {
    uint8_t* dst = base + offsets[t.m->data];
    t.m->packed = dst;
    if (filled || !copied.insert(t.m->data).second) continue;
    const WeightMatrix& m = *t.m;
    const uint64_t group_bytes = static_cast<uint64_t>(kPackRows) * m.row_bytes;
    pool.ParallelFor(static_cast<size_t>(t.rows / kPackRows), [&](int, size_t b, size_t e) {
      // Map both ranges in one call each instead of a page fault per 4 KiB.
      Populate(m.data + b * group_bytes, (e - b) * group_bytes, MADV_POPULATE_READ);
      Populate(dst + b * group_bytes, (e - b) * group_bytes, MADV_POPULATE_WRITE);
      PackRows(m.type, m.data + b * group_bytes, static_cast<int64_t>(e - b) * kPackRows, m.cols,
               dst + b * group_bytes);
    });
    if (options.file_backed && t.rows % m.rows == 0) {
      ReleaseFilePages(m.data, static_cast<uint64_t>(t.rows) * m.row_bytes, evict);
    }
  }
  if (region.commit) region.commit();
  return summary;
}

}  // namespace dsinfer
