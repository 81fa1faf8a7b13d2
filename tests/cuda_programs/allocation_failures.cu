// Allocations that must fail, as a program probing its limits sees them: a terabyte of device,
// pinned or managed memory gives cudaErrorMemoryAllocation (not a pointer that faults when
// touched, nor a crash), the error is not sticky, bad flags and double frees are cudaErrorInvalidValue,
// and cudaMemGetInfo tracks what the program holds.
// With an argument (MiB, under `gpusim exec --max-host-memory`), the device's memory must be that
// size in every query, and an allocation of all of it must fail once anything is allocated.
#include <cstdint>
#include <cstdlib>

#include "check.cuh"

// Module memory: cudaMemGetInfo counts it as used, as a GPU's driver does (it was left out).
constexpr size_t kReservedBytes = size_t(16) << 20;
__device__ char reserved_block[kReservedBytes];
__global__ void touch_reserved() { reserved_block[threadIdx.x * 4096] = 1; }

__global__ void fill(int* p, int n, int v) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] = v;
}

// The failure is reported, is the last error once, and leaves the context working.
static void expect_allocation_failure(cudaError_t e) {
  EXPECT(e == cudaErrorMemoryAllocation);
  EXPECT(cudaPeekAtLastError() == cudaErrorMemoryAllocation);
  EXPECT(cudaGetLastError() == cudaErrorMemoryAllocation);
  EXPECT(cudaGetLastError() == cudaSuccess);
}

// A device of `mib` MiB: totalGlobalMem and cudaMemGetInfo's total agree, and it cannot be
// allocated twice over (device memory is host memory: the limit bounds what a program can fill).
static void expect_device_of(size_t mib) {
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  size_t free_bytes = 0, total = 0;
  CHECK(cudaMemGetInfo(&free_bytes, &total));
  std::printf("allocation_failures: totalGlobalMem %zu MiB, cudaMemGetInfo total %zu MiB\n", prop.totalGlobalMem >> 20,
              total >> 20);
  EXPECT(prop.totalGlobalMem == mib << 20 && total == mib << 20);
  void* half = nullptr;
  void* rest = nullptr;
  CHECK(cudaMalloc(&half, total / 2));
  expect_allocation_failure(cudaMalloc(&rest, total / 2 + (size_t(1) << 20)));
  CHECK(cudaFree(half));
}

int main(int argc, char** argv) {
  if (argc > 1) expect_device_of(std::strtoull(argv[1], nullptr, 10));
  const size_t terabyte = size_t(1) << 40;
  void* p = reinterpret_cast<void*>(0x1);
  expect_allocation_failure(cudaMalloc(&p, terabyte));
  expect_allocation_failure(cudaMallocHost(&p, terabyte));
  expect_allocation_failure(cudaHostAlloc(&p, terabyte, cudaHostAllocMapped | cudaHostAllocPortable));
  expect_allocation_failure(cudaMallocManaged(&p, terabyte));
  size_t pitch = 0;
  expect_allocation_failure(cudaMallocPitch(&p, &pitch, size_t(1) << 30, 1024));
  // Sizes whose product does not fit in 64 bits: they wrapped to a tiny allocation and succeeded.
  expect_allocation_failure(cudaMallocPitch(&p, &pitch, terabyte, terabyte));
  expect_allocation_failure(cudaMallocPitch(&p, &pitch, SIZE_MAX, 2));
  cudaPitchedPtr pitched;
  EXPECT(cudaMalloc3D(&pitched, make_cudaExtent(size_t(1) << 22, size_t(1) << 21, size_t(1) << 21)) ==
         cudaErrorMemoryAllocation);
  EXPECT(pitched.ptr == nullptr);
  cudaGetLastError();

  // Flags outside the documented set.
  EXPECT(cudaHostAlloc(&p, 4096, 0x80) == cudaErrorInvalidValue);
  EXPECT(cudaMallocManaged(&p, 4096, 0) == cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);

  // cudaMemGetInfo: free memory drops by (at least) what a cudaMalloc takes and comes back.
  // Modules load at their first launch (CUDA's lazy loading): one launch first, so that the
  // variables above are in place and counted in every figure below.
  touch_reserved<<<1, 32>>>();
  CHECK(cudaDeviceSynchronize());
  size_t free0 = 0, total = 0, free1 = 0, free2 = 0;
  CHECK(cudaMemGetInfo(&free0, &total));
  EXPECT(free0 <= total && total > 0);
  EXPECT(total - free0 >= kReservedBytes);
  const int n = 1 << 16;
  int* d = nullptr;
  CHECK(cudaMalloc(&d, n * sizeof(int)));
  CHECK(cudaMemGetInfo(&free1, &total));
  EXPECT(free0 - free1 >= n * sizeof(int));

  // The context still works after all of the above.
  fill<<<n / 256, 256>>>(d, n, 7);
  int* h = nullptr;
  CHECK(cudaMallocHost(&h, n * sizeof(int)));
  CHECK(cudaMemcpy(h, d, n * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == 7);

  // Freeing: null is a no-op, twice is an error (not sticky).
  CHECK(cudaFree(nullptr));
  CHECK(cudaFreeHost(nullptr));
  CHECK(cudaFree(d));
  EXPECT(cudaFree(d) == cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);
  CHECK(cudaMemGetInfo(&free2, &total));
  EXPECT(free2 == free0);
  CHECK(cudaFreeHost(h));
  CHECK(cudaDeviceSynchronize());
  std::printf("allocation_failures: OK\n");
  return 0;
}
