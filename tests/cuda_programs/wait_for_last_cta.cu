// Every CTA but the last spins until the last one sets a flag. On a GPU this finishes only when
// the whole grid is resident at once; a bigger grid deadlocks (the last CTA never starts while
// the spinning ones fill every SM). gpusim must agree in functional mode too, where it used to let
// up to 1,024 CTAs run together whatever the chip held. Usage: wait_for_last_cta CTAS (of 256
// threads); prints how many CTAs the device holds, the launch's result and the CTAs that finished.
#include <cstdio>
#include <cstdlib>

#include "check.cuh"

__global__ void wait_for_last(volatile int* flag, int* done) {
  if (blockIdx.x == gridDim.x - 1) {
    if (threadIdx.x == 0) {
      __threadfence();
      *flag = 1;
    }
  } else if (threadIdx.x == 0) {
    while (*flag == 0) {
    }
  }
  if (threadIdx.x == 0) atomicAdd(done, 1);
}

int main(int argc, char** argv) {
  const int ctas = argc > 1 ? std::atoi(argv[1]) : 2;
  int* flag = nullptr;
  int* done = nullptr;
  CHECK(cudaMalloc(&flag, sizeof(int)));
  CHECK(cudaMalloc(&done, sizeof(int)));
  CHECK(cudaMemset(flag, 0, sizeof(int)));
  CHECK(cudaMemset(done, 0, sizeof(int)));
  int per_sm = 0, sms = 0;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, wait_for_last, 256, 0));
  CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  wait_for_last<<<ctas, 256>>>(flag, done);
  const cudaError_t result = cudaDeviceSynchronize();
  int finished = -1;
  if (result == cudaSuccess) CHECK(cudaMemcpy(&finished, done, sizeof(int), cudaMemcpyDeviceToHost));
  std::printf("wait_for_last_cta: device holds %d, grid %d: %s, %d finished\n", sms * per_sm, ctas,
              cudaGetErrorName(result), finished);
  return 0;
}
