#include "base/memory_limits.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace dsinfer {

namespace {

// The first whitespace-separated token of the file; empty when unreadable.
std::string FirstToken(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  in >> token;
  return token;
}

std::optional<uint64_t> ParseBytes(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  try {
    return std::stoull(text);
  } catch (...) {
    return std::nullopt;  // out of range
  }
}

// The value of `key` in a "key value" per line file (memory.stat, /proc/meminfo without units).
std::optional<uint64_t> StatValue(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string k;
    uint64_t v = 0;
    if (fields >> k >> v && k == key) return v;
  }
  return std::nullopt;
}

// cgroup v1 reports "no limit" as a huge page-rounded number.
constexpr uint64_t kV1Unlimited = uint64_t{1} << 62;

}  // namespace

std::optional<CgroupMemory> ReadCgroupMemory(const std::string& dir) {
  CgroupMemory m;
  const std::string v2_max = FirstToken(dir + "/memory.max");
  if (!v2_max.empty()) {
    if (v2_max == "max") return std::nullopt;
    const std::optional<uint64_t> limit = ParseBytes(v2_max);
    if (!limit) return std::nullopt;
    m.limit = *limit;
    m.usage = ParseBytes(FirstToken(dir + "/memory.current")).value_or(0);
    m.file_cache = StatValue(dir + "/memory.stat", "file").value_or(0);
    return m;
  }
  const std::optional<uint64_t> v1_limit = ParseBytes(FirstToken(dir + "/memory.limit_in_bytes"));
  if (!v1_limit || *v1_limit >= kV1Unlimited) return std::nullopt;
  m.limit = *v1_limit;
  m.usage = ParseBytes(FirstToken(dir + "/memory.usage_in_bytes")).value_or(0);
  m.file_cache = StatValue(dir + "/memory.stat", "total_cache").value_or(
      StatValue(dir + "/memory.stat", "cache").value_or(0));
  return m;
}

MemoryLimits CombineMemoryLimits(uint64_t machine_total, uint64_t machine_available,
                                 const std::optional<CgroupMemory>& cgroup) {
  MemoryLimits l{machine_total, machine_available};
  if (!cgroup) return l;
  const uint64_t reclaimable = std::min(cgroup->file_cache, cgroup->usage);
  const uint64_t charged = cgroup->usage - reclaimable;
  const uint64_t headroom = cgroup->limit > charged ? cgroup->limit - charged : 0;
  l.total = machine_total == 0 ? cgroup->limit : std::min(machine_total, cgroup->limit);
  l.available = machine_available == 0 ? headroom : std::min(machine_available, headroom);
  return l;
}

MemoryLimits ReadMemoryLimits() {
  const uint64_t kib = 1024;
  uint64_t total = StatValue("/proc/meminfo", "MemTotal:").value_or(0) * kib;
  if (total == 0) {  // no /proc: physical RAM from sysconf
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0) total = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
  }
  const uint64_t available = StatValue("/proc/meminfo", "MemAvailable:").value_or(0) * kib;
  // /proc/self/cgroup: "0::/path" (v2) or "N:memory:/path" (v1); inside a container's cgroup
  // namespace the path is "/".
  std::optional<CgroupMemory> cgroup;
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  while (!cgroup && std::getline(self, line)) {
    const size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (controllers.empty()) {
      cgroup = ReadCgroupMemory("/sys/fs/cgroup" + path);
    } else if (controllers == "memory" || controllers.find("memory,") == 0 ||
               controllers.find(",memory") != std::string::npos) {
      cgroup = ReadCgroupMemory("/sys/fs/cgroup/memory" + path);
    }
  }
  // A container with its own cgroup namespace may still list host paths there.
  if (!cgroup) cgroup = ReadCgroupMemory("/sys/fs/cgroup");
  if (!cgroup) cgroup = ReadCgroupMemory("/sys/fs/cgroup/memory");
  return CombineMemoryLimits(total, available, cgroup);
}

}  // namespace dsinfer
