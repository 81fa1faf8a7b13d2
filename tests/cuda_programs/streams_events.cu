// Streams, async copies from pinned memory, events across streams, host callbacks in stream order.
#include <vector>
#include "check.cuh"

__global__ void square(int* p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] = p[i] * p[i];
}

static int callbacks = 0;
void CUDART_CB on_done(void* user) { callbacks += *static_cast<int*>(user); }

int main() {
  // Events recorded before anything else: the first must read the same clock as the second (in
  // timing mode the simulated timeline; it read the host clock before the device existed, and
  // the elapsed time came out negative).
  cudaEvent_t first, second;
  CHECK(cudaEventCreate(&first));
  CHECK(cudaEventCreate(&second));
  CHECK(cudaEventRecord(first));
  square<<<1, 32>>>(nullptr, 0);
  CHECK(cudaEventRecord(second));
  CHECK(cudaEventSynchronize(second));
  float first_ms = -1;
  CHECK(cudaEventElapsedTime(&first_ms, first, second));
  EXPECT(first_ms >= 0 && first_ms < 1000);
  CHECK(cudaEventDestroy(first));
  CHECK(cudaEventDestroy(second));

  const int n = 4096, chunks = 4, chunk = n / chunks;
  int* h;
  CHECK(cudaMallocHost(&h, n * sizeof(int)));
  for (int i = 0; i < n; ++i) h[i] = i - 2000;
  int* d;
  CHECK(cudaMalloc(&d, n * sizeof(int)));
  cudaStream_t s[chunks];
  for (auto& st : s) CHECK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  cudaEvent_t begin, end;
  CHECK(cudaEventCreate(&begin));
  CHECK(cudaEventCreate(&end));
  CHECK(cudaEventRecord(begin, s[0]));
  int one = 1;
  for (int c = 0; c < chunks; ++c) {
    CHECK(cudaMemcpyAsync(d + c * chunk, h + c * chunk, chunk * sizeof(int), cudaMemcpyHostToDevice, s[c]));
    square<<<chunk / 256, 256, 0, s[c]>>>(d + c * chunk, chunk);
    CHECK(cudaMemcpyAsync(h + c * chunk, d + c * chunk, chunk * sizeof(int), cudaMemcpyDeviceToHost, s[c]));
    CHECK(cudaLaunchHostFunc(s[c], on_done, &one));
  }
  for (int c = 1; c < chunks; ++c) {
    cudaEvent_t e;
    CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
    CHECK(cudaEventRecord(e, s[c]));
    CHECK(cudaStreamWaitEvent(s[0], e, 0));
    CHECK(cudaEventDestroy(e));
  }
  CHECK(cudaEventRecord(end, s[0]));
  CHECK(cudaStreamSynchronize(s[0]));
  CHECK(cudaDeviceSynchronize());
  EXPECT(cudaStreamQuery(s[1]) == cudaSuccess);
  EXPECT(cudaEventQuery(end) == cudaSuccess);
  float ms = -1;
  CHECK(cudaEventElapsedTime(&ms, begin, end));
  EXPECT(ms >= 0);
  for (int i = 0; i < n; ++i) EXPECT(h[i] == (i - 2000) * (i - 2000));
  EXPECT(callbacks == chunks);
  // An event that was never recorded has no time (CUDA: cudaErrorInvalidResourceHandle); the
  // error is the last error until read once.
  cudaEvent_t unrecorded;
  CHECK(cudaEventCreate(&unrecorded));
  EXPECT(cudaEventElapsedTime(&ms, begin, unrecorded) == cudaErrorInvalidResourceHandle);
  EXPECT(cudaGetLastError() == cudaErrorInvalidResourceHandle);
  EXPECT(cudaGetLastError() == cudaSuccess);
  for (auto& st : s) CHECK(cudaStreamDestroy(st));
  CHECK(cudaFreeHost(h));
  std::printf("streams_events: OK\n");
  return 0;
}
