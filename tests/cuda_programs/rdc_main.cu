// Relocatable device code (nvcc -rdc=true), main half: kernels that call __device__ functions and
// use __device__ variables defined in rdc_lib.cu, host copies to and from those variables, and
// printf in both files (nvcc names both files' format strings $str). Checked against the CPU.
#include <cmath>
#include <cstdio>
#include <vector>

#include "check.cuh"
#include "rdc_common.cuh"

extern __device__ int g_calls;
extern __device__ float g_coeffs[4];
extern __constant__ int c_offset[2];
__device__ float poly(float x);
__device__ int lib_mix(int a);
void launch_add_bias(int* p, int n);

__device__ int g_bias = 0;

// Same name as rdc_lib.cu's static function, different body.
static __device__ __noinline__ int twice(int v) { return v + v + 1000; }

__global__ void eval(const float* x, float* y, int* m, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  y[i] = poly(x[i]);
  m[i] = lib_mix(i) + twice(i) + triple_plus(i) + c_offset[i & 1];
  atomicAdd(&g_calls, 1);
  if (i == 0) printf("main: eval of %d elements\n", n);
}

// With -rdc, nvcc declares a template kernel's __shared__ array at module scope (.weak .shared):
// each instantiation still has only its own 30 KB (two of them together would exceed the 48 KB a
// block may have without opting in, and gpusim charged every kernel with both).
template <int Scale>
__global__ void reverse_scaled(float* out) {
  __shared__ float tile[7680];
  tile[threadIdx.x] = Scale * threadIdx.x;
  __syncthreads();
  out[threadIdx.x] = tile[blockDim.x - 1 - threadIdx.x];
}

static void template_shared_arrays() {
  cudaFuncAttributes attributes;
  CHECK(cudaFuncGetAttributes(&attributes, reverse_scaled<1>));
  EXPECT(attributes.sharedSizeBytes == 7680 * sizeof(float));
  float* d;
  CHECK(cudaMalloc(&d, 256 * sizeof(float)));
  reverse_scaled<1><<<1, 256>>>(d);
  CHECK(cudaGetLastError());
  reverse_scaled<2><<<1, 256>>>(d);
  CHECK(cudaGetLastError());
  float h[256];
  CHECK(cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost));
  for (int i = 0; i < 256; ++i) EXPECT(h[i] == 2.0f * (255 - i));
  CHECK(cudaFree(d));
}

int main() {
  template_shared_arrays();
  const int n = 300;
  std::vector<float> x(n), y(n);
  std::vector<int> m(n);
  for (int i = 0; i < n; ++i) x[i] = -1.0f + 2.0f * i / n;
  const float coeffs[4] = {0.5f, -1.0f, 2.0f, 0.75f};
  CHECK(cudaMemcpyToSymbol(g_coeffs, coeffs, sizeof coeffs));
  const int bias = 42;
  CHECK(cudaMemcpyToSymbol(g_bias, &bias, sizeof bias));
  const int offsets[2] = {10000, 20000};
  CHECK(cudaMemcpyToSymbol(c_offset, offsets, sizeof offsets));
  float *dx, *dy;
  int* dm;
  CHECK(cudaMalloc(&dx, n * sizeof(float)));
  CHECK(cudaMalloc(&dy, n * sizeof(float)));
  CHECK(cudaMalloc(&dm, n * sizeof(int)));
  CHECK(cudaMemcpy(dx, x.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  for (int rep = 0; rep < 2; ++rep) eval<<<(n + 127) / 128, 128>>>(dx, dy, dm, n);
  CHECK(cudaGetLastError());
  launch_add_bias(dm, n);
  CHECK(cudaMemcpy(y.data(), dy, n * sizeof(float), cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(m.data(), dm, n * sizeof(int), cudaMemcpyDeviceToHost));
  int calls = -1;
  CHECK(cudaMemcpyFromSymbol(&calls, g_calls, sizeof calls));
  float back[4];
  CHECK(cudaMemcpyFromSymbol(back, g_coeffs, sizeof back));
  EXPECT(calls == 2 * n);
  for (int k = 0; k < 4; ++k) EXPECT(back[k] == coeffs[k]);
  for (int i = 0; i < n; ++i) {
    const double xi = x[i];
    const double want = coeffs[0] + xi * (coeffs[1] + xi * (coeffs[2] + xi * coeffs[3]));
    EXPECT(std::fabs(y[i] - want) <= 1e-5 * (1.0 + std::fabs(want)));
    // lib_mix = 2i + (3i+1), main's twice = 2i + 1000, triple_plus = 3i + 1, then + offset, bias.
    EXPECT(m[i] == (2 * i + 3 * i + 1) + (2 * i + 1000) + (3 * i + 1) + offsets[i & 1] + bias);
  }
  std::printf("rdc_link: OK\n");
  return 0;
}
