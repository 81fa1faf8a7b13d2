// libcu++ in device code: cuda::atomic_ref with memory orders and thread scopes, cuda::barrier
// (arrive_and_wait, arrive + wait on a token), cuda::pipeline with cuda::memcpy_async, the
// __pipeline_memcpy_async primitives (cp.async on sm_80; a ring of stages, whose shared addresses
// nvcc computes modulo 2^32), cuda::std::complex, span and <bit>.
#pragma nv_diag_suppress static_var_with_dynamic_init
#include <cstdio>
#include <cuda/atomic>
#include <cuda/barrier>
#include <cuda/pipeline>
#include <cuda/std/complex>
#include <cuda/std/span>
#include <cuda/std/bit>
#include <cooperative_groups.h>
#include "check.cuh"
namespace cg = cooperative_groups;

__global__ void atomics(int* counter, unsigned long long* sum, int* flag_data, int* result) {
  cuda::atomic_ref<int, cuda::thread_scope_device> c(*counter);
  cuda::atomic_ref<unsigned long long, cuda::thread_scope_block> s(sum[blockIdx.x]);
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  c.fetch_add(1, cuda::std::memory_order_relaxed);
  s.fetch_add((unsigned long long)t, cuda::std::memory_order_acq_rel);
  int old = c.load(cuda::std::memory_order_acquire);
  (void)old;
  cuda::atomic_ref<int, cuda::thread_scope_device> mx(flag_data[0]);
  mx.fetch_max(t * 7 % 1001);
  cuda::atomic_ref<int, cuda::thread_scope_device> mn(flag_data[1]);
  mn.fetch_min(1000 - t * 7 % 1001);
  int expected = 0;
  cuda::atomic_ref<int, cuda::thread_scope_system> cas(flag_data[2]);
  if (cas.compare_exchange_strong(expected, t + 1)) result[0] = t + 1;
  cuda::atomic_ref<int> ex(flag_data[3]);
  ex.exchange(5);
  ex.fetch_or(1 << (t % 8));
}

__global__ void barrier_kernel(const int* in, int* out, int n) {
  __shared__ cuda::barrier<cuda::thread_scope_block> bar;
  __shared__ int buf[256];
  auto block = cg::this_thread_block();
  if (block.thread_rank() == 0) init(&bar, block.size());
  block.sync();
  int t = threadIdx.x;
  int acc = 0;
  for (int round = 0; round < 4; ++round) {
    buf[t] = in[round * n + t];
    bar.arrive_and_wait();
    acc += buf[(t + 1) % n];
    auto tok = bar.arrive();
    bar.wait(cuda::std::move(tok));
  }
  out[t] = acc;
}

__global__ void pipeline_kernel(const float* in, float* out, int chunks) {
  constexpr int stages = 2, chunk = 128;
  __shared__ float buf[stages][chunk];
  auto block = cg::this_thread_block();
  __shared__ cuda::pipeline_shared_state<cuda::thread_scope_block, stages> state;
  auto pipe = cuda::make_pipeline(block, &state);
  float acc = 0;
  for (int c = 0, fetch = 0; c < chunks; ++c) {
    for (; fetch < chunks && fetch < c + stages; ++fetch) {
      pipe.producer_acquire();
      cuda::memcpy_async(block, buf[fetch % stages], in + fetch * chunk, sizeof(float) * chunk, pipe);
      pipe.producer_commit();
    }
    pipe.consumer_wait();
    acc += buf[c % stages][(threadIdx.x * 5) % chunk];
    block.sync();
    pipe.consumer_release();
  }
  out[threadIdx.x] = acc;
}
// sm_80 cp.async form through the primitive API
#include <cuda_pipeline.h>
__global__ void cp_async_kernel(const int4* in, int4* out) {
  __shared__ int4 s[64];
  __pipeline_memcpy_async(&s[threadIdx.x], &in[threadIdx.x], sizeof(int4));
  __pipeline_commit();
  __pipeline_wait_prior(0);
  __syncthreads();
  out[threadIdx.x] = s[63 - threadIdx.x];
}

// A ring of stages indexed ring[i % kStages]: nvcc -O2 keeps the stage's shared address as a
// 32-bit register that wraps below zero plus a positive offset ([%r+1024]), which only works when
// shared address arithmetic is modulo 2^32, as on the GPU.
constexpr int kStages = 3, kTile = 256;
__global__ void ring_kernel(const float* in, float* out, int tiles) {
  __shared__ __align__(16) float ring[kStages][kTile];
  const int t = threadIdx.x;
  float acc = 0;
  for (int s = 0; s < kStages - 1; ++s) {
    if (s < tiles) __pipeline_memcpy_async(&ring[s][t * 4], in + s * kTile + t * 4, 16);
    __pipeline_commit();
  }
  for (int i = 0; i < tiles; ++i) {
    const int ahead = i + kStages - 1;
    if (ahead < tiles) __pipeline_memcpy_async(&ring[ahead % kStages][t * 4], in + ahead * kTile + t * 4, 16);
    __pipeline_commit();
    __pipeline_wait_prior(kStages - 1);
    __syncthreads();
    for (int j = 0; j < 4; ++j) acc += ring[i % kStages][(t * 4 + j + 4) % kTile];
    __syncthreads();
  }
  out[t] = acc;
}

__global__ void complex_bits(const float* re, const float* im, cuda::std::complex<float>* z, unsigned* bits, int n) {
  int t = threadIdx.x;
  if (t >= n) return;
  cuda::std::complex<float> a(re[t], im[t]);
  cuda::std::span<const float> s(re, n);
  z[t] = a * a + cuda::std::conj(a) / cuda::std::complex<float>(2.f, 1.f) + s.back();
  unsigned v = (unsigned)(re[t] * 1000);
  bits[t * 5] = cuda::std::popcount(v);
  bits[t * 5 + 1] = cuda::std::countl_zero(v);
  bits[t * 5 + 2] = cuda::std::bit_ceil(v % 100000 + 1);
  bits[t * 5 + 3] = cuda::std::rotl(v, t);
  bits[t * 5 + 4] = cuda::std::bit_width(v);
}

int main() {
  int *counter, *flags, *result; unsigned long long* sum;
  CHECK(cudaMalloc(&counter, 4)); CHECK(cudaMalloc(&flags, 16)); CHECK(cudaMalloc(&result, 4)); CHECK(cudaMalloc(&sum, 32));
  CHECK(cudaMemset(counter, 0, 4)); CHECK(cudaMemset(sum, 0, 32));
  int hf[4] = {0, 1 << 30, 0, 0}; CHECK(cudaMemcpy(flags, hf, 16, cudaMemcpyHostToDevice));
  atomics<<<4, 128>>>(counter, sum, flags, result);
  CHECK(cudaGetLastError());
  int hc, hr; unsigned long long hs[4];
  CHECK(cudaMemcpy(&hc, counter, 4, cudaMemcpyDeviceToHost)); CHECK(cudaMemcpy(hs, sum, 32, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(hf, flags, 16, cudaMemcpyDeviceToHost)); CHECK(cudaMemcpy(&hr, result, 4, cudaMemcpyDeviceToHost));
  EXPECT(hc == 512);
  for (int b = 0; b < 4; ++b) { unsigned long long e = 0; for (int t = b * 128; t < b * 128 + 128; ++t) e += t; EXPECT(hs[b] == e); }
  int emx = 0, emn = 1 << 30; for (int t = 0; t < 512; ++t) { emx = std::max(emx, t * 7 % 1001); emn = std::min(emn, 1000 - t * 7 % 1001); }
  EXPECT(hf[0] == emx); EXPECT(hf[1] == emn); EXPECT(hf[2] == hr && hr >= 1 && hr <= 512);
  EXPECT((hf[3] & 0xff) == 0xff || (hf[3] & ~0xff) == 0);

  const int n = 256; int hin[4 * n]; for (int i = 0; i < 4 * n; ++i) hin[i] = i * 3 - 7;
  int *din, *dout; CHECK(cudaMalloc(&din, sizeof hin)); CHECK(cudaMalloc(&dout, n * 4));
  CHECK(cudaMemcpy(din, hin, sizeof hin, cudaMemcpyHostToDevice));
  barrier_kernel<<<1, n>>>(din, dout, n);
  int ho[n]; CHECK(cudaMemcpy(ho, dout, sizeof ho, cudaMemcpyDeviceToHost));
  for (int t = 0; t < n; ++t) { int e = 0; for (int r = 0; r < 4; ++r) e += hin[r * n + (t + 1) % n]; EXPECT(ho[t] == e); }

  const int chunks = 7; static float fin[chunks * 128]; for (int i = 0; i < chunks * 128; ++i) fin[i] = (float)(i % 50);
  float *dfin, *dfout; CHECK(cudaMalloc(&dfin, sizeof fin)); CHECK(cudaMalloc(&dfout, 128 * 4));
  CHECK(cudaMemcpy(dfin, fin, sizeof fin, cudaMemcpyHostToDevice));
  pipeline_kernel<<<1, 128>>>(dfin, dfout, chunks);
  float fo[128]; CHECK(cudaMemcpy(fo, dfout, sizeof fo, cudaMemcpyDeviceToHost));
  for (int t = 0; t < 128; ++t) { float e = 0; for (int c = 0; c < chunks; ++c) e += fin[c * 128 + (t * 5) % 128]; EXPECT(fo[t] == e); }

  int4 hi4[64]; for (int i = 0; i < 64; ++i) hi4[i] = make_int4(i, -i, i * i, 7);
  int4 *di4, *do4; CHECK(cudaMalloc(&di4, sizeof hi4)); CHECK(cudaMalloc(&do4, sizeof hi4));
  CHECK(cudaMemcpy(di4, hi4, sizeof hi4, cudaMemcpyHostToDevice));
  cp_async_kernel<<<1, 64>>>(di4, do4);
  int4 ho4[64]; CHECK(cudaMemcpy(ho4, do4, sizeof ho4, cudaMemcpyDeviceToHost));
  for (int i = 0; i < 64; ++i) EXPECT(ho4[i].x == 63 - i && ho4[i].z == (63 - i) * (63 - i) && ho4[i].w == 7);

  const int tiles = 5; static float ring_in[tiles * kTile];
  for (int i = 0; i < tiles * kTile; ++i) ring_in[i] = float(i % 13);
  float *dring_in, *dring_out; CHECK(cudaMalloc(&dring_in, sizeof ring_in)); CHECK(cudaMalloc(&dring_out, 64 * 4));
  CHECK(cudaMemcpy(dring_in, ring_in, sizeof ring_in, cudaMemcpyHostToDevice));
  ring_kernel<<<1, 64>>>(dring_in, dring_out, tiles);
  float ring_out[64]; CHECK(cudaMemcpy(ring_out, dring_out, sizeof ring_out, cudaMemcpyDeviceToHost));
  for (int t = 0; t < 64; ++t) {
    float e = 0;
    for (int i = 0; i < tiles; ++i) for (int j = 0; j < 4; ++j) e += ring_in[i * kTile + (t * 4 + j + 4) % kTile];
    EXPECT(ring_out[t] == e);
  }

  const int m = 32; float re[m], im[m]; for (int i = 0; i < m; ++i) { re[i] = 0.37f * i + 0.5f; im[i] = 1.5f - 0.11f * i; }
  float *dre, *dim; cuda::std::complex<float>* dz; unsigned* db;
  CHECK(cudaMalloc(&dre, sizeof re)); CHECK(cudaMalloc(&dim, sizeof im)); CHECK(cudaMalloc(&dz, m * 8)); CHECK(cudaMalloc(&db, m * 20));
  CHECK(cudaMemcpy(dre, re, sizeof re, cudaMemcpyHostToDevice)); CHECK(cudaMemcpy(dim, im, sizeof im, cudaMemcpyHostToDevice));
  complex_bits<<<1, m>>>(dre, dim, dz, db, m);
  float hz[2 * m]; unsigned hb[5 * m];
  CHECK(cudaMemcpy(hz, dz, sizeof hz, cudaMemcpyDeviceToHost)); CHECK(cudaMemcpy(hb, db, sizeof hb, cudaMemcpyDeviceToHost));
  for (int t = 0; t < m; ++t) {
    double a = re[t], b = im[t];
    double rr = a * a - b * b, ri = 2 * a * b;
    double cr = (a * 2 + (-b) * 1) / 5, ci = ((-b) * 2 - a * 1) / 5;
    EXPECT(std::fabs(hz[2 * t] - (rr + cr + re[m - 1])) < 1e-4 * (1 + std::fabs(rr)));
    EXPECT(std::fabs(hz[2 * t + 1] - (ri + ci)) < 1e-4 * (1 + std::fabs(ri)));
    unsigned v = (unsigned)(re[t] * 1000);
    EXPECT(hb[t * 5] == (unsigned)__builtin_popcount(v));
    EXPECT(hb[t * 5 + 1] == (v ? (unsigned)__builtin_clz(v) : 32u));
    unsigned c = 1; while (c < v % 100000 + 1) c <<= 1; EXPECT(hb[t * 5 + 2] == c);
    EXPECT(hb[t * 5 + 3] == ((t % 32) ? (v << (t % 32)) | (v >> (32 - t % 32)) : v));
    EXPECT(hb[t * 5 + 4] == (v ? 32u - __builtin_clz(v) : 0u));
  }
  std::printf("libcudacxx: OK\n");
  return 0;
}
