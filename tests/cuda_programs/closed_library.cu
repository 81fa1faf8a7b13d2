// A program calling cuBLAS, one of NVIDIA's closed-source libraries (SASS only, its own copy of the
// static CUDA runtime): it cannot run on the simulator, and the user must learn that from one line
// naming the library, not from bare error codes. Exits 0 when cuBLAS refuses (as it must here).
#include <cublas_v2.h>

#include <cstdio>

int main() {
  cublasHandle_t handle;
  const cublasStatus_t status = cublasCreate(&handle);
  std::printf("closed_library: cublasCreate returned %d\n", int(status));
  if (status == CUBLAS_STATUS_SUCCESS) {
    cublasDestroy(handle);
    return 1;
  }
  return 0;
}
