// Kernel handles crossing between the APIs (runtime/shared_kernel_handles.h), this library's side.
//
// libcudart's kernel handles used as CUfunctions: a program
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
#include "runtime/shared_kernel_handles.h"

namespace gpusim::cudadrv {

namespace {

// The module the runtime loaded as `kernel.module`, as this library's (made on first use).
CUmod_st& runtime_module(DriverState& s, const runtime::SharedKernel& kernel) {
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

}  // namespace

CUfunc_st* runtime_kernel_function(DriverState& s, const void* handle) {
  if (!handle || !join_runtime(s)) return nullptr;  // alone, no handle is the runtime's
  auto find = reinterpret_cast<runtime::FindSharedKernel>(dlsym(RTLD_DEFAULT, runtime::kFindRuntimeKernelSymbol));
  runtime::SharedKernel kernel;
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
  runtime::copy_changed_attributes(*f, f->runtime_seen, kernel, kDefaultDynamicSharedLimit);
  return f;
}

}  // namespace gpusim::cudadrv

// libcudart was handed one of this library's functions (a CUfunction or CUkernel passed to
// cudaLaunchKernel or cudaFuncGetAttributes): which module and kernel it is.
extern "C" int cuGpusimDriverKernel(const void* handle, gpusim::runtime::SharedKernel* out) {
  gpusim::cudadrv::DriverState& s = gpusim::cudadrv::driver_state();
  // Only once this library shares the runtime's device and takes the runtime's lock before its own
  // (api_call.inl) may the runtime, which holds its lock, wait for this one.
  if (!s.runtime_lock.load()) return 0;
  std::unique_lock<std::mutex> lock(s.mutex, std::defer_lock);
  if (!gpusim::cudadrv::inside_driver_call()) lock.lock();  // else this thread holds it already
  auto* f = const_cast<CUfunc_st*>(static_cast<const CUfunc_st*>(handle));
  if (!s.functions.count(f)) return 0;
  out->device = s.runtime_device;
  out->module = f->module->handle;
  out->kernel = f->kernel->name;
  out->source_name = f->module->source_name;
  out->max_dynamic_shared = f->max_dynamic_shared == kDefaultDynamicSharedLimit ? -1 : f->max_dynamic_shared;
  out->non_portable_cluster = f->non_portable_cluster;
  out->run_time_cluster = f->run_time_cluster;
  return 1;
}
