// cudaGetDriverEntryPoint[ByVersion]: a driver API function by name, without linking libcuda.
// Programs use it for what only the driver offers, above all cuTensorMapEncodeTiled for the TMA.
// The answer comes from gpusim's libcuda (build/lib, first on the library path under
// `gpusim exec`), which shares this runtime's device (cudart_driver_bridge.cpp): the runtime
// loads it on first use and asks its cuGetProcAddress, as NVIDIA's runtime asks the driver.
#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <string>

#include "runtime/cudart/cudart_context.h"

namespace gpusim::cudart {
namespace {

// cuGetProcAddress_v2's signature, spelled without cuda.h (the runtime does not include it).
using GetProcAddress = int (*)(const char* symbol, void** pfn, int cuda_version, unsigned long long flags, int* status);

GetProcAddress driver_get_proc_address() {
  // RTLD_NOLOAD first: a program linked with -lcuda already has it; otherwise load it for good.
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  if (!lib) lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
  if (!lib) throw ApiError(cudaErrorNotSupported, std::string("cannot load gpusim's libcuda.so.1: ") + dlerror());
  auto fn = reinterpret_cast<GetProcAddress>(dlsym(lib, "cuGetProcAddress_v2"));
  if (!fn) throw ApiError(cudaErrorNotSupported, "the libcuda.so.1 found has no cuGetProcAddress_v2");
  return fn;
}

cudaError_t entry_point(const char* function, const char* symbol, void** fn, unsigned version, unsigned long long flags,
                        cudaDriverEntryPointQueryResult* status) {
  return api(function, [&](Context&) {
    if (!symbol || !fn) throw ApiError(cudaErrorInvalidValue, "null symbol name or result pointer");
    const unsigned long long known = cudaEnableDefault | cudaEnableLegacyStream | cudaEnablePerThreadDefaultStream;
    if (flags & ~known) throw ApiError(cudaErrorInvalidValue, "flags other than cudaEnableDefault/LegacyStream/PerThreadDefaultStream");
    int driver_status = 1;  // CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND
    driver_get_proc_address()(symbol, fn, static_cast<int>(version), flags, &driver_status);
    // A name the driver lacks is no error: the result is null and the status says why.
    if (driver_status != 0) *fn = nullptr;
    if (status)
      *status = driver_status == 0   ? cudaDriverEntryPointSuccess
                : driver_status == 2 ? cudaDriverEntryPointVersionNotSufficent
                                     : cudaDriverEntryPointSymbolNotFound;
  });
}

}  // namespace
}  // namespace gpusim::cudart

extern "C" {

cudaError_t cudaGetDriverEntryPoint(const char* symbol, void** fn, unsigned long long flags,
                                    cudaDriverEntryPointQueryResult* status) {
  return gpusim::cudart::entry_point("cudaGetDriverEntryPoint", symbol, fn, CUDART_VERSION, flags, status);
}
cudaError_t cudaGetDriverEntryPoint_ptsz(const char* symbol, void** fn, unsigned long long flags,
                                         cudaDriverEntryPointQueryResult* status) {
  return gpusim::cudart::entry_point("cudaGetDriverEntryPoint", symbol, fn, CUDART_VERSION, flags, status);
}

cudaError_t cudaGetDriverEntryPointByVersion(const char* symbol, void** fn, unsigned int version, unsigned long long flags,
                                             cudaDriverEntryPointQueryResult* status) {
  return gpusim::cudart::entry_point("cudaGetDriverEntryPointByVersion", symbol, fn, version, flags, status);
}
cudaError_t cudaGetDriverEntryPointByVersion_ptsz(const char* symbol, void** fn, unsigned int version,
                                                  unsigned long long flags, cudaDriverEntryPointQueryResult* status) {
  return gpusim::cudart::entry_point("cudaGetDriverEntryPointByVersion", symbol, fn, version, flags, status);
}

}  // extern "C"
