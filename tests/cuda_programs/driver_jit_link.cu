// JIT linking through the driver API, as programs that build kernels at run time from several
// pieces do: two NVRTC translation units compiled with -rdc (an extern __device__ function and
// an extern __device__ variable defined in one, used by the other's kernel) joined by
// cuLinkCreate / cuLinkAddData / cuLinkAddFile / cuLinkComplete, loaded with cuModuleLoadData and
// checked against the same arithmetic on the CPU. Then the failures a user meets: a link missing
// a definition (CUDA_ERROR_INVALID_IMAGE, the error log naming the symbol), a cubin input
// (CUDA_ERROR_NO_BINARY_FOR_GPU), a missing file, bad handles.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>
#include <string>
#include <vector>

#include "nvrtc_ptx.cuh"

static const char* kLibrary = R"(
__device__ int bias = 7;
__device__ float combine(float a, float b) { return a * 3.0f - b + bias; }
)";

static const char* kKernels = R"(
extern __device__ int bias;
extern __device__ float combine(float a, float b);
extern "C" __global__ void apply(const float* a, const float* b, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = combine(a[i], b[i]);
}
// The variable is one, not a copy per module: apply sees the increment.
extern "C" __global__ void bump() { bias += 1; }
)";

int main() {
  const auto [dev, ctx] = start_driver();
  const std::string lib_ptx = compile_ptx(kLibrary, "library.cu", {"--relocatable-device-code=true"});
  const std::string kernel_ptx = compile_ptx(kKernels, "kernels.cu", {"--relocatable-device-code=true"});

  // The library goes in from a file, as a program shipping .ptx files adds it.
  const std::string path = "/tmp/gpusim_driver_jit_link_" + std::to_string(getpid()) + ".ptx";
  std::ofstream(path) << lib_ptx;

  char error_log[1024] = "untouched", info_log[1024] = "untouched";
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, CU_JIT_INFO_LOG_BUFFER,
                            CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, CU_JIT_LOG_VERBOSE};
  void* values[] = {error_log, reinterpret_cast<void*>(uintptr_t(sizeof error_log)), info_log,
                    reinterpret_cast<void*>(uintptr_t(sizeof info_log)), reinterpret_cast<void*>(uintptr_t(1))};
  CUlinkState link;
  CU(cuLinkCreate(5, options, values, &link));
  CU(cuLinkAddData(link, CU_JIT_INPUT_PTX, const_cast<char*>(kernel_ptx.c_str()), kernel_ptx.size() + 1, "kernels.ptx",
                   0, nullptr, nullptr));
  CU(cuLinkAddFile(link, CU_JIT_INPUT_PTX, path.c_str(), 0, nullptr, nullptr));
  void* image = nullptr;
  size_t image_size = 0;
  CU(cuLinkComplete(link, &image, &image_size));
  EXPECT(image && image_size > 0);
  EXPECT(std::string(error_log).empty());
  // The image outlives nothing but the link state: copy it, destroy the link, load the copy.
  const std::vector<char> copy(static_cast<char*>(image), static_cast<char*>(image) + image_size);
  CU(cuLinkDestroy(link));
  std::remove(path.c_str());
  CUmodule mod;
  CU(cuModuleLoadData(&mod, copy.data()));
  CUfunction apply;
  CU(cuModuleGetFunction(&apply, mod, "apply"));
  CUmodule owner = nullptr;
  CU(cuFuncGetModule(&owner, apply));
  EXPECT(owner == mod);

  const int n = 1000;
  std::vector<float> a(n), b(n), out(n);
  for (int i = 0; i < n; ++i) a[i] = 0.5f * i, b[i] = 2.0f - i;
  CUdeviceptr da, db, dout;
  CU(cuMemAlloc(&da, n * sizeof(float)));
  CU(cuMemAlloc(&db, n * sizeof(float)));
  CU(cuMemAlloc(&dout, n * sizeof(float)));
  CU(cuMemcpyHtoD(da, a.data(), n * sizeof(float)));
  CU(cuMemcpyHtoD(db, b.data(), n * sizeof(float)));
  int count = n;
  void* args[] = {&da, &db, &dout, &count};
  CUfunction bump;
  CU(cuModuleGetFunction(&bump, mod, "bump"));
  for (int launch = 0; launch < 2; ++launch) {
    CU(cuLaunchKernel(apply, (n + 127) / 128, 1, 1, 128, 1, 1, 0, nullptr, args, nullptr));
    CU(cuMemcpyDtoH(out.data(), dout, n * sizeof(float)));
    const int bias = 7 + launch;
    for (int i = 0; i < n; ++i) EXPECT(out[i] == a[i] * 3.0f - b[i] + bias);
    CU(cuLaunchKernel(bump, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr));
  }
  // The variable by name in the linked module: 7 + one increment per launch.
  CUdeviceptr bias_address;
  size_t bias_bytes = 0;
  CU(cuModuleGetGlobal(&bias_address, &bias_bytes, mod, "bias"));
  int bias_now = 0;
  CU(cuMemcpyDtoH(&bias_now, bias_address, sizeof bias_now));
  EXPECT(bias_bytes == sizeof(int) && bias_now == 9);

  // The kernels alone: the extern function and variable are undefined.
  CU(cuLinkCreate(2, options, values, &link));
  CU(cuLinkAddData(link, CU_JIT_INPUT_PTX, const_cast<char*>(kernel_ptx.c_str()), kernel_ptx.size() + 1, "kernels.ptx",
                   0, nullptr, nullptr));
  EXPECT(cuLinkComplete(link, &image, &image_size) == CUDA_ERROR_INVALID_IMAGE);
  EXPECT(std::strstr(error_log, "combine") || std::strstr(error_log, "bias"));
  // SASS cannot be linked; a missing file is named.
  const char elf[] = "\x7f" "ELF\x02\x01\x01";
  EXPECT(cuLinkAddData(link, CU_JIT_INPUT_CUBIN, const_cast<char*>(elf), sizeof elf, "k.cubin", 0, nullptr, nullptr) ==
         CUDA_ERROR_NO_BINARY_FOR_GPU);
  EXPECT(cuLinkAddFile(link, CU_JIT_INPUT_PTX, "/nonexistent/k.ptx", 0, nullptr, nullptr) == CUDA_ERROR_FILE_NOT_FOUND);
  EXPECT(cuLinkComplete(link, nullptr, &image_size) == CUDA_ERROR_INVALID_VALUE);
  CU(cuLinkDestroy(link));
  EXPECT(cuLinkDestroy(link) == CUDA_ERROR_INVALID_HANDLE);
  EXPECT(cuLinkAddData(link, CU_JIT_INPUT_PTX, const_cast<char*>(kernel_ptx.c_str()), 0, "x", 0, nullptr, nullptr) ==
         CUDA_ERROR_INVALID_HANDLE);
  CUmoduleLoadingMode mode;
  CU(cuModuleGetLoadingMode(&mode));
  EXPECT(mode == CU_MODULE_EAGER_LOADING);
  CU(cuCtxDestroy(ctx));
  std::printf("driver_jit_link: OK\n");
  return 0;
}
