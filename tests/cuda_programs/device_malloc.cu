// malloc/free inside kernels: each thread allocates, fills and frees its own buffer.
#include "check.cuh"

__global__ void per_thread_buffers(int* sums, int n) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  int* buf = static_cast<int*>(malloc(n * sizeof(int)));
  if (!buf) {
    sums[t] = -1;
    return;
  }
  for (int i = 0; i < n; ++i) buf[i] = t + i;
  int s = 0;
  for (int i = 0; i < n; ++i) s += buf[i];
  sums[t] = s;
  free(buf);
}

int main() {
  const int threads = 128, n = 10;
  CHECK(cudaDeviceSetLimit(cudaLimitMallocHeapSize, 16 << 20));
  size_t heap = 0;
  CHECK(cudaDeviceGetLimit(&heap, cudaLimitMallocHeapSize));
  EXPECT(heap >= (16u << 20));
  int* d;
  CHECK(cudaMalloc(&d, threads * sizeof(int)));
  per_thread_buffers<<<2, threads / 2>>>(d, n);
  CHECK(cudaDeviceSynchronize());
  int h[threads];
  CHECK(cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost));
  for (int t = 0; t < threads; ++t) EXPECT(h[t] == n * t + n * (n - 1) / 2);
  std::printf("device_malloc: OK\n");
  return 0;
}
