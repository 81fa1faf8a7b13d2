// Relocatable device code, library half: __device__ functions and variables that rdc_main.cu's
// kernels use, and a kernel that uses a variable rdc_main.cu defines. Built with -rdc=true.
#include <cstdio>

#include "check.cuh"
#include "rdc_common.cuh"

__device__ int g_calls = 0;                                       // rdc_main.cu's kernel counts here
__device__ float g_coeffs[4] = {1.0f, 0.5f, 0.25f, 0.125f};       // the host overwrites them
__constant__ int c_offset[2] = {0, 0};                            // the host sets them
extern __device__ int g_bias;                                     // defined in rdc_main.cu

// Internal to this file (and kept out of line): rdc_main.cu has its own function of this name.
static __device__ __noinline__ int twice(int v) { return 2 * v; }

__device__ float poly(float x) { return g_coeffs[0] + x * (g_coeffs[1] + x * (g_coeffs[2] + x * g_coeffs[3])); }

__device__ int lib_mix(int a) {
  if (a == 3) printf("lib: mix of %d is %d\n", a, twice(a) + triple_plus(a));
  return twice(a) + triple_plus(a);
}

__global__ void add_bias(int* p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] += g_bias;
  if (i == 0) printf("lib: bias %d\n", g_bias);
}

void launch_add_bias(int* p, int n) {
  add_bias<<<(n + 127) / 128, 128>>>(p, n);
  CHECK(cudaGetLastError());
}
