// A shared library carrying NVIDIA's static CUDA runtime (nvcc's default) whose global object's
// constructor uses CUDA at load time: allocates device memory, launches a kernel and reads the
// result back, as a library's singleton or a registry of precomputed tables does. The host program
// (static_runtime_ctor_main.cpp) links it normally, so the constructor runs before main and before
// gpusim's libcudart has initialised: it reached NVIDIA's runtime and failed ("operation not
// supported") until gpusim exec's loader-audit library redirected such libraries as they are mapped.
#include <cstdio>

__global__ void squares_plus(int* v, int add) { v[threadIdx.x] = int(threadIdx.x * threadIdx.x) + add; }

namespace {

struct LoadTimeTable {
  int values[8] = {};
  cudaError_t error = cudaSuccess;
  LoadTimeTable() {
    int* d = nullptr;
    error = cudaMalloc(&d, sizeof values);
    if (error != cudaSuccess) return;
    squares_plus<<<1, 8>>>(d, 5);
    error = cudaGetLastError();
    if (error == cudaSuccess) error = cudaMemcpy(values, d, sizeof values, cudaMemcpyDeviceToHost);
    cudaFree(d);
  }
};

LoadTimeTable table;

}  // namespace

// 0 and the table the constructor computed; otherwise 1 and the CUDA error it got.
extern "C" int load_time_table(int out[8], const char** error) {
  *error = cudaGetErrorName(table.error);
  for (int i = 0; i < 8; ++i) out[i] = table.values[i];
  return table.error == cudaSuccess ? 0 : 1;
}
