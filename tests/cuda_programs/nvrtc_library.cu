// Run-time compilation as JIT users write it with the runtime API alone (CUDA 12+): NVRTC
// compiles a kernel string to PTX; the runtime's library management (cudaLibraryLoadData,
// cudaLibraryGetKernel, cudaLibraryGetGlobal on __device__ and __constant__ variables,
// cudaLaunchKernel on the kernel handle) runs the kernels; every result is checked against the
// CPU. Also: a bad PTX fills the JIT error log; a cubin is refused with CUDA's code; an unloaded
// library's kernels are gone. (nvrtc_driver_static.cu does the same through the driver API.)
#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "check_jit.cuh"


static const char* kSource = R"(
template <typename T> struct Affine { T scale; T shift; };
__constant__ int table[4];
__device__ int calls;
extern "C" __global__ void saxpy(float a, const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
template <typename T> __global__ void affine(T* v, Affine<T> f, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] = v[i] * f.scale + f.shift;
  if (i == 0) atomicAdd(&calls, 1);
}
extern "C" __global__ void lookup(int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = table[i % 4] * 10 + i;
}
)";

struct Compiled {
  std::string ptx, affine_name, table_name, calls_name;
};

static Compiled compile(const char* arch_option) {
  nvrtcProgram prog;
  NVRTC(nvrtcCreateProgram(&prog, kSource, "jit.cu", 0, nullptr, nullptr));
  NVRTC(nvrtcAddNameExpression(prog, "affine<double>"));
  NVRTC(nvrtcAddNameExpression(prog, "&table"));
  NVRTC(nvrtcAddNameExpression(prog, "&calls"));
  const char* options[] = {arch_option, "--std=c++17"};
  const nvrtcResult r = nvrtcCompileProgram(prog, 2, options);
  if (r != NVRTC_SUCCESS) {
    size_t size = 0;
    nvrtcGetProgramLogSize(prog, &size);
    std::string log(size, '\0');
    nvrtcGetProgramLog(prog, log.data());
    std::fprintf(stderr, "NVRTC: %s\n%s\n", nvrtcGetErrorString(r), log.c_str());
    std::exit(2);
  }
  Compiled c;
  size_t size = 0;
  NVRTC(nvrtcGetPTXSize(prog, &size));
  c.ptx.resize(size);
  NVRTC(nvrtcGetPTX(prog, c.ptx.data()));
  const char* lowered = nullptr;
  NVRTC(nvrtcGetLoweredName(prog, "affine<double>", &lowered));
  c.affine_name = lowered;
  NVRTC(nvrtcGetLoweredName(prog, "&table", &lowered));
  c.table_name = lowered;
  NVRTC(nvrtcGetLoweredName(prog, "&calls", &lowered));
  c.calls_name = lowered;
  NVRTC(nvrtcDestroyProgram(&prog));
  return c;
}

static const int n = 1000;

// The runtime API alone.
static void through_the_runtime(const Compiled& c) {
  cudaLibrary_t lib;
  CHECK(cudaLibraryLoadData(&lib, c.ptx.c_str(), nullptr, nullptr, 0, nullptr, nullptr, 0));
  unsigned count = 0;
  CHECK(cudaLibraryGetKernelCount(&count, lib));
  EXPECT(count == 3);
  cudaKernel_t saxpy, affine, lookup, missing;
  CHECK(cudaLibraryGetKernel(&saxpy, lib, "saxpy"));
  CHECK(cudaLibraryGetKernel(&affine, lib, c.affine_name.c_str()));
  CHECK(cudaLibraryGetKernel(&lookup, lib, "lookup"));
  EXPECT(cudaLibraryGetKernel(&missing, lib, "no_such_kernel") == cudaErrorSymbolNotFound);
  EXPECT(cudaGetLastError() == cudaErrorSymbolNotFound);

  std::vector<float> x(n), y(n), want(n);
  for (int i = 0; i < n; ++i) {
    x[i] = i * 0.5f;
    y[i] = 1000.0f - i;
    want[i] = 2.5f * x[i] + y[i];
  }
  float *dx, *dy;
  CHECK(cudaMalloc(&dx, n * sizeof(float)));
  CHECK(cudaMalloc(&dy, n * sizeof(float)));
  CHECK(cudaMemcpy(dx, x.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(dy, y.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  float a = 2.5f;
  int nn = n;
  void* args[] = {&a, &dx, &dy, &nn};
  CHECK(cudaLaunchKernel(reinterpret_cast<const void*>(saxpy), dim3((n + 127) / 128), dim3(128), args, 0, nullptr));
  CHECK(cudaMemcpy(y.data(), dy, n * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(y[i] == want[i]);

  cudaFuncAttributes attr;
  CHECK(cudaFuncGetAttributes(&attr, reinterpret_cast<const void*>(saxpy)));
  EXPECT(attr.numRegs >= 0 && attr.maxThreadsPerBlock > 0);
  int blocks = 0;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, reinterpret_cast<const void*>(saxpy), 128, 0));
  EXPECT(blocks > 0);

  // A template instantiation taking a struct by value, twice (the __device__ counter counts).
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  double* dv;
  CHECK(cudaMalloc(&dv, n * sizeof(double)));
  CHECK(cudaMemcpy(dv, v.data(), n * sizeof(double), cudaMemcpyHostToDevice));
  struct { double scale, shift; } f = {3.0, 0.25};
  void* affine_args[] = {&dv, &f, &nn};
  for (int k = 0; k < 2; ++k)
    CHECK(cudaLaunchKernel(reinterpret_cast<const void*>(affine), dim3((n + 255) / 256), dim3(256), affine_args, 0, nullptr));
  CHECK(cudaMemcpy(v.data(), dv, n * sizeof(double), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(v[i] == (i * 3.0 + 0.25) * 3.0 + 0.25);
  int* calls;
  size_t calls_bytes = 0;
  CHECK(cudaLibraryGetGlobal(reinterpret_cast<void**>(&calls), &calls_bytes, lib, c.calls_name.c_str()));
  int host_calls = 0;
  CHECK(cudaMemcpy(&host_calls, calls, sizeof host_calls, cudaMemcpyDeviceToHost));
  EXPECT(calls_bytes == sizeof(int) && host_calls == 2);

  // A __constant__ table written through the address cudaLibraryGetGlobal gives.
  int* table;
  size_t table_bytes = 0;
  CHECK(cudaLibraryGetGlobal(reinterpret_cast<void**>(&table), &table_bytes, lib, c.table_name.c_str()));
  const int t[4] = {7, 8, 9, 10};
  EXPECT(table_bytes == sizeof t);
  CHECK(cudaMemcpy(table, t, sizeof t, cudaMemcpyHostToDevice));
  int* dout;
  CHECK(cudaMalloc(&dout, n * sizeof(int)));
  void* lookup_args[] = {&dout, &nn};
  CHECK(cudaLaunchKernel(reinterpret_cast<const void*>(lookup), dim3((n + 127) / 128), dim3(128), lookup_args, 0, nullptr));
  std::vector<int> out(n);
  CHECK(cudaMemcpy(out.data(), dout, n * sizeof(int), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(out[i] == t[i % 4] * 10 + i);
  EXPECT(cudaLibraryGetGlobal(reinterpret_cast<void**>(&table), &table_bytes, lib, "nothing") == cudaErrorSymbolNotFound);
  cudaGetLastError();

  // Bad PTX: the load fails with cudaErrorInvalidPtx and the error log says why.
  const char* bad = ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k() { bogus.op; }\n";
  char log[512] = "untouched";
  cudaJitOption options[] = {cudaJitErrorLogBuffer, cudaJitErrorLogBufferSizeBytes};
  void* values[] = {log, reinterpret_cast<void*>(uintptr_t(sizeof log))};
  cudaLibrary_t bad_lib;
  EXPECT(cudaLibraryLoadData(&bad_lib, bad, options, values, 2, nullptr, nullptr, 0) == cudaErrorInvalidPtx);
  EXPECT(std::string(log).find("bogus.op") != std::string::npos);
  cudaGetLastError();

  CHECK(cudaLibraryUnload(lib));
  EXPECT(cudaLaunchKernel(reinterpret_cast<const void*>(saxpy), dim3(1), dim3(1), args, 0, nullptr) ==
         cudaErrorInvalidDeviceFunction);
  EXPECT(cudaLibraryUnload(lib) == cudaErrorInvalidResourceHandle);
  cudaGetLastError();
}

int main() {
  int major = 0, minor = 0;
  CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0));
  CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0));
  const std::string arch = "--gpu-architecture=compute_" + std::to_string(major * 10 + minor);
  const Compiled c = compile(arch.c_str());
  EXPECT(c.ptx.find(".target sm_" + std::to_string(major * 10 + minor)) != std::string::npos);
  through_the_runtime(c);

  // A real-architecture compile gives a cubin (SASS), which the simulator cannot run: the
  // library load says so with CUDA's "no kernel image" code.
  nvrtcProgram prog;
  NVRTC(nvrtcCreateProgram(&prog, kSource, "jit.cu", 0, nullptr, nullptr));
  const std::string sm = "--gpu-architecture=sm_" + std::to_string(major * 10 + minor);
  const char* sm_options[] = {sm.c_str()};
  NVRTC(nvrtcCompileProgram(prog, 1, sm_options));
  size_t cubin_size = 0;
  NVRTC(nvrtcGetCUBINSize(prog, &cubin_size));
  EXPECT(cubin_size > 0);
  std::vector<char> cubin(cubin_size);
  NVRTC(nvrtcGetCUBIN(prog, cubin.data()));
  NVRTC(nvrtcDestroyProgram(&prog));
  cudaLibrary_t sass;
  EXPECT(cudaLibraryLoadData(&sass, cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0) == cudaErrorNoKernelImageForDevice);
  cudaGetLastError();
  std::printf("nvrtc_library: OK\n");
  return 0;
}
