// cuGetProcAddress: the entry point by base name, as the CUDA runtime and loaders ask for it.
// The versioned ABI name is chosen by the caller's CUDA version where a signature changed
// (cuCtxCreate: _v4 from CUDA 13, cuEventElapsedTime: _v2 from 12.8); otherwise the newest
// version this library exports.
#include <cuda.h>
#include <dlfcn.h>

#include <string>

namespace {

void* own_symbol(const std::string& name) {
  Dl_info self{};
  if (!dladdr(reinterpret_cast<void*>(&own_symbol), &self) || !self.dli_fname) return nullptr;
  void* handle = dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD);
  if (!handle) return nullptr;
  void* fn = dlsym(handle, name.c_str());
  dlclose(handle);  // NOLOAD took a reference of an already loaded library: give it back
  return fn;
}

void* resolve(const std::string& base, int cuda_version) {
  if (base == "cuCtxCreate") return own_symbol(cuda_version >= 13000 ? "cuCtxCreate_v4" : "cuCtxCreate_v2");
  if (base == "cuEventElapsedTime") return own_symbol(cuda_version >= 12080 ? "cuEventElapsedTime_v2" : "cuEventElapsedTime");
  for (const char* suffix : {"_v4", "_v3", "_v2", ""})
    if (void* fn = own_symbol(base + suffix)) return fn;
  return nullptr;
}

}  // namespace

extern "C" {

CUresult cuGetProcAddress(const char* symbol, void** pfn, int cuda_version, cuuint64_t flags,
                          CUdriverProcAddressQueryResult* status) {
  if (!symbol || !pfn) return CUDA_ERROR_INVALID_VALUE;
  *pfn = resolve(symbol, cuda_version);
  if (status) *status = *pfn ? CU_GET_PROC_ADDRESS_SUCCESS : CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  return *pfn ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}

// The driver's private tables of undocumented functions. NVRTC loads libcuda.so.1 and asks for
// one on every compile, then carries on without it: answered quietly (an unsupported entry point
// would print its name, a line every NVRTC program would show for nothing).
CUresult cuGetExportTable(const void** table, const CUuuid*) {
  if (table) *table = nullptr;
  return CUDA_ERROR_NOT_SUPPORTED;
}

}  // extern "C"
