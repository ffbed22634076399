// MemoryLimits: how much memory this process may use and can still get.
//
// /proc/meminfo and sysconf describe the whole machine, but a container (Docker, Kubernetes) runs
// in a cgroup whose memory limit may be far lower; sizing a KV cache from the host's RAM, or
// packing weights because the host has room, then ends in an OOM kill instead of a clear error.
// So both figures are the machine's, lowered to the cgroup's limit and headroom when there is one
// (cgroup v2 memory.max / memory.current / memory.stat "file"; v1 memory.limit_in_bytes /
// usage_in_bytes / stat "total_cache"). Page cache counts as reclaimable in both.
//
// Reads files on every call (cheap; called at start-up). Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace dsinfer {

struct MemoryLimits {
  uint64_t total = 0;      // RAM this process may use at most; 0 when unknown
  uint64_t available = 0;  // what it can still allocate without swapping or an OOM kill; 0 when unknown
};

// One cgroup's memory accounting.
struct CgroupMemory {
  uint64_t limit = UINT64_MAX;  // UINT64_MAX: no limit
  uint64_t usage = 0;           // bytes charged, page cache included
  uint64_t file_cache = 0;      // page cache within `usage` (reclaimable)
};

// The memory cgroup at `dir` (v2 files first, then v1); nullopt when it has no readable limit.
std::optional<CgroupMemory> ReadCgroupMemory(const std::string& dir);

// The machine's figures (RAM, MemAvailable; 0 = unknown) lowered to the cgroup's, if any.
MemoryLimits CombineMemoryLimits(uint64_t machine_total, uint64_t machine_available,
                                 const std::optional<CgroupMemory>& cgroup);

// For this process: /proc/meminfo (sysconf for the RAM size without it) and the memory cgroup
// named in /proc/self/cgroup.
MemoryLimits ReadMemoryLimits();

}  // namespace dsinfer
