// Warp-level intrinsics: shuffles with width < 32, __match_any/all_sync, __reduce_*_sync,
// __activemask and a partial-mask __syncwarp inside a divergent branch, __nanosleep, ballots; and the
// classic volatile-shared-memory warp-unrolled reduction. Checked against CPU computations.
#include <cstdio>
#include <cstdint>
#include "check.cuh"

// Warp-level intrinsics: shuffles with width < 32, match, redux, activemask in divergence,
// partial-mask syncwarp, nanosleep; classic volatile warp-unrolled reduction.
__global__ void warp_ops(const int* in, int* out) {
  int lane = threadIdx.x & 31;
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  int v = in[t];
  int* o = out + t * 16;
  o[0] = __shfl_sync(0xffffffff, v, 3, 8);
  o[1] = __shfl_up_sync(0xffffffff, v, 2, 16);
  o[2] = __shfl_down_sync(0xffffffff, v, 3, 4);
  o[3] = __shfl_xor_sync(0xffffffff, v, 5, 8);
  o[4] = (int)__match_any_sync(0xffffffff, v & 7);
  int pred = 0;
  o[5] = (int)__match_all_sync(0xffffffff, v & 0, &pred);
  o[6] = pred;
  o[7] = __reduce_add_sync(0xffffffff, v);
  o[8] = __reduce_min_sync(0xffffffff, v);
  o[9] = (int)__reduce_max_sync(0xffffffff, (unsigned)v);
  o[10] = (int)__reduce_xor_sync(0xffffffff, (unsigned)v);
  if (lane % 3 == 0) {
    unsigned m = __activemask();
    o[11] = (int)m;
    o[12] = __reduce_or_sync(m, (unsigned)v);
    __syncwarp(m);
    int p2 = 0;
    o[13] = (int)__match_all_sync(m, lane < 16 ? 1 : 2, &p2);
    o[14] = p2;
  } else {
    __nanosleep(100);
    o[11] = __shfl_sync(0xffffffff & ~0x49249249u, v, 1);  // lanes not multiple of 3
    o[12] = o[13] = o[14] = 0;
  }
  o[15] = __ballot_sync(0xffffffff, v > 0) ^ (__any_sync(0xffffffff, v == 1234567) << 1) ^ __all_sync(0xffffffff, v != 0);
}

template <unsigned block>
__device__ void warp_reduce(volatile int* s, int tid) {
  if (block >= 64) s[tid] += s[tid + 32];
  if (block >= 32) s[tid] += s[tid + 16];
  if (block >= 16) s[tid] += s[tid + 8];
  if (block >= 8) s[tid] += s[tid + 4];
  if (block >= 4) s[tid] += s[tid + 2];
  if (block >= 2) s[tid] += s[tid + 1];
}
template <unsigned block>
__global__ void reduce_volatile(const int* in, int* out) {
  __shared__ int s[block];
  int tid = threadIdx.x;
  s[tid] = in[blockIdx.x * block + tid];
  __syncthreads();
  for (unsigned k = block / 2; k > 32; k >>= 1) {
    if (tid < k) s[tid] += s[tid + k];
    __syncthreads();
  }
  if (tid < 32) warp_reduce<block>(s, tid);
  if (tid == 0) out[blockIdx.x] = s[0];
}

int main() {
  const int n = 128;
  int h[n];
  for (int i = 0; i < n; ++i) h[i] = (i * 2654435761u) % 1000 - 300;
  int *din, *dout;
  CHECK(cudaMalloc(&din, 4096 * 4)); CHECK(cudaMalloc(&dout, n * 16 * 4));
  CHECK(cudaMemcpy(din, h, sizeof h, cudaMemcpyHostToDevice));
  warp_ops<<<2, 64>>>(din, dout);
  CHECK(cudaGetLastError());
  static int o[n * 16];
  CHECK(cudaMemcpy(o, dout, sizeof o, cudaMemcpyDeviceToHost));
  int bad = 0;
  for (int t = 0; t < n; ++t) {
    int lane = t & 31, w = t & ~31;
    int e[16];
    e[0] = h[w + (lane & ~7) + 3];
    e[1] = (lane % 16) >= 2 ? h[t - 2] : h[t];
    e[2] = (lane % 4) + 3 < 4 ? h[t + 3] : h[t];
    e[3] = h[w + ((lane ^ 5) & 7) + (lane & ~7)];
    unsigned m = 0; for (int l = 0; l < 32; ++l) if ((h[w + l] & 7) == (h[t] & 7)) m |= 1u << l; e[4] = (int)m;
    e[5] = -1; e[6] = 1;
    int sum = 0, mn = INT32_MAX; unsigned mx = 0, x = 0, bal = 0; bool any = false, all = true;
    for (int l = 0; l < 32; ++l) { int v = h[w + l]; sum += v; mn = v < mn ? v : mn; mx = (unsigned)v > mx ? (unsigned)v : mx; x ^= v; if (v > 0) bal |= 1u << l; any |= v == 1234567; all &= v != 0; }
    e[7] = sum; e[8] = mn; e[9] = (int)mx; e[10] = (int)x;
    if (lane % 3 == 0) {
      unsigned am = 0, orv = 0; for (int l = 0; l < 32; l += 3) { am |= 1u << l; orv |= h[w + l]; }
      e[11] = (int)am; e[12] = (int)orv; e[13] = 0; e[14] = 0;
    } else {
      e[11] = h[w + 1]; e[12] = e[13] = e[14] = 0;
    }
    e[15] = (int)(bal ^ (any << 1) ^ all);
    for (int k = 0; k < 16; ++k) if (o[t * 16 + k] != e[k]) { if (bad++ < 20) std::fprintf(stderr, "t=%d op %d: got %d want %d\n", t, k, o[t*16+k], e[k]); }
  }
  EXPECT(bad == 0);
  // volatile reduction (no __syncwarp: relies on lock-step warps, which the simulator must honour for a warp)
  static int big[4096]; long long ref[16] = {0};
  for (int i = 0; i < 4096; ++i) { big[i] = (i * 7919) % 211 - 100; ref[i / 256] += big[i]; }
  CHECK(cudaMemcpy(din, big, sizeof big, cudaMemcpyHostToDevice));
  reduce_volatile<256><<<16, 256>>>(din, dout);
  int r[16]; CHECK(cudaMemcpy(r, dout, sizeof r, cudaMemcpyDeviceToHost));
  for (int b = 0; b < 16; ++b) EXPECT(r[b] == ref[b]);
  std::printf("warp_intrinsics: OK\n");
  return 0;
}
