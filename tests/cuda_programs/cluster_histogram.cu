// A cluster-wide histogram the way Hopper code uses distributed shared memory: the bins are split
// over the CTAs of a thread-block cluster, each CTA holding its slice in shared memory; every
// thread adds its elements straight into the owning CTA's slice through
// cooperative_groups::this_cluster().map_shared_rank (mapa + a shared::cluster atomic), with
// cluster.sync() (barrier.cluster) before the slices are used and before they are read out.
// Launched with cudaLaunchKernelEx and a cluster-dimension attribute at several sizes and
// cluster shapes; every histogram is compared with a CPU count. Prints "OK" on success.
#include <cooperative_groups.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "check.cuh"

namespace cg = cooperative_groups;

__global__ void cluster_histogram(const int* values, int n, int* bins, int nbins) {
  extern __shared__ int slice[];
  cg::cluster_group cluster = cg::this_cluster();
  const int per_cta = (nbins + int(cluster.num_blocks()) - 1) / int(cluster.num_blocks());
  for (int i = threadIdx.x; i < per_cta; i += blockDim.x) slice[i] = 0;
  cluster.sync();  // every slice of the cluster is zeroed before anybody adds to it

  const int stride = gridDim.x * blockDim.x;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    int v = values[i];
    v = v < 0 ? 0 : (v >= nbins ? nbins - 1 : v);
    int* owner = cluster.map_shared_rank(slice, unsigned(v / per_cta));
    atomicAdd(owner + v % per_cta, 1);
  }
  cluster.sync();  // all adds into this CTA's slice have landed (and no peer exits early)

  const int first = int(cluster.block_rank()) * per_cta;
  for (int i = threadIdx.x; i < per_cta && first + i < nbins; i += blockDim.x)
    if (slice[i]) atomicAdd(&bins[first + i], slice[i]);
}

// A compile-time cluster shape (__cluster_dims__, PTX .reqnctapercluster): launched without a
// cluster attribute, it runs in pairs all the same.
__global__ void __cluster_dims__(2, 1, 1) fixed_pairs(int* rank) {
  if (threadIdx.x == 0) rank[blockIdx.x] = int(cg::this_cluster().block_rank());
}

// No compile-time shape: cudaFuncSetAttribute(cudaFuncAttributeRequiredCluster*) sets one at run
// time, which launches without a cluster attribute then run with.
__global__ void run_time_triples(int* rank) {
  if (threadIdx.x == 0) rank[blockIdx.x] = int(cg::this_cluster().block_rank());
}

struct Case {
  int n, nbins, cluster, clusters, threads;
};

bool run(const Case& c) {
  std::vector<int> values(size_t(c.n));
  uint32_t state = 12345u + uint32_t(c.n);
  for (int& v : values) {
    state = state * 1664525u + 1013904223u;  // LCG; the top bits pick the bin, a few out of range
    v = int(state >> 8) % (c.nbins + 8) - 4;
  }
  std::vector<int> expect(size_t(c.nbins), 0);
  for (int v : values) expect[size_t(v < 0 ? 0 : (v >= c.nbins ? c.nbins - 1 : v))] += 1;

  int *d_values = nullptr, *d_bins = nullptr;
  CHECK(cudaMalloc(&d_values, values.size() * sizeof(int)));
  CHECK(cudaMalloc(&d_bins, size_t(c.nbins) * sizeof(int)));
  CHECK(cudaMemcpy(d_values, values.data(), values.size() * sizeof(int), cudaMemcpyHostToDevice));
  CHECK(cudaMemset(d_bins, 0, size_t(c.nbins) * sizeof(int)));

  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(unsigned(c.cluster * c.clusters), 1, 1);
  config.blockDim = dim3(unsigned(c.threads), 1, 1);
  config.dynamicSmemBytes = size_t((c.nbins + c.cluster - 1) / c.cluster) * sizeof(int);
  cudaLaunchAttribute attribute[1];
  attribute[0].id = cudaLaunchAttributeClusterDimension;
  attribute[0].val.clusterDim.x = unsigned(c.cluster);
  attribute[0].val.clusterDim.y = 1;
  attribute[0].val.clusterDim.z = 1;
  config.attrs = attribute;
  config.numAttrs = 1;
  // How many such clusters the chip holds at once (0 where the simulated chip has no clusters).
  int resident = 0;
  CHECK(cudaOccupancyMaxActiveClusters(&resident, cluster_histogram, &config));
  std::printf("cudaOccupancyMaxActiveClusters(cluster of %d, %d threads): %d\n", c.cluster, c.threads, resident);
  // The kernel's time on stderr (stdout stays comparable between a GPU and gpusim exec): measured
  // on a card, simulated under gpusim exec --mode timing (scripts/compare_programs.sh --hopper).
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  CHECK(cudaEventRecord(start));
  CHECK(cudaLaunchKernelEx(&config, cluster_histogram, static_cast<const int*>(d_values), c.n, d_bins, c.nbins));
  CHECK(cudaEventRecord(stop));
  CHECK(cudaDeviceSynchronize());
  float ms = 0;
  CHECK(cudaEventElapsedTime(&ms, start, stop));
  std::fprintf(stderr, "cluster_histogram kernel, %d clusters of %d CTAs: %.3f us (CUDA events)\n", c.clusters, c.cluster,
               double(ms) * 1e3);
  CHECK(cudaEventDestroy(start));
  CHECK(cudaEventDestroy(stop));

  std::vector<int> got(size_t(c.nbins));
  CHECK(cudaMemcpy(got.data(), d_bins, got.size() * sizeof(int), cudaMemcpyDeviceToHost));
  CHECK(cudaFree(d_values));
  CHECK(cudaFree(d_bins));
  int wrong = 0;
  for (int b = 0; b < c.nbins; ++b)
    if (got[size_t(b)] != expect[size_t(b)] && wrong++ < 5)
      std::fprintf(stderr, "bin %d: got %d, expected %d\n", b, got[size_t(b)], expect[size_t(b)]);
  std::printf("cluster_histogram n=%d bins=%d cluster=%d x %d CTAs of %d threads: %s\n", c.n, c.nbins, c.clusters,
              c.cluster, c.threads, wrong ? "MISMATCH" : "match");
  return wrong == 0;
}

// A launch configuration of `grid` CTAs of 32 threads in clusters of `cluster` (0: no cluster
// attribute), its attribute kept in `attribute`.
cudaLaunchConfig_t cluster_config(unsigned grid, unsigned cluster, cudaLaunchAttribute* attribute) {
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(grid, 1, 1);
  config.blockDim = dim3(32, 1, 1);
  attribute->id = cudaLaunchAttributeClusterDimension;
  attribute->val.clusterDim.x = cluster;
  attribute->val.clusterDim.y = 1;
  attribute->val.clusterDim.z = 1;
  config.attrs = attribute;
  config.numAttrs = cluster ? 1 : 0;
  return config;
}

// cudaOccupancyMaxActiveClusters for clusters of `cluster` CTAs of 32 threads (0: the configuration
// names no cluster shape).
cudaError_t max_clusters(int* n, const void* kernel, unsigned cluster) {
  cudaLaunchAttribute attribute;
  const cudaLaunchConfig_t config = cluster_config(16, cluster, &attribute);
  *n = -1;
  return cudaOccupancyMaxActiveClusters(n, kernel, &config);
}

cudaError_t launch_with_cluster(unsigned grid, unsigned cluster, int* bins) {
  cudaLaunchAttribute attribute;
  cudaLaunchConfig_t config = cluster_config(grid, cluster, &attribute);
  config.dynamicSmemBytes = 64;
  return cudaLaunchKernelEx(&config, cluster_histogram, static_cast<const int*>(nullptr), 0, bins, 1);
}

// A cluster shape set at run time: refused where __cluster_dims__ fixed one, needed whole (all three
// positive) at launch, then used by launches that name no cluster and contradicted by one that
// names another.
bool run_time_cluster_shape() {
  EXPECT(cudaFuncSetAttribute(fixed_pairs, cudaFuncAttributeRequiredClusterWidth, 4) == cudaErrorNotPermitted);
  EXPECT(cudaGetLastError() == cudaErrorNotPermitted);
  EXPECT(cudaFuncSetAttribute(run_time_triples, cudaFuncAttributeRequiredClusterWidth, -1) == cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);
  int* d = nullptr;
  CHECK(cudaMalloc(&d, 12 * sizeof(int)));
  CHECK(cudaFuncSetAttribute(run_time_triples, cudaFuncAttributeRequiredClusterWidth, 3));
  run_time_triples<<<12, 32>>>(d);  // height and depth still 0
  EXPECT(cudaGetLastError() != cudaSuccess);
  CHECK(cudaFuncSetAttribute(run_time_triples, cudaFuncAttributeRequiredClusterHeight, 1));
  CHECK(cudaFuncSetAttribute(run_time_triples, cudaFuncAttributeRequiredClusterDepth, 1));
  cudaFuncAttributes a;
  CHECK(cudaFuncGetAttributes(&a, run_time_triples));
  EXPECT(a.requiredClusterWidth == 3 && a.requiredClusterHeight == 1 && a.requiredClusterDepth == 1);
  CHECK(cudaMemset(d, 0xff, 12 * sizeof(int)));
  run_time_triples<<<12, 32>>>(d);
  CHECK(cudaGetLastError());
  int rank[12];
  CHECK(cudaMemcpy(rank, d, sizeof rank, cudaMemcpyDeviceToHost));
  for (int i = 0; i < 12; ++i) EXPECT(rank[i] == i % 3);
  int by_attribute = -1, by_run_time_shape = -1;
  CHECK(max_clusters(&by_attribute, reinterpret_cast<const void*>(run_time_triples), 3));
  CHECK(max_clusters(&by_run_time_shape, reinterpret_cast<const void*>(run_time_triples), 0));  // the shape set above
  EXPECT(by_attribute == by_run_time_shape);
  EXPECT(max_clusters(&by_attribute, reinterpret_cast<const void*>(run_time_triples), 2) == cudaErrorInvalidClusterSize);
  cudaGetLastError();
  run_time_triples<<<10, 32>>>(d);  // not a whole number of clusters of 3
  EXPECT(cudaGetLastError() == cudaErrorInvalidClusterSize);
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(12, 1, 1);
  config.blockDim = dim3(32, 1, 1);
  cudaLaunchAttribute attribute[1];
  attribute[0].id = cudaLaunchAttributeClusterDimension;
  attribute[0].val.clusterDim.x = 2;
  attribute[0].val.clusterDim.y = 1;
  attribute[0].val.clusterDim.z = 1;
  config.attrs = attribute;
  config.numAttrs = 1;
  EXPECT(cudaLaunchKernelEx(&config, run_time_triples, d) != cudaSuccess);  // (2,1,1) contradicts (3,1,1)
  cudaGetLastError();
  CHECK(cudaFree(d));
  return true;
}

// The occupancy query counts the shape a launch would use and refuses the shapes a launch refuses:
// a __cluster_dims__ kernel needs no attribute, and one that contradicts it is an error; a kernel
// without one needs the attribute; more than 8 CTAs need the non-portable opt-in.
bool occupancy_follows_the_launch_rules(bool non_portable_allowed) {
  const void* histogram = reinterpret_cast<const void*>(cluster_histogram);
  const void* pairs = reinterpret_cast<const void*>(fixed_pairs);
  int fixed = -1, asked = -1, n = -1;
  CHECK(max_clusters(&fixed, pairs, 0));
  CHECK(max_clusters(&asked, pairs, 2));
  EXPECT(fixed == asked && fixed >= 0);
  EXPECT(max_clusters(&n, pairs, 4) == cudaErrorInvalidClusterSize);
  EXPECT(cudaGetLastError() == cudaErrorInvalidClusterSize);
  EXPECT(max_clusters(&n, histogram, 0) == cudaErrorInvalidClusterSize);
  EXPECT(cudaGetLastError() == cudaErrorInvalidClusterSize);
  const cudaError_t sixteen = max_clusters(&n, histogram, 16);
  if (non_portable_allowed) {
    int eight = -1;
    CHECK(sixteen);
    CHECK(max_clusters(&eight, histogram, 8));
    EXPECT(n >= 0 && n <= eight && (eight == 0) == (n == 0));  // fewer (or as many) larger clusters fit
  } else {
    EXPECT(sixteen == cudaErrorInvalidClusterSize);
    EXPECT(cudaGetLastError() == cudaErrorInvalidClusterSize);
  }
  return true;
}

// CUDA's rules for cluster shapes and what cudaFuncGetAttributes says about them.
bool cluster_rules() {
  cudaFuncAttributes a;
  CHECK(cudaFuncGetAttributes(&a, fixed_pairs));
  EXPECT(a.requiredClusterWidth == 2 && a.requiredClusterHeight == 1 && a.requiredClusterDepth == 1);
  EXPECT(a.nonPortableClusterSizeAllowed == 0);
  CHECK(cudaFuncGetAttributes(&a, cluster_histogram));
  EXPECT(a.requiredClusterWidth == 0 && a.requiredClusterHeight == 0 && a.requiredClusterDepth == 0);
  int* d = nullptr;
  CHECK(cudaMalloc(&d, 64 * sizeof(int)));
  // a grid that is not a whole number of clusters; a cluster above the portable 8 CTAs without
  // the kernel's opt-in
  EXPECT(launch_with_cluster(6, 4, d) == cudaErrorInvalidClusterSize);
  EXPECT(cudaGetLastError() == cudaErrorInvalidClusterSize);
  EXPECT(launch_with_cluster(16, 16, d) == cudaErrorInvalidClusterSize);
  EXPECT(cudaGetLastError() == cudaErrorInvalidClusterSize);
  EXPECT(occupancy_follows_the_launch_rules(false));
  CHECK(cudaFuncSetAttribute(cluster_histogram, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
  EXPECT(occupancy_follows_the_launch_rules(true));
  CHECK(cudaFuncGetAttributes(&a, cluster_histogram));
  EXPECT(a.nonPortableClusterSizeAllowed == 1);
  fixed_pairs<<<6, 32>>>(d);
  CHECK(cudaGetLastError());
  int rank[6];
  CHECK(cudaMemcpy(rank, d, sizeof rank, cudaMemcpyDeviceToHost));
  CHECK(cudaFree(d));
  for (int i = 0; i < 6; ++i) EXPECT(rank[i] == i % 2);
  return run_time_cluster_shape();
}

int main() {
  const Case cases[] = {
      {3000, 128, 2, 2, 128},
      {20000, 1000, 4, 4, 256},
      {40000, 4096, 8, 2, 256},
  };
  bool ok = true;
  for (const Case& c : cases) ok = run(c) && ok;
  if (!ok) return 1;
  ok = cluster_rules() && run({50000, 4096, 16, 2, 128});  // 16 CTAs now that the kernel opted in
  if (!ok) return 1;
  std::printf("cluster_histogram: OK\n");
  return 0;
}
