// MemoryLimits: cgroup v1 and v2 accounting files parsed, "no limit" recognised, and the machine's
// figures lowered to a container's limit and headroom (page cache counted as reclaimable).

#include "base/memory_limits.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace dsinfer {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kGiB = uint64_t{1} << 30;

class CgroupDir {
 public:
  CgroupDir() : dir_(fs::path(::testing::TempDir()) / ("cgroup_" + std::to_string(::getpid()) + "_" +
                                                        std::to_string(counter_++))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~CgroupDir() { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
  }
  std::string path() const { return dir_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

TEST(MemoryLimitsTest, ReadsACgroupV2Limit) {
  CgroupDir d;
  d.Write("memory.max", "8589934592\n");
  d.Write("memory.current", "3221225472\n");
  d.Write("memory.stat", "anon 1073741824\nfile 2147483648\nkernel 1000\n");
  const std::optional<CgroupMemory> m = ReadCgroupMemory(d.path());
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->limit, 8 * kGiB);
  EXPECT_EQ(m->usage, 3 * kGiB);
  EXPECT_EQ(m->file_cache, 2 * kGiB);
}

TEST(MemoryLimitsTest, UnlimitedOrMissingCgroupsHaveNoLimit) {
  CgroupDir v2;
  v2.Write("memory.max", "max\n");
  EXPECT_FALSE(ReadCgroupMemory(v2.path()).has_value());
  CgroupDir v1;
  v1.Write("memory.limit_in_bytes", "9223372036854771712\n");  // v1's "no limit"
  EXPECT_FALSE(ReadCgroupMemory(v1.path()).has_value());
  CgroupDir empty;
  EXPECT_FALSE(ReadCgroupMemory(empty.path()).has_value());
  CgroupDir garbage;
  garbage.Write("memory.max", "lots\n");
  EXPECT_FALSE(ReadCgroupMemory(garbage.path()).has_value());
}

TEST(MemoryLimitsTest, ReadsACgroupV1LimitPreferringTheHierarchicalCache) {
  CgroupDir d;
  d.Write("memory.limit_in_bytes", "4294967296\n");
  d.Write("memory.usage_in_bytes", "3221225472\n");
  d.Write("memory.stat", "cache 1073741824\nrss 1073741824\ntotal_cache 2147483648\n");
  const std::optional<CgroupMemory> m = ReadCgroupMemory(d.path());
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->limit, 4 * kGiB);
  EXPECT_EQ(m->usage, 3 * kGiB);
  EXPECT_EQ(m->file_cache, 2 * kGiB);
}

TEST(MemoryLimitsTest, ContainerLimitLowersTheMachineFigures) {
  // 64 GiB machine with 60 free; a 16 GiB container that holds 6 GiB, 4 of them page cache.
  const CgroupMemory container{16 * kGiB, 6 * kGiB, 4 * kGiB};
  const MemoryLimits l = CombineMemoryLimits(64 * kGiB, 60 * kGiB, container);
  EXPECT_EQ(l.total, 16 * kGiB);
  EXPECT_EQ(l.available, 14 * kGiB);
  // The machine is the tighter bound: it stays.
  const MemoryLimits tight = CombineMemoryLimits(64 * kGiB, 5 * kGiB, container);
  EXPECT_EQ(tight.available, 5 * kGiB);
  // No cgroup limit: the machine's figures unchanged.
  const MemoryLimits machine = CombineMemoryLimits(64 * kGiB, 60 * kGiB, std::nullopt);
  EXPECT_EQ(machine.total, 64 * kGiB);
  EXPECT_EQ(machine.available, 60 * kGiB);
  // Charged beyond the limit (kernel memory, races): nothing available, not a wrap-around.
  const MemoryLimits over = CombineMemoryLimits(64 * kGiB, 60 * kGiB, CgroupMemory{kGiB, 3 * kGiB, 0});
  EXPECT_EQ(over.available, 0u);
  // Unknown machine figures: the cgroup's.
  const MemoryLimits unknown = CombineMemoryLimits(0, 0, container);
  EXPECT_EQ(unknown.total, 16 * kGiB);
  EXPECT_EQ(unknown.available, 14 * kGiB);
}

TEST(MemoryLimitsTest, ThisProcessHasSomeMemory) {
  const MemoryLimits l = ReadMemoryLimits();
  EXPECT_GT(l.total, 0u);
  EXPECT_GT(l.available, 0u);
  EXPECT_LE(l.available, l.total);
}

}  // namespace
}  // namespace dsinfer
