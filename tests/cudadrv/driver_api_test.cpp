// The simulated libcuda.so.1 called through dlopen as a program calls NVIDIA's driver: device
// properties against the simulated configuration, modules, both launch forms, copies and
// memsets against host-computed values, events, and the error codes CUDA documents for misuse.
#include <cstring>
#include <vector>

#include "runtime/sim_environment.h"
#include "sim/gpu_config.h"
#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

// The configuration the driver simulates: the same environment variables, read independently.
gpusim::sim::GpuConfig simulated_config() {
  const gpusim::runtime::SimEnvironment env = gpusim::runtime::read_sim_environment();
  return gpusim::sim::load_gpu_config(env.device.config_path, env.device.overrides);
}

}  // namespace

TEST(DriverApi, BeforeCuInitCallsSayNotInitialized) {
  // In a fresh process (the threadsafe death-test style re-runs the binary for this test alone).
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        DriverLibrary& cu = DriverLibrary::get();
        int count = -1;
        CUdeviceptr p = 0;
        const bool ok = cu.cuDeviceGetCount(&count) == CUDA_ERROR_NOT_INITIALIZED &&
                        cu.cuMemAlloc(&p, 16) == CUDA_ERROR_NOT_INITIALIZED && cu.cuInit(0) == CUDA_SUCCESS &&
                        cu.cuDeviceGetCount(&count) == CUDA_SUCCESS && count == 1 &&
                        cu.cuMemAlloc(&p, 16) == CUDA_ERROR_INVALID_CONTEXT;  // initialised, but no context yet
        std::exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(DriverApi, DeviceDescribesTheSimulatedConfiguration) {
  DriverLibrary& cu = DriverLibrary::get();
  ASSERT_CU_OK(cu.cuInit(0));
  const gpusim::sim::GpuConfig c = simulated_config();
  int version = 0;
  ASSERT_CU_OK(cu.cuDriverGetVersion(&version));
  EXPECT_EQ(version, CUDA_VERSION);
  CUdevice d = -1;
  ASSERT_CU_OK(cu.cuDeviceGet(&d, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_DEVICE, cu.cuDeviceGet(&d, 1));
  char name[128] = {};
  ASSERT_CU_OK(cu.cuDeviceGetName(name, sizeof name, 0));
  EXPECT_EQ(std::string(name), "gpusim " + c.name);
  auto attribute = [&](CUdevice_attribute a) {
    int v = -1;
    EXPECT_CU(CUDA_SUCCESS, cu.cuDeviceGetAttribute(&v, a, 0));
    return v;
  };
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), c.num_sms);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_CLOCK_RATE), c.core_clock_mhz * 1000);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_WARP_SIZE), 32);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE), c.l2_size_kib * 1024);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH), c.dram_channels * c.dram_bus_width_bits);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE), c.dram_clock_mhz * 1000);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR), c.max_threads_per_sm);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR), c.registers_per_sm);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK), 48 * 1024);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN), c.shared_per_block_max_bytes);
  // "sm_75" -> 7.5, "sm_90" -> 9.0
  const int cc = std::stoi(c.sm_arch.substr(3, 2));
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR), cc / 10);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), cc % 10);
  int v = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MAX, 0));
  // Past the enumeration's range: read as the integer a program passed (UBSan checks the load).
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuDeviceGetAttribute(&v, static_cast<CUdevice_attribute>(1 << 20), 0));
  size_t total = 0;
  ASSERT_CU_OK(cu.cuDeviceTotalMem(&total, 0));
  EXPECT_EQ(total, size_t(c.dram_capacity_mib) << 20);
}

TEST_F(DriverTest, VecAddThroughKernelParamsMatchesTheCpu) {
  const unsigned n = 1000;  // not a multiple of the block
  std::vector<float> a(n), b(n), c(n);
  for (unsigned i = 0; i < n; ++i) {
    a[i] = 0.25f * static_cast<float>(i) - 7.0f;
    b[i] = 1.0f / static_cast<float>(i + 3);
  }
  const CUdeviceptr da = alloc(n * 4), db = alloc(n * 4), dc = alloc(n * 4);
  ASSERT_CU_OK(cu.cuMemcpyHtoD(da, a.data(), n * 4));
  ASSERT_CU_OK(cu.cuMemcpyHtoD(db, b.data(), n * 4));
  void* params[] = {const_cast<CUdeviceptr*>(&da), const_cast<CUdeviceptr*>(&db), const_cast<CUdeviceptr*>(&dc),
                    const_cast<unsigned*>(&n)};
  ASSERT_CU_OK(cu.cuLaunchKernel(function("vecadd"), (n + 127) / 128, 1, 1, 128, 1, 1, 0, nullptr, params, nullptr));
  ASSERT_CU_OK(cu.cuCtxSynchronize());
  ASSERT_CU_OK(cu.cuMemcpyDtoH(c.data(), dc, n * 4));
  for (unsigned i = 0; i < n; ++i) ASSERT_EQ(c[i], a[i] + b[i]) << i;  // one IEEE add: bit-exact
}

TEST_F(DriverTest, ExtraParameterBufferUsesThePtxOffsets) {
  // store_at(.u64 p, .u32 v): v sits at offset 8; the buffer is laid out by hand as CUDA documents.
  const CUdeviceptr out = alloc(4);
  unsigned char buffer[12] = {};
  const uint32_t value = 0xC0FFEEu;
  std::memcpy(buffer, &out, 8);
  std::memcpy(buffer + 8, &value, 4);
  size_t size = sizeof buffer;
  void* extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, buffer, CU_LAUNCH_PARAM_BUFFER_SIZE, &size, CU_LAUNCH_PARAM_END};
  ASSERT_CU_OK(cu.cuLaunchKernel(function("store_at"), 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, extra));
  uint32_t got = 0;
  ASSERT_CU_OK(cu.cuMemcpyDtoH(&got, out, 4));
  EXPECT_EQ(got, value);
  // The layout the driver reports is the same one.
  size_t offset = 0, bytes = 0;
  ASSERT_CU_OK(cu.cuFuncGetParamInfo(function("store_at"), 1, &offset, &bytes));
  EXPECT_EQ(offset, 8u);
  EXPECT_EQ(bytes, 4u);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuFuncGetParamInfo(function("store_at"), 2, &offset, &bytes));
  // cuda.h: the size may be NULL when only the offset is wanted (an outside user's JIT asked so).
  offset = 0;
  ASSERT_CU_OK(cu.cuFuncGetParamInfo(function("store_at"), 1, &offset, nullptr));
  EXPECT_EQ(offset, 8u);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuFuncGetParamInfo(function("store_at"), 1, nullptr, &bytes));
  size = 8;  // too small for both parameters
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuLaunchKernel(function("store_at"), 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, extra));
}

TEST_F(DriverTest, MemsetsAndCopiesWriteTheDocumentedPatterns) {
  const CUdeviceptr p = alloc(64), q = alloc(64);
  ASSERT_CU_OK(cu.cuMemsetD32(p, 0x11223344u, 16));
  ASSERT_CU_OK(cu.cuMemsetD16(p + 8, 0xabcd, 4));
  ASSERT_CU_OK(cu.cuMemsetD8(p + 60, 0x5a, 4));
  ASSERT_CU_OK(cu.cuMemcpyDtoD(q, p, 64));
  std::vector<uint8_t> got(64);
  ASSERT_CU_OK(cu.cuMemcpyDtoH(got.data(), q, 64));
  for (size_t i = 0; i < 64; ++i) {
    uint8_t want = static_cast<uint8_t>(0x11223344u >> (8 * (i % 4)));  // little-endian words
    if (i >= 8 && i < 16) want = static_cast<uint8_t>(0xabcd >> (8 * (i % 2)));
    if (i >= 60) want = 0x5a;
    ASSERT_EQ(got[i], want) << "byte " << i;
  }
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuMemsetD32(p + 2, 0, 1));  // misaligned for 32-bit elements
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuMemcpyHtoD(p + 60, got.data(), 8));  // runs past the allocation
  size_t free_bytes = 0, total = 0;
  ASSERT_CU_OK(cu.cuMemGetInfo(&free_bytes, &total));
  EXPECT_EQ(total - free_bytes, 128u);  // the two allocations of this context
  ASSERT_CU_OK(cu.cuMemFree(q));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuMemFree(q));  // twice
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuMemFree(p + 4));
  CUdeviceptr none = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuMemAlloc(&none, 0));
}

TEST_F(DriverTest, DynamicSharedMemoryAbove48KBNeedsTheOptIn) {
  const CUfunction f = function("dyn_fill");
  const CUdeviceptr out = alloc(256 * 4);
  unsigned words = 256;
  void* params[] = {const_cast<CUdeviceptr*>(&out), &words};
  const unsigned bytes = 64 * 1024;
  int optin = 0;
  ASSERT_CU_OK(cu.cuDeviceGetAttribute(&optin, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, 0));
  if (optin < static_cast<int>(bytes)) GTEST_SKIP() << "the simulated GPU allows " << optin << " bytes per block";
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, bytes, nullptr, params, nullptr));
  ASSERT_CU_OK(cu.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes));
  int limit = 0;
  ASSERT_CU_OK(cu.cuFuncGetAttribute(&limit, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, f));
  EXPECT_EQ(limit, static_cast<int>(bytes));
  ASSERT_CU_OK(cu.cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, bytes, nullptr, params, nullptr));
  std::vector<uint32_t> got(256);
  ASSERT_CU_OK(cu.cuMemcpyDtoH(got.data(), out, 256 * 4));
  for (uint32_t i = 0; i < 256; ++i) ASSERT_EQ(got[i], i + 7) << i;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, optin + 1));
}

TEST_F(DriverTest, MisuseGetsTheDocumentedErrorCodes) {
  CUfunction f = nullptr;
  EXPECT_CU(CUDA_ERROR_NOT_FOUND, cu.cuModuleGetFunction(&f, module, "no_such_kernel"));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cu.cuModuleGetFunction(&f, reinterpret_cast<CUmodule>(0x1234), "vecadd"));
  const CUfunction store = function("store_at");
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuLaunchKernel(store, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr));  // no arguments
  const CUdeviceptr p = alloc(4);
  uint32_t v = 1;
  void* params[] = {const_cast<CUdeviceptr*>(&p), &v};
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuLaunchKernel(store, 1, 1, 1, 2048, 1, 1, 0, nullptr, params, nullptr));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuLaunchKernel(store, 0, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE,
            cu.cuLaunchKernel(reinterpret_cast<CUfunction>(0x99), 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE,
            cu.cuLaunchKernel(store, 1, 1, 1, 1, 1, 1, 0, reinterpret_cast<CUstream>(0x77), params, nullptr));
  // After all that the context still works (none of it was a kernel fault).
  ASSERT_CU_OK(cu.cuLaunchKernel(store, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr));
  ASSERT_CU_OK(cu.cuCtxSynchronize());

  const char* name = nullptr;
  const char* text = nullptr;
  ASSERT_CU_OK(cu.cuGetErrorName(CUDA_ERROR_MISALIGNED_ADDRESS, &name));
  EXPECT_STREQ(name, "CUDA_ERROR_MISALIGNED_ADDRESS");
  ASSERT_CU_OK(cu.cuGetErrorString(CUDA_ERROR_PEER_ACCESS_UNSUPPORTED, &text));
  EXPECT_STREQ(text, "peer access is not supported between these two devices");
  // The driver words an error as the runtime does for the same number (as NVIDIA's libcuda does:
  // logs print "an illegal memory access was encountered" from either API).
  const std::pair<CUresult, const char*> same[] = {{CUDA_ERROR_INVALID_VALUE, "invalid argument"},
                                                   {CUDA_ERROR_ILLEGAL_ADDRESS, "an illegal memory access was encountered"},
                                                   {CUDA_ERROR_LAUNCH_FAILED, "unspecified launch failure"},
                                                   {CUDA_ERROR_NOT_READY, "device not ready"},
                                                   {CUDA_ERROR_NO_BINARY_FOR_GPU, "no kernel image is available for execution on the device"}};
  for (const auto& [code, words] : same) {
    ASSERT_CU_OK(cu.cuGetErrorString(code, &text));
    EXPECT_STREQ(text, words) << code;
  }
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuGetErrorName(static_cast<CUresult>(12345), &name));
}

TEST_F(DriverTest, MalformedPtxAndBinaryImagesAreRefusedWithALog) {
  char log[1024] = {};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void* values[] = {log, reinterpret_cast<void*>(sizeof log)};
  CUmodule m = nullptr;
  const char* broken = ".version 7.0\n.target sm_70\n.address_size 64\n.visible .entry k()\n{\n  frobnicate.u32 %r1;\n}\n";
  EXPECT_CU(CUDA_ERROR_INVALID_PTX, cu.cuModuleLoadDataEx(&m, broken, 2, options, values));
  EXPECT_NE(std::string(log).find("frobnicate"), std::string::npos) << log;
  EXPECT_NE(std::string(log).find(":6:"), std::string::npos) << "the log names the line: " << log;
  const unsigned char elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  EXPECT_CU(CUDA_ERROR_NO_BINARY_FOR_GPU, cu.cuModuleLoadData(&m, elf));
  // PTX newer than CUDA 13.0's driver reads, an empty image, an unknown architecture.
  const char* newer = ".version 9.9\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\nret;\n}\n";
  EXPECT_CU(CUDA_ERROR_UNSUPPORTED_PTX_VERSION, cu.cuModuleLoadDataEx(&m, newer, 2, options, values));
  EXPECT_NE(std::string(log).find("newer than this driver reads"), std::string::npos) << log;
  EXPECT_CU(CUDA_ERROR_INVALID_PTX, cu.cuModuleLoadDataEx(&m, "", 2, options, values));
  EXPECT_NE(std::string(log).find("not PTX"), std::string::npos) << log;
  const char* typo = ".version 9.0\n.target sm_99\n.address_size 64\n.visible .entry k()\n{\nret;\n}\n";
  EXPECT_CU(CUDA_ERROR_INVALID_PTX, cu.cuModuleLoadData(&m, typo));
  ASSERT_CU_OK(cu.cuModuleUnload(module));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cu.cuModuleUnload(module));
  module = nullptr;
}

TEST_F(DriverTest, UnimplementedEntryPointsAnswerNotSupported) {
  // Exported (a program linking them loads), but refused at the call.
  using UnregisterResource = CUresult (*)(CUgraphicsResource);
  auto unregister = DriverLibrary::get().symbol<UnregisterResource>("cuGraphicsUnregisterResource");
  EXPECT_CU(CUDA_ERROR_NOT_SUPPORTED, unregister(nullptr));
  // Per-thread default stream variants (nvcc --default-stream per-thread) forward to the same calls.
  auto memset_ptds = DriverLibrary::get().symbol<decltype(&::cuMemsetD32)>("cuMemsetD32_v2_ptds");
  const CUdeviceptr p = alloc(8);
  ASSERT_CU_OK(memset_ptds(p, 0xdeadbeefu, 2));
  uint32_t words[2] = {};
  ASSERT_CU_OK(cu.cuMemcpyDtoH(words, p, 8));
  EXPECT_EQ(words[0], 0xdeadbeefu);
  EXPECT_EQ(words[1], 0xdeadbeefu);
  // cuGetProcAddress finds implemented entry points by base name, at the ABI version asked for.
  void* fn = nullptr;
  ASSERT_CU_OK(cu.cuGetProcAddress("cuMemAlloc", &fn, CUDA_VERSION, 0, nullptr));
  EXPECT_EQ(fn, reinterpret_cast<void*>(cu.cuMemAlloc));
  ASSERT_CU_OK(cu.cuGetProcAddress("cuCtxCreate", &fn, CUDA_VERSION, 0, nullptr));
  EXPECT_EQ(fn, reinterpret_cast<void*>(cu.cuCtxCreate));
  EXPECT_CU(CUDA_ERROR_NOT_FOUND, cu.cuGetProcAddress("cuNoSuchThing", &fn, CUDA_VERSION, 0, nullptr));
}

TEST_F(DriverTest, FatBinaryModuleWithAGlobalVariable) {
  CUmodule fat = nullptr;
  ASSERT_CU_OK(cu.cuModuleLoad(&fat, GPUSIM_CUDADRV_FATBIN));
  CUdeviceptr base = 0;
  size_t bytes = 0;
  ASSERT_CU_OK(cu.cuModuleGetGlobal(&base, &bytes, fat, "base_value"));
  EXPECT_EQ(bytes, sizeof(int));
  int value = 0;
  ASSERT_CU_OK(cu.cuMemcpyDtoH(&value, base, sizeof value));
  EXPECT_EQ(value, 40);  // the initializer in the source
  value = 100;
  ASSERT_CU_OK(cu.cuMemcpyHtoD(base, &value, sizeof value));
  CUfunction f = nullptr;
  ASSERT_CU_OK(cu.cuModuleGetFunction(&f, fat, "add_base"));
  const int n = 70;
  const CUdeviceptr out = alloc(n * sizeof(int));
  void* params[] = {const_cast<CUdeviceptr*>(&out), const_cast<int*>(&n)};
  ASSERT_CU_OK(cu.cuLaunchKernel(f, 3, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr));
  std::vector<int> got(n);
  ASSERT_CU_OK(cu.cuMemcpyDtoH(got.data(), out, n * sizeof(int)));
  for (int i = 0; i < n; ++i) ASSERT_EQ(got[i], 100 + i) << i;  // the kernel read the value written
  EXPECT_CU(CUDA_ERROR_NOT_FOUND, cu.cuModuleGetGlobal(&base, &bytes, fat, "no_such_variable"));
  EXPECT_CU(CUDA_ERROR_FILE_NOT_FOUND, cu.cuModuleLoad(&fat, "/nonexistent/kernels.fatbin"));
}
