// A kernel that keeps 80 running values per thread in registers. Built with -maxrregcount=32 (the
// `register_limit` program) nvcc records the limit in the fat binary for the driver's ptxas, which
// then fits the kernel in 32 registers (spilling the rest), so 1024-thread blocks launch; built
// without it (`register_limit_free`) ptxas gives it more than 64 registers, and a 1024-thread block
// needs more than the 65,536 a V100/H100 SM holds (cudaErrorLaunchOutOfResources).
// `register_limit N`: N = the most registers cudaFuncGetAttributes may report (0: expect > 64).
#include <cstdio>
#include <cstdlib>

#include "check.cuh"

constexpr int kValues = 80;

// `rounds` comes at run time, so every value stays live across the loop.
__global__ void mix(const unsigned* in, unsigned* out, int rounds) {
  unsigned v[kValues];
#pragma unroll
  for (int i = 0; i < kValues; ++i) v[i] = in[(threadIdx.x + i * 37) & 1023] * (i + 1);
  for (int round = 0; round < rounds; ++round)
#pragma unroll
    for (int i = 0; i < kValues; ++i) v[i] = v[i] * 2654435761u + (v[(i + 5) % kValues] >> 3);
  unsigned s = 0;
#pragma unroll
  for (int i = 0; i < kValues; ++i) s += v[i] * (2 * i + 1);
  out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

unsigned mix_reference(const unsigned* in, unsigned thread, int rounds) {
  unsigned v[kValues];
  for (int i = 0; i < kValues; ++i) v[i] = in[(thread + i * 37) & 1023] * (i + 1);
  for (int round = 0; round < rounds; ++round)  // in place, i = 0..79, as the kernel
    for (int i = 0; i < kValues; ++i) v[i] = v[i] * 2654435761u + (v[(i + 5) % kValues] >> 3);
  unsigned s = 0;
  for (int i = 0; i < kValues; ++i) s += v[i] * (2 * i + 1);
  return s;
}

int main(int argc, char** argv) {
  const int most_registers = argc > 1 ? std::atoi(argv[1]) : 32;
  cudaFuncAttributes attributes{};
  CHECK(cudaFuncGetAttributes(&attributes, mix));
  std::printf("register_limit: numRegs %d, maxThreadsPerBlock %d\n", attributes.numRegs, attributes.maxThreadsPerBlock);
  unsigned in[1024];
  for (unsigned i = 0; i < 1024; ++i) in[i] = i * 7919u + 13u;
  unsigned *d_in = nullptr, *d_out = nullptr;
  CHECK(cudaMalloc(&d_in, sizeof in));
  CHECK(cudaMalloc(&d_out, 2 * 1024 * sizeof(unsigned)));
  CHECK(cudaMemcpy(d_in, in, sizeof in, cudaMemcpyHostToDevice));
  const int rounds = 3;
  mix<<<2, 1024>>>(d_in, d_out, rounds);
  const cudaError_t launched = cudaGetLastError();
  if (most_registers == 0) {  // the build without the limit
    EXPECT(attributes.numRegs > 64);
    EXPECT(attributes.maxThreadsPerBlock < 1024);
    EXPECT(launched == cudaErrorLaunchOutOfResources);
    std::printf("register_limit: OK (without the limit)\n");
    return 0;
  }
  EXPECT(attributes.numRegs > 0 && attributes.numRegs <= most_registers);
  EXPECT(attributes.maxThreadsPerBlock == 1024);
  CHECK(launched);
  static unsigned out[2 * 1024];
  CHECK(cudaMemcpy(out, d_out, sizeof out, cudaMemcpyDeviceToHost));
  for (unsigned t = 0; t < 2 * 1024; ++t) EXPECT(out[t] == mix_reference(in, t % 1024, rounds));
  std::printf("register_limit: OK\n");
  return 0;
}
