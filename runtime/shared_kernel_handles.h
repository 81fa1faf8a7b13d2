// Kernel handles that cross between gpusim's libcudart and libcuda, as on NVIDIA's stack, where the
// runtime sits on the driver and a cudaFunction_t is a CUfunction, a cudaKernel_t a CUkernel:
// - a runtime handle (cudaGetFuncBySymbol, cudaGetKernel, cudaLibraryGetKernel: the kernel's host
//   function or key) passed to the driver API (cuLaunchKernel(Ex), cuFuncGetName,
//   cuFuncGetAttribute): libcuda asks libcudart which module and kernel it is and makes a function
//   of its own over the runtime's loaded module (runtime/cudadrv/kernel_handles.cpp);
// - a driver handle (cuModuleGetFunction, cuLibraryGetKernel) passed to the runtime
//   (cudaLaunchKernel(ExC), cudaFuncGetAttributes, cudaFuncSetAttribute): libcudart asks libcuda
//   and keeps a kernel record over the driver's module (runtime/cudart/cudart_driver_kernels.cpp).
// Both libraries are built from this tree together, so the structs are passed as they are; each
// side finds the other's hook with dlsym.
#pragma once

#include <string>

#include "runtime/device.h"

namespace gpusim::runtime {

// One library's answer about a kernel handle of its own.
struct SharedKernel {
  const Device* device = nullptr;  // the device its module is loaded in (cudaDeviceReset makes another)
  ModuleHandle module = -1;        // in that device (-1: cannot be loaded, see `error`)
  std::string kernel;              // the mangled name, as in the PTX
  std::string source_name;         // what messages call the module ("app.fatbin0.compute_90.ptx")
  std::string ptx;                 // the module's PTX text (the runtime's answer only)
  std::string error;               // why the module cannot be loaded
  // The answering library's attributes of the kernel, so that a launch through the other API
  // sees the dynamic shared memory and cluster shape the program allowed through this one.
  int max_dynamic_shared = -1;  // -1: the default
  bool non_portable_cluster = false;
  Dim3 run_time_cluster{0, 0, 0};
};

// The other library's attribute values last copied into a kernel of one library, so that a value
// set through either API since then is kept (the later setting wins).
struct SeenAttributes {
  int max_dynamic_shared = -2;  // -2: never copied
  bool non_portable_cluster = false;
  Dim3 run_time_cluster{0, 0, 0};
};

// Copies `other`'s attributes into `kernel` (CUfunc_st or the runtime's KernelRecord: the same
// member names) where they changed since last seen; `default_dynamic_shared` is what the receiving
// library stores for "the default".
template <typename Kernel>
void copy_changed_attributes(Kernel& kernel, SeenAttributes& seen, const SharedKernel& other, int default_dynamic_shared) {
  if (other.max_dynamic_shared != seen.max_dynamic_shared) {
    kernel.max_dynamic_shared = other.max_dynamic_shared < 0 ? default_dynamic_shared : other.max_dynamic_shared;
    seen.max_dynamic_shared = other.max_dynamic_shared;
  }
  if (other.non_portable_cluster != seen.non_portable_cluster) {
    kernel.non_portable_cluster = other.non_portable_cluster;
    seen.non_portable_cluster = other.non_portable_cluster;
  }
  const Dim3& c = other.run_time_cluster;
  if (c.x != seen.run_time_cluster.x || c.y != seen.run_time_cluster.y || c.z != seen.run_time_cluster.z) {
    kernel.run_time_cluster = c;
    seen.run_time_cluster = c;
  }
}

// The hooks: 0 when `handle` is not one of the library's kernels; otherwise 1, with `out` filled.
using FindSharedKernel = int (*)(const void* handle, SharedKernel* out);
// libcudart's (runtime/cudart/cudart_driver_bridge.cpp); its exports match `__cuda*`.
inline constexpr const char* kFindRuntimeKernelSymbol = "__cudaGpusimRuntimeKernel";
// libcuda's (runtime/cudadrv/kernel_handles.cpp); its exports match `cu*`.
inline constexpr const char* kFindDriverKernelSymbol = "cuGpusimDriverKernel";

}  // namespace gpusim::runtime
