// Device code that needs a call stack: virtual functions (placement new and device-heap new/delete),
// calls through a table of function pointers (call through a register with a prototype),
// recursion, a large local array indexed at run time, alloca with a run-time size; plus 90 KB of
// dynamic shared memory (cudaFuncSetAttribute) aliased as float and double, __ldg and
// __launch_bounds__ with a minimum block count; recursion 1,500 calls deep once cudaLimitStackSize
// allows it (the default 1 KiB stack does not).
#include <cstdio>
#include <cstdint>
#include <new>
#include "check.cuh"

struct Shape { __device__ virtual float area() const = 0; __device__ virtual int sides() const { return 0; } __device__ virtual ~Shape() {} };
struct Square : Shape { float s; __device__ Square(float v) : s(v) {} __device__ float area() const override { return s * s; } __device__ int sides() const override { return 4; } };
struct Circle : Shape { float r; __device__ Circle(float v) : r(v) {} __device__ float area() const override { return 3.0f * r * r; } };
struct Tri : Shape { float b, h; __device__ Tri(float x, float y) : b(x), h(y) {} __device__ float area() const override { return 0.5f * b * h; } __device__ int sides() const override { return 3; } };

typedef int (*binop)(int, int);
__device__ int op_add(int a, int b) { return a + b; }
__device__ int op_mul(int a, int b) { return a * b; }
__device__ int op_sub(int a, int b) { return a - b; }
__device__ binop table[3] = {op_add, op_mul, op_sub};

__device__ __noinline__ int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
__device__ __noinline__ int ackermann_small(int m, int n) { if (m == 0) return n + 1; if (n == 0) return ackermann_small(m - 1, 1); return ackermann_small(m - 1, ackermann_small(m, n - 1)); }

// Not a tail call (the store after it), so the recursion stays one frame per level.
__device__ __noinline__ int deep(int n, int* trail) {
  if (n == 0) return 0;
  const int below = deep(n - 1, trail);
  trail[n] = below;
  return below + 1;
}
__global__ void deep_recursion(int n, int* trail) { trail[0] = deep(n, trail); }

__global__ void virt(const int* in, float* areas, int* sides, int* ops, int* rec) {
  int t = threadIdx.x;
  Shape* s;
  char storage[sizeof(Tri) > sizeof(Square) ? sizeof(Tri) + 16 : sizeof(Square) + 16];
  switch (in[t] % 3) {
    case 0: s = new (storage) Square(t * 0.5f); break;
    case 1: s = new (storage) Circle(t * 0.25f); break;
    default: s = new (storage) Tri(t * 1.0f, 2.0f); break;
  }
  areas[t] = s->area(); sides[t] = s->sides();
  s->~Shape();
  Shape* hs = (in[t] & 4) ? (Shape*)new Square(2.0f) : (Shape*)new Tri(3.0f, 4.0f);
  areas[t] += hs->area();
  delete hs;
  binop f = table[in[t] % 3];
  ops[t] = f(in[t], t);
  rec[t] = fib(t % 15) + ackermann_small(2, t % 5);
}

__global__ void local_arrays(const int* in, int* out, int n) {
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  int a[300];
  for (int k = 0; k < 300; ++k) a[k] = in[(t + k) % n] ^ k;
  int idx = in[t] % 300; if (idx < 0) idx += 300;
  for (int k = 0; k < 50; ++k) { a[idx] += k; idx = (a[idx] & 0x7fffffff) % 300; }
  int s = 0; for (int k = 0; k < 300; ++k) s += a[k] * (k & 7);
  out[t] = s;
  // alloca with a run-time size
  int m = 8 + (t % 24);
  int* dyn = (int*)alloca(m * sizeof(int));
  for (int k = 0; k < m; ++k) dyn[k] = k * t;
  int acc = 0; for (int k = m - 1; k >= 0; k -= 2) acc += dyn[k];
  out[n + t] = acc;
}

__global__ void __launch_bounds__(256, 4) big_smem(const float* __restrict__ in, float* __restrict__ out, int n) {
  extern __shared__ unsigned char raw[];
  float* f = reinterpret_cast<float*>(raw);
  double* d = reinterpret_cast<double*>(raw + n * sizeof(float));
  for (int i = threadIdx.x; i < n; i += blockDim.x) f[i] = __ldg(in + i) * 2.0f;
  __syncthreads();
  for (int i = threadIdx.x; i < n; i += blockDim.x) d[i] = f[n - 1 - i] + 1.0;
  __syncthreads();
  for (int i = threadIdx.x; i < n; i += blockDim.x) out[i] = (float)d[(i + 7) % n];
}

int main() {
  const int T = 64;
  int h[T]; for (int i = 0; i < T; ++i) h[i] = (i * 37 + 11) % 101;
  int *din, *dsides, *dops, *drec; float* dareas;
  CHECK(cudaMalloc(&din, sizeof h)); CHECK(cudaMalloc(&dsides, sizeof h)); CHECK(cudaMalloc(&dops, sizeof h)); CHECK(cudaMalloc(&drec, sizeof h)); CHECK(cudaMalloc(&dareas, sizeof h));
  CHECK(cudaMemcpy(din, h, sizeof h, cudaMemcpyHostToDevice));
  virt<<<1, T>>>(din, dareas, dsides, dops, drec);
  CHECK(cudaGetLastError()); CHECK(cudaDeviceSynchronize());
  float ha[T]; int hs[T], ho[T], hr[T];
  CHECK(cudaMemcpy(ha, dareas, sizeof ha, cudaMemcpyDeviceToHost)); CHECK(cudaMemcpy(hs, dsides, sizeof hs, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(ho, dops, sizeof ho, cudaMemcpyDeviceToHost)); CHECK(cudaMemcpy(hr, drec, sizeof hr, cudaMemcpyDeviceToHost));
  auto fibc = [](int n) { int a = 0, b = 1; for (int k = 0; k < n; ++k) { int c = a + b; a = b; b = c; } return a; };
  for (int t = 0; t < T; ++t) {
    float ea; int es;
    switch (h[t] % 3) { case 0: ea = (t * 0.5f) * (t * 0.5f); es = 4; break; case 1: ea = 3.0f * (t * 0.25f) * (t * 0.25f); es = 0; break; default: ea = 0.5f * t * 2.0f; es = 3; }
    ea += (h[t] & 4) ? 4.0f : 6.0f;
    EXPECT(ha[t] == ea); EXPECT(hs[t] == es);
    int eo = h[t] % 3 == 0 ? h[t] + t : h[t] % 3 == 1 ? h[t] * t : h[t] - t; EXPECT(ho[t] == eo);
    EXPECT(hr[t] == fibc(t % 15) + 2 * (t % 5) + 3);
  }
  const int n = 512; static int li[n]; for (int i = 0; i < n; ++i) li[i] = (int)((i * 2654435761u) % 100003) - 3;
  int *dli, *dlo; CHECK(cudaMalloc(&dli, sizeof li)); CHECK(cudaMalloc(&dlo, 2 * sizeof li));
  CHECK(cudaMemcpy(dli, li, sizeof li, cudaMemcpyHostToDevice));
  local_arrays<<<n / 128, 128>>>(dli, dlo, n);
  CHECK(cudaGetLastError());
  static int lo[2 * n]; CHECK(cudaMemcpy(lo, dlo, sizeof lo, cudaMemcpyDeviceToHost));
  for (int t = 0; t < n; ++t) {
    int a[300]; for (int k = 0; k < 300; ++k) a[k] = li[(t + k) % n] ^ k;
    int idx = li[t] % 300; if (idx < 0) idx += 300;
    for (int k = 0; k < 50; ++k) { a[idx] += k; idx = (a[idx] & 0x7fffffff) % 300; }
    int s = 0; for (int k = 0; k < 300; ++k) s += a[k] * (k & 7);
    EXPECT(lo[t] == s);
    int m = 8 + (t % 24), acc = 0; for (int k = m - 1; k >= 0; k -= 2) acc += k * t;
    EXPECT(lo[n + t] == acc);
  }
  const int m = 7500;  // 30 KB floats + 60 KB doubles = 90 KB dynamic shared memory (the V100 allows 96 KB)
  size_t smem = m * (sizeof(float) + sizeof(double));
  CHECK(cudaFuncSetAttribute(big_smem, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
  static float fi[m], fo[m]; for (int i = 0; i < m; ++i) fi[i] = i * 0.5f - 100;
  float *dfi, *dfo; CHECK(cudaMalloc(&dfi, sizeof fi)); CHECK(cudaMalloc(&dfo, sizeof fo));
  CHECK(cudaMemcpy(dfi, fi, sizeof fi, cudaMemcpyHostToDevice));
  big_smem<<<2, 256, smem>>>(dfi, dfo, m);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(fo, dfo, sizeof fo, cudaMemcpyDeviceToHost));
  for (int i = 0; i < m; ++i) EXPECT(fo[i] == (float)(fi[m - 1 - (i + 7) % m] * 2.0f + 1.0));
  const int depth = 1500;
  // 64 KiB a thread: 1,500 frames of ptxas' 24 bytes (sm_80) or 32 (sm_90) fit, and the V100-like GPU's 163,840 resident threads' stacks
  // (10 GiB) fit its 16 GiB (256 KiB would not: cudaErrorMemoryAllocation, as on a 16 GB V100).
  CHECK(cudaDeviceSetLimit(cudaLimitStackSize, 64 * 1024));
  int* trail;
  CHECK(cudaMalloc(&trail, (depth + 1) * sizeof(int)));
  deep_recursion<<<1, 1>>>(depth, trail);
  CHECK(cudaGetLastError());
  static int ht[depth + 1];
  CHECK(cudaMemcpy(ht, trail, sizeof ht, cudaMemcpyDeviceToHost));
  for (int i = 0; i <= depth; ++i) EXPECT(ht[i] == (i == 0 ? depth : i - 1));
  std::printf("stack_and_calls: OK\n");
  return 0;
}
