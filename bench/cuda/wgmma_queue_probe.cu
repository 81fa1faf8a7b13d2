// wgmma_queue_probe: how many wgmma.mma_async can one warpgroup issue before it has to wait for
// the tensor cores? One CTA of one warpgroup issues N = 1..12 back-to-back wgmma m64n256k16 (bf16
// in, f32 out, operands from shared memory, one group) and reads %clock64 before the first, after
// the last one's issue and after wgmma.wait_group 0. If the hardware queues D wgmmas behind the
// running one, the issue time stays a few cycles per wgmma up to N = D + 1 and then grows by one
// wgmma time (~128 tensor clocks for m64n256k16 at the dense rate) per extra wgmma; without a
// queue it grows from N = 2 on. Completion grows by one wgmma time per wgmma either way.
// On the simulator: gpusim exec --config configs/h100.ini --mode timing -- wgmma_queue_probe
// (tensor.wgmma_queue_depth sets D there). On an H100/H200 it measures D; nothing else in the
// repository does (docs/ARCHITECTURE.md, "Hopper timing").
//   nvcc -cudart shared -O3 -gencode arch=compute_90a,code=compute_90a -o wgmma_queue_probe wgmma_queue_probe.cu
#include <cuda_runtime.h>

#include <cstdio>

#include "../../workloads/kernels/hopper_sm90.cuh"

template <int N>
__global__ void __launch_bounds__(128, 1) probe(unsigned long long* out) {
  __shared__ __align__(1024) uint8_t tiles[64 * 128 + 256 * 128];  // A 64 x 64, B 256 x 64 bf16 (128B rows)
  for (unsigned i = threadIdx.x; i < sizeof(tiles); i += blockDim.x) tiles[i] = 0;
  fence_proxy_async_shared();
  __syncthreads();
  const uint64_t da = descriptor<128>(smem_address(tiles)), db = descriptor<128>(smem_address(tiles + 64 * 128));
  float d[128];
  for (float& x : d) x = 0.0f;
  unsigned long long t0, t1, t2;
  wgmma_fence();
  asm volatile("mov.u64 %0, %%clock64;" : "=l"(t0)::"memory");
#pragma unroll
  for (int i = 0; i < N; ++i) wgmma_m64n256k16(d, da, db, 1);
  asm volatile("mov.u64 %0, %%clock64;" : "=l"(t1)::"memory");
  wgmma_commit();
  wgmma_wait<0>();
  asm volatile("mov.u64 %0, %%clock64;" : "=l"(t2)::"memory");
  float sum = 0;
  for (float x : d) sum += x;
  if (threadIdx.x == 0) out[0] = t1 - t0, out[1] = t2 - t0, out[2] = sum != 0.0f;
}

template <int N>
int run(unsigned long long* dev) {
  unsigned long long host[3];
  probe<N><<<1, 128>>>(dev);
  if (cudaMemcpy(host, dev, sizeof(host), cudaMemcpyDeviceToHost) != cudaSuccess) return 1;
  std::printf("%2d wgmma m64n256k16: last issued after %5llu cycles, all complete after %5llu\n", N, host[0], host[1]);
  return 0;
}

int main() {
  unsigned long long* dev = nullptr;
  if (cudaMalloc(&dev, 64) != cudaSuccess) return 1;
  int bad = 0;
  bad |= run<1>(dev), bad |= run<2>(dev), bad |= run<3>(dev), bad |= run<4>(dev), bad |= run<5>(dev);
  bad |= run<6>(dev), bad |= run<7>(dev), bad |= run<8>(dev), bad |= run<10>(dev), bad |= run<12>(dev);
  return bad;
}
