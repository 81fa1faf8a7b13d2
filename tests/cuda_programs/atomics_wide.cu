// Atomics beyond int add: atomicAdd on double, half2 and bfloat162; 64-bit atomicMax/Min; a CAS-loop
// float max; atomicInc/atomicDec wrap-around; atomicAdd_block / atomicAdd_system; a 64-bit CAS loop.
// Every final value is derived on the CPU. A float atomicAdd keeps subnormals in shared memory and
// flushes them in global memory (PTX ISA, atom; measured so on GPUs).
#include <cstdio>
#include <cstdint>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include "check.cuh"
__device__ float atomic_max_float(float* addr, float v) {
  int* a = (int*)addr; int old = *a, assumed;
  do { assumed = old; if (__int_as_float(assumed) >= v) break; old = atomicCAS(a, assumed, __float_as_int(v)); } while (assumed != old);
  return __int_as_float(old);
}
__global__ void atoms(const int* in, double* dsum, __half2* h2, __nv_bfloat162* b2, long long* smax, unsigned long long* umin,
                      float* fmax, unsigned* inc, unsigned* dec, int* blk, int* sys, unsigned long long* cas64, float* fsum) {
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  int v = in[t];
  atomicAdd(dsum, v * 0.25);
  atomicAdd(h2, __floats2half2_rn(1.0f, (float)(v & 3)));
  atomicAdd(b2, __floats2bfloat162_rn(1.0f, 2.0f));
  atomicMax(smax, (long long)v * 1000000007LL);
  atomicMin(umin, (unsigned long long)(v + 5000) << 33);
  atomic_max_float(fmax, v * 0.5f);
  atomicInc(inc, 100u);
  atomicDec(dec, 37u);
  atomicAdd_block(blk + blockIdx.x, 1);
  atomicAdd_system(sys, v);
  atomicAdd(cas64 + 1, 1ull);
  unsigned long long old = *cas64, assumed;
  do { assumed = old; old = atomicCAS(cas64, assumed, assumed + (unsigned)v); } while (old != assumed);
  atomicAdd(fsum + (t & 1), 0.5f);
  atomicExch(fsum + 2, 3.5f);
  __threadfence_system();
}
// out[0..2]: shared atom, shared red (result unused), its returned old value; *g: a global add.
__global__ void subnormal_adds(float* g, float* out) {
  __shared__ float s[2];
  if (threadIdx.x == 0) s[0] = 0.0f, s[1] = 1e-40f;
  __syncthreads();
  const float old = atomicAdd(&s[0], 1e-40f);
  atomicAdd(&s[1], 0.0f);
  atomicAdd(g, 1e-40f);
  __syncthreads();
  out[0] = s[0], out[1] = s[1], out[2] = old;
}
int main() {
  const int n = 250, threads = 256;
  static int h[threads];
  for (int i = 0; i < threads; ++i) h[i] = i < n ? (int)((i * 2654435761u) % 4001) - 2000 : 0;
  int* din; CHECK(cudaMalloc(&din, sizeof h)); CHECK(cudaMemcpy(din, h, sizeof h, cudaMemcpyHostToDevice));
  char* mem; CHECK(cudaMalloc(&mem, 4096)); CHECK(cudaMemset(mem, 0, 4096));
  double* dsum = (double*)mem; __half2* h2 = (__half2*)(mem + 8); __nv_bfloat162* b2 = (__nv_bfloat162*)(mem + 12);
  long long* smax = (long long*)(mem + 16); unsigned long long* umin = (unsigned long long*)(mem + 24); float* fmax = (float*)(mem + 32);
  unsigned* inc = (unsigned*)(mem + 36); unsigned* dec = (unsigned*)(mem + 40); int* blk = (int*)(mem + 64); int* sys = (int*)(mem + 128);
  unsigned long long* cas64 = (unsigned long long*)(mem + 136); float* fsum = (float*)(mem + 160);
  long long lmin = INT64_MIN; unsigned long long umax = ~0ull; float ninf = -INFINITY;
  CHECK(cudaMemcpy(smax, &lmin, 8, cudaMemcpyHostToDevice)); CHECK(cudaMemcpy(umin, &umax, 8, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(fmax, &ninf, 4, cudaMemcpyHostToDevice));
  atoms<<<threads / 128, 128>>>(din, dsum, h2, b2, smax, umin, fmax, inc, dec, blk, sys, cas64, fsum);
  CHECK(cudaGetLastError());
  static char hm[4096]; CHECK(cudaMemcpy(hm, mem, 4096, cudaMemcpyDeviceToHost));
  double es = 0; long long emax = INT64_MIN; unsigned long long emin = ~0ull; float efm = -INFINITY; long long esys = 0; int lo3 = 0;
  for (int i = 0; i < threads; ++i) { es += h[i] * 0.25; emax = std::max(emax, (long long)h[i] * 1000000007LL); emin = std::min(emin, (unsigned long long)(h[i] + 5000) << 33); efm = std::max(efm, h[i] * 0.5f); esys += h[i]; lo3 += h[i] & 3; }
  EXPECT(*(double*)hm == es);
  __half2 g2 = *(__half2*)(hm + 8);
  EXPECT(__low2float(g2) == (float)threads);   // exact in half
  std::printf("half2 high %g (exact %d)\n", __high2float(g2), lo3);
  EXPECT(__high2float(g2) == (float)lo3 || lo3 > 2048);
  __nv_bfloat162 gb = *(__nv_bfloat162*)(hm + 12);
  EXPECT(__low2float(gb) == 256.f);  // 256 adds of 1.0: exact (bf16 would stop growing at 256)
  EXPECT(__high2float(gb) == 512.f);
  EXPECT(*(long long*)(hm + 16) == emax); EXPECT(*(unsigned long long*)(hm + 24) == emin); EXPECT(*(float*)(hm + 32) == efm);
  // atomicInc(x, 100): ((old >= 100) ? 0 : old + 1); `threads` increments from 0 -> threads % 101
  EXPECT(*(unsigned*)(hm + 36) == threads % 101);
  // atomicDec(x, 37): ((old == 0) || (old > 37)) ? 37 : old - 1; from 0: 37,36,...,0,37,... -> after k steps: (38 - k % 38) % 38
  EXPECT(*(unsigned*)(hm + 40) == (unsigned)((38 - threads % 38) % 38));
  for (int b = 0; b < threads / 128; ++b) EXPECT(((int*)(hm + 64))[b] == 128);
  EXPECT(*(int*)(hm + 128) == (int)esys);
  EXPECT(((unsigned long long*)(hm + 136))[1] == (unsigned long long)threads);
  unsigned long long ecas = 0; for (int i = 0; i < threads; ++i) ecas += (unsigned)h[i];
  EXPECT(((unsigned long long*)(hm + 136))[0] == ecas);
  EXPECT(((float*)(hm + 160))[0] == threads / 4.f && ((float*)(hm + 160))[1] == threads / 4.f && ((float*)(hm + 160))[2] == 3.5f);
  float* sub; CHECK(cudaMalloc(&sub, 16)); CHECK(cudaMemset(sub, 0, 16));
  subnormal_adds<<<1, 1>>>(sub, sub + 1);
  float hs[4]; CHECK(cudaMemcpy(hs, sub, sizeof hs, cudaMemcpyDeviceToHost));
  EXPECT(hs[0] == 0.0f);                    // global: the subnormal input flushed
  EXPECT(hs[1] == 1e-40f && hs[2] == 1e-40f && hs[3] == 0.0f);  // shared: kept, as input and as result
  std::printf("atomics_wide: OK\n");
  return 0;
}
