// CUB block and warp primitives used directly in a kernel (BlockLoad/BlockStore transpose and
// warp-transpose, BlockReduce, BlockScan, BlockRadixSort, BlockHistogram, WarpReduce) and the
// device-wide algorithms (DeviceReduce, DeviceScan, DeviceSelect, DeviceRadixSort with their
// temp-storage queries). Checked against std:: algorithms on the CPU.
#include <cstdio>
#include <vector>
#include <algorithm>
#include <cub/cub.cuh>
#include "check.cuh"

constexpr int TPB = 128, IPT = 4;
__global__ void block_prims(const int* in, int* sum_out, int* scan_out, unsigned* sorted_out, int* hist_out, int* warp_out) {
  using Load = cub::BlockLoad<int, TPB, IPT, cub::BLOCK_LOAD_TRANSPOSE>;
  using LoadW = cub::BlockLoad<unsigned, TPB, IPT, cub::BLOCK_LOAD_WARP_TRANSPOSE>;
  using Store = cub::BlockStore<int, TPB, IPT, cub::BLOCK_STORE_WARP_TRANSPOSE>;
  using StoreU = cub::BlockStore<unsigned, TPB, IPT, cub::BLOCK_STORE_TRANSPOSE>;
  using Reduce = cub::BlockReduce<int, TPB>;
  using ReduceR = cub::BlockReduce<int, TPB, cub::BLOCK_REDUCE_RAKING>;
  using Scan = cub::BlockScan<int, TPB>;
  using Sort = cub::BlockRadixSort<unsigned, TPB, IPT>;
  using Hist = cub::BlockHistogram<unsigned char, TPB, IPT, 64>;
  using WarpR = cub::WarpReduce<int>;
  __shared__ union {
    typename Load::TempStorage load; typename LoadW::TempStorage loadw; typename Store::TempStorage store;
    typename StoreU::TempStorage storeu; typename Reduce::TempStorage reduce; typename ReduceR::TempStorage reducer;
    typename Scan::TempStorage scan; typename Sort::TempStorage sort; typename Hist::TempStorage hist;
    typename WarpR::TempStorage warp[TPB / 32];
  } tmp;
  __shared__ unsigned hist[64];
  const int base = blockIdx.x * TPB * IPT;
  int items[IPT];
  Load(tmp.load).Load(in + base, items);
  __syncthreads();
  int s = Reduce(tmp.reduce).Sum(items);
  __syncthreads();
  int mx = ReduceR(tmp.reducer).Reduce(items[0], cuda::maximum<>());
  __syncthreads();
  if (threadIdx.x == 0) { sum_out[blockIdx.x * 2] = s; sum_out[blockIdx.x * 2 + 1] = mx; }
  int ws = WarpR(tmp.warp[threadIdx.x / 32]).Sum(items[1]);
  if (threadIdx.x % 32 == 0) warp_out[blockIdx.x * 4 + threadIdx.x / 32] = ws;
  __syncthreads();
  int total;
  Scan(tmp.scan).ExclusiveSum(items, items, total);
  __syncthreads();
  Store(tmp.store).Store(scan_out + base, items);
  __syncthreads();
  unsigned keys[IPT];
  LoadW(tmp.loadw).Load(reinterpret_cast<const unsigned*>(in) + base, keys);
  __syncthreads();
  Sort(tmp.sort).Sort(keys);
  __syncthreads();
  StoreU(tmp.storeu).Store(sorted_out + base, keys);
  __syncthreads();
  unsigned char bins[IPT];
  for (int k = 0; k < IPT; ++k) bins[k] = (unsigned char)(keys[k] % 64);
  Hist(tmp.hist).Histogram(bins, hist);
  __syncthreads();
  if (threadIdx.x < 64) hist_out[blockIdx.x * 64 + threadIdx.x] = hist[threadIdx.x];
}

int block_main() {
  const int blocks = 3, per = TPB * IPT, n = blocks * per;
  std::vector<int> h(n);
  for (int i = 0; i < n; ++i) h[i] = (int)((i * 2654435761u) >> 7) % 100000 - 20000;
  int *din, *dsum, *dscan, *dhist, *dwarp; unsigned* dsort;
  CHECK(cudaMalloc(&din, n * 4)); CHECK(cudaMalloc(&dsum, blocks * 8)); CHECK(cudaMalloc(&dscan, n * 4));
  CHECK(cudaMalloc(&dsort, n * 4)); CHECK(cudaMalloc(&dhist, blocks * 64 * 4)); CHECK(cudaMalloc(&dwarp, blocks * 16));
  CHECK(cudaMemcpy(din, h.data(), n * 4, cudaMemcpyHostToDevice));
  block_prims<<<blocks, TPB>>>(din, dsum, dscan, dsort, dhist, dwarp);
  CHECK(cudaGetLastError());
  std::vector<int> sum(blocks * 2), scan(n), hist(blocks * 64), warp(blocks * 4); std::vector<unsigned> sorted(n);
  CHECK(cudaMemcpy(sum.data(), dsum, blocks * 8, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(scan.data(), dscan, n * 4, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(sorted.data(), dsort, n * 4, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(hist.data(), dhist, blocks * 256, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(warp.data(), dwarp, blocks * 16, cudaMemcpyDeviceToHost));
  for (int b = 0; b < blocks; ++b) {
    const int* x = h.data() + b * per;
    int s = 0, mx = INT32_MIN; for (int i = 0; i < per; ++i) s += x[i];
    for (int t = 0; t < TPB; ++t) mx = std::max(mx, x[t * IPT]);  // items[0] of each thread (blocked)
    EXPECT(sum[b * 2] == s); EXPECT(sum[b * 2 + 1] == mx);
    for (int w = 0; w < 4; ++w) { int ws = 0; for (int l = 0; l < 32; ++l) ws += x[(w * 32 + l) * IPT + 1]; EXPECT(warp[b * 4 + w] == ws); }
    int run = 0; for (int i = 0; i < per; ++i) { EXPECT(scan[b * per + i] == run); run += x[i]; }
    std::vector<unsigned> k(reinterpret_cast<const unsigned*>(x), reinterpret_cast<const unsigned*>(x) + per);
    std::sort(k.begin(), k.end());
    for (int i = 0; i < per; ++i) EXPECT(sorted[b * per + i] == k[i]);
    int hh[64] = {0}; for (unsigned v : k) hh[v % 64]++;
    for (int i = 0; i < 64; ++i) EXPECT(hist[b * 64 + i] == hh[i]);
  }
  return 0;
}
struct IsOdd { __host__ __device__ bool operator()(int x) const { return x & 1; } };
int device_main() {
  const int n = 5000;
  std::vector<int> h(n); std::vector<unsigned> keys(n);
  for (int i = 0; i < n; ++i) { h[i] = (int)((i * 2654435761u) % 2001) - 1000; keys[i] = (i * 2654435761u) ^ (i << 3); }
  int *din, *dout, *dsel, *dnum; unsigned *dk, *dk2; int *dv, *dv2;
  CHECK(cudaMalloc(&din, n * 4)); CHECK(cudaMalloc(&dout, n * 4)); CHECK(cudaMalloc(&dsel, n * 4)); CHECK(cudaMalloc(&dnum, 4));
  CHECK(cudaMalloc(&dk, n * 4)); CHECK(cudaMalloc(&dk2, n * 4)); CHECK(cudaMalloc(&dv, n * 4)); CHECK(cudaMalloc(&dv2, n * 4));
  CHECK(cudaMemcpy(din, h.data(), n * 4, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(dk, keys.data(), n * 4, cudaMemcpyHostToDevice));
  std::vector<int> idx(n); for (int i = 0; i < n; ++i) idx[i] = i;
  CHECK(cudaMemcpy(dv, idx.data(), n * 4, cudaMemcpyHostToDevice));
  void* tmp = nullptr; size_t bytes = 0, need;
  auto ensure = [&](size_t b) { if (b > bytes) { if (tmp) CHECK(cudaFree(tmp)); CHECK(cudaMalloc(&tmp, b)); bytes = b; } };
  need = 0; CHECK(cub::DeviceReduce::Sum(nullptr, need, din, dnum, n)); ensure(need);
  CHECK(cub::DeviceReduce::Sum(tmp, need, din, dnum, n));
  int sum; CHECK(cudaMemcpy(&sum, dnum, 4, cudaMemcpyDeviceToHost));
  long long ref = 0; for (int v : h) ref += v; EXPECT(sum == (int)ref);
  need = 0; CHECK(cub::DeviceScan::InclusiveSum(nullptr, need, din, dout, n)); ensure(need);
  CHECK(cub::DeviceScan::InclusiveSum(tmp, need, din, dout, n));
  std::vector<int> out(n); CHECK(cudaMemcpy(out.data(), dout, n * 4, cudaMemcpyDeviceToHost));
  int run = 0; for (int i = 0; i < n; ++i) { run += h[i]; EXPECT(out[i] == run); }
  need = 0; CHECK(cub::DeviceSelect::If(nullptr, need, din, dsel, dnum, n, IsOdd())); ensure(need);
  CHECK(cub::DeviceSelect::If(tmp, need, din, dsel, dnum, n, IsOdd()));
  int num; CHECK(cudaMemcpy(&num, dnum, 4, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(out.data(), dsel, n * 4, cudaMemcpyDeviceToHost));
  int j = 0; for (int i = 0; i < n; ++i) if (h[i] & 1) { EXPECT(out[j] == h[i]); ++j; } EXPECT(num == j);
  need = 0; CHECK(cub::DeviceRadixSort::SortPairs(nullptr, need, dk, dk2, dv, dv2, n)); ensure(need);
  CHECK(cub::DeviceRadixSort::SortPairs(tmp, need, dk, dk2, dv, dv2, n));
  std::vector<unsigned> sk(n); std::vector<int> sv(n);
  CHECK(cudaMemcpy(sk.data(), dk2, n * 4, cudaMemcpyDeviceToHost)); CHECK(cudaMemcpy(sv.data(), dv2, n * 4, cudaMemcpyDeviceToHost));
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return keys[a] < keys[b]; });
  for (int i = 0; i < n; ++i) { EXPECT(sk[i] == keys[idx[i]]); EXPECT(sv[i] == idx[i]); }

  return 0;
}
int main() {
  block_main();
  device_main();
  std::printf("cub_primitives: OK\n");
  return 0;
}
