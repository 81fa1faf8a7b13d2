// Host API corners an outside program uses: properties vs attributes, limits, function attributes,
// occupancy, pointer attributes, mapped/registered host memory, symbols with offsets and
// __constant__ addresses, 2-D async copies, blocking-sync events, an invalid device, error names,
// the register file limit at launch, and mistakes CUDA refuses (copy kinds that contradict the
// pointers, host ranges that cannot be pinned, unknown flags) with the error it returns.
#include <cuda_runtime.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>
#include "check.cuh"

__device__ int dev_table[16];
__constant__ float coeffs[8];

__global__ void use_symbols(int* out) {
  int i = threadIdx.x;
  if (i < 16) out[i] = dev_table[i] + int(coeffs[i % 8] * 10.0f);
}

__global__ void fill(int* p, int n, int v) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] = v + i;
}

// A kernel launched with <<<>>> from a static object's destructor, as program teardown code does:
// C++ destroys thread_local objects before static destructors run, and gpusim's per-thread
// launch configuration stack was one (a use after free that ASan and valgrind report). A wrong
// result ends the process with status 3 (exit() cannot be called again from here).
struct LaunchAtExit {
  ~LaunchAtExit() {
    int* d = nullptr;
    int h = 0;
    if (cudaMalloc(&d, sizeof(int)) != cudaSuccess) _exit(3);
    fill<<<1, 1>>>(d, 1, 333);
    if (cudaMemcpy(&h, d, sizeof h, cudaMemcpyDeviceToHost) != cudaSuccess || h != 333) _exit(3);
  }
} launch_at_exit;

__global__ void heap_probe(int* ok, size_t bytes) {
  void* p = malloc(bytes);
  *ok = p != nullptr;
  if (p) free(p);
}

// Many live doubles: ptxas needs well over 64 registers per thread for this.
__global__ void register_hungry(const double* in, double* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  double acc[40];
#pragma unroll
  for (int k = 0; k < 40; ++k) acc[k] = in[(i + k) % n];
#pragma unroll
  for (int r = 0; r < 8; ++r)
#pragma unroll
    for (int k = 0; k < 40; ++k) acc[k] = acc[k] * acc[(k + r + 1) % 40] + 1.0;
  double s = 0;
#pragma unroll
  for (int k = 0; k < 40; ++k) s += acc[k];
  if (i < n) out[i] = s;
}

__global__ void big_static_shared(int* out) {
  __shared__ int buf[10240];  // 40 KiB
  buf[threadIdx.x] = threadIdx.x;
  __syncthreads();
  out[threadIdx.x] = buf[(threadIdx.x + 1) % blockDim.x];
}

static double hungry_ref(const std::vector<double>& in, int i, int n) {
  double acc[40];
  for (int k = 0; k < 40; ++k) acc[k] = in[(i + k) % n];
  for (int r = 0; r < 8; ++r)
    for (int k = 0; k < 40; ++k) acc[k] = std::fma(acc[k], acc[(k + r + 1) % 40], 1.0);  // nvcc contracts to fma
  double s = 0;
  for (int k = 0; k < 40; ++k) s += acc[k];
  return s;
}

int main() {
  // --- properties agree with attributes
  cudaDeviceProp p;
  CHECK(cudaGetDeviceProperties(&p, 0));
  int v;
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, 0)); EXPECT(v == p.multiProcessorCount);
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0)); EXPECT((size_t)v == p.sharedMemPerBlockOptin);
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxRegistersPerMultiprocessor, 0)); EXPECT(v == p.regsPerMultiprocessor);
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxThreadsPerMultiProcessor, 0)); EXPECT(v == p.maxThreadsPerMultiProcessor);
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrL2CacheSize, 0)); EXPECT(v == p.l2CacheSize);
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxBlocksPerMultiprocessor, 0)); EXPECT(v == p.maxBlocksPerMultiProcessor);
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrWarpSize, 0)); EXPECT(v == 32 && p.warpSize == 32);
  EXPECT(p.totalConstMem == 65536);
  // L2 set aside for persisting accesses: Ampere and later (3/4 of the L2 and 128 MiB - 4 KiB
  // windows, as an A100 or H100 reports); before, none, and the limit is unsupported.
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxPersistingL2CacheSize, 0)); EXPECT(v == p.persistingL2CacheMaxSize);
  if (p.major >= 8) {
    EXPECT(p.persistingL2CacheMaxSize == p.l2CacheSize / 4 * 3 && p.accessPolicyMaxWindowSize == 134213632);
    size_t persisting = 0;
    CHECK(cudaDeviceSetLimit(cudaLimitPersistingL2CacheSize, p.persistingL2CacheMaxSize));
    CHECK(cudaDeviceGetLimit(&persisting, cudaLimitPersistingL2CacheSize));
    EXPECT(persisting == (size_t)p.persistingL2CacheMaxSize);
    EXPECT(cudaDeviceSetLimit(cudaLimitPersistingL2CacheSize, p.persistingL2CacheMaxSize + 1) == cudaErrorInvalidValue);
    CHECK(cudaDeviceSetLimit(cudaLimitPersistingL2CacheSize, 0));
  } else {
    EXPECT(p.persistingL2CacheMaxSize == 0 && p.accessPolicyMaxWindowSize == 0);
    EXPECT(cudaDeviceSetLimit(cudaLimitPersistingL2CacheSize, 1 << 20) == cudaErrorUnsupportedLimit);
  }
  EXPECT(cudaGetLastError() != cudaSuccess);  // the refused call's error, read once
  EXPECT(p.sharedMemPerBlock == 49152);
  EXPECT(p.regsPerBlock == 65536);
  EXPECT(p.maxThreadsPerBlock == 1024);
  EXPECT(p.unifiedAddressing == 1);
  EXPECT(p.canMapHostMemory == 1);
  // Texture and surface limits: the same on every GPU from compute capability 7.0 to 9.0.
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxTexture2DWidth, 0)); EXPECT(v == 131072 && v == p.maxTexture2D[0]);
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxTexture3DDepth, 0)); EXPECT(v == 16384 && v == p.maxTexture3D[2]);
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxSurface2DLayeredLayers, 0)); EXPECT(v == 2048 && v == p.maxSurface2DLayered[2]);
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMaxTexture1DLinearWidth, 0)); EXPECT(v == 268435456);
  EXPECT(p.maxTexture1D == 131072 && p.maxTexture2D[1] == 65536);
  EXPECT(p.surfaceAlignment == 512 && p.maxTextureCubemapLayered[1] == 2046);
  printf("device %s cc %d.%d, %d SMs, %zu B shared/block (optin %zu), %d regs/SM, L2 %d B, %d-bit bus\n", p.name, p.major,
         p.minor, p.multiProcessorCount, p.sharedMemPerBlock, p.sharedMemPerBlockOptin, p.regsPerMultiprocessor,
         p.l2CacheSize, p.memoryBusWidth);

  // --- deprecated but still called: 4-byte banks on every modelled GPU
  cudaSharedMemConfig bank;
  CHECK(cudaDeviceGetSharedMemConfig(&bank));
  EXPECT(bank == cudaSharedMemBankSizeFourByte);
  CHECK(cudaDeviceSetSharedMemConfig(cudaSharedMemBankSizeEightByte));
  CHECK(cudaFuncSetSharedMemConfig(fill, cudaSharedMemBankSizeFourByte));

  // --- limits
  size_t lim = 0;
  CHECK(cudaDeviceSetLimit(cudaLimitStackSize, 4096));
  CHECK(cudaDeviceGetLimit(&lim, cudaLimitStackSize)); EXPECT(lim == 4096);
  // A 1 GiB stack for every thread the GPU holds cannot be backed: refused, the old size kept.
  EXPECT(cudaDeviceSetLimit(cudaLimitStackSize, size_t(1) << 30) == cudaErrorMemoryAllocation);
  EXPECT(cudaGetLastError() == cudaErrorMemoryAllocation);
  CHECK(cudaDeviceGetLimit(&lim, cudaLimitStackSize)); EXPECT(lim == 4096);
  CHECK(cudaDeviceSetLimit(cudaLimitPrintfFifoSize, 1 << 20));
  CHECK(cudaDeviceGetLimit(&lim, cudaLimitPrintfFifoSize)); EXPECT(lim == (1 << 20));
  CHECK(cudaDeviceSetLimit(cudaLimitMallocHeapSize, 1 << 20));
  CHECK(cudaDeviceGetLimit(&lim, cudaLimitMallocHeapSize)); EXPECT(lim == (1 << 20));
  int* d_ok;
  CHECK(cudaMalloc(&d_ok, sizeof(int)));
  int ok = -1;
  heap_probe<<<1, 1>>>(d_ok, 4 << 20);  // more than the heap
  CHECK(cudaMemcpy(&ok, d_ok, sizeof ok, cudaMemcpyDeviceToHost)); EXPECT(ok == 0);
  heap_probe<<<1, 1>>>(d_ok, 1024);
  CHECK(cudaMemcpy(&ok, d_ok, sizeof ok, cudaMemcpyDeviceToHost)); EXPECT(ok == 1);
  // Once a kernel has used the heap its size is fixed (documented for cudaDeviceSetLimit).
  EXPECT(cudaDeviceSetLimit(cudaLimitMallocHeapSize, 2 << 20) == cudaErrorInvalidValue);
  CHECK(cudaDeviceGetLimit(&lim, cudaLimitMallocHeapSize)); EXPECT(lim == (1 << 20));
  cudaGetLastError();

  // --- invalid device, error names
  EXPECT(cudaSetDevice(1) == cudaErrorInvalidDevice);
  EXPECT(cudaGetLastError() == cudaErrorInvalidDevice);
  EXPECT(cudaGetLastError() == cudaSuccess);
  int dev = -1;
  CHECK(cudaGetDevice(&dev)); EXPECT(dev == 0);
  EXPECT(!strcmp(cudaGetErrorName(cudaErrorLaunchOutOfResources), "cudaErrorLaunchOutOfResources"));
  EXPECT(!strcmp(cudaGetErrorString(cudaErrorLaunchOutOfResources), "too many resources requested for launch"));
  EXPECT(!strcmp(cudaGetErrorName(cudaErrorInvalidDevice), "cudaErrorInvalidDevice"));
  EXPECT(!strcmp(cudaGetErrorString(cudaErrorMemoryAllocation), "out of memory"));

  // --- memory info
  size_t free0, total0, free1, total1;
  CHECK(cudaMemGetInfo(&free0, &total0));
  void* big;
  CHECK(cudaMalloc(&big, 64 << 20));
  CHECK(cudaMemGetInfo(&free1, &total1));
  EXPECT(total0 == total1 && total0 == p.totalGlobalMem);
  EXPECT(free0 - free1 >= (64u << 20) && free0 - free1 < (66u << 20));
  CHECK(cudaFree(big));
  void* empty;
  CHECK(cudaMalloc(&empty, 0));
  CHECK(cudaFree(empty));
  CHECK(cudaMemGetInfo(&free1, &total1));
  EXPECT(free1 == free0);  // an empty allocation freed gives back what it took, no more

  // --- pointer attributes
  int *d, *h_pinned, *h_mapped, *h_managed;
  std::vector<int> h_plain(64);
  CHECK(cudaMalloc(&d, 64 * sizeof(int)));
  CHECK(cudaMallocHost(&h_pinned, 64 * sizeof(int)));
  CHECK(cudaHostAlloc(&h_mapped, 64 * sizeof(int), cudaHostAllocMapped | cudaHostAllocPortable));
  CHECK(cudaMallocManaged(&h_managed, 64 * sizeof(int)));
  cudaPointerAttributes a;
  CHECK(cudaPointerGetAttributes(&a, d)); EXPECT(a.type == cudaMemoryTypeDevice && a.devicePointer == d && a.device == 0);
  CHECK(cudaPointerGetAttributes(&a, d + 10)); EXPECT(a.type == cudaMemoryTypeDevice && a.devicePointer == d + 10);
  CHECK(cudaPointerGetAttributes(&a, h_pinned)); EXPECT(a.type == cudaMemoryTypeHost && a.hostPointer == h_pinned);
  CHECK(cudaPointerGetAttributes(&a, h_managed)); EXPECT(a.type == cudaMemoryTypeManaged);
  CHECK(cudaPointerGetAttributes(&a, h_plain.data())); EXPECT(a.type == cudaMemoryTypeUnregistered);
  unsigned flags = 0;
  CHECK(cudaHostGetFlags(&flags, h_mapped)); EXPECT(flags & cudaHostAllocMapped);
  int* d_mapped;
  CHECK(cudaHostGetDevicePointer((void**)&d_mapped, h_mapped, 0));
  fill<<<1, 64>>>(d_mapped, 64, 100);
  CHECK(cudaDeviceSynchronize());
  for (int i = 0; i < 64; ++i) EXPECT(h_mapped[i] == 100 + i);
  CHECK(cudaHostRegister(h_plain.data(), 64 * sizeof(int), cudaHostRegisterMapped));
  int* d_reg;
  CHECK(cudaHostGetDevicePointer((void**)&d_reg, h_plain.data(), 0));
  fill<<<1, 64>>>(d_reg, 64, 7);
  CHECK(cudaDeviceSynchronize());
  for (int i = 0; i < 64; ++i) EXPECT(h_plain[i] == 7 + i);
  CHECK(cudaPointerGetAttributes(&a, h_plain.data())); EXPECT(a.type == cudaMemoryTypeHost);
  CHECK(cudaHostUnregister(h_plain.data()));

  // --- mistakes CUDA refuses with cudaErrorInvalidValue, none of which may touch a device
  // address as host memory: copy kinds the pointers contradict,
  EXPECT(cudaMemcpy(d, h_pinned, 64, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue);
  EXPECT(cudaMemcpy(h_pinned, d, 64, cudaMemcpyHostToDevice) == cudaErrorInvalidValue);
  EXPECT(cudaMemcpy(d, d + 16, 64, cudaMemcpyHostToHost) == cudaErrorInvalidValue);
  EXPECT(cudaMemcpy(h_pinned, d, 64, cudaMemcpyHostToHost) == cudaErrorInvalidValue);
  EXPECT(cudaMemcpyAsync(d, h_plain.data(), 64, cudaMemcpyHostToHost, 0) == cudaErrorInvalidValue);
  EXPECT(cudaMemcpy(d, h_plain.data(), 64, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue);
  // a source just past the end of its allocation (the message says so),
  EXPECT(cudaMemcpy(h_plain.data(), d + 64, 16, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue);
  // a memset just past it (its message says so too: CUB's radix sort memsets its temp storage first),
  EXPECT(cudaMemset(d + 64, 0, 16) == cudaErrorInvalidValue);
  EXPECT(cudaMemcpy(h_pinned, h_plain.data(), 16, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue);
  // (pinned memory is host memory either way round, and cudaMemcpyDefault follows the pointers)
  CHECK(cudaMemcpy(h_pinned, h_mapped, 64 * sizeof(int), cudaMemcpyHostToHost));
  EXPECT(h_pinned[5] == 105);
  CHECK(cudaMemcpy(d, h_pinned, 64 * sizeof(int), cudaMemcpyDefault));
  CHECK(cudaMemcpy(h_plain.data(), d, 64 * sizeof(int), cudaMemcpyDefault));
  EXPECT(h_plain[63] == 163);
  // host ranges that cannot be pinned (not mapped; read-only without cudaHostRegisterReadOnly),
  // (`gone` asked for far below the mmap area: a range unmapped among the others is soon reused)
  void* gone = mmap(reinterpret_cast<void*>(0x3e0000000000ull), 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(gone, 1 << 16);
  EXPECT(cudaHostRegister(gone, 1 << 16, cudaHostRegisterMapped) == cudaErrorInvalidValue);
  void* ro = mmap(nullptr, 1 << 16, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EXPECT(cudaHostRegister(ro, 1 << 16, cudaHostRegisterMapped) == cudaErrorInvalidValue);
  CHECK(cudaHostRegister(ro, 1 << 16, cudaHostRegisterMapped | cudaHostRegisterReadOnly));
  CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrHostRegisterReadOnlySupported, 0)); EXPECT(v == 1);
  CHECK(cudaMemcpy(d, ro, 64, cudaMemcpyHostToDevice));
  CHECK(cudaHostUnregister(ro));
  munmap(ro, 1 << 16);
  // and flags outside those each call defines.
  EXPECT(cudaHostRegister(h_plain.data(), 4096, 0x100) == cudaErrorInvalidValue);
  EXPECT(cudaHostGetDevicePointer((void**)&d_reg, h_mapped, 1) == cudaErrorInvalidValue);
  EXPECT(cudaSetDeviceFlags(0x1000) == cudaErrorInvalidValue);
  EXPECT(cudaSetDeviceFlags(cudaDeviceScheduleSpin | cudaDeviceScheduleYield) == cudaErrorInvalidValue);
  CHECK(cudaSetDeviceFlags(cudaDeviceScheduleBlockingSync | cudaDeviceMapHost));
  cudaStream_t fs;
  cudaEvent_t fe;
  CHECK(cudaStreamCreate(&fs));
  CHECK(cudaEventCreate(&fe));
  CHECK(cudaEventRecord(fe, fs));
  EXPECT(cudaStreamWaitEvent(fs, fe, 5) == cudaErrorInvalidValue);
  CHECK(cudaStreamWaitEvent(fs, fe, cudaEventWaitDefault));
  EXPECT(cudaEventRecordWithFlags(fe, fs, 0x10) == cudaErrorInvalidValue);
  int callbacks = 0;
  auto count_callback = [](cudaStream_t, cudaError_t, void* n) { ++*static_cast<int*>(n); };
  EXPECT(cudaStreamAddCallback(fs, count_callback, &callbacks, 1) == cudaErrorInvalidValue);
  CHECK(cudaStreamAddCallback(fs, count_callback, &callbacks, 0));
  CHECK(cudaStreamSynchronize(fs));
  EXPECT(callbacks == 1);
  CHECK(cudaEventDestroy(fe));
  CHECK(cudaStreamDestroy(fs));
  int one = 1;
  EXPECT(cudaMemcpyToSymbol(dev_table, &one, sizeof one, 0, cudaMemcpyDeviceToHost) == cudaErrorInvalidMemcpyDirection);
  EXPECT(cudaMemcpyFromSymbol(&one, dev_table, sizeof one, 0, cudaMemcpyHostToDevice) == cudaErrorInvalidMemcpyDirection);
  cudaGetLastError();

  // --- symbols with offsets; a __constant__'s address
  int table[16];
  for (int i = 0; i < 16; ++i) table[i] = i * 3;
  CHECK(cudaMemcpyToSymbol(dev_table, table, 8 * sizeof(int)));
  CHECK(cudaMemcpyToSymbol(dev_table, table + 8, 8 * sizeof(int), 8 * sizeof(int)));
  float c[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  CHECK(cudaMemcpyToSymbol(coeffs, c, 4 * sizeof(float)));
  float* d_coeffs;
  CHECK(cudaGetSymbolAddress((void**)&d_coeffs, coeffs));
  CHECK(cudaMemcpy(d_coeffs + 4, c + 4, 4 * sizeof(float), cudaMemcpyHostToDevice));
  size_t sz;
  CHECK(cudaGetSymbolSize(&sz, coeffs)); EXPECT(sz == sizeof c);
  int* d_out;
  CHECK(cudaMalloc(&d_out, 16 * sizeof(int)));
  use_symbols<<<1, 16>>>(d_out);
  int out[16];
  CHECK(cudaMemcpy(out, d_out, sizeof out, cudaMemcpyDeviceToHost));
  for (int i = 0; i < 16; ++i) EXPECT(out[i] == i * 3 + int(c[i % 8] * 10.0f));
  float back[2];
  CHECK(cudaMemcpyFromSymbol(back, coeffs, sizeof back, 5 * sizeof(float)));
  EXPECT(back[0] == 5.0f && back[1] == 6.0f);
  EXPECT(cudaMemcpyToSymbol(dev_table, table, 16 * sizeof(int), 4) == cudaErrorInvalidValue);
  cudaGetLastError();

  // --- 2-D async copy and a blocking-sync event
  const int w = 13, hgt = 7;
  size_t pitch;
  int* d2;
  CHECK(cudaMallocPitch(&d2, &pitch, w * sizeof(int), hgt));
  std::vector<int> src(w * hgt), dst(w * hgt, -1);
  for (int i = 0; i < w * hgt; ++i) src[i] = i * 7 + 1;
  cudaStream_t s;
  CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  cudaEvent_t e0, e1;
  CHECK(cudaEventCreateWithFlags(&e0, cudaEventBlockingSync));
  CHECK(cudaEventCreateWithFlags(&e1, cudaEventBlockingSync));
  CHECK(cudaEventRecord(e0, s));
  CHECK(cudaMemcpy2DAsync(d2, pitch, src.data(), w * sizeof(int), w * sizeof(int), hgt, cudaMemcpyHostToDevice, s));
  CHECK(cudaMemcpy2DAsync(dst.data(), w * sizeof(int), d2, pitch, w * sizeof(int), hgt, cudaMemcpyDeviceToHost, s));
  CHECK(cudaEventRecord(e1, s));
  CHECK(cudaEventSynchronize(e1));
  float ms = -1;
  CHECK(cudaEventElapsedTime(&ms, e0, e1)); EXPECT(ms >= 0);
  EXPECT(src == dst);

  // --- several host threads, each with its own stream
  std::vector<std::thread> threads;
  std::vector<int> results(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &results] {
      cudaStream_t st;
      if (cudaStreamCreate(&st) != cudaSuccess) return;
      int* dp;
      if (cudaMallocAsync(&dp, 256 * sizeof(int), st) != cudaSuccess) return;
      fill<<<2, 128, 0, st>>>(dp, 256, t * 1000);
      std::vector<int> hb(256);
      cudaMemcpyAsync(hb.data(), dp, 256 * sizeof(int), cudaMemcpyDeviceToHost, st);
      cudaStreamSynchronize(st);
      bool good = true;
      for (int i = 0; i < 256; ++i) good &= hb[i] == t * 1000 + i;
      cudaFreeAsync(dp, st);
      cudaStreamDestroy(st);
      results[t] = good ? 1 : -1;
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT(results[t] == 1);

  // --- function attributes and occupancy
  cudaFuncAttributes fa;
  CHECK(cudaFuncGetAttributes(&fa, big_static_shared));
  EXPECT(fa.sharedSizeBytes == 40960);
  EXPECT(fa.maxThreadsPerBlock <= 1024 && fa.maxThreadsPerBlock >= 32);
  CHECK(cudaFuncSetCacheConfig(big_static_shared, cudaFuncCachePreferShared));
  EXPECT(fa.preferredShmemCarveout == -1);  // the default until set
  CHECK(cudaFuncSetAttribute(big_static_shared, cudaFuncAttributePreferredSharedMemoryCarveout, 100));
  CHECK(cudaFuncGetAttributes(&fa, big_static_shared));
  EXPECT(fa.preferredShmemCarveout == 100);  // read back as set (an outside user's read -1)
  EXPECT(cudaFuncSetAttribute(big_static_shared, cudaFuncAttributePreferredSharedMemoryCarveout, 101) == cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);
  int blocks = -1;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, big_static_shared, 128, 0));
  // Shared memory limits it: per-SM shared memory / (40 KiB + the per-block reservation).
  const int by_shared = int(p.sharedMemPerMultiprocessor / (40960 + p.reservedSharedMemPerBlock));
  printf("big_static_shared: %d blocks/SM of 128 threads (shared memory allows %d)\n", blocks, by_shared);
  EXPECT(blocks == by_shared);
  int min_grid = 0, best_block = 0;
  CHECK(cudaOccupancyMaxPotentialBlockSize(&min_grid, &best_block, fill, 0, 0));
  printf("fill: best block %d, min grid %d\n", best_block, min_grid);
  EXPECT(best_block > 0 && best_block <= 1024 && best_block % 32 == 0);
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, fill, best_block, 0));
  EXPECT(min_grid == blocks * p.multiProcessorCount);

  // --- the register file limit at launch
  CHECK(cudaFuncGetAttributes(&fa, register_hungry));
  printf("register_hungry: %d registers, maxThreadsPerBlock %d\n", fa.numRegs, fa.maxThreadsPerBlock);
  EXPECT(fa.numRegs > 64);
  // maxThreadsPerBlock is "the most threads beyond which a launch would fail": at most what the
  // register file holds (registers allocated per warp in units of 256).
  const int regs_per_warp = (fa.numRegs * 32 + 255) / 256 * 256;
  EXPECT(fa.maxThreadsPerBlock <= (p.regsPerBlock / regs_per_warp) * 32 && fa.maxThreadsPerBlock < 1024);
  const int n = 1024;
  std::vector<double> hin(n), hout(n);
  for (int i = 0; i < n; ++i) hin[i] = 1.0 / (i + 3);
  double *din, *dout;
  CHECK(cudaMalloc(&din, n * sizeof(double)));
  CHECK(cudaMalloc(&dout, n * sizeof(double)));
  CHECK(cudaMemcpy(din, hin.data(), n * sizeof(double), cudaMemcpyHostToDevice));
  register_hungry<<<1, 1024>>>(din, dout, n);
  cudaError_t launch = cudaGetLastError();
  printf("1024-thread launch: %s\n", cudaGetErrorName(launch));
  EXPECT(launch == cudaErrorLaunchOutOfResources);
  EXPECT(cudaGetLastError() == cudaSuccess);  // not sticky
  register_hungry<<<1, fa.maxThreadsPerBlock + 32>>>(din, dout, n);
  EXPECT(cudaGetLastError() == cudaErrorLaunchOutOfResources);
  register_hungry<<<1, fa.maxThreadsPerBlock>>>(din, dout, n);
  CHECK(cudaGetLastError());
  register_hungry<<<n / 256, 256>>>(din, dout, n);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(hout.data(), dout, n * sizeof(double), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(hout[i] == hungry_ref(hin, i, n));

  // Numbers outside the enumerations where the runtime declares an enum: errors, not undefined
  // behaviour (gpusim's libcudart reads them as integers; its UBSan build checks the loads).
  const cudaMemcpyKind no_kind = static_cast<cudaMemcpyKind>(1 << 20);
  EXPECT(cudaMemcpy(hout.data(), dout, sizeof(double), no_kind) == cudaErrorInvalidMemcpyDirection);
  EXPECT(cudaMemcpy2D(hout.data(), 8, dout, 8, 8, 2, no_kind) == cudaErrorInvalidMemcpyDirection);
  cudaStream_t capture_stream;
  CHECK(cudaStreamCreate(&capture_stream));
  EXPECT(cudaStreamBeginCapture(capture_stream, static_cast<cudaStreamCaptureMode>(1 << 20)) == cudaErrorInvalidValue);
  CHECK(cudaStreamDestroy(capture_stream));
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);  // the last error, kept past the successful destroy
  // A launch on a stream already destroyed: cudaErrorInvalidResourceHandle, and the kernel never runs.
  int* untouched;
  CHECK(cudaMalloc(&untouched, sizeof(int)));
  CHECK(cudaMemset(untouched, 0, sizeof(int)));
  fill<<<1, 1, 0, capture_stream>>>(untouched, 1, 7);
  EXPECT(cudaGetLastError() == cudaErrorInvalidResourceHandle);
  int left = -1;
  CHECK(cudaMemcpy(&left, untouched, sizeof left, cudaMemcpyDeviceToHost));
  EXPECT(left == 0);

  // cudaFreeHost of the wrong pointer: an interior pointer, a device pointer, one freed already.
  float* pinned;
  CHECK(cudaMallocHost(&pinned, 64));
  EXPECT(cudaFreeHost(pinned + 4) == cudaErrorInvalidValue);
  EXPECT(cudaFreeHost(untouched) == cudaErrorInvalidValue);
  CHECK(cudaFreeHost(pinned));
  EXPECT(cudaFreeHost(pinned) == cudaErrorInvalidValue);
  // A null kernel (what a library dispatch that found none passes on): named as such.
  EXPECT(cudaLaunchKernel(static_cast<const void*>(nullptr), dim3(1), dim3(1), nullptr, 0, 0) ==
         cudaErrorInvalidDeviceFunction);
  cudaGetLastError();
  // Timing with an event never recorded: which one.
  cudaEvent_t t0, t1;
  CHECK(cudaEventCreate(&t0));
  CHECK(cudaEventCreate(&t1));
  CHECK(cudaEventRecord(t0));
  float elapsed;
  EXPECT(cudaEventElapsedTime(&elapsed, t0, t1) == cudaErrorInvalidResourceHandle);
  cudaGetLastError();

  // cudaDeviceReset destroys the runtime's streams and events: their handles are stale after it.
  cudaStream_t before_reset;
  cudaEvent_t event_before_reset;
  CHECK(cudaStreamCreate(&before_reset));
  CHECK(cudaEventCreate(&event_before_reset));
  CHECK(cudaDeviceReset());
  EXPECT(cudaStreamSynchronize(before_reset) == cudaErrorInvalidResourceHandle);
  EXPECT(cudaEventRecord(event_before_reset, 0) == cudaErrorInvalidResourceHandle);
  cudaGetLastError();
  cudaStream_t after_reset;
  CHECK(cudaStreamCreate(&after_reset));
  CHECK(cudaStreamSynchronize(after_reset));

  printf("host_api_corners: OK\n");
  return 0;
}
