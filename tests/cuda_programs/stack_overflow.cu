// The per-thread stack (cudaLimitStackSize) as a GPU applies it. A recursive kernel gets exactly
// the limit: frames holding a 256-byte local array (408 bytes each with what ptxas spills for
// sm_80) fit 2 deep in the default 1 KiB and overflow at 3 (a fault) unless the limit is raised. A kernel whose call depth is bounded gets
// the stack its deepest chain needs whatever the limit (the driver sizes it): a callee with 4 KiB
// of local data runs under the default 1 KiB. The kernel's own frame is ptxas's to size, whatever
// the limit: a kernel with 2 KiB of local data calling a leaf through a pointer runs too.
// A recursion whose frames hold no local array but registers live across the call takes what
// ptxas says its frames need (40 bytes each for sm_80), not the 16 a call was estimated at: 15
// deep fits the default 1 KiB, 40 deep (1,600 bytes) overflows it.
// Usage: stack_overflow recursive|saved DEPTH [STACK_BYTES] | stack_overflow bounded | stack_overflow bigframe
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "check.cuh"

__device__ __noinline__ double deep(int n, double acc) {
  volatile double pad[32];  // 256 bytes of local memory per frame
  for (int k = 0; k < 32; ++k) pad[k] = acc + k;
  if (n == 0) return pad[3];
  return deep(n - 1, pad[n % 32] * 0.5 + 1.0) + pad[5] * 1e-9;
}

__global__ void recursive(int depth, double* out) { out[threadIdx.x] = deep(depth, threadIdx.x); }

__device__ __noinline__ double saved(double a, double b, double c, int n) {
  if (n == 0) return a + b + c;
  const double r = saved(b * 0.5, c + a, a - c, n - 1);  // a, b and c live across the call
  return r + a * b - c;
}

__global__ void saving(int depth, double* out) { out[threadIdx.x] = saved(threadIdx.x, 1.5, 2.5, depth); }

__device__ __noinline__ double big_frame(int seed) {
  volatile double pad[512];  // 4 KiB of local memory, one frame
  for (int k = 0; k < 512; ++k) pad[k] = seed + k;
  return pad[seed % 512];
}

__global__ void bounded(double* out) { out[threadIdx.x] = big_frame(threadIdx.x); }

__device__ __noinline__ double twice(double x) { return 2 * x; }
__device__ double (*volatile leaf)(double) = twice;

__global__ void big_kernel_frame(double* out) {
  volatile double pad[256];  // 2 KiB in the kernel's own frame
  for (int k = 0; k < 256; ++k) pad[k] = threadIdx.x + k;
  out[threadIdx.x] = leaf(pad[threadIdx.x % 256]);  // an indirect call: the stack "cannot be statically determined"
}

int main(int argc, char** argv) {
  const bool is_saved = argc > 1 && std::strcmp(argv[1], "saved") == 0;
  const bool is_recursive = is_saved || (argc > 1 && std::strcmp(argv[1], "recursive") == 0);
  double* out = nullptr;
  CHECK(cudaMalloc(&out, 32 * sizeof(double)));
  if (is_recursive && argc > 3) CHECK(cudaDeviceSetLimit(cudaLimitStackSize, std::strtoull(argv[3], nullptr, 10)));
  size_t stack = 0;
  CHECK(cudaDeviceGetLimit(&stack, cudaLimitStackSize));
  if (is_saved) saving<<<1, 32>>>(argc > 2 ? std::atoi(argv[2]) : 2, out);
  else if (is_recursive) recursive<<<1, 32>>>(argc > 2 ? std::atoi(argv[2]) : 2, out);
  else if (argc > 1 && std::strcmp(argv[1], "bigframe") == 0) big_kernel_frame<<<1, 32>>>(out);
  else bounded<<<1, 32>>>(out);
  const cudaError_t result = cudaDeviceSynchronize();
  double h = -1;
  if (result == cudaSuccess) CHECK(cudaMemcpy(&h, out + 7, sizeof h, cudaMemcpyDeviceToHost));
  std::printf("stack_overflow: %s, stack %zu: %s (%g)\n", argv[1] ? argv[1] : "", stack, cudaGetErrorName(result), h);
  return 0;
}
