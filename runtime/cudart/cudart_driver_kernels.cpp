// gpusim's libcuda's kernel handles used by the runtime API (runtime/shared_kernel_handles.h): a
// CUfunction from cuModuleGetFunction or a CUkernel from cuLibraryGetKernel passed to
// cudaLaunchKernel(ExC), cudaFuncGetAttributes, cudaFuncSetAttribute or the occupancy calls, as
// NVIDIA's stack allows. libcuda shares this library's device, so its module handles are this
// device's: the kernel gets a record here over the driver's module, checked against libcuda at
// every lookup (the program may unload the module and load another at the same address).
#include <dlfcn.h>

#include "runtime/cudart/cudart_context.h"

namespace gpusim::cudart {

KernelRecord* Context::driver_kernel(const void* handle) {
  if (!handle) return nullptr;
  auto find = reinterpret_cast<runtime::FindSharedKernel>(dlsym(RTLD_DEFAULT, runtime::kFindDriverKernelSymbol));
  runtime::SharedKernel shared;
  if (!find || !find(handle, &shared)) {
    if (auto it = kernels_.find(handle); it != kernels_.end() && it->second.from_driver) kernels_.erase(it);
    return nullptr;
  }
  if (shared.device != &device())
    throw ApiError(cudaErrorInvalidDeviceFunction,
                   "the driver's kernel '" + shared.kernel + "' (" + shared.source_name +
                       ") is loaded in the device cudaDeviceReset replaced; load its module again after the reset");
  std::unique_ptr<ModuleRecord>& module = driver_modules_[shared.module];
  if (!module) {
    module = std::make_unique<ModuleRecord>();
    module->index = -1;
    module->module = shared.module;  // loaded by the driver: Context::loaded answers it at once
    module->source_name = shared.source_name;
  }
  KernelRecord& k = kernels_[handle];
  if (!k.from_driver || k.module != module.get() || k.name != shared.kernel) {
    k = KernelRecord{};
    k.module = module.get();
    k.name = shared.kernel;
    k.from_driver = true;
  }
  runtime::copy_changed_attributes(k, k.driver_seen, shared, -1);
  return &k;
}

}  // namespace gpusim::cudart
