// A cooperative launch through the driver API (cuLaunchCooperativeKernel, and cuLaunchKernelEx
// with CU_LAUNCH_ATTRIBUTE_COOPERATIVE): an NVRTC kernel whose grid.sync() makes every CTA see
// what every other CTA wrote before it, checked against the CPU; the grid sized with
// cuOccupancyMaxActiveBlocksPerMultiprocessor x SMs, and one CTA more refused with
// CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE.
#include <cstdio>
#include <vector>

#include "nvrtc_ptx.cuh"

static const char* kSource = R"(
#include <cooperative_groups.h>
extern "C" __global__ void reverse_sum(const int* in, int* tmp, int* out, int n) {
  cooperative_groups::grid_group grid = cooperative_groups::this_grid();
  for (int i = grid.thread_rank(); i < n; i += grid.size()) tmp[i] = in[i] * 2;
  grid.sync();
  for (int i = grid.thread_rank(); i < n; i += grid.size()) out[i] = tmp[n - 1 - i] + 1;
}
)";

int main() {
  const auto [dev, ctx] = start_driver();
  // cooperative_groups.h from the toolkit the program was built with.
  const std::string ptx = compile_ptx(kSource, "cooperative.cu", {std::string("--include-path=") + GPUSIM_CUDA_INCLUDE,
                                                                     std::string("--include-path=") + GPUSIM_CUDA_INCLUDE "/cccl"});
  CUmodule mod;
  CU(cuModuleLoadData(&mod, ptx.c_str()));
  CUfunction k;
  CU(cuModuleGetFunction(&k, mod, "reverse_sum"));
  int cooperative = 0, sms = 0, per_sm = 0;
  CU(cuDeviceGetAttribute(&cooperative, CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH, dev));
  CU(cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev));
  EXPECT(cooperative == 1);
  const unsigned block = 256;
  CU(cuOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, k, block, 0));
  EXPECT(per_sm > 0);
  const int n = 5000;
  std::vector<int> in(n), out(n);
  for (int i = 0; i < n; ++i) in[i] = 3 * i - 77;
  CUdeviceptr din, dtmp, dout;
  CU(cuMemAlloc(&din, n * sizeof(int)));
  CU(cuMemAlloc(&dtmp, n * sizeof(int)));
  CU(cuMemAlloc(&dout, n * sizeof(int)));
  CU(cuMemcpyHtoD(din, in.data(), n * sizeof(int)));
  int count = n;
  void* args[] = {&din, &dtmp, &dout, &count};
  // A small grid (the loops stride over the data), then through cuLaunchKernelEx.
  CU(cuLaunchCooperativeKernel(k, 4, 1, 1, block, 1, 1, 0, nullptr, args));
  CU(cuMemcpyDtoH(out.data(), dout, n * sizeof(int)));
  for (int i = 0; i < n; ++i) EXPECT(out[i] == in[n - 1 - i] * 2 + 1);
  CU(cuMemsetD32(dout, 0, n));
  CUlaunchAttribute attribute = {};
  attribute.id = CU_LAUNCH_ATTRIBUTE_COOPERATIVE;
  attribute.value.cooperative = 1;
  CUlaunchConfig config = {};
  config.gridDimX = 7;
  config.gridDimY = config.gridDimZ = 1;
  config.blockDimX = block;
  config.blockDimY = config.blockDimZ = 1;
  config.attrs = &attribute;
  config.numAttrs = 1;
  CU(cuLaunchKernelEx(&config, k, args, nullptr));
  CU(cuMemcpyDtoH(out.data(), dout, n * sizeof(int)));
  for (int i = 0; i < n; ++i) EXPECT(out[i] == in[n - 1 - i] * 2 + 1);
  // One CTA more than can be resident at once.
  const unsigned too_many = static_cast<unsigned>(per_sm * sms + 1);
  EXPECT(cuLaunchCooperativeKernel(k, too_many, 1, 1, block, 1, 1, 0, nullptr, args) ==
         CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE);
  CU(cuCtxSynchronize());  // not sticky: the context still works
  CU(cuCtxDestroy(ctx));
  std::printf("driver_cooperative: OK\n");
  return 0;
}
