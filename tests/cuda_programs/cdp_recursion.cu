// Dynamic parallelism (CDP2), nested launches checked against CPU code:
//  - a recursive quicksort: each grid partitions its range and launches one grid per half
//    (the NULL stream and fire-and-forget), down to depth >= 3, then insertion sort;
//  - a recursive tree sum: each node launches a grid per half and a combining grid into
//    cudaStreamTailLaunch, which may read the halves only because a tail launch runs after
//    the launching grid and all of its children (and theirs) have completed.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "check.cuh"

constexpr int kSortLeaf = 32;
constexpr int kMaxSortDepth = 12;
constexpr int kSumLeaf = 256;

__device__ int max_sort_depth;
__device__ int max_sum_depth;

__device__ void insertion_sort(int* a, int lo, int hi) {
  for (int i = lo + 1; i <= hi; ++i) {
    const int v = a[i];
    int j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      --j;
    }
    a[j + 1] = v;
  }
}

__global__ void quicksort(int* a, int lo, int hi, int depth) {
  if (threadIdx.x != 0) return;
  atomicMax(&max_sort_depth, depth);
  if (hi - lo < kSortLeaf || depth >= kMaxSortDepth) {
    insertion_sort(a, lo, hi);
    return;
  }
  const int pivot = a[(lo + hi) / 2];
  int i = lo, j = hi;
  while (i <= j) {  // Hoare partition around the middle value
    while (a[i] < pivot) ++i;
    while (a[j] > pivot) --j;
    if (i <= j) {
      const int t = a[i];
      a[i] = a[j];
      a[j] = t;
      ++i;
      --j;
    }
  }
  if (lo < j) quicksort<<<1, 32>>>(a, lo, j, depth + 1);
  if (i < hi) quicksort<<<1, 32, 0, cudaStreamFireAndForget>>>(a, i, hi, depth + 1);
}

__global__ void combine(long long* partial, int node) {
  partial[node] = partial[2 * node + 1] + partial[2 * node + 2];
}

__global__ void tree_sum(const int* data, long long* partial, int node, int lo, int hi, int depth) {
  if (hi - lo <= kSumLeaf) {  // a leaf: one block reduces its range
    __shared__ long long sums[256];
    long long s = 0;
    for (int i = lo + threadIdx.x; i < hi; i += blockDim.x) s += data[i];
    sums[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w /= 2) {
      if (threadIdx.x < w) sums[threadIdx.x] += sums[threadIdx.x + w];
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      partial[node] = sums[0];
      atomicMax(&max_sum_depth, depth);
    }
    return;
  }
  if (threadIdx.x == 0) {
    const int mid = lo + (hi - lo) / 2;
    tree_sum<<<1, 256>>>(data, partial, 2 * node + 1, lo, mid, depth + 1);
    tree_sum<<<1, 256>>>(data, partial, 2 * node + 2, mid, hi, depth + 1);
    combine<<<1, 1, 0, cudaStreamTailLaunch>>>(partial, node);
  }
}

int main() {
  const int n = 3000;
  std::vector<int> h(n);
  unsigned x = 12345;
  for (int& v : h) {
    x = x * 1103515245u + 12345u;
    v = static_cast<int>((x >> 8) % 100000) - 50000;
  }
  int* d = nullptr;
  CHECK(cudaMalloc(&d, n * sizeof(int)));
  CHECK(cudaMemcpy(d, h.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  quicksort<<<1, 32>>>(d, 0, n - 1, 0);
  CHECK(cudaGetLastError());
  CHECK(cudaDeviceSynchronize());
  std::vector<int> sorted(n);
  CHECK(cudaMemcpy(sorted.data(), d, n * sizeof(int), cudaMemcpyDeviceToHost));
  std::vector<int> expect = h;
  std::sort(expect.begin(), expect.end());
  EXPECT(sorted == expect);
  int sort_depth = 0;
  CHECK(cudaMemcpyFromSymbol(&sort_depth, max_sort_depth, sizeof(int)));
  EXPECT(sort_depth >= 3);

  const int m = 5000;  // 5000 / 256 -> leaves at depth 5
  std::vector<int> data(m);
  long long expect_sum = 0;
  for (int i = 0; i < m; ++i) {
    data[i] = (i * 7919) % 1000 - 300;
    expect_sum += data[i];
  }
  int* dd = nullptr;
  long long* partial = nullptr;
  const int nodes = 256;
  CHECK(cudaMalloc(&dd, m * sizeof(int)));
  CHECK(cudaMalloc(&partial, nodes * sizeof(long long)));
  CHECK(cudaMemset(partial, 0xff, nodes * sizeof(long long)));
  CHECK(cudaMemcpy(dd, data.data(), m * sizeof(int), cudaMemcpyHostToDevice));
  tree_sum<<<1, 256>>>(dd, partial, 0, 0, m, 0);
  CHECK(cudaDeviceSynchronize());
  long long sum = 0;
  CHECK(cudaMemcpy(&sum, partial, sizeof sum, cudaMemcpyDeviceToHost));
  int sum_depth = 0;
  CHECK(cudaMemcpyFromSymbol(&sum_depth, max_sum_depth, sizeof(int)));
  EXPECT(sum == expect_sum);
  EXPECT(sum_depth == 5);
  std::printf("cdp_recursion: quicksort of %d to depth %d, tree sum %lld to depth %d: OK\n", n, sort_depth, sum,
              sum_depth);
  return 0;
}
