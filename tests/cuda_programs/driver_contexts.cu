// Contexts as a driver-API program sees them under gpusim exec (which preloads gpusim's libcudart
// into every program): nothing is current until the program makes a context current, and the
// runtime's primary context becomes current on a thread only when that thread calls the runtime,
// as under NVIDIA's runtime. Also: context-flag checks, attributes that say what the simulated
// driver supports, function attributes read back, an unrecorded event, a cudaMalloc pointer freed
// with cuMemFree, and device printf output written at cuCtxSynchronize (exec_programs_test.cpp
// checks its place in the output).
#include <cuda_runtime.h>

#include <cstdint>
#include <cstdio>
#include <thread>

#include "nvrtc_ptx.cuh"

// cuFuncSetSharedMemConfig is deprecated (no effect on current GPUs) but programs still call it.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static const char* kSource = R"(
extern "C" __global__ void hello(int* out) {
  printf("device printf from a driver launch\n");
  out[0] = 42;
}
// Many values live at once: ptxas gives it far more than 32 registers unless capped.
extern "C" __global__ void heavy(float* x, int n) {
  float a[48];
#pragma unroll
  for (int i = 0; i < 48; i++) a[i] = x[i * n + threadIdx.x];
  float s = 0;
#pragma unroll
  for (int i = 0; i < 48; i++)
    for (int j = 0; j < 48; j++) s += a[i] * a[j] * (i + j);
  x[threadIdx.x] = s;
}
)";

static CUcontext current() {
  CUcontext c = reinterpret_cast<CUcontext>(1);
  CU(cuCtxGetCurrent(&c));
  return c;
}

int main() {
  // A pure driver program: no context is current until it makes one.
  CU(cuInit(0));
  CUdevice dev;
  CU(cuDeviceGet(&dev, 0));
  EXPECT(current() == nullptr);
  unsigned flags = 0;
  int active = -1;
  CU(cuDevicePrimaryCtxGetState(dev, &flags, &active));
  EXPECT(active == 0);
  CUdeviceptr d = 0;
  EXPECT(cuMemAlloc(&d, 16) == CUDA_ERROR_INVALID_CONTEXT);
  CUcontext primary;
  CU(cuDevicePrimaryCtxRetain(&primary, dev));
  CU(cuDevicePrimaryCtxGetState(dev, &flags, &active));
  EXPECT(active == 1);
  EXPECT(current() == nullptr);  // retained is not current
  CU(cuCtxSetCurrent(primary));
  EXPECT(current() == primary);

  // Context flags: unknown bits and two scheduling policies are refused.
  CUcontext refused;
  EXPECT(cuCtxCreate(&refused, nullptr, 0xffff0000u, dev) == CUDA_ERROR_INVALID_VALUE);
  EXPECT(cuCtxCreate(&refused, nullptr, CU_CTX_SCHED_SPIN | CU_CTX_SCHED_YIELD, dev) == CUDA_ERROR_INVALID_VALUE);
  EXPECT(cuDevicePrimaryCtxSetFlags(dev, 0x1000) == CUDA_ERROR_INVALID_VALUE);

  // Attributes agree with what works: default-pool allocation; TMA from compute capability 9.
  int pools = 0, major = 0, tensor_maps = -1, affinity = -1;
  CU(cuDeviceGetAttribute(&pools, CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED, dev));
  EXPECT(pools == 1);
  CU(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
  CU(cuDeviceGetAttribute(&tensor_maps, CU_DEVICE_ATTRIBUTE_TENSOR_MAP_ACCESS_SUPPORTED, dev));
  EXPECT(tensor_maps == (major >= 9 ? 1 : 0));
  CU(cuDeviceGetExecAffinitySupport(&affinity, CU_EXEC_AFFINITY_TYPE_SM_COUNT, dev));
  EXPECT(affinity == 0);
  CUdeviceptr pooled = 0;
  CU(cuMemAllocAsync(&pooled, 256, nullptr));
  CU(cuMemFreeAsync(pooled, nullptr));

  // Function attributes set are read back.
  const std::string ptx = compile_ptx(kSource, "contexts.cu");
  CUmodule mod;
  CU(cuModuleLoadData(&mod, ptx.c_str()));
  CUfunction hello;
  CU(cuModuleGetFunction(&hello, mod, "hello"));
  int carveout = 0;
  CU(cuFuncGetAttribute(&carveout, CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT, hello));
  EXPECT(carveout == -1);
  CU(cuFuncSetAttribute(hello, CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT, 50));
  CU(cuFuncGetAttribute(&carveout, CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT, hello));
  EXPECT(carveout == 50);
  CU(cuFuncSetSharedMemConfig(hello, CU_SHARED_MEM_CONFIG_FOUR_BYTE_BANK_SIZE));

  // CU_JIT_MAX_REGISTERS caps what the JIT allocates, so a 1024-thread block of a register-heavy
  // kernel fits (at most 64 registers per thread) where the uncapped one does not.
  CUfunction heavy;
  CU(cuModuleGetFunction(&heavy, mod, "heavy"));
  int uncapped = 0, capped = 0;
  CU(cuFuncGetAttribute(&uncapped, CU_FUNC_ATTRIBUTE_NUM_REGS, heavy));
  CUjit_option cap_option[] = {CU_JIT_MAX_REGISTERS};
  void* cap_value[] = {reinterpret_cast<void*>(uintptr_t(32))};
  CUmodule capped_mod;
  CU(cuModuleLoadDataEx(&capped_mod, ptx.c_str(), 1, cap_option, cap_value));
  CUfunction heavy_capped;
  CU(cuModuleGetFunction(&heavy_capped, capped_mod, "heavy"));
  CU(cuFuncGetAttribute(&capped, CU_FUNC_ATTRIBUTE_NUM_REGS, heavy_capped));
  EXPECT(capped <= 32);
  // Occupancy of a block larger than the kernel allows is 0 blocks, as its launch fails.
  int max_threads = 0, resident = -1;
  CU(cuFuncGetAttribute(&max_threads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, heavy));
  if (max_threads < 1024) {
    CU(cuOccupancyMaxActiveBlocksPerMultiprocessor(&resident, heavy, 1024, 0));
    EXPECT(resident == 0);
  }
  // Clusters of two 64-thread blocks: resident only where the GPU has them (sm_90).
  CUlaunchAttribute cluster_attr{};
  cluster_attr.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  cluster_attr.value.clusterDim.x = 2;
  cluster_attr.value.clusterDim.y = 1;
  cluster_attr.value.clusterDim.z = 1;
  CUlaunchConfig cluster_config{};
  cluster_config.gridDimX = 2;
  cluster_config.gridDimY = cluster_config.gridDimZ = 1;
  cluster_config.blockDimX = 64;
  cluster_config.blockDimY = cluster_config.blockDimZ = 1;
  cluster_config.attrs = &cluster_attr;
  cluster_config.numAttrs = 1;
  int clusters = -1;
  CU(cuOccupancyMaxActiveClusters(&clusters, hello, &cluster_config));
  EXPECT(major >= 9 ? clusters > 0 : clusters == 0);
  if (uncapped > 64) {  // 0 without ptxas: no count to cap
    CUdeviceptr x = 0;
    CU(cuMemAlloc(&x, 48 * 1024 * sizeof(float)));
    int n = 1024;
    void* heavy_args[] = {&x, &n};
    EXPECT(cuLaunchKernel(heavy, 1, 1, 1, 1024, 1, 1, 0, nullptr, heavy_args, nullptr) == CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES);
    CU(cuLaunchKernel(heavy_capped, 1, 1, 1, 1024, 1, 1, 0, nullptr, heavy_args, nullptr));
    CU(cuMemFree(x));
  }

  // An event never recorded: CUDA_ERROR_INVALID_HANDLE (cuda.h), not NOT_READY.
  CUevent never, recorded;
  CU(cuEventCreate(&never, 0));
  CU(cuEventCreate(&recorded, 0));
  CU(cuEventRecord(recorded, nullptr));
  float ms = 0;
  EXPECT(cuEventElapsedTime(&ms, never, recorded) == CUDA_ERROR_INVALID_HANDLE);

  // Device printf is written at the synchronisation point, before what the host prints after it.
  CU(cuMemAlloc(&d, sizeof(int)));
  void* args[] = {&d};
  CU(cuLaunchKernel(hello, 1, 1, 1, 1, 1, 1, 0, nullptr, args, nullptr));
  CU(cuCtxSynchronize());
  std::printf("after cuCtxSynchronize\n");
  std::fflush(stdout);
  int out = 0;
  CU(cuMemcpyDtoH(&out, d, sizeof out));
  EXPECT(out == 42);

  // Another thread has no context current, also after a thread that made one current has exited
  // (the next thread is often given the exited one's std::thread::id; it inherited its context).
  std::thread([] { EXPECT(current() == nullptr); }).join();
  CUcontext mine = current();
  EXPECT(mine != nullptr);
  for (int round = 0; round < 4; ++round) {
    std::thread([mine] {
      EXPECT(current() == nullptr);
      CU(cuCtxSetCurrent(mine));
      EXPECT(current() == mine);
    }).join();
  }

  // The runtime joins: a runtime call makes the primary context current on the calling thread,
  // also after the program unbound it, and only there.
  CU(cuCtxSetCurrent(nullptr));
  EXPECT(current() == nullptr);
  void* p = nullptr;
  CHECK(cudaMalloc(&p, 1 << 20));
  EXPECT(current() == primary);
  size_t free_before = 0, free_after = 0, total = 0;
  CHECK(cudaMemGetInfo(&free_before, &total));
  CU(cuMemFree(reinterpret_cast<CUdeviceptr>(p)));  // a runtime allocation, freed through the driver
  CHECK(cudaMemGetInfo(&free_after, &total));
  EXPECT(free_after == free_before + (1 << 20));
  CU(cuCtxSetCurrent(nullptr));
  EXPECT(cuMemAlloc(&d, 16) == CUDA_ERROR_INVALID_CONTEXT);
  CHECK(cudaDeviceSynchronize());
  EXPECT(current() == primary);
  std::thread([primary] {
    EXPECT(current() == nullptr);
    CHECK(cudaDeviceSynchronize());
    EXPECT(current() == primary);
  }).join();
  std::printf("OK\n");
  return 0;
}
