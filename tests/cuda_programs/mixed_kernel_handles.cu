// Kernel handles used across the two APIs, as NVIDIA's stack allows (its runtime sits on its
// driver, so a cudaFunction_t is a CUfunction and a cudaKernel_t a CUkernel). The runtime's handles
// through the driver API: a library that launches with cuLaunchKernelEx after cudaGetFuncBySymbol
// (CUTLASS's direct driver launch), a tool that names intercepted kernels with cuFuncGetName, a
// kernel's module asked for its globals; the runtime's cudaFuncSetAttribute must be seen by a
// driver launch of the same kernel. The driver's handles through the runtime: an NVRTC kernel's
// CUfunction and a library's CUkernel launched with cudaLaunchKernel, described by
// cudaFuncGetAttributes, with the driver's dynamic shared memory opt-in. Every result element is
// checked against the host's arithmetic.
#include <cuda_runtime.h>

#include <cstring>
#include <vector>

#include "nvrtc_ptx.cuh"

#define EXPECT_CU(expected, call) EXPECT((call) == (expected))

__device__ float bias[4] = {0.5f, 1.5f, 2.5f, 3.5f};

__global__ void scale_add(float* out, const float* in, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * a + bias[i % 4];
}

// Reverses each block's slice through dynamic shared memory of `stage` floats per thread.
__global__ void reverse_blocks(float* out, const float* in, int stage) {
  extern __shared__ float staged[];
  const int t = threadIdx.x, base = blockIdx.x * blockDim.x;
  staged[t * stage] = in[base + t];
  __syncthreads();
  out[base + t] = staged[(blockDim.x - 1 - t) * stage];
}

static void check_scale_add(const std::vector<float>& got, const std::vector<float>& in, float a) {
  const float b[4] = {0.5f, 1.5f, 2.5f, 3.5f};
  for (size_t i = 0; i < got.size(); ++i) {
    const float want = in[i] * a + b[i % 4];
    if (std::memcmp(&got[i], &want, sizeof want) != 0) {
      std::fprintf(stderr, "scale_add element %zu: %g, expected %g\n", i, got[i], want);
      std::exit(1);
    }
  }
}

int main() {
  const int n = 1000;
  std::vector<float> in(n), got(n);
  for (int i = 0; i < n; ++i) in[i] = 0.25f * float(i) - 17.0f;
  float *d_in = nullptr, *d_out = nullptr;
  CHECK(cudaMalloc(&d_in, n * sizeof(float)));
  CHECK(cudaMalloc(&d_out, n * sizeof(float)));
  CHECK(cudaMemcpy(d_in, in.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  CU(cuInit(0));

  // cudaGetFuncBySymbol's handle: named, described and launched by the driver.
  cudaFunction_t rt_function = nullptr;
  CHECK(cudaGetFuncBySymbol(&rt_function, reinterpret_cast<const void*>(scale_add)));
  CUfunction f = reinterpret_cast<CUfunction>(rt_function);
  const char* name = nullptr;
  CU(cuFuncGetName(&name, f));
  EXPECT(name && std::strstr(name, "scale_add") != nullptr);
  int max_threads = 0;
  CU(cuFuncGetAttribute(&max_threads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, f));
  cudaFuncAttributes rt_attributes{};
  CHECK(cudaFuncGetAttributes(&rt_attributes, reinterpret_cast<const void*>(scale_add)));
  EXPECT(max_threads == rt_attributes.maxThreadsPerBlock && max_threads > 0);
  size_t offset = 0, size = 0;
  CU(cuFuncGetParamInfo(f, 2, &offset, &size));
  EXPECT(offset == 16 && size == 4);  // out, in (8 bytes each), then the float

  float a = 3.0f;
  void* params[] = {&d_out, &d_in, &a, const_cast<int*>(&n)};
  CU(cuLaunchKernel(f, (n + 127) / 128, 1, 1, 128, 1, 1, 0, nullptr, params, nullptr));
  CU(cuCtxSynchronize());
  CHECK(cudaMemcpy(got.data(), d_out, n * sizeof(float), cudaMemcpyDeviceToHost));
  check_scale_add(got, in, a);

  // cuLaunchKernelEx on a runtime stream, with the same handle.
  cudaStream_t stream = nullptr;
  CHECK(cudaStreamCreate(&stream));
  a = -2.0f;
  CUlaunchConfig config{};
  config.gridDimX = (n + 255) / 256;
  config.gridDimY = config.gridDimZ = 1;
  config.blockDimX = 256;
  config.blockDimY = config.blockDimZ = 1;
  config.hStream = reinterpret_cast<CUstream>(stream);
  CU(cuLaunchKernelEx(&config, f, params, nullptr));
  CHECK(cudaStreamSynchronize(stream));
  CHECK(cudaMemcpy(got.data(), d_out, n * sizeof(float), cudaMemcpyDeviceToHost));
  check_scale_add(got, in, a);

  // The kernel's module holds its __device__ variable where the runtime placed it.
  CUmodule module = nullptr;
  CU(cuFuncGetModule(&module, f));
  CUdeviceptr bias_address = 0;
  size_t bias_bytes = 0;
  CU(cuModuleGetGlobal(&bias_address, &bias_bytes, module, "bias"));
  void* rt_bias = nullptr;
  CHECK(cudaGetSymbolAddress(&rt_bias, bias));
  EXPECT(bias_address == reinterpret_cast<CUdeviceptr>(rt_bias) && bias_bytes == sizeof(bias));
  // The same module's other kernel is found by name; the runtime owns the module.
  CUfunction reverse_by_name = nullptr;
  CU(cuModuleGetFunction(&reverse_by_name, module, "_Z14reverse_blocksPfPKfi"));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cuModuleUnload(module));

  // cudaGetKernel's handle; dynamic shared memory over the default 48 KiB allowed through the
  // runtime, used by a driver launch: 256 threads x 56 floats = 56 KiB.
  cudaKernel_t rt_kernel = nullptr;
  CHECK(cudaGetKernel(&rt_kernel, reverse_blocks));
  CUfunction reverse = reinterpret_cast<CUfunction>(rt_kernel);
  const int stage = 56, block = 256, blocks = 3;
  const unsigned dynamic = unsigned(block * stage * sizeof(float));
  std::vector<float> rin(block * blocks), rgot(block * blocks);
  for (size_t i = 0; i < rin.size(); ++i) rin[i] = float(i) * 1.5f;
  float *d_rin = nullptr, *d_rout = nullptr;
  CHECK(cudaMalloc(&d_rin, rin.size() * sizeof(float)));
  CHECK(cudaMalloc(&d_rout, rin.size() * sizeof(float)));
  CHECK(cudaMemcpy(d_rin, rin.data(), rin.size() * sizeof(float), cudaMemcpyHostToDevice));
  int stage_arg = stage;
  void* rparams[] = {&d_rout, &d_rin, &stage_arg};
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cuLaunchKernel(reverse, blocks, 1, 1, block, 1, 1, dynamic, nullptr, rparams, nullptr));
  CHECK(cudaFuncSetAttribute(reinterpret_cast<const void*>(reverse_blocks), cudaFuncAttributeMaxDynamicSharedMemorySize,
                             int(dynamic)));
  int allowed = 0;
  CU(cuFuncGetAttribute(&allowed, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, reverse));
  EXPECT(allowed == int(dynamic));
  CU(cuLaunchKernel(reverse, blocks, 1, 1, block, 1, 1, dynamic, nullptr, rparams, nullptr));
  CU(cuCtxSynchronize());
  CHECK(cudaMemcpy(rgot.data(), d_rout, rin.size() * sizeof(float), cudaMemcpyDeviceToHost));
  for (int b = 0; b < blocks; ++b)
    for (int t = 0; t < block; ++t) EXPECT(rgot[b * block + t] == rin[b * block + (block - 1 - t)]);
  // The function found by name is the same kernel (and sees the same attribute).
  CU(cuFuncGetAttribute(&allowed, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, reverse_by_name));
  EXPECT(allowed == int(dynamic));

  // A pointer that is no kernel of either library stays an invalid handle.
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE,
            cuLaunchKernel(reinterpret_cast<CUfunction>(&in), 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cuFuncGetName(&name, reinterpret_cast<CUfunction>(&in)));

  // The driver's handles through the runtime: an NVRTC kernel reversing blocks as above.
  static const char* kDriverSource = R"(
extern "C" __global__ void driver_reverse(float* out, const float* in, int stage) {
  extern __shared__ float staged[];
  const int t = threadIdx.x, base = blockIdx.x * blockDim.x;
  staged[t * stage] = in[base + t];
  __syncthreads();
  out[base + t] = staged[(blockDim.x - 1 - t) * stage] + 1.0f;
}
)";
  const std::string ptx = compile_ptx(kDriverSource, "driver_reverse.cu");
  CUmodule driver_module = nullptr;
  CU(cuModuleLoadData(&driver_module, ptx.c_str()));
  CUfunction driver_f = nullptr;
  CU(cuModuleGetFunction(&driver_f, driver_module, "driver_reverse"));
  const void* as_runtime = reinterpret_cast<const void*>(driver_f);
  cudaFuncAttributes driver_attributes{};
  CHECK(cudaFuncGetAttributes(&driver_attributes, as_runtime));
  int driver_max_threads = 0;
  CU(cuFuncGetAttribute(&driver_max_threads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, driver_f));
  EXPECT(driver_attributes.maxThreadsPerBlock == driver_max_threads && driver_max_threads > 0);
  const char* runtime_name = nullptr;
  CHECK(cudaFuncGetName(&runtime_name, as_runtime));
  EXPECT(runtime_name && std::strstr(runtime_name, "driver_reverse") != nullptr);
  // Over 48 KiB: refused until the driver's opt-in, which the runtime then sees.
  EXPECT(cudaLaunchKernel(as_runtime, dim3(blocks), dim3(block), rparams, dynamic, stream) == cudaErrorInvalidValue);
  CU(cuFuncSetAttribute(driver_f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, int(dynamic)));
  CHECK(cudaMemset(d_rout, 0, rin.size() * sizeof(float)));
  CHECK(cudaLaunchKernel(as_runtime, dim3(blocks), dim3(block), rparams, dynamic, stream));
  CHECK(cudaStreamSynchronize(stream));
  CHECK(cudaMemcpy(rgot.data(), d_rout, rin.size() * sizeof(float), cudaMemcpyDeviceToHost));
  for (int b = 0; b < blocks; ++b)
    for (int t = 0; t < block; ++t) EXPECT(rgot[b * block + t] == rin[b * block + (block - 1 - t)] + 1.0f);
  // A library's CUkernel, launched by the runtime on the default stream.
  CUlibrary library = nullptr;
  CU(cuLibraryLoadData(&library, ptx.c_str(), nullptr, nullptr, 0, nullptr, nullptr, 0));
  CUkernel driver_kernel = nullptr;
  CU(cuLibraryGetKernel(&driver_kernel, library, "driver_reverse"));
  int small_stage = 1;
  void* small_params[] = {&d_rout, &d_rin, &small_stage};
  CHECK(cudaLaunchKernel(reinterpret_cast<const void*>(driver_kernel), dim3(blocks), dim3(block), small_params,
                         block * sizeof(float), nullptr));
  CHECK(cudaMemcpy(rgot.data(), d_rout, rin.size() * sizeof(float), cudaMemcpyDeviceToHost));
  for (int b = 0; b < blocks; ++b)
    for (int t = 0; t < block; ++t) EXPECT(rgot[b * block + t] == rin[b * block + (block - 1 - t)] + 1.0f);
  // A runtime graph whose kernel node is the driver's function, launched through the driver:
  // libcuda (inside cuGraphLaunch) runs the runtime's node, which asks libcuda about the handle.
  cudaGraph_t graph = nullptr;
  CHECK(cudaGraphCreate(&graph, 0));
  cudaKernelNodeParams node_params{};
  node_params.func = const_cast<void*>(as_runtime);
  node_params.gridDim = dim3(blocks);
  node_params.blockDim = dim3(block);
  node_params.sharedMemBytes = block * sizeof(float);
  node_params.kernelParams = small_params;
  cudaGraphNode_t kernel_node = nullptr;
  CHECK(cudaGraphAddKernelNode(&kernel_node, graph, nullptr, 0, &node_params));
  cudaGraphExec_t graph_exec = nullptr;
  CHECK(cudaGraphInstantiate(&graph_exec, graph, 0));
  CHECK(cudaMemset(d_rout, 0, rin.size() * sizeof(float)));
  CU(cuGraphLaunch(reinterpret_cast<CUgraphExec>(graph_exec), nullptr));
  CU(cuCtxSynchronize());
  CHECK(cudaMemcpy(rgot.data(), d_rout, rin.size() * sizeof(float), cudaMemcpyDeviceToHost));
  for (int b = 0; b < blocks; ++b)
    for (int t = 0; t < block; ++t) EXPECT(rgot[b * block + t] == rin[b * block + (block - 1 - t)] + 1.0f);
  CHECK(cudaGraphExecDestroy(graph_exec));
  CHECK(cudaGraphDestroy(graph));
  // The runtime's launch of the driver's function captured into a driver graph: libcuda, inside
  // cuGraphLaunch (holding its lock), runs the runtime's launch, which asks libcuda about the handle.
  CUstream capture_stream = reinterpret_cast<CUstream>(stream);
  CU(cuStreamBeginCapture(capture_stream, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CHECK(cudaLaunchKernel(as_runtime, dim3(blocks), dim3(block), small_params, block * sizeof(float), stream));
  CUgraph driver_graph = nullptr;
  CU(cuStreamEndCapture(capture_stream, &driver_graph));
  CUgraphExec driver_exec = nullptr;
  CU(cuGraphInstantiate(&driver_exec, driver_graph, 0));
  CHECK(cudaMemset(d_rout, 0, rin.size() * sizeof(float)));
  CU(cuGraphLaunch(driver_exec, capture_stream));
  CU(cuStreamSynchronize(capture_stream));
  CHECK(cudaMemcpy(rgot.data(), d_rout, rin.size() * sizeof(float), cudaMemcpyDeviceToHost));
  for (int b = 0; b < blocks; ++b)
    for (int t = 0; t < block; ++t) EXPECT(rgot[b * block + t] == rin[b * block + (block - 1 - t)] + 1.0f);
  CU(cuGraphExecDestroy(driver_exec));
  CU(cuGraphDestroy(driver_graph));
  CU(cuLibraryUnload(library));
  // An unloaded module's function is no kernel of either library any more.
  CU(cuModuleUnload(driver_module));
  EXPECT(cudaLaunchKernel(as_runtime, dim3(1), dim3(1), small_params, 0, nullptr) == cudaErrorInvalidDeviceFunction);
  cudaGetLastError();

  CHECK(cudaStreamDestroy(stream));
  CHECK(cudaFree(d_in));
  CHECK(cudaFree(d_out));
  CHECK(cudaFree(d_rin));
  CHECK(cudaFree(d_rout));
  std::printf("OK mixed kernel handles\n");
  return 0;
}
