// Device-side printf, malloc/free and assert on the simulated device, with the PTX nvcc 13 emits
// (tests/fixtures/device_runtime.cu, compiled for sm_80 and sm_90), in functional and timing
// mode. Expected text is computed here with the host's printf for the same formats and values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/sim_device.h"
#include "tests/runtime/fixture_util.h"

using namespace gpusim::runtime;

namespace {

LaunchConfig grid(unsigned blocks, unsigned threads) {
  LaunchConfig c;
  c.grid = Dim3{blocks, 1, 1};
  c.block = Dim3{threads, 1, 1};
  return c;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
template <typename... Ts>
std::string host_printf(const char* fmt, Ts... vs) {
  char buf[512];
  const int n = std::snprintf(buf, sizeof buf, fmt, vs...);
  return std::string(buf, static_cast<size_t>(n));  // %c of 0 prints a NUL byte
}
#pragma GCC diagnostic pop

constexpr float kF = 1.5f;
constexpr long long kBig = 1ll << 40;
const char* const kTag = "tagged";

// What thread i of print_values prints (the two printf calls in device_runtime.cu).
std::string print_values_line(int i) {
  if (i % 2 == 0)
    return host_printf("even %d %f %lld %s %s\n", i, static_cast<double>(kF * static_cast<float>(i)), kBig + i, "lit", kTag);
  return host_printf("odd %u %x %c %5.2e|%-4d|%*d|%.*f\n", i, i * 17, 'a' + i, static_cast<double>(i) / 4, i, i % 5 + 1,
                     i, 2, static_cast<double>(kF));
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start + 1));
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

using Param = std::tuple<const char*, SimMode>;

class DeviceRuntimeTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    SimDeviceOptions o;
    o.mode = std::get<1>(GetParam());
    o.max_warp_instructions = 1000000;
    o.printf_sink = [this](const std::string& s) { printed.push_back(s); };
    o.assert_sink = [this](const std::string& s) { asserted += s; };
    dev = make_sim_device(o);
    mod = dev->load_ptx(std::get<0>(GetParam()), read_fixture(std::get<0>(GetParam())));
  }
  std::string all_printed() const {
    std::string s;
    for (const std::string& p : printed) s += p;
    return s;
  }
  DevPtr tag() {
    DevPtr p = dev->alloc(16);
    dev->copy_to_device(p, kTag, std::char_traits<char>::length(kTag) + 1);
    return p;
  }
  KernelFault fault_of(const std::string& kernel, const LaunchConfig& c, const KernelArgs& a) {
    try {
      dev->launch(mod, kernel, c, a);
    } catch (const KernelFault& e) {
      return e;
    }
    ADD_FAILURE() << kernel << " did not fault";
    return KernelFault("none");
  }

  std::unique_ptr<Device> dev;
  ModuleHandle mod = -1;
  std::vector<std::string> printed;  // one entry per sink call
  std::string asserted;
};

// One warp: the branch's taken path (even threads) runs before the fall-through (odd threads),
// each in lane order (the SIMT model's documented order), and the launch's output arrives in
// one piece when it ends.
TEST_P(DeviceRuntimeTest, PrintfFromOneWarpIsInLaneOrderPerPath) {
  DevPtr out = dev->alloc(32 * 4);
  dev->launch(mod, "_Z12print_valuesPifxPKc", grid(1, 32), args(out, kF, kBig, tag()));
  std::string expected;
  for (int i = 0; i < 32; i += 2) expected += print_values_line(i);
  for (int i = 1; i < 32; i += 2) expected += print_values_line(i);
  ASSERT_EQ(printed.size(), 1u);
  EXPECT_EQ(printed[0], expected);
}

// Many warps and CTAs: every thread's line appears once; within each warp, even threads in order
// then odd threads in order (warps may interleave with each other).
TEST_P(DeviceRuntimeTest, PrintfFromManyWarpsKeepsEachWarpInOrder) {
  // Warps of 32, 32 and 8 threads per CTA; i < 144 keeps the %c of 'a' + i below 256 (no NUL or newline).
  const unsigned blocks = 2, threads = 72;
  DevPtr out = dev->alloc(blocks * threads * 4);
  dev->launch(mod, "_Z12print_valuesPifxPKc", grid(blocks, threads), args(out, kF, kBig, tag()));
  std::vector<std::string> expected(blocks * threads);
  for (unsigned i = 0; i < expected.size(); ++i) expected[i] = print_values_line(int(i));
  std::vector<std::vector<int>> per_warp(blocks * 3);
  std::set<int> seen;
  for (const std::string& line : split_lines(all_printed())) {
    auto it = std::find(expected.begin(), expected.end(), line);
    ASSERT_NE(it, expected.end()) << "unexpected line: " << line;
    const int i = int(it - expected.begin());
    EXPECT_TRUE(seen.insert(i).second) << "thread " << i << " printed twice";
    per_warp[size_t(i) / threads * 3 + size_t(i) % threads / 32].push_back(i);
  }
  EXPECT_EQ(seen.size(), expected.size());
  for (const std::vector<int>& w : per_warp) {
    std::vector<int> evens, odds;
    for (int i : w) (i % 2 ? odds : evens).push_back(i);
    std::sort(evens.begin(), evens.end());
    std::sort(odds.begin(), odds.end());
    evens.insert(evens.end(), odds.begin(), odds.end());
    EXPECT_EQ(w, evens);
  }
  EXPECT_EQ(dev->download<int>(out, 5), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_P(DeviceRuntimeTest, PrintfWithoutArgumentsOncePerBlock) {
  dev->launch(mod, "_Z5hellov", grid(3, 64), {});
  EXPECT_EQ(all_printed(), "hello from the device\nhello from the device\nhello from the device\n");
}

// Output printed before a fault still appears (a GPU prints it at the next synchronisation).
TEST_P(DeviceRuntimeTest, PrintfOutputBeforeAFaultIsStillWritten) {
  DevPtr out = dev->alloc(16 * 4);  // threads 16..31 store past the end, after printing
  const KernelFault f = fault_of("_Z12print_valuesPifxPKc", grid(1, 32), args(out, kF, kBig, tag()));
  EXPECT_EQ(f.kind(), FaultKind::IllegalAddress) << f.what();
  EXPECT_EQ(split_lines(all_printed()).size(), 32u);
  EXPECT_NE(all_printed().find(print_values_line(31)), std::string::npos);
}

// The printf FIFO is circular: output beyond its size overwrites the oldest records.
TEST_P(DeviceRuntimeTest, PrintfFifoKeepsTheNewestOutput) {
  EXPECT_EQ(dev->get_limit(DeviceLimit::PrintfFifoSize), 1u << 20);  // CUDA's default
  dev->set_limit(DeviceLimit::PrintfFifoSize, 50);                   // room for two 22-byte lines
  EXPECT_EQ(dev->get_limit(DeviceLimit::PrintfFifoSize), 50u);
  dev->launch(mod, "_Z5hellov", grid(5, 32), {});
  EXPECT_EQ(all_printed(), "hello from the device\nhello from the device\n");
  // 5 lines printed (one per CTA), 2 kept: the 3 lost (22 bytes each) are counted on stderr, not dropped silently.
  EXPECT_NE(asserted.find("gpusim: note: 3 printf records (66 bytes) of this launch were overwritten by later ones: "
                          "they did not fit the 50-byte printf buffer"),
            std::string::npos)
      << "[" << asserted << "]";
  asserted.clear();
  dev->launch(mod, "_Z5hellov", grid(2, 32), {});  // 2 lines fit: no note
  EXPECT_EQ(asserted, "");
}

TEST_P(DeviceRuntimeTest, MallocWriteReadFreeInEveryThread) {
  EXPECT_EQ(dev->get_limit(DeviceLimit::MallocHeapSize), 8u << 20);  // CUDA's default
  const unsigned n = 2 * 64;
  // A heap exactly large enough for every thread's block: the frees must return it each launch.
  dev->set_limit(DeviceLimit::MallocHeapSize, n * 64);
  DevPtr out = dev->alloc(n * 4);
  for (int round = 0; round < 2; ++round) {
    dev->launch(mod, "_Z14heap_roundtripPij", grid(2, 64), args(out, 64u));
    auto got = dev->download<int>(out, n);
    for (unsigned i = 0; i < n; ++i) ASSERT_EQ(got[i], int(3 * i + i + 7)) << "thread " << i << " round " << round;
  }
  // A request larger than the heap gets NULL.
  dev->launch(mod, "_Z14heap_roundtripPij", grid(1, 32), args(out, unsigned(n * 64 + 16)));
  auto got = dev->download<int>(out, 32);
  EXPECT_EQ(got, std::vector<int>(32, -1));
}

TEST_P(DeviceRuntimeTest, HeapExhaustionReturnsNullAndFreeGivesTheSpaceBack) {
  dev->set_limit(DeviceLimit::MallocHeapSize, 100 * 64);
  DevPtr ptrs = dev->alloc(128 * 8);
  for (int round = 0; round < 2; ++round) {
    dev->launch(mod, "_Z9heap_keepPyj", grid(1, 128), args(ptrs, 64u));
    auto p = dev->download<uint64_t>(ptrs, 128);
    std::vector<uint64_t> live;
    for (uint64_t a : p) if (a) live.push_back(a);
    ASSERT_EQ(live.size(), 100u) << "round " << round;  // 100 blocks of 64 bytes fit, 28 threads get NULL
    std::sort(live.begin(), live.end());
    for (size_t k = 0; k < live.size(); ++k) {
      EXPECT_EQ(live[k] % 16, 0u);
      if (k) {
        EXPECT_GE(live[k], live[k - 1] + 64) << "blocks overlap";
      }
    }
    // The host cannot cudaFree a device-malloc block.
    EXPECT_THROW(dev->free(live[0]), Error);
    dev->launch(mod, "_Z12heap_releasePy", grid(1, 128), args(ptrs));  // free(NULL) does nothing
  }
  // CUDA fixes the heap's size once a kernel has used it (cudaErrorInvalidValue), even with every
  // block freed; the printf FIFO likewise once a kernel has printed.
  EXPECT_THROW(dev->set_limit(DeviceLimit::MallocHeapSize, 0), Error);
  EXPECT_EQ(dev->get_limit(DeviceLimit::MallocHeapSize), 100u * 64);
}

TEST_P(DeviceRuntimeTest, PrintfFifoSizeIsFixedOncePrinted) {
  dev->set_limit(DeviceLimit::PrintfFifoSize, 4096);  // before any printf: open
  dev->launch(mod, "_Z5hellov", grid(1, 1), {});
  EXPECT_THROW(dev->set_limit(DeviceLimit::PrintfFifoSize, 8192), Error);
  EXPECT_EQ(dev->get_limit(DeviceLimit::PrintfFifoSize), 4096u);
  dev->set_limit(DeviceLimit::MallocHeapSize, 1 << 20);  // no kernel has used malloc: still open
}

TEST_P(DeviceRuntimeTest, FreeOfABadPointerIsAFault) {
  DevPtr ptrs = dev->alloc(32 * 8);
  std::vector<uint64_t> bad(32, 0);
  bad[5] = dev->alloc(64);  // cudaMalloc'd, not from the device heap
  dev->copy_to_device(ptrs, bad.data(), bad.size() * 8);
  const KernelFault f = fault_of("_Z12heap_releasePy", grid(1, 32), args(ptrs));
  EXPECT_EQ(f.kind(), FaultKind::IllegalAddress);
  const std::string msg = f.what();
  EXPECT_NE(msg.find("thread (5,0,0)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("free("), std::string::npos) << msg;

  // Freeing the same block twice.
  dev->launch(mod, "_Z9heap_keepPyj", grid(1, 1), args(ptrs, 32u));
  dev->launch(mod, "_Z12heap_releasePy", grid(1, 1), args(ptrs));
  EXPECT_EQ(fault_of("_Z12heap_releasePy", grid(1, 1), args(ptrs)).kind(), FaultKind::IllegalAddress);
}

TEST_P(DeviceRuntimeTest, FailedAssertIsAnAssertFaultWithCudaText) {
  std::vector<int> in(64);
  for (int i = 0; i < 64; ++i) in[i] = i;
  DevPtr d_in = dev->upload(in);
  // CTA 0 (i = 0..31) passes; in CTA 1 threads 8..31 (i = 40..63) fail.
  const KernelFault f = fault_of("_Z7checkedPKii", grid(2, 32), args(d_in, 40));
  EXPECT_EQ(f.kind(), FaultKind::Assert);
  auto cuda_text = [](unsigned t) {
    return "device_runtime.cu:43: void checked(const int *, int): block: [1,0,0], thread: [" + std::to_string(t) +
           ",0,0] Assertion `in[i] < limit` failed.";
  };
  EXPECT_NE(std::string(f.what()).find(cuda_text(8)), std::string::npos) << f.what();
  std::string expected;
  for (unsigned t = 8; t < 32; ++t) expected += cuda_text(t) + "\n";
  EXPECT_EQ(asserted, expected);
}

TEST_P(DeviceRuntimeTest, AssertThatHoldsDoesNothing) {
  std::vector<int> in(64, 3);
  dev->launch(mod, "_Z7checkedPKii", grid(2, 32), args(dev->upload(in), 4));
  EXPECT_TRUE(asserted.empty());
  EXPECT_TRUE(printed.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, DeviceRuntimeTest,
    ::testing::Combine(::testing::Values("device_runtime.ptx", "device_runtime_sm90.ptx"),
                       ::testing::Values(SimMode::Functional, SimMode::Timing)),
    [](const ::testing::TestParamInfo<Param>& info) {
      return std::string(std::get<0>(info.param)[14] == '.' ? "sm80" : "sm90") +
             (std::get<1>(info.param) == SimMode::Timing ? "_timing" : "_functional");
    });

}  // namespace
