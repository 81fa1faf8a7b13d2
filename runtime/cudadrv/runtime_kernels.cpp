// libcudart's kernel handles used as CUfunctions (runtime/shared_runtime_kernel.h): a program
// takes a kernel's handle from the runtime (cudaGetFuncBySymbol, cudaGetKernel,
// cudaLibraryGetKernel) and hands it to the driver API: cuLaunchKernel(Ex) from a library that
// launches through the driver (CUTLASS's direct driver launch), cuFuncGetName in a tool that
// intercepts cudaLaunchKernel. On NVIDIA's stack the runtime's handles are the driver's; here the
// handle is libcudart's key for the kernel, so this library asks libcudart which module and kernel
// it is and makes a function of its own over that module, which the runtime loaded into the
// device the two libraries share. The module's PTX is parsed again here, as for cuModuleLoad,
// for the parameter layouts and resources the driver API reports.
#include <dlfcn.h>

#include "isa/ptx_parser.h"
#include "runtime/cudadrv/driver_state.h"
#include "runtime/shared_runtime_kernel.h"

namespace gpusim::cudadrv {

namespace {

// The module the runtime loaded as `kernel.module`, as this library's (made on first use).
CUmod_st& runtime_module(DriverState& s, const runtime::SharedRuntimeKernel& kernel) {
  if (auto it = s.runtime_modules.find(kernel.module); it != s.runtime_modules.end()) return *it->second;
  auto m = std::make_unique<CUmod_st>();
  m->context = &runtime_primary_context(s);  // the runtime's modules are its primary context's
  m->source_name = kernel.source_name;
  m->handle = kernel.module;
  m->ptx_text = kernel.ptx;
  m->ptx = isa::parse_ptx(m->ptx_text, m->source_name);
  m->runtime_owned = true;
  CUmod_st* raw = m.get();
  s.modules.emplace(raw, std::move(m));
  raw->context->modules.insert(raw);
  s.runtime_modules.emplace(kernel.module, raw);
  return *raw;
}

// The runtime's attribute values, where they changed since last copied in (a value set through
// cuFuncSetAttribute since then is kept until the program sets another through the runtime).
void copy_runtime_attributes(CUfunc_st& f, const runtime::SharedRuntimeKernel& kernel) {
  CUfunc_st::RuntimeAttributes& seen = f.runtime_seen;
  if (kernel.max_dynamic_shared != seen.max_dynamic_shared) {
    f.max_dynamic_shared = kernel.max_dynamic_shared < 0 ? kDefaultDynamicSharedLimit : kernel.max_dynamic_shared;
    seen.max_dynamic_shared = kernel.max_dynamic_shared;
  }
  if (kernel.non_portable_cluster != seen.non_portable_cluster) {
    f.non_portable_cluster = kernel.non_portable_cluster;
    seen.non_portable_cluster = kernel.non_portable_cluster;
  }
  const runtime::Dim3& c = kernel.run_time_cluster;
  if (c.x != seen.run_time_cluster.x || c.y != seen.run_time_cluster.y || c.z != seen.run_time_cluster.z) {
    f.run_time_cluster = c;
    seen.run_time_cluster = c;
  }
}

}  // namespace

CUfunc_st* runtime_kernel_function(DriverState& s, const void* handle) {
  if (!handle || !join_runtime(s)) return nullptr;  // alone, no handle is the runtime's
  auto find = reinterpret_cast<runtime::FindRuntimeKernel>(dlsym(RTLD_DEFAULT, runtime::kFindRuntimeKernelSymbol));
  runtime::SharedRuntimeKernel kernel;
  if (!find || !find(handle, &kernel)) return nullptr;
  const std::string name = "runtime kernel '" + kernel.kernel + "' (handle " + pointer_text(handle) + ")";
  if (kernel.module < 0)
    throw DriverFailure{CUDA_ERROR_INVALID_IMAGE, name + " cannot be loaded: " + kernel.error};
  if (kernel.device != s.runtime_device)
    throw DriverFailure{CUDA_ERROR_INVALID_HANDLE,
                        name + " is on the device libcudart made at cudaDeviceReset; this library still works on the "
                               "one it shared before, so the runtime's kernels cannot be reached through it now"};
  CUfunc_st* f = nullptr;
  if (auto it = s.runtime_kernels.find(handle); it != s.runtime_kernels.end() && it->second->module->handle == kernel.module) {
    f = it->second;
  } else {
    CUmod_st& m = runtime_module(s, kernel);
    const isa::Function* k = m.ptx.find_function(kernel.kernel);
    if (!k || !k->is_entry)
      throw DriverFailure{CUDA_ERROR_NOT_FOUND, name + " is not an entry of " + m.source_name};
    f = &function_handle(s, m, *k);
    s.runtime_kernels[handle] = f;
  }
  copy_runtime_attributes(*f, kernel);
  return f;
}

}  // namespace gpusim::cudadrv
