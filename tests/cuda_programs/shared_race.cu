// A tiled sum whose second __syncthreads() is missing when run with argument 1: the next
// iteration's tile load overwrites elements other warps have not read yet (the race gpusim
// --racecheck reports); with 0 both barriers are there and there is no race. The result is the
// same in both under gpusim's deterministic schedule, as it often is on a GPU: only the check
// finds the bug.
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

__global__ void tile_sum(const float* in, float* out, int n, int missing_barrier) {
  __shared__ float tile[256];
  float acc = 0;
  for (int base = 0; base < n; base += 256) {
    tile[threadIdx.x] = in[base + threadIdx.x];
    __syncthreads();
    acc += tile[(threadIdx.x + 64) % 256];
    if (!missing_barrier) __syncthreads();
  }
  out[blockIdx.x * 256 + threadIdx.x] = acc;
}

int main(int argc, char** argv) {
  const int missing_barrier = argc > 1 ? std::atoi(argv[1]) : 0;
  const int n = 1024, blocks = 2;
  float *in = nullptr, *out = nullptr;
  if (cudaMallocManaged(&in, n * sizeof(float)) != cudaSuccess ||
      cudaMallocManaged(&out, blocks * 256 * sizeof(float)) != cudaSuccess)
    return 1;
  for (int i = 0; i < n; ++i) in[i] = float(i);
  tile_sum<<<blocks, 256>>>(in, out, n, missing_barrier);
  if (cudaDeviceSynchronize() != cudaSuccess) return 1;
  float expect = 0;
  for (int base = 0; base < n; base += 256) expect += in[base + 64];
  std::printf("shared_race: out[0] = %g, expected %g: %s\n", out[0], expect, out[0] == expect ? "OK" : "WRONG");
  return 0;
}
