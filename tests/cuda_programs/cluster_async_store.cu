// Hopper's asynchronous stores into a peer CTA (st.async, red.async, getctarank), written the way
// CUDA C++ reaches them: cuda::ptx::st_async / red_async and cooperative_groups'
// cluster.map_shared_rank / query_shared_rank. Every CTA of a cluster sends a record per thread to
// the next rank of the ring; the receiver's thread 0 announces the bytes it expects on its own
// mbarrier (arrive.expect_tx), every thread waits for the phase, and the records and reductions
// that landed are written out and compared on the host with a CPU model of the same exchange.
//   cluster_async_store          2- and 4-CTA clusters, several grids: prints "OK"
//   cluster_async_store wrongbar st.async whose mbarrier is not in the destination's CTA: a fault
#include <cooperative_groups.h>
#include <cuda/ptx>
#include <cuda_runtime.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.cuh"

namespace cg = cooperative_groups;
namespace ptx = cuda::ptx;

constexpr int kThreads = 64;
// Bytes one thread sends: st.async .b32, .v2.b32, .v4.f32, .b64, .v2.b64, then red.async
// add/min/max/xor/inc .u32/.s32/.b32 and add.u64.
constexpr unsigned kStoreBytes = 4 + 8 + 16 + 8 + 16;
constexpr unsigned kReduceBytes = 5 * 4 + 8;
constexpr unsigned kBytesPerThread = kStoreBytes + kReduceBytes;

struct alignas(16) Inbox {
  int32_t word[kThreads];
  int32_t pair[kThreads][2];
  float quad[kThreads][4];
  int64_t wide[kThreads];
  int64_t wide_pair[kThreads][2];
  uint32_t sum, xored, count, biggest;
  int32_t smallest;
  uint64_t sum64;
};

// Per CTA in `out`: the inbox as received, the rank getctarank gives for the peer's inbox and
// for this CTA's own.
struct Report {
  Inbox inbox;
  uint32_t peer_rank_seen, own_rank_seen, rank;
};

__device__ int value_of(unsigned sender_block, unsigned t, int k) { return int(sender_block * 1000 + t * 10 + k); }

__global__ void ring_exchange(Report* out) {
  cg::cluster_group cluster = cg::this_cluster();
  __shared__ Inbox inbox;
  __shared__ alignas(8) uint64_t bar;
  const unsigned rank = cluster.block_rank(), n = cluster.num_blocks(), t = threadIdx.x;
  const unsigned to = (rank + 1) % n;
  if (t == 0) {
    inbox.sum = 0, inbox.xored = 0, inbox.count = 0, inbox.biggest = 0, inbox.smallest = 1 << 30, inbox.sum64 = 0;
    ptx::mbarrier_init(&bar, 1);
  }
  cluster.sync();  // every inbox and barrier is ready before anybody sends
  if (t == 0) ptx::mbarrier_arrive_expect_tx(ptx::sem_release, ptx::scope_cluster, ptx::space_shared, &bar,
                                             kBytesPerThread * blockDim.x);
  Inbox* peer = cluster.map_shared_rank(&inbox, to);
  uint64_t* peer_bar = cluster.map_shared_rank(&bar, to);
  const unsigned me = blockIdx.x;
  ptx::st_async(&peer->word[t], int32_t(value_of(me, t, 0)), peer_bar);
  const int32_t pair[2] = {value_of(me, t, 1), value_of(me, t, 2)};
  ptx::st_async(&peer->pair[t][0], pair, peer_bar);
  const float quad[4] = {float(value_of(me, t, 3)), 0.5f, -float(t), 1e-3f * float(me)};
  ptx::st_async(&peer->quad[t][0], quad, peer_bar);
  ptx::st_async(&peer->wide[t], int64_t(value_of(me, t, 4)) << 20, peer_bar);
  const int64_t wide_pair[2] = {-int64_t(value_of(me, t, 5)), int64_t(t) << 40};
  ptx::st_async(&peer->wide_pair[t][0], wide_pair, peer_bar);
  ptx::red_async(ptx::op_add, &peer->sum, uint32_t(t + 1), peer_bar);
  ptx::red_async(ptx::op_min, &peer->smallest, int32_t(t) - 7, peer_bar);
  ptx::red_async(ptx::op_max, &peer->biggest, uint32_t(t * 3 + me), peer_bar);
  ptx::red_async(ptx::op_xor_op, &peer->xored, uint32_t(1u << (t % 32)), peer_bar);
  ptx::red_async(ptx::op_inc, &peer->count, uint32_t(1000), peer_bar);
  ptx::red_async(ptx::op_add, &peer->sum64, uint64_t(t) << 33, peer_bar);
  while (!ptx::mbarrier_try_wait_parity(ptx::sem_acquire, ptx::scope_cluster, &bar, 0)) {
  }
  Report& r = out[blockIdx.x];
  for (unsigned i = t; i < sizeof(Inbox) / 4; i += blockDim.x)
    reinterpret_cast<uint32_t*>(&r.inbox)[i] = reinterpret_cast<const uint32_t*>(&inbox)[i];
  if (t == 0) {
    r.peer_rank_seen = cluster.query_shared_rank(&peer->word[0]);
    r.own_rank_seen = cluster.query_shared_rank(&inbox.word[0]);
    r.rank = rank;
  }
  cluster.sync();  // no CTA leaves while a peer may still write into it
}

// The misuse: the data goes to the next rank, the completion to this CTA's own barrier.
__global__ void wrong_barrier(int* out) {
  cg::cluster_group cluster = cg::this_cluster();
  __shared__ int word;
  __shared__ alignas(8) uint64_t bar;
  if (threadIdx.x == 0) ptx::mbarrier_init(&bar, 1);
  cluster.sync();
  int* peer = cluster.map_shared_rank(&word, (cluster.block_rank() + 1) % cluster.num_blocks());
  if (threadIdx.x == 0) ptx::st_async(peer, 1, cluster.map_shared_rank(&bar, cluster.block_rank()));
  cluster.sync();
  out[blockIdx.x] = word;
}

int value_of_host(unsigned b, unsigned t, int k) { return int(b * 1000 + t * 10 + k); }

bool check_cluster_shape(unsigned cluster, unsigned blocks) {
  Report* d = nullptr;
  CHECK(cudaMalloc(&d, sizeof(Report) * blocks));
  CHECK(cudaMemset(d, 0xff, sizeof(Report) * blocks));
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = dim3(blocks);
  cfg.blockDim = dim3(kThreads);
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = cluster, attr[0].val.clusterDim.y = 1, attr[0].val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = 1;
  CHECK(cudaLaunchKernelEx(&cfg, ring_exchange, d));
  CHECK(cudaDeviceSynchronize());
  std::vector<Report> h(blocks);
  CHECK(cudaMemcpy(h.data(), d, sizeof(Report) * blocks, cudaMemcpyDeviceToHost));
  CHECK(cudaFree(d));
  int bad = 0;
  auto expect = [&](bool ok, unsigned b, const char* what) {
    if (!ok && bad++ < 10) std::printf("MISMATCH cluster %u block %u: %s\n", cluster, b, what);
  };
  for (unsigned b = 0; b < blocks; ++b) {
    const unsigned rank = b % cluster, from = b - rank + (rank + cluster - 1) % cluster;
    const Inbox& in = h[b].inbox;
    uint32_t sum = 0, xored = 0, biggest = 0;
    int32_t smallest = 1 << 30;
    uint64_t sum64 = 0;
    for (unsigned t = 0; t < kThreads; ++t) {
      expect(in.word[t] == value_of_host(from, t, 0), b, "st.async.b32");
      expect(in.pair[t][0] == value_of_host(from, t, 1) && in.pair[t][1] == value_of_host(from, t, 2), b, "st.async.v2.b32");
      expect(in.quad[t][0] == float(value_of_host(from, t, 3)) && in.quad[t][1] == 0.5f && in.quad[t][2] == -float(t) &&
                 in.quad[t][3] == 1e-3f * float(from),
             b, "st.async.v4.f32");
      expect(in.wide[t] == int64_t(value_of_host(from, t, 4)) << 20, b, "st.async.b64");
      expect(in.wide_pair[t][0] == -int64_t(value_of_host(from, t, 5)) && in.wide_pair[t][1] == int64_t(t) << 40, b,
             "st.async.v2.b64");
      sum += t + 1, xored ^= 1u << (t % 32), sum64 += uint64_t(t) << 33;
      biggest = t * 3 + from > biggest ? t * 3 + from : biggest;
      smallest = int32_t(t) - 7 < smallest ? int32_t(t) - 7 : smallest;
    }
    expect(in.sum == sum, b, "red.async.add.u32");
    expect(in.smallest == smallest, b, "red.async.min.s32");
    expect(in.biggest == biggest, b, "red.async.max.u32");
    expect(in.xored == xored, b, "red.async.xor.b32");
    expect(in.count == kThreads, b, "red.async.inc.u32");
    expect(in.sum64 == sum64, b, "red.async.add.u64");
    expect(h[b].rank == rank, b, "cluster.block_rank()");
    expect(h[b].peer_rank_seen == (rank + 1) % cluster, b, "getctarank of the peer's inbox");
    expect(h[b].own_rank_seen == rank, b, "getctarank of the CTA's own inbox");
  }
  std::printf("cluster of %u, %u CTAs: %s\n", cluster, blocks, bad ? "MISMATCH" : "ok");
  return bad == 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "wrongbar") == 0) {
    int* d = nullptr;
    CHECK(cudaMalloc(&d, 2 * sizeof(int)));
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3(2);
    cfg.blockDim = dim3(32);
    cudaLaunchAttribute attr[1];
    attr[0].id = cudaLaunchAttributeClusterDimension;
    attr[0].val.clusterDim.x = 2, attr[0].val.clusterDim.y = 1, attr[0].val.clusterDim.z = 1;
    cfg.attrs = attr;
    cfg.numAttrs = 1;
    cudaError_t e = cudaLaunchKernelEx(&cfg, wrong_barrier, d);  // a simulator may report it here
    if (e == cudaSuccess) e = cudaDeviceSynchronize();
    std::printf("wrongbar: %s\n", cudaGetErrorName(e));
    return e == cudaSuccess ? 1 : 3;
  }
  bool ok = true;
  ok &= check_cluster_shape(2, 2);
  ok &= check_cluster_shape(2, 8);
  ok &= check_cluster_shape(4, 12);
  std::printf("cluster_async_store: %s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
