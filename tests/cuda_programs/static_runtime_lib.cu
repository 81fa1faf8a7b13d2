// A shared library built as CMake and nvcc build one by default: its own copy of NVIDIA's static
// CUDA runtime inside (no libcudart.so dependency), a kernel, a __constant__ table written with
// cudaMemcpyToSymbol and a __device__ counter read back with cudaMemcpyFromSymbol. The program
// (static_runtime_lib_main.cpp) has no CUDA of its own. Its registration ran into NVIDIA's
// runtime before gpusim's libcudart was initialised: gpusim must redirect the library and
// register it again (runtime/cudart/static_runtime_redirect.cpp).
#include <cstdio>

__constant__ int offsets[4];
__device__ unsigned int calls;

__global__ void scale_and_offset(int* v, int factor, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] = v[i] * factor + offsets[i % 4];
  if (i == 0) atomicAdd(&calls, 1u);
}

#define LIB_CHECK(call)                                                                  \
  do {                                                                                   \
    const cudaError_t e = (call);                                                        \
    if (e != cudaSuccess) {                                                              \
      std::printf("%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, cudaGetErrorName(e)); \
      return 1;                                                                          \
    }                                                                                    \
  } while (0)

// v[i] = v[i] * factor + table[i % 4], twice; returns the kernel's own count of its launches.
extern "C" int library_transform(int* host, int n, int factor, const int table[4], unsigned int* launches) {
  int* d = nullptr;
  LIB_CHECK(cudaMalloc(&d, n * sizeof(int)));
  LIB_CHECK(cudaMemcpy(d, host, n * sizeof(int), cudaMemcpyHostToDevice));
  LIB_CHECK(cudaMemcpyToSymbol(offsets, table, 4 * sizeof(int)));
  for (int round = 0; round < 2; ++round) {
    scale_and_offset<<<(n + 127) / 128, 128>>>(d, factor, n);
    LIB_CHECK(cudaGetLastError());
  }
  LIB_CHECK(cudaMemcpy(host, d, n * sizeof(int), cudaMemcpyDeviceToHost));
  LIB_CHECK(cudaMemcpyFromSymbol(launches, calls, sizeof *launches));
  LIB_CHECK(cudaFree(d));
  return 0;
}
