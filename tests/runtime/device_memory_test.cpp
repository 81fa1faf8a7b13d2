// Device memory: capacity like a card's (cudaMalloc fails past it), lazily committed storage,
// and host ranges mapped at their own address (managed / pinned memory).
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/device_memory.h"

namespace {

using gpusim::runtime::DeviceMemory;
using gpusim::runtime::DeviceOutOfMemory;
using gpusim::runtime::HostMapping;
using gpusim::runtime::HostPages;

// Pages of its own for each test, which it may protect or unmap.
struct Pages {
  // Placed far below the area where mmap puts new mappings (the hint is a request, not a demand):
  // the test unmaps these pages and then needs their addresses to stay unmapped, but a page freed
  // among the others is reused by the next small mapping (under ASan, its allocator's, within the
  // very next throw), and the range then reads as mapped again.
  explicit Pages(size_t n, int prot = PROT_READ | PROT_WRITE) : bytes(n * 4096) {
    void* const far_below_the_mmap_area = reinterpret_cast<void*>(uintptr_t(0x3e0000000000));
    data = static_cast<uint8_t*>(mmap(far_below_the_mmap_area, bytes, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  }
  ~Pages() {
    if (mapped) munmap(data, bytes);
  }
  void unmap() {
    munmap(data, bytes);
    mapped = false;  // the address stays, for the test to use
  }
  uint64_t addr() const { return reinterpret_cast<uint64_t>(data); }
  uint8_t* data = nullptr;
  size_t bytes;
  bool mapped = true;
};

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
  // The largest size there is (cudaMalloc((size_t)-1)) is named whole: the text was cut mid-word.
  try {
    m.allocate(~uint64_t(0));
    ADD_FAILURE() << "expected DeviceOutOfMemory";
  } catch (const DeviceOutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("allocating 18446744073709551615 bytes (17592186044416.0 MiB) with "),
              std::string::npos) << e.what();
  }
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

// Sparse stores into a huge allocation commit about what they touch (4 KiB pages beyond 1 GiB):
// with transparent huge pages, 256 one-byte stores 16 MiB apart committed 512 MiB of host memory.
long resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

TEST(DeviceMemory, SparseStoresIntoAHugeAllocationCommitWhatTheyTouch) {
  DeviceMemory m;
  const uint64_t big = m.allocate(uint64_t(4) << 30);
  const long before = resident_kib();
  ASSERT_GT(before, 0);
  const uint8_t one = 1;
  for (uint64_t i = 0; i < 256; ++i) ASSERT_TRUE(m.write(big + i * (uint64_t(16) << 20), &one, 1));
  const long grown = resident_kib() - before;
  EXPECT_LT(grown, 64 * 1024) << grown << " KiB for 256 touched pages";  // 1 MiB of 4 KiB pages; 512 MiB of huge ones
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

// What the host's page tables allow, read from /proc/self/maps: registration refuses ranges a
// GPU driver could not pin.
TEST(HostPages, ReportsTheLeastAccessOfTheRange) {
  Pages rw(2), ro(1, PROT_READ), gone(1);
  gone.unmap();
  EXPECT_EQ(gpusim::runtime::host_pages(rw.data, rw.bytes), HostPages::ReadWrite);
  EXPECT_EQ(gpusim::runtime::host_pages(ro.data + 100, 8), HostPages::ReadOnly);
  EXPECT_EQ(gpusim::runtime::host_pages(gone.data, 4), HostPages::Unmapped);
  mprotect(rw.data + 4096, 4096, PROT_READ);
  EXPECT_EQ(gpusim::runtime::host_pages(rw.data, rw.bytes), HostPages::ReadOnly);  // the second page is read-only
  mprotect(rw.data + 4096, 4096, PROT_NONE);
  EXPECT_EQ(gpusim::runtime::host_pages(rw.data, rw.bytes), HostPages::NoAccess);
  EXPECT_TRUE(gpusim::runtime::host_pages_mapped(rw.data + 5, 5000));
  EXPECT_FALSE(gpusim::runtime::host_pages_mapped(gone.data, 4));
  EXPECT_THROW(gpusim::runtime::registration_mapping(gone.data, 4096, false), std::invalid_argument);
  EXPECT_THROW(gpusim::runtime::registration_mapping(ro.data, 4096, false), std::invalid_argument);
  EXPECT_EQ(gpusim::runtime::registration_mapping(ro.data, 4096, true), HostMapping::RegisteredReadOnly);
  EXPECT_EQ(gpusim::runtime::registration_mapping(rw.data, 4096, false), HostMapping::Registered);
}

// cudaHostRegisterReadOnly: kernels read the memory; their stores are refused (a fault), never
// attempted on the read-only pages (SIGSEGV in the simulator).
TEST(DeviceMemory, ReadOnlyRegistrationRefusesStores) {
  DeviceMemory m;
  Pages ro(1, PROT_READ);
  m.map_host(ro.data, ro.bytes, HostMapping::RegisteredReadOnly);
  int v = 5;
  EXPECT_FALSE(m.write(ro.addr(), &v, 4));
  gpusim::isa::GlobalSpan span;
  EXPECT_FALSE(m.span_at(ro.addr(), span));  // no raw bytes to store through
  EXPECT_TRUE(m.read(ro.addr(), &v, 4));
  EXPECT_EQ(v, 0);
  EXPECT_NE(m.take_refusal().find("cudaHostRegisterReadOnly"), std::string::npos);
  EXPECT_EQ(m.take_refusal(), "");  // taken
  EXPECT_THROW(m.copy_in(ro.addr(), &v, 4), std::invalid_argument);
  EXPECT_THROW(m.fill(ro.addr(), 0, 4), std::invalid_argument);
}

// Registered memory the program unmaps afterwards: the next launch's check closes it to kernels,
// and copies refuse it, instead of touching missing pages.
TEST(DeviceMemory, RegisteredRangeUnmappedLaterIsRefused) {
  DeviceMemory m;
  Pages p(1);
  m.map_host(p.data, p.bytes, HostMapping::Registered);
  m.check_registered_ranges();
  int v = 7;
  ASSERT_TRUE(m.write(p.addr(), &v, 4));
  const uint64_t generation = m.generation();
  p.unmap();
  EXPECT_THROW(m.copy_in(p.addr(), &v, 4), std::invalid_argument);
  EXPECT_THROW(m.copy_out(&v, p.addr(), 4), std::invalid_argument);
  m.check_registered_ranges();
  EXPECT_NE(m.generation(), generation);  // executors drop spans they cached
  EXPECT_FALSE(m.read(p.addr(), &v, 4));
  EXPECT_FALSE(m.write(p.addr(), &v, 4));
  gpusim::isa::GlobalSpan span;
  EXPECT_FALSE(m.span_at(p.addr(), span));
  EXPECT_NE(m.take_refusal().find("since unmapped"), std::string::npos);
}

// A copy given device addresses as its host side (the cudaMemcpyKind the wrong way round) is
// refused: a device address is no host pointer, and touching it would fault in the simulator.
TEST(DeviceMemory, CopiesRefuseADeviceAddressAsTheHostSide) {
  DeviceMemory m;
  const uint64_t a = m.allocate(64), b = m.allocate(64);
  EXPECT_THROW(m.copy_in(a, reinterpret_cast<const void*>(b), 16), std::invalid_argument);
  EXPECT_THROW(m.copy_out(reinterpret_cast<void*>(b), a, 16), std::invalid_argument);
  m.release(b);  // a freed device address is no host pointer either
  EXPECT_THROW(m.copy_in(a, reinterpret_cast<const void*>(b), 16), std::invalid_argument);
  EXPECT_TRUE(gpusim::runtime::is_device_address(a));
}

}  // namespace
