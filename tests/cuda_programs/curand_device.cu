// curand's device API: curand_init with subsequences and offsets (XORWOW's skip-ahead reads its
// large precomputed __device__ tables), Philox4_32_10 and MRG32k3a; curand, curand_uniform,
// curand_normal, curand_poisson checked by 5-sigma bounds on their moments, XORWOW's first draw by a
// CPU re-implementation, skip-ahead by equality with drawing, and a Monte Carlo pi.
#include <cstdio>
#include <cmath>
#include <curand_kernel.h>
#include "check.cuh"

template <typename State>
__global__ void draw(unsigned long long seed, float* u, float* nrm, unsigned* raw, unsigned* pois, int per) {
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  State st;
  curand_init(seed, t, 0, &st);
  for (int k = 0; k < per; ++k) {
    raw[t * per + k] = curand(&st);
    u[t * per + k] = curand_uniform(&st);
    nrm[t * per + k] = curand_normal(&st);
    pois[t * per + k] = curand_poisson(&st, 4.0);
  }
}
__global__ void pi_kernel(unsigned long long seed, unsigned long long* hits, int per) {
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  curandStatePhilox4_32_10_t st;
  curand_init(seed, t, 0, &st);
  unsigned long long h = 0;
  for (int k = 0; k < per; ++k) { float4 r = curand_uniform4(&st); h += (r.x * r.x + r.y * r.y <= 1.f) + (r.z * r.z + r.w * r.w <= 1.f); }
  atomicAdd(hits, h);
}
// CPU XORWOW without skip-ahead: subsequence 0 only
struct Xorwow { unsigned d, v[5]; };
static void xw_init(Xorwow& s, unsigned long long seed) {
  unsigned s0 = (unsigned)seed ^ 0xaad26b49UL, s1 = (unsigned)(seed >> 32) ^ 0xf7dcefddUL;
  unsigned t0 = 1099087573UL * s0, t1 = 2591861531UL * s1;
  s.d = 6615241 + t1 + t0; s.v[0] = 123456789UL + t0; s.v[1] = 362436069UL ^ t0; s.v[2] = 521288629UL + t1; s.v[3] = 88675123UL ^ t1; s.v[4] = 5783321UL + t0;
}
static unsigned xw_next(Xorwow& s) {
  unsigned t = s.v[0] ^ (s.v[0] >> 2); s.v[0] = s.v[1]; s.v[1] = s.v[2]; s.v[2] = s.v[3]; s.v[3] = s.v[4];
  s.v[4] = (s.v[4] ^ (s.v[4] << 4)) ^ (t ^ (t << 1)); s.d += 362437; return s.v[4] + s.d;
}
template <typename State>
static void run(const char* name, bool check_raw0) {
  const int threads = 128, per = 16, n = threads * per;
  float *u, *nr; unsigned *raw, *pois;
  CHECK(cudaMalloc(&u, n * 4)); CHECK(cudaMalloc(&nr, n * 4)); CHECK(cudaMalloc(&raw, n * 4)); CHECK(cudaMalloc(&pois, n * 4));
  draw<State><<<threads / 64, 64>>>(1234ull, u, nr, raw, pois, per);
  CHECK(cudaGetLastError());
  static float hu[n], hn[n]; static unsigned hr[n], hp[n];
  CHECK(cudaMemcpy(hu, u, n * 4, cudaMemcpyDeviceToHost)); CHECK(cudaMemcpy(hn, nr, n * 4, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(hr, raw, n * 4, cudaMemcpyDeviceToHost)); CHECK(cudaMemcpy(hp, pois, n * 4, cudaMemcpyDeviceToHost));
  double su = 0, sn = 0, sn2 = 0, sp = 0;
  for (int i = 0; i < n; ++i) { EXPECT(hu[i] > 0.f && hu[i] <= 1.f); su += hu[i]; sn += hn[i]; sn2 += (double)hn[i] * hn[i]; sp += hp[i]; }
  su /= n; sn /= n; sn2 /= n; sp /= n;
  std::printf("%s: mean u %.4f n %.4f var n %.4f poisson %.4f\n", name, su, sn, sn2, sp);
  // 5-sigma bounds
  EXPECT(std::fabs(su - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  EXPECT(std::fabs(sn) < 5 * std::sqrt(1.0 / n));
  EXPECT(std::fabs(sn2 - 1) < 5 * std::sqrt(2.0 / n));
  EXPECT(std::fabs(sp - 4) < 5 * std::sqrt(4.0 / n));
  // subsequences are distinct streams
  int same = 0; for (int t = 1; t < threads; ++t) same += hr[t * per] == hr[0];
  EXPECT(same == 0);
  if (check_raw0) {  // thread 0 = subsequence 0, no skip-ahead: compare with a CPU XORWOW
    Xorwow s; xw_init(s, 1234ull);
    EXPECT(hr[0] == xw_next(s));
  }
  CHECK(cudaFree(u)); CHECK(cudaFree(nr)); CHECK(cudaFree(raw)); CHECK(cudaFree(pois));
}
// subsequence skip-ahead check: thread with subsequence 1 equals subsequence 0 advanced 2^67 — can't do on CPU
// directly; instead check curand_init(seed, 0, offset) == skipping offset numbers of subsequence 0.
__global__ void offset_check(unsigned* out) {
  curandState a, b;
  curand_init(99, 0, 0, &a);
  curand_init(99, 0, 1000, &b);
  for (int k = 0; k < 1000; ++k) curand(&a);
  out[0] = curand(&a); out[1] = curand(&b);
  curandState c, d;
  curand_init(99, 3, 0, &c);
  curand_init(99, 0, 0, &d);
  skipahead_sequence(3ull, &d);
  out[2] = curand(&c); out[3] = curand(&d);
}
int main() {
  run<curandStateXORWOW_t>("xorwow", true);
  run<curandStatePhilox4_32_10_t>("philox", false);
  run<curandStateMRG32k3a_t>("mrg32k3a", false);
  unsigned* d; CHECK(cudaMalloc(&d, 16));
  offset_check<<<1, 1>>>(d);
  unsigned h[4]; CHECK(cudaMemcpy(h, d, 16, cudaMemcpyDeviceToHost));
  EXPECT(h[0] == h[1]); EXPECT(h[2] == h[3]);
  unsigned long long* hits; CHECK(cudaMalloc(&hits, 8)); CHECK(cudaMemset(hits, 0, 8));
  pi_kernel<<<4, 128>>>(7ull, hits, 32);
  unsigned long long hh; CHECK(cudaMemcpy(&hh, hits, 8, cudaMemcpyDeviceToHost));
  double total = 4.0 * 128 * 32 * 2, pi = 4.0 * hh / total, p = M_PI / 4;
  std::printf("pi ~ %.5f\n", pi);
  EXPECT(std::fabs(pi - M_PI) < 4 * 5 * std::sqrt(p * (1 - p) / total));
  std::printf("curand_device: OK\n");
  return 0;
}
