// L2 cache hints as libcu++ and hand-tuned kernels write them: cuda::annotated_ptr (loads and
// stores with .L2::cache_hint and a policy operand), cuda::access_property over a range,
// cuda::apply_access_property, cuda::discard_memory (discard.global.L2), and inline PTX
// createpolicy / applypriority. The hints change no value: every result is compared with a CPU
// computation. Also %globaltimer, which counts nanoseconds where clock64() counts SM cycles:
// across a __nanosleep the two deltas must agree at the device's clock rate.
#include <cuda/annotated_ptr>
#include <cstdint>
#include <cstdio>
#include <vector>
#include "check.cuh"

__global__ void hinted_copy(float* a, float* b, int n) {
  cuda::annotated_ptr<float, cuda::access_property::persisting> in(a);
  cuda::annotated_ptr<float, cuda::access_property::streaming> out(b);
  cuda::access_property window(a, 1024 * sizeof(float), n * sizeof(float), cuda::access_property::persisting{},
                               cuda::access_property::streaming{});
  cuda::annotated_ptr<float, cuda::access_property> ranged(a, window);
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * 2.0f + ranged[i];  // 3 * a[i]
}

__global__ void inline_policies(const float* a, float* b, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  uint64_t last, first;
  asm volatile("createpolicy.fractional.L2::evict_last.b64 %0, 1.0;" : "=l"(last));
  asm volatile("createpolicy.fractional.L2::evict_first.L2::evict_unchanged.b64 %0, 0.5;" : "=l"(first));
  uint64_t ranged;
  asm volatile("createpolicy.range.L2::evict_last.L2::evict_first.b64 %0, [%1], %2, %3;"
               : "=l"(ranged) : "l"(a), "r"(4096u), "r"(8192u));
  if (i >= n) return;
  asm volatile("applypriority.global.L2::evict_normal [%0], 128;" ::"l"(a + (i & ~31)));
  float v, w;
  asm volatile("ld.global.L2::cache_hint.f32 %0, [%1], %2;" : "=f"(v) : "l"(a + i), "l"(last));
  asm volatile("ld.global.nc.L2::cache_hint.f32 %0, [%1], %2;" : "=f"(w) : "l"(a + i), "l"(ranged));
  asm volatile("st.global.L2::cache_hint.f32 [%0], %1, %2;" ::"l"(b + i), "f"(v + w), "l"(first));
  asm volatile("red.global.add.L2::cache_hint.f32 [%0], %1, %2;" ::"l"(b + i), "f"(1.0f), "l"(first));
}

__global__ void scratch_then_discard(float* scratch, float* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) scratch[i] = float(i) * 0.5f;
  __syncthreads();
  if (i < n) out[i] = scratch[i] + 1.0f;
  __syncthreads();
  // The scratch's contents are no longer needed: L2 may drop them without writing them back.
  if (threadIdx.x == 0) cuda::discard_memory(scratch + blockIdx.x * blockDim.x, blockDim.x * sizeof(float));
  cuda::apply_access_property(out, n * sizeof(float), cuda::access_property::normal{});
}

__global__ void timers(unsigned long long* t) {
  unsigned long long g0, g1;
  const long long c0 = clock64();
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(g0));
  __nanosleep(20000);
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(g1));
  const long long c1 = clock64();
  t[0] = g1 - g0;
  t[1] = (unsigned long long)(c1 - c0);
}

int main() {
  const int n = 4096;
  std::vector<float> a(n);
  for (int i = 0; i < n; ++i) a[i] = float(i % 97) - 40.0f;
  float *da, *db;
  CHECK(cudaMalloc(&da, n * sizeof(float)));
  CHECK(cudaMalloc(&db, n * sizeof(float)));
  CHECK(cudaMemcpy(da, a.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  std::vector<float> b(n);

  hinted_copy<<<n / 256, 256>>>(da, db, n);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(b.data(), db, n * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(b[i] == 3.0f * a[i]);

  inline_policies<<<n / 256, 256>>>(da, db, n);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(b.data(), db, n * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(b[i] == 2.0f * a[i] + 1.0f);

  scratch_then_discard<<<n / 256, 256>>>(da, db, n);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(b.data(), db, n * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(b[i] == float(i) * 0.5f + 1.0f);

  unsigned long long* dt;
  CHECK(cudaMalloc(&dt, 2 * sizeof(unsigned long long)));
  timers<<<1, 1>>>(dt);
  unsigned long long t[2];
  CHECK(cudaMemcpy(t, dt, sizeof t, cudaMemcpyDeviceToHost));
  int khz = 0;
  CHECK(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0));
  const double cycles_as_ns = double(t[1]) * 1e6 / khz;
  std::printf("globaltimer %llu ns, clock64 %llu cycles at %d kHz = %.0f ns\n", t[0], t[1], khz, cycles_as_ns);
  // The globaltimer delta lies inside the clock64 window, so it is at most that long and at most
  // a few instructions shorter.
  EXPECT(double(t[0]) <= cycles_as_ns + 1.0);
  EXPECT(double(t[0]) >= cycles_as_ns * 0.9 - 100.0);
  CHECK(cudaFree(da));
  CHECK(cudaFree(db));
  CHECK(cudaFree(dt));
  std::printf("cache_hints: OK\n");
  return 0;
}
