// Host-side writes of simulated device memory stop short of exhausting the host (an outside user's
// program filling a simulated 80 GiB card on a 23 GiB host was SIGKILLed by the OOM killer).
// Residency is the kernel's own (mincore on a MAP_NORESERVE mapping, as device memory is made);
// the host's available memory is given, so that the test does not depend on this machine's.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "runtime/device_memory.h"
#include "runtime/host_memory_headroom.h"

namespace gpusim::runtime {
namespace {

struct Mapping {
  explicit Mapping(size_t bytes) : bytes(bytes) {
    data = static_cast<uint8_t*>(mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
  }
  ~Mapping() { munmap(data, bytes); }
  size_t bytes;
  uint8_t* data;
};

uint64_t small_host() { return uint64_t(270) << 20; }  // 270 MiB available

TEST(HostMemoryHeadroom, UncommittedBytesCountsThePagesNotYetTouched) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  Mapping m(16 * page);
  ASSERT_NE(m.data, MAP_FAILED);
  EXPECT_EQ(uncommitted_bytes(m.data, 16 * page), 16 * page);
  std::memset(m.data + 3 * page, 1, 5 * page);  // pages 3..7
  EXPECT_EQ(uncommitted_bytes(m.data, 16 * page), 11 * page);
  EXPECT_EQ(uncommitted_bytes(m.data + 3 * page, 5 * page), 0u);
  EXPECT_EQ(uncommitted_bytes(m.data + 3 * page + 1, 10), 0u);  // within one touched page
}

TEST(HostMemoryHeadroom, AWriteThatWouldExhaustTheHostIsRefusedAndARewriteIsNot) {
  const size_t bytes = size_t(128) << 20;
  Mapping m(bytes);
  ASSERT_NE(m.data, MAP_FAILED);
  HostMemoryHeadroom headroom(small_host);
  // 128 MiB new + 256 MiB kept for the simulator > 270 MiB available.
  try {
    headroom.before_write(m.data, bytes, "memset");
    ADD_FAILURE() << "not refused";
  } catch (const DeviceOutOfMemory& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("memset of 134217728 bytes would commit 0.12 GiB more host memory"), std::string::npos) << what;
    EXPECT_NE(what.find("0.26 GiB available"), std::string::npos) << what;
    EXPECT_NE(what.find("--max-host-memory"), std::string::npos) << what;
  }
  // The same buffer once committed (written before): nothing new, no refusal.
  std::memset(m.data, 0, bytes);
  EXPECT_NO_THROW(headroom.before_write(m.data, bytes, "memset"));
  // Small writes are checked once per 64 MiB: 32 MiB new passes unchecked, the next 32 MiB is looked
  // at (32 + 256 > 270).
  Mapping n(bytes);
  HostMemoryHeadroom fresh(small_host);
  EXPECT_NO_THROW(fresh.before_write(n.data, HostMemoryHeadroom::kCheckEvery / 2, "copy to device"));
  EXPECT_THROW(fresh.before_write(n.data, HostMemoryHeadroom::kCheckEvery / 2, "copy to device"), DeviceOutOfMemory);
}

TEST(HostMemoryHeadroom, TheHostsAvailableMemoryIsRead) {
  const uint64_t available = host_available_bytes();
  EXPECT_NE(available, UINT64_MAX);  // Linux has MemAvailable
  const uint64_t total = uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGESIZE));
  EXPECT_GT(available, 0u);
  EXPECT_LE(available, total);
}

}  // namespace
}  // namespace gpusim::runtime
