// A driver-API program whose kernel writes far past its allocation and which ignores the error
// (prints it, exits 0), as careless host code does: `gpusim exec --error-exitcode N` must still
// end it with status N (tests/exec/exec_error_exitcode_test.cpp).
#include <cstdio>

#include "nvrtc_ptx.cuh"

static const char* kSource = R"(
extern "C" __global__ void write_past_end(int* p, int n) { p[threadIdx.x + n] = threadIdx.x; }
)";

int main() {
  start_driver();
  const std::string ptx = compile_ptx(kSource, "fault.cu");
  CUmodule mod;
  CU(cuModuleLoadData(&mod, ptx.c_str()));
  CUfunction f;
  CU(cuModuleGetFunction(&f, mod, "write_past_end"));
  CUdeviceptr d;
  CU(cuMemAlloc(&d, 64 * sizeof(int)));
  int n = 1 << 24;
  void* args[] = {&d, &n};
  CUresult launch = cuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, nullptr, args, nullptr);
  CUresult sync = launch == CUDA_SUCCESS ? cuCtxSynchronize() : launch;
  const char* name = nullptr;
  cuGetErrorName(sync, &name);
  std::printf("driver_fault: %s (ignored)\n", name ? name : "?");
  return 0;
}
