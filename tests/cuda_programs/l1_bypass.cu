// Loads that the PTX caches in L2 only: one CTA reads the same 64 KiB twice (it fits the L1), with
// the default cache operator (.ca: the second pass hits the L1), with __ldcg (ld.global.cg) and
// with cp.async.cg, which must neither hit nor fill the L1 (`gpusim exec --stats` counts the L1's
// sectors). Every result is checked against the host.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "check.cuh"

constexpr int kVectors = 4096;  // 64 KiB of float4
constexpr int kThreads = 256;

__global__ void load_default(const float4* in, float* out) {
  float sum = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = threadIdx.x; i < kVectors; i += kThreads) sum += in[i].x + in[i].w;
    __syncthreads();
  }
  out[threadIdx.x] = sum;
}

__global__ void load_cg(const float4* in, float* out) {
  float sum = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = threadIdx.x; i < kVectors; i += kThreads) {
      const float4 v = __ldcg(in + i);
      sum += v.x + v.w;
    }
    __syncthreads();
  }
  out[threadIdx.x] = sum;
}

__global__ void copy_async_cg(const float4* in, float* out) {
  __shared__ __align__(16) float4 staged[kThreads];
  const unsigned to = unsigned(__cvta_generic_to_shared(&staged[threadIdx.x]));
  float sum = 0;
  for (int pass = 0; pass < 2; ++pass)
    for (int i = threadIdx.x; i < kVectors; i += kThreads) {
      asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(to), "l"(in + i));
      asm volatile("cp.async.wait_all;" ::: "memory");
      sum += staged[threadIdx.x].x + staged[threadIdx.x].w;
    }
  out[threadIdx.x] = sum;
}

int main() {
  std::vector<float4> host(kVectors);
  for (int i = 0; i < kVectors; ++i) host[i] = make_float4(float(i % 7), 0, 0, float(i % 5));
  float4* in = nullptr;
  float* out = nullptr;
  CHECK(cudaMalloc(&in, kVectors * sizeof(float4)));
  CHECK(cudaMalloc(&out, kThreads * sizeof(float)));
  CHECK(cudaMemcpy(in, host.data(), kVectors * sizeof(float4), cudaMemcpyHostToDevice));
  void (*kernels[])(const float4*, float*) = {load_default, load_cg, copy_async_cg};
  for (auto kernel : kernels) {
    kernel<<<1, kThreads>>>(in, out);
    std::vector<float> got(kThreads);
    CHECK(cudaMemcpy(got.data(), out, kThreads * sizeof(float), cudaMemcpyDeviceToHost));
    for (int t = 0; t < kThreads; ++t) {
      float want = 0;
      for (int i = t; i < kVectors; i += kThreads) want += host[i].x + host[i].w;
      EXPECT(got[t] == 2 * want);
    }
  }
  std::printf("l1_bypass: OK\n");
  return 0;
}
