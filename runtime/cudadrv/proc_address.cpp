// cuGetProcAddress: the entry point by base name, as the CUDA runtime and loaders ask for it.
// The versioned ABI name is chosen by the caller's CUDA version where a signature changed
// (cuCtxCreate: _v4 from CUDA 13, cuEventElapsedTime: _v2 from 12.8); otherwise the newest
// version this library exports.
#include <cuda.h>
#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstring>

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
// would print its name, a line every NVRTC program would show for nothing). NVIDIA's static CUDA
// runtime asks for two others first (measured with CUDA 13.0): one that asks here was not
// redirected to gpusim's libcudart (runtime/cudart/static_runtime_redirect.cpp) and will fail
// at its first call, so say which and why, once.
CUresult cuGetExportTable(const void** table, const CUuuid* id) {
  if (table) *table = nullptr;
  static const unsigned char kStaticRuntimeTables[2][16] = {
      {0xf8, 0xcf, 0xf9, 0x51, 0x21, 0x46, 0x8b, 0x4e, 0xb9, 0xe2, 0xfb, 0x46, 0x9e, 0x7c, 0x0d, 0xd9},
      {0x6b, 0xd5, 0xfb, 0x6c, 0x5b, 0xf4, 0xe7, 0x4a, 0x89, 0x87, 0xd9, 0x39, 0x12, 0xfd, 0x9d, 0xf9}};
  static std::atomic<bool> told{false};
  for (const auto& uuid : kStaticRuntimeTables)
    if (id && std::memcmp(id->bytes, uuid, sizeof uuid) == 0 && !told.exchange(true))
      std::fprintf(stderr,
                   "gpusim: NVIDIA's static CUDA runtime is running against the simulator's driver, which cannot "
                   "serve its internal tables, so its runtime calls fail (cudaErrorNotSupported). gpusim exec redirects "
                   "a static runtime inside the program or a library it loads at start-up; one in a library opened "
                   "later (dlopen), in a stripped library or in a program run without gpusim exec is not: run it "
                   "under gpusim exec, keep the symbol table, or "
                   "build that code with `nvcc -cudart shared` (CMake: CUDA_RUNTIME_LIBRARY Shared)\n");
  return CUDA_ERROR_NOT_SUPPORTED;
}

}  // extern "C"
