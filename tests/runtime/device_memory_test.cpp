// Device memory: capacity like a card's (cudaMalloc fails past it), lazily committed storage,
// and host ranges mapped at their own address (managed / pinned memory).
#include <gtest/gtest.h>

#include <vector>

#include "runtime/device_memory.h"

namespace {

using gpusim::runtime::DeviceMemory;
using gpusim::runtime::DeviceOutOfMemory;

TEST(DeviceMemory, CapacityIsEnforcedAndFreedBytesReturn) {
  DeviceMemory m;
  m.set_capacity(1 << 20);
  const uint64_t a = m.allocate(600 << 10);
  EXPECT_THROW(m.allocate(600 << 10), DeviceOutOfMemory);
  try {
    m.allocate(uint64_t(1) << 40);
  } catch (const DeviceOutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("dram.capacity_mib"), std::string::npos) << e.what();
  }
  m.release(a);
  EXPECT_NO_THROW(m.allocate(600 << 10));
}

TEST(DeviceMemory, LargeAllocationsCostNothingUntilTouched) {
  // 64 GiB of simulated device memory on a machine with far less: only touched pages are real.
  DeviceMemory m;
  const uint64_t big = m.allocate(uint64_t(64) << 30);
  const uint32_t v = 0xdeadbeef;
  ASSERT_TRUE(m.write(big + (uint64_t(63) << 30), &v, 4));
  uint32_t back = 0, zero = 1;
  ASSERT_TRUE(m.read(big + (uint64_t(63) << 30), &back, 4));
  ASSERT_TRUE(m.read(big + 12345, &zero, 4));
  EXPECT_EQ(back, v);
  EXPECT_EQ(zero, 0u);  // fresh device memory reads as zero here (CUDA leaves it undefined)
}

TEST(DeviceMemory, HostMappedRangesShareTheHostsBytes) {
  DeviceMemory m;
  std::vector<int> host(64, 7);
  m.map_host(host.data(), host.size() * sizeof(int));
  const uint64_t addr = reinterpret_cast<uint64_t>(host.data());
  const int v = 42;
  ASSERT_TRUE(m.write(addr + 8, &v, 4));
  EXPECT_EQ(host[2], 42);  // the kernel's store is the host's memory
  host[3] = 99;
  int back = 0;
  ASSERT_TRUE(m.read(addr + 12, &back, 4));
  EXPECT_EQ(back, 99);
  EXPECT_FALSE(m.read(addr + host.size() * sizeof(int), &back, 4));  // past the mapping
  const auto r = m.region_at(addr + 100);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->host_mapped);
  EXPECT_THROW(m.map_host(host.data() + 10, 16), std::invalid_argument);  // overlaps
  EXPECT_THROW(m.release(addr), std::invalid_argument);                   // not a device allocation
  m.unmap_host(host.data());
  EXPECT_FALSE(m.read(addr, &back, 4));
}

TEST(DeviceMemory, DeviceToDeviceCopyChecksBothRanges) {
  DeviceMemory m;
  const uint64_t a = m.allocate(64), b = m.allocate(64);
  const std::vector<uint8_t> data(64, 5);
  m.copy_in(a, data.data(), 64);
  m.copy_within(b, a, 64);
  std::vector<uint8_t> out(64);
  m.copy_out(out.data(), b, 64);
  EXPECT_EQ(out, data);
  EXPECT_THROW(m.copy_within(b, a, 65), std::out_of_range);
}

}  // namespace
