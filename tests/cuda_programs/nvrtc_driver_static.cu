// A driver-API JIT program as many users build it: one .cu file without kernels of its own,
// nvcc's default static CUDA runtime (unused), NVRTC for the kernels and libcuda for the rest.
// nvcc still embeds an empty fat binary; gpusim exec must run it (the driver API is simulated),
// not refuse it as it refuses a static-runtime program that holds kernels.
// Checked against the CPU: cuModuleLoadDataEx with JIT log options (both logs written, the error
// log naming a bad instruction), a template instantiation taking a struct by value through the
// `extra` buffer, a __constant__ table written through cuModuleGetGlobal's address, and the
// library API (cuLibraryLoadData, cuLibraryGetKernel, a CUkernel launched as a CUfunction).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "check_jit.cuh"


static const char* kSource = R"(
template <typename T> struct Affine { T scale; T shift; };
__constant__ int table[4];
template <typename T> __global__ void affine(T* v, Affine<T> f, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] = v[i] * f.scale + f.shift;
}
extern "C" __global__ void lookup(int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = table[i % 4] * 10 + i;
})";

int main() {
  CU(cuInit(0));
  CUdevice dev;
  CU(cuDeviceGet(&dev, 0));
  int major = 0, minor = 0;
  CU(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
  CU(cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev));
  nvrtcProgram prog;
  EXPECT(nvrtcCreateProgram(&prog, kSource, "k.cu", 0, nullptr, nullptr) == NVRTC_SUCCESS);
  EXPECT(nvrtcAddNameExpression(prog, "affine<double>") == NVRTC_SUCCESS);
  EXPECT(nvrtcAddNameExpression(prog, "&table") == NVRTC_SUCCESS);
  const std::string arch = "--gpu-architecture=compute_" + std::to_string(major * 10 + minor);
  const char* options[] = {arch.c_str()};
  EXPECT(nvrtcCompileProgram(prog, 1, options) == NVRTC_SUCCESS);
  size_t size = 0;
  EXPECT(nvrtcGetPTXSize(prog, &size) == NVRTC_SUCCESS);
  std::string ptx(size, '\0');
  EXPECT(nvrtcGetPTX(prog, ptx.data()) == NVRTC_SUCCESS);
  const char* lowered = nullptr;
  EXPECT(nvrtcGetLoweredName(prog, "affine<double>", &lowered) == NVRTC_SUCCESS);
  const std::string affine_name = lowered;
  EXPECT(nvrtcGetLoweredName(prog, "&table", &lowered) == NVRTC_SUCCESS);
  const std::string table_name = lowered;
  nvrtcDestroyProgram(&prog);

  CUcontext ctx;
  CU(cuDevicePrimaryCtxRetain(&ctx, dev));
  CU(cuCtxSetCurrent(ctx));
  char info_log[256] = "untouched", error_log[256] = "untouched";
  CUjit_option jit[] = {CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, CU_JIT_ERROR_LOG_BUFFER,
                        CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, CU_JIT_LOG_VERBOSE, CU_JIT_OPTIMIZATION_LEVEL};
  void* values[] = {info_log, reinterpret_cast<void*>(uintptr_t(sizeof info_log)), error_log,
                    reinterpret_cast<void*>(uintptr_t(sizeof error_log)), reinterpret_cast<void*>(uintptr_t(1)),
                    reinterpret_cast<void*>(uintptr_t(4))};
  CUmodule mod;
  CU(cuModuleLoadDataEx(&mod, ptx.c_str(), 6, jit, values));
  EXPECT(std::string(info_log) != "untouched");  // both logs written (empty: nothing to report)
  EXPECT(std::string(error_log).empty());
  CUfunction affine, lookup;
  CU(cuModuleGetFunction(&affine, mod, affine_name.c_str()));
  CU(cuModuleGetFunction(&lookup, mod, "lookup"));

  // The struct argument through the `extra` buffer (C layout: pointer, struct, int).
  const int n = 3000;
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  CUdeviceptr dv;
  CU(cuMemAlloc(&dv, n * sizeof(double)));
  CU(cuMemcpyHtoD(dv, v.data(), n * sizeof(double)));
  struct { CUdeviceptr v; double scale, shift; int n; } packed = {dv, -2.0, 1.5, n};
  size_t packed_size = sizeof packed;
  void* extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, &packed, CU_LAUNCH_PARAM_BUFFER_SIZE, &packed_size, CU_LAUNCH_PARAM_END};
  CU(cuLaunchKernel(affine, (n + 255) / 256, 1, 1, 256, 1, 1, 0, nullptr, nullptr, extra));
  CU(cuMemcpyDtoH(v.data(), dv, n * sizeof(double)));
  for (int i = 0; i < n; ++i) EXPECT(v[i] == i * -2.0 + 1.5);

  // A __constant__ written through its address.
  CUdeviceptr table;
  size_t table_bytes = 0;
  CU(cuModuleGetGlobal(&table, &table_bytes, mod, table_name.c_str()));
  const int t[4] = {-1, 4, 40, 400};
  EXPECT(table_bytes == sizeof t);
  CU(cuMemcpyHtoD(table, t, sizeof t));
  CUdeviceptr dout;
  CU(cuMemAlloc(&dout, n * sizeof(int)));
  int nn = n;
  void* args[] = {&dout, &nn};
  CU(cuLaunchKernel(lookup, (n + 127) / 128, 1, 1, 128, 1, 1, 0, nullptr, args, nullptr));
  std::vector<int> out(n);
  CU(cuMemcpyDtoH(out.data(), dout, n * sizeof(int)));
  for (int i = 0; i < n; ++i) EXPECT(out[i] == t[i % 4] * 10 + i);
  int back[4] = {};
  CU(cuMemcpyDtoH(back, table + sizeof(int), 2 * sizeof(int)));
  EXPECT(back[0] == 4 && back[1] == 40);

  // The same PTX as a library (CUDA 12+): a CUkernel launches when cast to CUfunction.
  CUlibrary lib;
  CU(cuLibraryLoadData(&lib, ptx.c_str(), nullptr, nullptr, 0, nullptr, nullptr, 0));
  unsigned kernels = 0;
  CU(cuLibraryGetKernelCount(&kernels, lib));
  EXPECT(kernels == 2);
  CUkernel lib_lookup;
  CU(cuLibraryGetKernel(&lib_lookup, lib, "lookup"));
  CUfunction as_function;
  CU(cuKernelGetFunction(&as_function, lib_lookup));
  CUdeviceptr lib_table;
  CU(cuLibraryGetGlobal(&lib_table, &table_bytes, lib, table_name.c_str()));
  const int t2[4] = {5, 6, 7, 8};
  CU(cuMemcpyHtoD(lib_table, t2, sizeof t2));
  CU(cuLaunchKernel(reinterpret_cast<CUfunction>(lib_lookup), (n + 127) / 128, 1, 1, 128, 1, 1, 0, nullptr, args, nullptr));
  CU(cuMemcpyDtoH(out.data(), dout, n * sizeof(int)));
  for (int i = 0; i < n; ++i) EXPECT(out[i] == t2[i % 4] * 10 + i);
  CU(cuLibraryUnload(lib));
  EXPECT(cuLibraryGetKernelCount(&kernels, lib) == CUDA_ERROR_INVALID_HANDLE);

  // A bad PTX: CUDA_ERROR_INVALID_PTX, and the error log (its size given afresh: the driver
  // wrote back the size it used) names the instruction.
  values[3] = reinterpret_cast<void*>(uintptr_t(sizeof error_log));
  const char* bad = ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k() { bogus.op; }\n";
  CUmodule bad_mod;
  EXPECT(cuModuleLoadDataEx(&bad_mod, bad, 6, jit, values) == CUDA_ERROR_INVALID_PTX);
  EXPECT(std::string(error_log).find("bogus.op") != std::string::npos);
  std::printf("nvrtc_driver_static: OK\n");
  return 0;
}
