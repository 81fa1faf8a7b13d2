// 16-bit atomics: atomicCAS on unsigned short (atom.cas.b16) and atomicAdd on __half,
// __nv_bfloat16 and their pairs (atom.add.noftz.{f16,bf16,f16x2,bf16x2}), against CPU references.
// Many-thread sums use values whose partial sums are exact in the format (whatever the order), so the result does not
// depend on the order the atomics happen in; single-thread adds check rounding to nearest even.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <vector>
#include "check.cuh"

__global__ void claim_slots(unsigned short* slots, int nslots, int* winners) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  const unsigned short old = atomicCAS(slots + i % nslots, (unsigned short)0, (unsigned short)(i + 1));
  if (old == 0) atomicAdd(winners, 1);
}

// A 16-bit counter in the upper half of a word next to an untouched neighbour.
__global__ void cas_increment(unsigned short* counter, int rounds) {
  for (int r = 0; r < rounds; ++r) {
    unsigned short seen = *(volatile unsigned short*)counter, prev;
    while ((prev = atomicCAS(counter, seen, (unsigned short)(seen + 1))) != seen) seen = prev;
  }
}

__global__ void half_sums(__half* h, __nv_bfloat16* bf, __half2* h2, __nv_bfloat162* bf2) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  atomicAdd(h, __float2half(0.5f));
  atomicAdd(h2, __halves2half2(__float2half(0.25f), __float2half(-1.0f)));
  if (i >= 128) return;  // bf16 holds 8 significant bits: these 128 partial sums stay exact
  atomicAdd(bf, __float2bfloat16(i % 2 ? 1.5f : 0.5f));
  atomicAdd(bf2, __halves2bfloat162(__float2bfloat16(2.0f), __float2bfloat16(0.125f)));
}

__global__ void half_rounding(__half* h, __nv_bfloat16* bf, __half* old_h) {
  *old_h = atomicAdd(h, __float2half(1.0f));          // 2049 -> 2048 (tie, even)
  atomicAdd(h + 1, __float2half(1.0f));               // 2051 -> 2052 (tie, even)
  atomicAdd(h + 2, __float2half(0x1p-24f));           // smallest subnormal + itself, kept (noftz)
  atomicAdd(bf, __float2bfloat16(1.0f));              // 257 -> 256 (bf16 has 8 significant bits)
  atomicAdd(bf + 1, __float2bfloat16(3.0f));          // 259 -> 260
}

int main() {
  const int threads = 4096, nslots = 100;
  unsigned short* slots;
  int* winners;
  CHECK(cudaMalloc(&slots, nslots * sizeof(unsigned short)));
  CHECK(cudaMalloc(&winners, sizeof(int)));
  CHECK(cudaMemset(slots, 0, nslots * sizeof(unsigned short)));
  CHECK(cudaMemset(winners, 0, sizeof(int)));
  claim_slots<<<threads / 256, 256>>>(slots, nslots, winners);
  CHECK(cudaGetLastError());
  std::vector<unsigned short> got(nslots);
  int won = 0;
  CHECK(cudaMemcpy(got.data(), slots, nslots * sizeof(unsigned short), cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(&won, winners, sizeof(int), cudaMemcpyDeviceToHost));
  EXPECT(won == nslots);
  for (int s = 0; s < nslots; ++s) EXPECT(got[s] != 0 && (got[s] - 1) % nslots == s);

  unsigned short* pair;
  CHECK(cudaMalloc(&pair, 2 * sizeof(unsigned short)));
  const unsigned short init[2] = {0xbeef, 7};
  CHECK(cudaMemcpy(pair, init, sizeof init, cudaMemcpyHostToDevice));
  cas_increment<<<2, 64>>>(pair + 1, 4);  // 128 threads x 4 = 512 contended increments
  CHECK(cudaGetLastError());
  unsigned short back[2];
  CHECK(cudaMemcpy(back, pair, sizeof back, cudaMemcpyDeviceToHost));
  EXPECT(back[0] == 0xbeef);
  EXPECT(back[1] == 7 + 512);
  std::printf("atomicCAS(unsigned short): %d slots claimed once, counter %u\n", won, back[1]);

  __half* h;
  __nv_bfloat16* bf;
  __half2* h2;
  __nv_bfloat162* bf2;
  CHECK(cudaMalloc(&h, 4 * sizeof(__half)));
  CHECK(cudaMalloc(&bf, 4 * sizeof(__nv_bfloat16)));
  CHECK(cudaMalloc(&h2, sizeof(__half2)));
  CHECK(cudaMalloc(&bf2, sizeof(__nv_bfloat162)));
  CHECK(cudaMemset(h, 0, 4 * sizeof(__half)));
  CHECK(cudaMemset(bf, 0, 4 * sizeof(__nv_bfloat16)));
  CHECK(cudaMemset(h2, 0, sizeof(__half2)));
  CHECK(cudaMemset(bf2, 0, sizeof(__nv_bfloat162)));
  half_sums<<<2, 256>>>(h, bf, h2, bf2);  // 512 threads
  CHECK(cudaGetLastError());
  __half hh;
  __nv_bfloat16 hb;
  __half2 hh2;
  __nv_bfloat162 hb2;
  CHECK(cudaMemcpy(&hh, h, sizeof hh, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(&hb, bf, sizeof hb, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(&hh2, h2, sizeof hh2, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(&hb2, bf2, sizeof hb2, cudaMemcpyDeviceToHost));
  EXPECT(__half2float(hh) == 256.0f);                                   // 512 x 0.5
  EXPECT(__bfloat162float(hb) == 128.0f);                               // 64 x 1.5 + 64 x 0.5
  EXPECT(__half2float(__low2half(hh2)) == 128.0f && __half2float(__high2half(hh2)) == -512.0f);
  EXPECT(__bfloat162float(__low2bfloat16(hb2)) == 256.0f && __bfloat162float(__high2bfloat16(hb2)) == 16.0f);
  std::printf("atomicAdd(half, bfloat16, half2, bfloat162): 512-thread sums exact\n");

  const __half hinit[3] = {__float2half(2048.0f), __float2half(2050.0f), __ushort_as_half(1)};
  const __nv_bfloat16 binit[2] = {__float2bfloat16(256.0f), __float2bfloat16(256.0f)};
  __half* old_h;
  CHECK(cudaMalloc(&old_h, sizeof(__half)));
  CHECK(cudaMemcpy(h, hinit, sizeof hinit, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(bf, binit, sizeof binit, cudaMemcpyHostToDevice));
  half_rounding<<<1, 1>>>(h, bf, old_h);
  CHECK(cudaGetLastError());
  __half hr[3], ho;
  __nv_bfloat16 br[2];
  CHECK(cudaMemcpy(hr, h, sizeof hr, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(br, bf, sizeof br, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(&ho, old_h, sizeof ho, cudaMemcpyDeviceToHost));
  EXPECT(__half2float(ho) == 2048.0f);
  EXPECT(__half2float(hr[0]) == 2048.0f);
  EXPECT(__half2float(hr[1]) == 2052.0f);
  EXPECT(__half_as_ushort(hr[2]) == 2);
  EXPECT(__bfloat162float(br[0]) == 256.0f);
  EXPECT(__bfloat162float(br[1]) == 260.0f);
  std::printf("16-bit atomic adds round to nearest even, subnormals kept\nOK\n");
  return 0;
}
