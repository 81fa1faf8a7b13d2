// A bulk copy of 4,096 bytes whose mbarrier was told to expect 8,192 (arrive.expect_tx): the phase
// never completes and the try_wait loop spins for ever on a GPU. gpusim proves it endless and its
// report names the barrier's state (the transaction bytes still expected), not only the loop.
#include <cstdint>
#include <cstdio>

#include "check.cuh"

__global__ void wait_for_too_many_bytes(const float* in, float* out) {
  __shared__ __align__(128) float staged[1024];
  __shared__ __align__(8) uint64_t bar;
  const uint32_t b = uint32_t(__cvta_generic_to_shared(&bar));
  if (threadIdx.x == 0) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" ::"r"(b));
    asm volatile("fence.mbarrier_init.release.cluster;");
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(b), "r"(8192));
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(
                     uint32_t(__cvta_generic_to_shared(staged))),
                 "l"(in), "r"(4096), "r"(b)
                 : "memory");
  }
  uint32_t done = 0;
  while (!done)
    asm volatile("{ .reg .pred p; mbarrier.try_wait.parity.shared::cta.b64 p, [%1], 0; selp.u32 %0, 1, 0, p; }"
                 : "=r"(done)
                 : "r"(b));
  out[threadIdx.x] = staged[threadIdx.x];
}

int main() {
  float *in = nullptr, *out = nullptr;
  CHECK(cudaMalloc(&in, 4096));
  CHECK(cudaMalloc(&out, 4096));
  wait_for_too_many_bytes<<<1, 128>>>(in, out);
  std::printf("mbarrier_hang: %s\n", cudaGetErrorName(cudaDeviceSynchronize()));
  return 0;
}
