// Two kernels with a 16 MiB host-to-device copy between them, each reading %globaltimer and
// clock64: in timing mode the clock registers follow the same simulated timeline as cudaEvents
// (an outside researcher's %globaltimer advanced 168 ns over a copy the events timed at 1 ms).
// Run with "timing" to compare them (functional mode's clocks are step counts).
#include <cstring>
#include <vector>

#include "check.cuh"

__global__ void stamp(unsigned long long* out) {
  unsigned long long ns;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(ns));
  out[0] = ns;
  out[1] = clock64();
}

int main(int argc, char** argv) {
  const bool timing = argc > 1 && std::strcmp(argv[1], "timing") == 0;
  const size_t bytes = size_t(16) << 20;
  unsigned long long* d;
  char* big;
  CHECK(cudaMalloc(&d, 4 * sizeof(unsigned long long)));
  CHECK(cudaMalloc(&big, bytes));
  std::vector<char> host(bytes, 1);
  cudaEvent_t a, b;
  CHECK(cudaEventCreate(&a));
  CHECK(cudaEventCreate(&b));
  CHECK(cudaEventRecord(a));
  stamp<<<1, 1>>>(d);
  CHECK(cudaMemcpy(big, host.data(), bytes, cudaMemcpyHostToDevice));
  CHECK(cudaEventRecord(b));
  stamp<<<1, 1>>>(d + 2);
  unsigned long long h[4];
  CHECK(cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost));
  float ms = 0;
  CHECK(cudaEventElapsedTime(&ms, a, b));
  const double timer_ms = double(h[2] - h[0]) / 1e6;
  int khz = 0;
  CHECK(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0));
  const double clock_ms = double(h[3] - h[1]) / khz;
  std::printf("between the launches: events %.4f ms, %%globaltimer %.4f ms, clock64 %.4f ms\n", ms, timer_ms, clock_ms);
  if (timing) {
    // The events span the first kernel and the copy; the registers the same span, read a few
    // cycles into each kernel: within 1 %.
    EXPECT(ms > 0.1f);
    EXPECT(timer_ms > 0.99 * ms && timer_ms < 1.01 * ms);
    EXPECT(clock_ms > 0.99 * ms && clock_ms < 1.01 * ms);
  }
  std::printf("timeline_clocks OK\n");
  return 0;
}
