// The real-GPU backend. Everywhere: the "no GPU" path (probe_cuda gives the reason and
// make_cuda_device throws it) and the driver-loading errors. With a GPU: kernels JIT-compiled
// from PTX against CPU references, JIT errors with the log, faults, copies, opt-in shared memory.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <vector>

#include "runtime/cuda_device.h"
#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

// Hand-written PTX at an old ISA version, so any driver from CUDA 11 on can JIT it.
const char* const kKernelsPtx = R"PTX(.version 7.0
.target sm_70
.address_size 64

.extern .shared .align 4 .b8 smem[];

.visible .entry vecadd(.param .u64 a, .param .u64 b, .param .u64 c, .param .u32 n)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .f32 %f<4>;
  .reg .b64 %rd<12>;
  ld.param.u64 %rd1, [a];
  ld.param.u64 %rd2, [b];
  ld.param.u64 %rd3, [c];
  ld.param.u32 %r1, [n];
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, %tid.x;
  mad.lo.s32 %r5, %r2, %r3, %r4;
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra DONE;
  cvta.to.global.u64 %rd4, %rd1;
  cvta.to.global.u64 %rd5, %rd2;
  cvta.to.global.u64 %rd6, %rd3;
  mul.wide.u32 %rd7, %r5, 4;
  add.s64 %rd8, %rd4, %rd7;
  add.s64 %rd9, %rd5, %rd7;
  add.s64 %rd10, %rd6, %rd7;
  ld.global.f32 %f1, [%rd8];
  ld.global.f32 %f2, [%rd9];
  add.rn.f32 %f3, %f1, %f2;
  st.global.f32 [%rd10], %f3;
DONE:
  ret;
}

.visible .entry store_at(.param .u64 p)
{
  .reg .b32 %r<2>;
  .reg .b64 %rd<2>;
  ld.param.u64 %rd1, [p];
  mov.u32 %r1, 1;
  st.global.u32 [%rd1], %r1;
  ret;
}

.visible .entry shared_reverse(.param .u64 out, .param .u32 words)
{
  .reg .pred %p<3>;
  .reg .b32 %r<12>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  ld.param.u32 %r1, [words];
  cvta.to.global.u64 %rd1, %rd1;
  mov.u32 %r2, %tid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, smem;
  mov.u32 %r5, %r2;
FILL:
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra FILLED;
  mad.lo.s32 %r6, %r5, 3, 1;
  shl.b32 %r7, %r5, 2;
  add.s32 %r8, %r4, %r7;
  st.shared.u32 [%r8], %r6;
  add.s32 %r5, %r5, %r3;
  bra FILL;
FILLED:
  bar.sync 0;
  mov.u32 %r5, %r2;
READ:
  setp.ge.u32 %p2, %r5, %r1;
  @%p2 bra DONE;
  sub.s32 %r9, %r1, %r5;
  sub.s32 %r9, %r9, 1;
  shl.b32 %r10, %r9, 2;
  add.s32 %r11, %r4, %r10;
  ld.shared.u32 %r6, [%r11];
  mul.wide.u32 %rd2, %r5, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r6;
  add.s32 %r5, %r5, %r3;
  bra READ;
DONE:
  ret;
}
)PTX";

// Line 8 uses an instruction that does not exist.
const char* const kBrokenPtx = R"PTX(.version 7.0
.target sm_70
.address_size 64

.visible .entry broken()
{
  .reg .b32 %r<2>;
  frobnicate.u32 %r1, 7;
  ret;
}
)PTX";

LaunchConfig linear(unsigned blocks, unsigned threads, unsigned dynamic_shared = 0) {
  LaunchConfig c;
  c.grid = Dim3{blocks, 1, 1};
  c.block = Dim3{threads, 1, 1};
  c.dynamic_shared_bytes = dynamic_shared;
  return c;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(CudaProbe, MissingDriverLibraryIsReportedWithTheLoaderMessage) {
  const CudaAvailability a = probe_cuda("libgpusim-no-such-driver.so.1");
  EXPECT_FALSE(a.available);
  EXPECT_NE(a.reason.find("libgpusim-no-such-driver.so.1 not found (dlopen: "), std::string::npos) << a.reason;
  EXPECT_EQ(a.device_count, 0);
  const std::string thrown = error_of([] { make_cuda_device(0, "libgpusim-no-such-driver.so.1"); });
  EXPECT_EQ(thrown, a.reason);
}

TEST(CudaProbe, LibraryWithoutDriverEntryPointsIsNamed) {
  // libm is present everywhere and is certainly not a CUDA driver.
  const CudaAvailability a = probe_cuda("libm.so.6");
  EXPECT_FALSE(a.available);
  EXPECT_NE(a.reason.find("libm.so.6 lacks the driver entry point cuInit"), std::string::npos) << a.reason;
}

TEST(CudaProbe, ToolkitStubLibraryReportsItsError) {
  // The toolkit's link-time stub exports every entry point but answers CUDA_ERROR_STUB_LIBRARY
  // (34), without being able to name it: the name must come from the backend's own table.
  const char* candidates[] = {"/usr/local/cuda/lib64/stubs/libcuda.so", "/usr/local/cuda/lib/stubs/libcuda.so"};
  std::string stub;
  for (const char* c : candidates)
    if (std::filesystem::exists(c)) stub = c;
  if (stub.empty()) GTEST_SKIP() << "no CUDA toolkit stub library on this machine";
  // The stub's soname is libcuda.so.1 and a driver library is never unloaded, so probing it in
  // this process would shadow the real driver for every later test: probe in a child process.
  EXPECT_EXIT(
      {
        const CudaAvailability a = probe_cuda(stub);
        std::fprintf(stderr, "reason: %s\n", a.reason.c_str());
        std::exit(a.available ? 1 : 0);
      },
      ::testing::ExitedWithCode(0), "reason: cuInit failed: CUDA_ERROR_STUB_LIBRARY");
}

TEST(CudaProbe, DefaultDriverEitherWorksOrSaysWhy) {
  const CudaAvailability a = probe_cuda();
  if (a.available) {
    EXPECT_TRUE(a.reason.empty());
    EXPECT_GT(a.device_count, 0);
    EXPECT_GT(a.driver_version, 0);
    auto dev = make_cuda_device();
    EXPECT_EQ(dev->name().rfind("cuda:0 ", 0), 0u) << dev->name();
    const std::string bad = error_of([&] { make_cuda_device(a.device_count); });
    EXPECT_NE(bad.find("is out of range"), std::string::npos) << bad;
  } else {
    ASSERT_FALSE(a.reason.empty());
    EXPECT_EQ(error_of([] { make_cuda_device(); }), a.reason);
    EXPECT_EQ(error_of([] { query_cuda_device_info(); }), a.reason);
  }
}

TEST(CudaProbe, OtherBackendsHaveNoCudaInfo) {
  auto sim = make_sim_device();
  EXPECT_EQ(cuda_device_info(*sim), nullptr);
}

// Everything below needs a usable GPU and skips (with the reason) otherwise.
class CudaGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    const CudaAvailability a = probe_cuda();
    if (!a.available) GTEST_SKIP() << "no usable CUDA GPU: " << a.reason;
    dev = make_cuda_device();
    kernels = dev->load_ptx("cuda_test_kernels.ptx", kKernelsPtx);
  }
  std::vector<float> vecadd(Device& d, ModuleHandle m, const std::vector<float>& a, const std::vector<float>& b) {
    const DevPtr pa = d.upload(a), pb = d.upload(b), pc = d.alloc(a.size() * 4);
    const unsigned n = static_cast<unsigned>(a.size());
    const LaunchStats s = d.launch(m, "vecadd", linear((n + 127) / 128, 128), args(pa, pb, pc, n));
    EXPECT_EQ(s.kernel, "vecadd");
    EXPECT_EQ(s.ctas, (n + 127) / 128);
    EXPECT_GT(s.seconds, 0.0);
    EXPECT_GE(s.host_seconds, s.seconds * 0.5);
    auto c = d.download<float>(pc, a.size());
    d.free(pa);
    d.free(pb);
    d.free(pc);
    return c;
  }
  std::unique_ptr<Device> dev;
  ModuleHandle kernels = -1;
};

TEST_F(CudaGpu, DeviceInfoIsPlausible) {
  const CudaDeviceInfo* info = cuda_device_info(*dev);
  ASSERT_NE(info, nullptr);
  EXPECT_FALSE(info->name.empty());
  EXPECT_GE(info->compute_capability_major, 7);  // the PTX here targets sm_70
  EXPECT_GT(info->sm_count, 0);
  EXPECT_GT(info->core_clock_khz, 100000);
  EXPECT_GT(info->memory_clock_khz, 100000);
  EXPECT_GT(info->memory_bus_width_bits, 0);
  EXPECT_GT(info->l2_bytes, 0);
  EXPECT_EQ(info->warp_size, 32);
  EXPECT_GE(info->max_shared_per_block_optin, info->max_shared_per_block);
  EXPECT_GT(info->total_memory_bytes, size_t(1) << 30);
  EXPECT_EQ(info->driver_version, probe_cuda().driver_version);
  const CudaDeviceInfo fresh = query_cuda_device_info(0);
  EXPECT_EQ(fresh.name, info->name);
  EXPECT_EQ(fresh.sm_count, info->sm_count);
}

TEST_F(CudaGpu, VecAddMatchesCpuAtAnAwkwardSize) {
  const size_t n = 1000;  // not a multiple of the block: the bounds check in the kernel matters
  std::vector<float> a(n), b(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = 0.1f * static_cast<float>(i) - 3.0f;
    b[i] = 1.0f / static_cast<float>(i + 1);
  }
  const std::vector<float> c = vecadd(*dev, kernels, a, b);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(c[i], a[i] + b[i]) << "element " << i;  // IEEE add: bit-exact
}

TEST_F(CudaGpu, CopiesAndMemsetRoundTripAndStayInsideAllocations) {
  const DevPtr p = dev->alloc(256);
  dev->memset(p, 0xab, 256);
  std::vector<uint8_t> host(256);
  dev->copy_to_host(host.data(), p, 256);
  for (uint8_t v : host) ASSERT_EQ(v, 0xab);
  std::vector<uint8_t> pattern(16);
  for (size_t i = 0; i < 16; ++i) pattern[i] = static_cast<uint8_t>(i);
  dev->copy_to_device(p + 100, pattern.data(), 16);
  dev->copy_to_host(host.data(), p, 256);
  for (size_t i = 0; i < 256; ++i)
    ASSERT_EQ(host[i], (i >= 100 && i < 116) ? static_cast<uint8_t>(i - 100) : 0xab) << i;
  EXPECT_NE(error_of([&] { dev->copy_to_device(p + 250, pattern.data(), 16); }).find("not inside one allocation"),
            std::string::npos);
  EXPECT_NE(error_of([&] { dev->free(p + 8); }).find("not the start of a live allocation"), std::string::npos);
  dev->free(p);
  EXPECT_NE(error_of([&] { dev->copy_to_host(host.data(), p, 4); }).find("not inside"), std::string::npos);
}

TEST_F(CudaGpu, MalformedPtxReportsTheJitLog) {
  const std::string e = error_of([&] { dev->load_ptx("broken.ptx", kBrokenPtx); });
  EXPECT_EQ(e.rfind("cuModuleLoadDataEx(broken.ptx): CUDA_ERROR_INVALID_PTX", 0), 0u) << e;
  EXPECT_NE(e.find("frobnicate"), std::string::npos) << "JIT log missing: " << e;
  // The device is still usable.
  EXPECT_EQ(vecadd(*dev, kernels, {1.5f}, {2.25f}), std::vector<float>{3.75f});
}

TEST_F(CudaGpu, BadLaunchesAreErrorsNotFaults) {
  EXPECT_NE(error_of([&] { dev->launch(kernels, "no_such_kernel", linear(1, 32), {}); }).find("no kernel named"),
            std::string::npos);
  EXPECT_NE(error_of([&] { dev->launch(7, "vecadd", linear(1, 32), {}); }).find("invalid module handle"),
            std::string::npos);
  const DevPtr p = dev->alloc(64);
  // 4096 threads per block exceeds every CUDA GPU's limit (1024).
  const std::string too_big = error_of([&] { dev->launch(kernels, "store_at", linear(1, 4096), args(p)); });
  EXPECT_NE(too_big.find("cuLaunchKernel(store_at"), std::string::npos) << too_big;
  if (probe_cuda().driver_version >= 12040) {  // the driver can report parameter layouts
    EXPECT_NE(error_of([&] { dev->launch(kernels, "vecadd", linear(1, 32), args(p, p)); }).find("takes 4 parameters"),
              std::string::npos);
    EXPECT_NE(error_of([&] { dev->launch(kernels, "vecadd", linear(1, 32), args(p, p, p, p)); })
                  .find("parameter 3 (4 bytes) was given 8 bytes"),
              std::string::npos);
  }
  dev->free(p);
}

TEST_F(CudaGpu, OptInDynamicSharedMemoryAbove48KB) {
  const CudaDeviceInfo* info = cuda_device_info(*dev);
  const unsigned bytes = 64 * 1024;
  if (static_cast<unsigned>(info->max_shared_per_block_optin) < bytes) GTEST_SKIP() << "GPU allows less than 64 KB";
  const unsigned words = bytes / 4;
  const DevPtr out = dev->alloc(bytes);
  dev->launch(kernels, "shared_reverse", linear(1, 256, bytes), args(out, words));
  const auto got = dev->download<uint32_t>(out, words);
  for (unsigned i = 0; i < words; ++i) ASSERT_EQ(got[i], (words - 1 - i) * 3 + 1) << i;
  const unsigned too_much = static_cast<unsigned>(info->max_shared_per_block_optin) + 1024;
  EXPECT_NE(error_of([&] { dev->launch(kernels, "shared_reverse", linear(1, 32, too_much), args(out, words)); })
                .find("exceed the device's per-block limit"),
            std::string::npos);
  dev->free(out);
}

TEST_F(CudaGpu, IllegalAddressIsAKernelFaultAndTheDeviceSaysItIsLost) {
  const DevPtr wild = 0x10;  // never mapped on any CUDA GPU
  std::string fault;
  try {
    dev->launch(kernels, "store_at", linear(1, 1), args(wild));
    ADD_FAILURE() << "store to " << wild << " did not fault";
  } catch (const KernelFault& e) {
    fault = e.what();
  }
  EXPECT_NE(fault.find("CUDA_ERROR_ILLEGAL_ADDRESS"), std::string::npos) << fault;
  EXPECT_NE(fault.find("store_at"), std::string::npos) << fault;
  // Later calls are plain errors explaining why, not a repeat of the fault.
  std::string later;
  try {
    dev->alloc(16);
  } catch (const KernelFault& e) {
    ADD_FAILURE() << "reported as a new fault: " << e.what();
  } catch (const Error& e) {
    later = e.what();
  }
  EXPECT_NE(later.find("unusable after an earlier kernel fault"), std::string::npos) << later;
  // CUDA documents an illegal address as sticky for the whole process ("the process must be
  // terminated and relaunched"; seen on an H200 with driver 580: the next context retain fails).
  // A new device must then fail with an Error naming that, not crash or hang; where a driver does
  // recover, the new device must compute correctly.
  dev.reset();
  std::unique_ptr<Device> fresh;
  try {
    fresh = make_cuda_device();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA_ERROR_ILLEGAL_ADDRESS"), std::string::npos) << e.what();
    return;
  }
  const ModuleHandle m = fresh->load_ptx("cuda_test_kernels.ptx", kKernelsPtx);
  EXPECT_EQ(vecadd(*fresh, m, {1.0f, 2.0f}, {0.5f, 0.25f}), (std::vector<float>{1.5f, 2.25f}));
}
