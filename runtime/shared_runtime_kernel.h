// A kernel handle of gpusim's libcudart used with gpusim's libcuda: cudaGetFuncBySymbol and
// cudaGetKernel hand out the kernel's host function as its cudaFunction_t / cudaKernel_t, and
// programs pass it to the driver API as a CUfunction (cuLaunchKernel, cuLaunchKernelEx,
// cuFuncGetName, cuFuncGetAttribute), as NVIDIA's stack allows: its runtime sits on its driver.
// libcuda asks libcudart, through this hook, which module and kernel a handle it does not know is,
// and makes a function of its own over the runtime's loaded module (runtime/cudadrv/runtime_kernels.cpp).
// Both libraries are built from this tree together, so the struct is passed as it is.
#pragma once

#include <string>

#include "runtime/device.h"

namespace gpusim::runtime {

struct SharedRuntimeKernel {
  const Device* device = nullptr;  // the runtime's device now (cudaDeviceReset makes another)
  ModuleHandle module = -1;   // the runtime's module in that device (loaded by the call)
  std::string kernel;         // the mangled name, as in the PTX
  std::string source_name;    // what messages call the module ("app.fatbin0.compute_90.ptx")
  std::string ptx;            // the PTX text the module was loaded from
  std::string error;          // why the module cannot be loaded (then `module` is -1)
  // The runtime's attributes of the kernel (cudaFuncSetAttribute), so that a launch through the
  // driver sees the dynamic shared memory the program allowed through the runtime.
  int max_dynamic_shared = -1;  // -1: the default
  bool non_portable_cluster = false;
  Dim3 run_time_cluster{0, 0, 0};
};

// libcudart's entry point (runtime/cudart/cudart_driver_bridge.cpp): 0 when `handle` is not one of
// its kernels; otherwise 1, with `out` filled in.
using FindRuntimeKernel = int (*)(const void* handle, SharedRuntimeKernel* out);
inline constexpr const char* kFindRuntimeKernelSymbol = "__cudaGpusimRuntimeKernel";

}  // namespace gpusim::runtime
