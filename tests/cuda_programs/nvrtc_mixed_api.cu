// The runtime and driver APIs in one program, as NVRTC users mix them on NVIDIA's stack: memory
// from cudaMalloc passed to a kernel loaded with cuModuleLoadData and launched with
// cuLaunchKernel (no cuInit or context calls: the runtime's primary context is current), memory
// from cuMemAlloc passed to a <<<>>> kernel, and a __constant__ of the driver's module written
// with cudaMemcpy. gpusim's libcuda shares libcudart's device, so all of it must work; every
// result is checked against the CPU.
#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "check_jit.cuh"


static const char* kSource = R"(
__constant__ int bias[2];
extern "C" __global__ void cube_plus(const int* in, long long* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = (long long)in[i] * in[i] * in[i] + bias[i % 2];
})";

__global__ void negate(long long* v, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] = -v[i];
}

int main() {
  const int n = 2000;
  std::vector<int> in(n);
  for (int i = 0; i < n; ++i) in[i] = i % 1000 - 500;
  int* d_in;  // runtime memory
  CHECK(cudaMalloc(&d_in, n * sizeof(int)));
  CHECK(cudaMemcpy(d_in, in.data(), n * sizeof(int), cudaMemcpyHostToDevice));

  int major = 0, minor = 0;
  CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0));
  CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0));
  nvrtcProgram prog;
  EXPECT(nvrtcCreateProgram(&prog, kSource, "k.cu", 0, nullptr, nullptr) == NVRTC_SUCCESS);
  const std::string arch = "--gpu-architecture=compute_" + std::to_string(major * 10 + minor);
  const char* options[] = {arch.c_str()};
  EXPECT(nvrtcCompileProgram(prog, 1, options) == NVRTC_SUCCESS);
  size_t size = 0;
  EXPECT(nvrtcGetPTXSize(prog, &size) == NVRTC_SUCCESS);
  std::string ptx(size, '\0');
  EXPECT(nvrtcGetPTX(prog, ptx.data()) == NVRTC_SUCCESS);
  nvrtcDestroyProgram(&prog);

  CUmodule mod;
  CU(cuModuleLoadData(&mod, ptx.c_str()));
  CUfunction f;
  CU(cuModuleGetFunction(&f, mod, "cube_plus"));
  CUdeviceptr bias;
  size_t bias_bytes = 0;
  CU(cuModuleGetGlobal(&bias, &bias_bytes, mod, "bias"));
  const int b[2] = {7, -11};
  EXPECT(bias_bytes == sizeof b);
  CHECK(cudaMemcpy(reinterpret_cast<void*>(bias), b, sizeof b, cudaMemcpyHostToDevice));  // runtime copy into a driver symbol

  CUdeviceptr d_out;  // driver memory
  CU(cuMemAlloc(&d_out, n * sizeof(long long)));
  int nn = n;
  void* args[] = {&d_in, &d_out, &nn};
  CU(cuLaunchKernel(f, (n + 255) / 256, 1, 1, 256, 1, 1, 0, nullptr, args, nullptr));
  negate<<<(n + 255) / 256, 256>>>(reinterpret_cast<long long*>(d_out), n);  // a runtime kernel on driver memory
  CHECK(cudaGetLastError());
  std::vector<long long> out(n);
  CHECK(cudaMemcpy(out.data(), reinterpret_cast<void*>(d_out), n * sizeof(long long), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(out[i] == -((long long)in[i] * in[i] * in[i] + b[i % 2]));
  CU(cuMemFree(d_out));
  CHECK(cudaFree(d_in));
  std::printf("nvrtc_mixed_api: OK\n");
  return 0;
}
