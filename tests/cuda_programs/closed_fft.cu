// A program calling cuFFT, a closed-source library (SASS only, its own static CUDA runtime) that
// asks the driver for a table of its own right after cuInit: gpusim must name it as it names
// cuBLAS, not leave the user with CUFFT_INTERNAL_ERROR. Exits 0 when cuFFT refuses (as it must here).
#include <cufft.h>

#include <cstdio>

int main() {
  cufftHandle plan;
  const cufftResult result = cufftPlan1d(&plan, 1024, CUFFT_Z2Z, 1);
  std::printf("closed_fft: cufftPlan1d returned %d\n", int(result));
  if (result == CUFFT_SUCCESS) {
    cufftDestroy(plan);
    return 1;
  }
  return 0;
}
