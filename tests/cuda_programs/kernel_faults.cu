// One kernel fault of each kind, chosen by argv[1]; prints the error the synchronisation returns.
// On a GPU: oob -> cudaErrorIllegalAddress, misaligned -> cudaErrorMisalignedAddress,
// trap -> cudaErrorLaunchFailure (cudaErrorIllegalInstruction on some drivers), runaway -> never
// returns (the simulator stops it after GPUSIM_MAX_WARP_INSTRUCTIONS: cudaErrorLaunchTimeout).
#include <cstring>
#include "check.cuh"

__global__ void fault(int kind, int* p, volatile int* flag) {
  switch (kind) {
    case 0: p[threadIdx.x + (1 << 24)] = 1; break;                                      // out of bounds
    case 1: *reinterpret_cast<int*>(reinterpret_cast<char*>(p) + 2) = 1; break;         // misaligned
    case 2: if (threadIdx.x == 5) __trap(); break;                                       // trap
    case 3: while (*flag == 0) {} break;                                                 // runaway loop
    case 4: if (threadIdx.x < 16) __syncthreads(); break;                                 // divergent barrier
  }
}

int main(int argc, char** argv) {
  const char* kinds[] = {"oob", "misaligned", "trap", "runaway", "deadlock"};
  int kind = -1;
  for (int i = 0; i < 5; ++i)
    if (argc > 1 && std::strcmp(argv[1], kinds[i]) == 0) kind = i;
  EXPECT(kind >= 0);
  int* d;
  CHECK(cudaMalloc(&d, 1024));
  CHECK(cudaMemset(d, 0, 1024));
  fault<<<1, 64>>>(kind, d, d);
  std::printf("%s: %s\n", kinds[kind], cudaGetErrorName(cudaDeviceSynchronize()));
  return 0;
}
