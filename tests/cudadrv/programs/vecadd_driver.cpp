// A user program written against the CUDA driver API, linked against the toolkit's stub
// libcuda.so like any CUDA program, and run by ctest with build/lib on LD_LIBRARY_PATH: the
// loader then binds it to the simulator's libcuda.so.1. It checks its own result against the CPU
// and exits 0 only if every element matches and every call succeeded. An argument repeats the
// launch that many times (y = a*x + y each time), for the driver's exit report of many launches.
#include <cuda.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

const char* const kPtx = R"PTX(.version 7.0
.target sm_70
.address_size 64
.visible .entry scale_add(.param .u64 x, .param .u64 y, .param .f32 a, .param .u32 n)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .f32 %f<5>;
  .reg .b64 %rd<6>;
  ld.param.u64 %rd1, [x];
  ld.param.u64 %rd2, [y];
  ld.param.f32 %f1, [a];
  ld.param.u32 %r1, [n];
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, %tid.x;
  mad.lo.s32 %r5, %r2, %r3, %r4;
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra DONE;
  mul.wide.u32 %rd3, %r5, 4;
  add.s64 %rd4, %rd1, %rd3;
  add.s64 %rd5, %rd2, %rd3;
  ld.global.f32 %f2, [%rd4];
  ld.global.f32 %f3, [%rd5];
  fma.rn.f32 %f4, %f1, %f2, %f3;
  st.global.f32 [%rd5], %f4;
DONE:
  ret;
}
)PTX";

bool ok(CUresult r, const char* call, int line) {
  if (r == CUDA_SUCCESS) return true;
  const char* name = nullptr;
  cuGetErrorName(r, &name);
  std::fprintf(stderr, "vecadd_driver.cpp:%d: %s failed: %s\n", line, call, name ? name : "?");
  return false;
}
#define CHECK(call) \
  if (!ok((call), #call, __LINE__)) return 1

}  // namespace

int main(int argc, char** argv) {
  const int launches = argc > 1 ? std::atoi(argv[1]) : 1;
  CHECK(cuInit(0));
  CUdevice device;
  CHECK(cuDeviceGet(&device, 0));
  char name[128];
  CHECK(cuDeviceGetName(name, sizeof name, device));
  CUcontext context;
  CHECK(cuCtxCreate(&context, nullptr, 0, device));
  CUmodule module;
  CHECK(cuModuleLoadData(&module, kPtx));
  CUfunction kernel;
  CHECK(cuModuleGetFunction(&kernel, module, "scale_add"));

  const unsigned n = 3000;
  float a = 1.5f;
  std::vector<float> x(n), y(n), out(n);
  for (unsigned i = 0; i < n; ++i) {
    x[i] = 0.5f * static_cast<float>(i);
    y[i] = 3.0f - static_cast<float>(i % 7);
  }
  CUdeviceptr dx, dy;
  CHECK(cuMemAlloc(&dx, n * sizeof(float)));
  CHECK(cuMemAlloc(&dy, n * sizeof(float)));
  CHECK(cuMemcpyHtoD(dx, x.data(), n * sizeof(float)));
  CHECK(cuMemcpyHtoD(dy, y.data(), n * sizeof(float)));
  CUevent start, stop;
  CHECK(cuEventCreate(&start, CU_EVENT_DEFAULT));
  CHECK(cuEventCreate(&stop, CU_EVENT_DEFAULT));
  void* params[] = {&dx, &dy, &a, const_cast<unsigned*>(&n)};
  CHECK(cuEventRecord(start, nullptr));
  for (int i = 0; i < launches; ++i)
    CHECK(cuLaunchKernel(kernel, (n + 255) / 256, 1, 1, 256, 1, 1, 0, nullptr, params, nullptr));
  CHECK(cuEventRecord(stop, nullptr));
  CHECK(cuEventSynchronize(stop));
  float ms = 0;
  CHECK(cuEventElapsedTime(&ms, start, stop));
  CHECK(cuMemcpyDtoH(out.data(), dy, n * sizeof(float)));
  int wrong = 0;
  for (unsigned i = 0; i < n; ++i) {
    float want = y[i];
    for (int k = 0; k < launches; ++k) want = __builtin_fmaf(a, x[i], want);  // fma.rn: one rounding, as fmaf
    if (out[i] != want) ++wrong;
  }
  CHECK(cuMemFree(dx));
  CHECK(cuMemFree(dy));
  CHECK(cuModuleUnload(module));
  CHECK(cuCtxDestroy(context));
  std::printf("%s on %s: %u elements, %d wrong, %.3f ms\n", wrong ? "FAIL" : "PASS", name, n, wrong, ms);
  return wrong ? 1 : 0;
}
