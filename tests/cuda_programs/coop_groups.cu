// cooperative_groups in ordinary kernels: static and dynamic tiles (32/16/8/4) with shuffles,
// votes and match, cg::reduce / inclusive_scan / exclusive_scan, coalesced_threads() inside a
// divergent branch, labeled_partition and binary_partition, and cg::memcpy_async + cg::wait.
// Several tiles of one warp run the same vote/redux with different member masks, each tile's
// result must come from its own lanes. Tiles larger than a warp (tiled_partition<64>, <128>)
// keep their scratch in the shared memory the driver reserves per block (%reserved_smem_offset_1).
// Every result is checked against a CPU computation.
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <cooperative_groups/scan.h>
#include <cooperative_groups/memcpy_async.h>
#include "check.cuh"
namespace cg = cooperative_groups;

// out layout per thread: 16 ints
__global__ void coop(const int* in, int* out) {
  cg::thread_block block = cg::this_thread_block();
  int t = block.thread_rank() + blockIdx.x * blockDim.x;
  int v = in[t];
  int* o = out + t * 16;
  auto t32 = cg::tiled_partition<32>(block);
  auto t16 = cg::tiled_partition<16>(block);
  auto t8 = cg::tiled_partition<8>(block);
  auto t4 = cg::tiled_partition<4>(t8);
  o[0] = cg::reduce(t32, v, cg::plus<int>());
  o[1] = cg::reduce(t16, v, cg::greater<int>());
  o[2] = cg::inclusive_scan(t8, v);
  o[3] = cg::exclusive_scan(t4, v, cg::bit_xor<int>());
  int s = v; for (int d = t8.size() / 2; d > 0; d /= 2) s += t8.shfl_down(s, d);
  o[4] = t8.thread_rank() == 0 ? s : -1;
  o[5] = (int)t16.ballot(v & 1) * 100 + t16.any(v == 7) * 10 + t4.all(v >= -300);
  o[6] = t4.meta_group_rank() * 1000 + t4.meta_group_size();
  cg::thread_group dyn = cg::tiled_partition(block, 16);
  o[7] = dyn.thread_rank() + 100 * (int)dyn.size();
  if (v & 1) {
    cg::coalesced_group odd = cg::coalesced_threads();
    o[8] = odd.thread_rank() * 100 + (int)odd.size();
    o[9] = cg::reduce(odd, v, cg::plus<int>());
    o[10] = odd.shfl(v, 0);
    o[11] = cg::exclusive_scan(odd, 1);
  } else {
    o[8] = o[9] = o[10] = o[11] = -7;
  }
  auto lab = cg::labeled_partition(t32, (v % 5 + 5) % 5);
  o[12] = cg::reduce(lab, 1, cg::plus<int>()) * 100 + lab.thread_rank();
  auto bin = cg::binary_partition(t32, v > 0);
  o[13] = cg::reduce(bin, v, cg::plus<int>());
  o[14] = t32.match_any(v & 3);
  o[15] = t16.shfl_xor(v, 3);
}

__global__ void memcpy_kernel(const float* in, float* out, int n) {
  extern __shared__ float buf[];
  cg::thread_block block = cg::this_thread_block();
  cg::memcpy_async(block, buf, in + blockIdx.x * n, sizeof(float) * n);
  cg::wait(block);
  auto tile = cg::tiled_partition<32>(block);
  float acc = 0;
  for (int i = block.thread_rank(); i < n; i += block.size()) acc += buf[n - 1 - i] * 2.0f;
  acc = cg::reduce(tile, acc, cg::plus<float>());
  if (tile.thread_rank() == 0) atomicAdd(out + blockIdx.x, acc);
}

// Tiles of 64 and 128 threads: cg::reduce and a broadcast across warps go through the reserved
// shared memory.
__global__ void big_tiles(const int* in, int* out) {
  cg::thread_block block = cg::this_thread_block();
  auto t64 = cg::tiled_partition<64>(block);
  auto t128 = cg::tiled_partition<128>(block);
  const int v = in[blockIdx.x * blockDim.x + threadIdx.x];
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  out[3 * i] = cg::reduce(t64, v, cg::plus<int>());
  out[3 * i + 1] = cg::reduce(t128, v, cg::greater<int>());
  out[3 * i + 2] = t64.shfl(v, 37);  // a tile larger than a warp shuffles a broadcast only
}

int main() {
  const int n = 128;
  int h[n];
  for (int i = 0; i < n; ++i) h[i] = (int)((i * 2654435761u) % 601) - 300;
  h[5] = 7;
  int *din, *dout;
  CHECK(cudaMalloc(&din, sizeof h)); CHECK(cudaMalloc(&dout, n * 16 * 4));
  CHECK(cudaMemcpy(din, h, sizeof h, cudaMemcpyHostToDevice));
  coop<<<2, 64>>>(din, dout);
  CHECK(cudaGetLastError());
  static int o[n * 16];
  CHECK(cudaMemcpy(o, dout, sizeof o, cudaMemcpyDeviceToHost));
  int bad = 0;
  for (int t = 0; t < n; ++t) {
    int e[16];
    int b = t & ~63, r = t - b;
    auto base = [&](int sz) { return b + (r / sz) * sz; };
    int s = 0; for (int k = 0; k < 32; ++k) s += h[base(32) + k]; e[0] = s;
    int mx = INT32_MIN; for (int k = 0; k < 16; ++k) mx = std::max(mx, h[base(16) + k]); e[1] = mx;
    s = 0; for (int k = base(8); k <= t; ++k) s += h[k]; e[2] = s;
    s = 0; for (int k = base(4); k < t; ++k) s ^= h[k]; e[3] = s;
    s = 0; for (int k = 0; k < 8; ++k) s += h[base(8) + k]; e[4] = (t % 8 == 0) ? s : -1;
    unsigned bal = 0; bool any = false, all = true;
    for (int k = 0; k < 16; ++k) { if (h[base(16) + k] & 1) bal |= 1u << k; any |= h[base(16) + k] == 7; }
    for (int k = 0; k < 4; ++k) all &= h[base(4) + k] >= -300;
    e[5] = (int)bal * 100 + any * 10 + all;
    e[6] = ((r % 8) / 4) * 1000 + 2;
    e[7] = (r % 16) + 1600;
    int w = b + (r / 32) * 32;
    if (h[t] & 1) {
      int rank = 0, cnt = 0, sum = 0, first = 0; bool got = false;
      for (int k = 0; k < 32; ++k) if (h[w + k] & 1) { if (w + k < t) ++rank; ++cnt; sum += h[w + k]; if (!got) { first = h[w + k]; got = true; } }
      e[8] = rank * 100 + cnt; e[9] = sum; e[10] = first; e[11] = rank;
    } else e[8] = e[9] = e[10] = e[11] = -7;
    int lbl = (h[t] % 5 + 5) % 5, cnt = 0, rank = 0;
    for (int k = 0; k < 32; ++k) if ((h[w + k] % 5 + 5) % 5 == lbl) { ++cnt; if (w + k < t) ++rank; }
    e[12] = cnt * 100 + rank;
    s = 0; for (int k = 0; k < 32; ++k) if ((h[w + k] > 0) == (h[t] > 0)) s += h[w + k]; e[13] = s;
    unsigned m = 0; for (int k = 0; k < 32; ++k) if ((h[w + k] & 3) == (h[t] & 3)) m |= 1u << k; e[14] = (int)m;
    e[15] = h[base(16) + ((t - base(16)) ^ 3)];
    for (int k = 0; k < 16; ++k) if (o[t * 16 + k] != e[k]) { if (bad++ < 20) std::fprintf(stderr, "t=%d op %d: got %d want %d\n", t, k, o[t*16+k], e[k]); }
  }
  EXPECT(bad == 0);
  const int m = 1000, blocks = 3;
  static float hf[m * blocks];
  for (int i = 0; i < m * blocks; ++i) hf[i] = (float)(i % 13) * 0.25f;
  float *fin, *fout;
  CHECK(cudaMalloc(&fin, sizeof hf)); CHECK(cudaMalloc(&fout, blocks * 4)); CHECK(cudaMemset(fout, 0, blocks * 4));
  CHECK(cudaMemcpy(fin, hf, sizeof hf, cudaMemcpyHostToDevice));
  memcpy_kernel<<<blocks, 96, m * sizeof(float)>>>(fin, fout, m);
  float r[blocks]; CHECK(cudaMemcpy(r, fout, sizeof r, cudaMemcpyDeviceToHost));
  for (int b2 = 0; b2 < blocks; ++b2) { double s = 0; for (int i = 0; i < m; ++i) s += hf[b2 * m + i] * 2.0; EXPECT(r[b2] == (float)s); }
  {
    const int blocks2 = 2, threads = 256, total = blocks2 * threads;
    static int hin[total], hout[total * 3];
    for (int i = 0; i < total; ++i) hin[i] = (int)((i * 2246822519u) % 1009) - 500;
    int *bin, *bout;
    CHECK(cudaMalloc(&bin, sizeof hin)); CHECK(cudaMalloc(&bout, sizeof hout));
    CHECK(cudaMemcpy(bin, hin, sizeof hin, cudaMemcpyHostToDevice));
    big_tiles<<<blocks2, threads>>>(bin, bout);
    CHECK(cudaGetLastError());
    CHECK(cudaMemcpy(hout, bout, sizeof hout, cudaMemcpyDeviceToHost));
    int wrong = 0;
    for (int i = 0; i < total; ++i) {
      const int b64 = i / 64 * 64, b128 = i / 128 * 128;
      int s = 0, mx = INT32_MIN;
      for (int k = 0; k < 64; ++k) s += hin[b64 + k];
      for (int k = 0; k < 128; ++k) mx = std::max(mx, hin[b128 + k]);
      const int want[3] = {s, mx, hin[b64 + 37]};
      for (int k = 0; k < 3; ++k)
        if (hout[3 * i + k] != want[k] && wrong++ < 10)
          std::fprintf(stderr, "big tile t=%d op %d: got %d want %d\n", i, k, hout[3 * i + k], want[k]);
    }
    EXPECT(wrong == 0);
  }
  std::printf("coop_groups: OK\n");
  return 0;
}
