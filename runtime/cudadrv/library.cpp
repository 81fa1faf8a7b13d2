// Library management (CUDA 12+): cuLibraryLoadData / cuLibraryLoadFromFile load PTX (NVRTC's) or
// a fat binary as a module of the current context; cuLibraryGetKernel hands out its functions as
// CUkernel handles, which cuKernelGetFunction returns unchanged and cuLaunchKernel accepts cast
// to CUfunction. Each entry point is a thin layer over the module functions (module.cpp), called
// outside the library's own lock-taking api_call, which is not re-entrant.
#include <cuda.h>

#include "runtime/cudadrv/driver_state.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

CUlib_st& live_library(DriverState& s, CUlibrary library) {
  return gpusim::cudadrv::live_handle(s.libraries, library, "library", "a loaded library (cuLibraryLoadData)");
}

CUmodule module_of(const char* call, CUlibrary library, CUresult* failure) {
  CUmodule module = nullptr;
  *failure = api_call(call, [&](DriverState& s) {
    module = live_library(s, library).module;
    return CUDA_SUCCESS;
  });
  return module;
}

CUresult adopt(CUlibrary* library, CUmodule module) {
  return api_call("cuLibraryLoadData", [&](DriverState& s) {
    auto lib = std::make_unique<CUlib_st>();
    lib->module = module;
    *library = lib.get();
    s.libraries.emplace(lib.get(), std::move(lib));
    return CUDA_SUCCESS;
  });
}

}  // namespace

extern "C" {

CUresult cuLibraryLoadData(CUlibrary* library, const void* code, CUjit_option* jit_options, void** jit_values,
                           unsigned int jit_count, CUlibraryOption*, void**, unsigned int) {
  if (!library) return CUDA_ERROR_INVALID_VALUE;
  CUmodule module = nullptr;
  if (CUresult r = cuModuleLoadDataEx(&module, code, jit_count, jit_options, jit_values); r != CUDA_SUCCESS) return r;
  return adopt(library, module);
}

CUresult cuLibraryLoadFromFile(CUlibrary* library, const char* file, CUjit_option*, void**, unsigned int,
                               CUlibraryOption*, void**, unsigned int) {
  if (!library) return CUDA_ERROR_INVALID_VALUE;
  CUmodule module = nullptr;
  if (CUresult r = cuModuleLoad(&module, file); r != CUDA_SUCCESS) return r;
  return adopt(library, module);
}

CUresult cuLibraryUnload(CUlibrary library) {
  CUresult r;
  const CUmodule module = module_of("cuLibraryUnload", library, &r);
  if (r != CUDA_SUCCESS) return r;
  r = api_call("cuLibraryUnload", [&](DriverState& s) {
    s.libraries.erase(library);
    return CUDA_SUCCESS;
  });
  return r != CUDA_SUCCESS ? r : cuModuleUnload(module);
}

CUresult cuLibraryGetModule(CUmodule* module, CUlibrary library) {
  if (!module) return CUDA_ERROR_INVALID_VALUE;
  CUresult r;
  *module = module_of("cuLibraryGetModule", library, &r);
  return r;
}

CUresult cuLibraryGetKernel(CUkernel* kernel, CUlibrary library, const char* name) {
  if (!kernel) return CUDA_ERROR_INVALID_VALUE;
  CUresult r;
  const CUmodule module = module_of("cuLibraryGetKernel", library, &r);
  if (r != CUDA_SUCCESS) return r;
  CUfunction function = nullptr;
  r = cuModuleGetFunction(&function, module, name);
  if (r == CUDA_SUCCESS) *kernel = reinterpret_cast<CUkernel>(function);
  return r;
}

CUresult cuLibraryGetGlobal(CUdeviceptr* address, size_t* bytes, CUlibrary library, const char* name) {
  CUresult r;
  const CUmodule module = module_of("cuLibraryGetGlobal", library, &r);
  return r != CUDA_SUCCESS ? r : cuModuleGetGlobal(address, bytes, module, name);
}

CUresult cuLibraryGetKernelCount(unsigned int* count, CUlibrary library) {
  if (!count) return CUDA_ERROR_INVALID_VALUE;
  return api_call("cuLibraryGetKernelCount", [&](DriverState& s) {
    unsigned n = 0;
    for (const gpusim::isa::Function& f : live_library(s, library).module->ptx.functions) n += f.is_entry;
    *count = n;
    return CUDA_SUCCESS;
  });
}

// The CUkernel is the module's CUfunction (see above).
CUresult cuKernelGetFunction(CUfunction* function, CUkernel kernel) {
  if (!function) return CUDA_ERROR_INVALID_VALUE;
  return api_call("cuKernelGetFunction", [&](DriverState& s) {
    *function = &gpusim::cudadrv::live_function(s, reinterpret_cast<CUfunction>(kernel));
    return CUDA_SUCCESS;
  });
}

CUresult cuKernelGetAttribute(int* value, CUfunction_attribute attribute, CUkernel kernel, CUdevice) {
  return cuFuncGetAttribute(value, attribute, reinterpret_cast<CUfunction>(kernel));
}

CUresult cuKernelSetAttribute(CUfunction_attribute attribute, int value, CUkernel kernel, CUdevice) {
  return cuFuncSetAttribute(reinterpret_cast<CUfunction>(kernel), attribute, value);
}

CUresult cuKernelGetName(const char** name, CUkernel kernel) {
  return cuFuncGetName(name, reinterpret_cast<CUfunction>(kernel));
}

CUresult cuKernelGetParamInfo(CUkernel kernel, size_t index, size_t* offset, size_t* size) {
  return cuFuncGetParamInfo(reinterpret_cast<CUfunction>(kernel), index, offset, size);
}

}  // extern "C"
