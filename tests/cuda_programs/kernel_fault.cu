// An out-of-bounds store: the GPU reports cudaErrorIllegalAddress at the next synchronisation (not
// to cudaGetLastError right after the launch) and the context stays unusable; the simulator prints
// where it happened.
#include <cstring>

#include "check.cuh"

__global__ void write_past_end(int* p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  p[i + n] = i;  // every thread writes past the allocation
}

__global__ void number(int* p) { p[threadIdx.x] = threadIdx.x + 1; }

int main(int argc, char** argv) {
  int* d;
  CHECK(cudaMalloc(&d, 256 * sizeof(int)));
  cudaEvent_t done;
  CHECK(cudaEventCreate(&done));
  write_past_end<<<1, 32>>>(d, 1 << 20);
  // The launch is asynchronous: right after it, only the launch's own errors are known; recording
  // an event enqueues work too. The fault arrives at the synchronisation.
  const cudaError_t launch = cudaGetLastError();
  const cudaError_t record = cudaEventRecord(done);
  const cudaError_t sync = cudaDeviceSynchronize();
  const cudaError_t later = cudaMalloc(&d, 16);
  std::printf("launch: %s\nrecord: %s\nsync: %s\nlater: %s\n", cudaGetErrorName(launch), cudaGetErrorName(record),
              cudaGetErrorName(sync), cudaGetErrorName(later));
  if (argc > 1 && std::strcmp(argv[1], "reset") == 0) {
    // A launch while the error is sticky fails, and the kernel runs after cudaDeviceReset (its
    // host stub asked for the kernel's handle once, during the sticky error).
    number<<<1, 4>>>(d);
    const cudaError_t sticky = cudaGetLastError();
    CHECK(cudaDeviceReset());
    CHECK(cudaMalloc(&d, 4 * sizeof(int)));
    number<<<1, 4>>>(d);
    CHECK(cudaGetLastError());
    int h[4] = {};
    CHECK(cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost));
    std::printf("sticky launch: %s; after reset: %d %d %d %d\n", cudaGetErrorName(sticky), h[0], h[1], h[2], h[3]);
    EXPECT(sticky == cudaErrorIllegalAddress && h[0] == 1 && h[1] == 2 && h[2] == 3 && h[3] == 4);
  }
  return launch == cudaSuccess && record == cudaSuccess && sync == cudaErrorIllegalAddress && later == cudaErrorIllegalAddress
             ? 0
             : 1;
}
