// cuGetProcAddress: the entry point by base name, as the CUDA runtime and loaders ask for it.
// The versioned ABI name is chosen by the caller's CUDA version where a signature changed
// (cuCtxCreate: _v4 from CUDA 13, cuEventElapsedTime: _v2 from 12.8, cuStreamGetCtx, cuMemAdvise,
// cuMemPrefetchAsync, cuStreamGetCaptureInfo, the graph calls); otherwise the newest
// version this library exports.
#include <cuda.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

#include "runtime/closed_libraries.h"

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
  // _v2 took a new signature in the CUDA version given (cudaTypedefs.h's PFN_..._vNNNNN).
  struct Versioned {
    const char* base;
    int v2_since;
  };
  for (const Versioned& v : {Versioned{"cuStreamGetCtx", 12050}, Versioned{"cuMemAdvise", 12020},
                             Versioned{"cuMemPrefetchAsync", 12020}, Versioned{"cuCtxGetDevice", 13000},
                             Versioned{"cuGraphExecUpdate", 12000}, Versioned{"cuGraphAddKernelNode", 12000},
                             Versioned{"cuGraphKernelNodeGetParams", 12000}, Versioned{"cuGraphKernelNodeSetParams", 12000},
                             Versioned{"cuGraphExecKernelNodeSetParams", 12000}, Versioned{"cuGraphGetEdges", 12030},
                             Versioned{"cuGraphNodeGetDependencies", 12030}, Versioned{"cuGraphAddDependencies", 12030},
                             Versioned{"cuStreamUpdateCaptureDependencies", 12030}})
    if (base == v.base) return own_symbol(cuda_version >= v.v2_since ? base + "_v2" : base);
  if (base == "cuGraphInstantiate") return own_symbol(cuda_version >= 12000 ? "cuGraphInstantiateWithFlags" : "cuGraphInstantiate_v2");
  if (base == "cuStreamBeginCapture") return own_symbol(cuda_version >= 10010 ? "cuStreamBeginCapture_v2" : base);
  if (base == "cuStreamGetCaptureInfo")
    return own_symbol(cuda_version >= 12030 ? "cuStreamGetCaptureInfo_v3" : cuda_version >= 11030 ? "cuStreamGetCaptureInfo_v2" : base);
  for (const char* suffix : {"_v4", "_v3", "_v2", ""})
    if (void* fn = own_symbol(base + suffix)) return fn;
  return nullptr;
}

// What to tell the user when NVIDIA's static runtime inside `object` asks for its tables.
std::string static_runtime_message(const std::string& object) {
  if (std::string closed = gpusim::runtime::closed_library_message(object); !closed.empty()) return closed;
  return "gpusim: " + (object.empty() ? std::string("code in this process") : object) +
         " carries NVIDIA's static CUDA runtime, which gpusim could not redirect to its own (a stripped library, "
         "a program run without gpusim exec, or a redirection that failed as said above), so its runtime calls fail "
         "(cudaErrorNotSupported): run it under gpusim exec, keep its symbol table, or build it with `nvcc -cudart "
         "shared` (CMake: CUDA_RUNTIME_LIBRARY Shared)\n";
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
// at its first call, so say where it is and why, once per object.
CUresult cuGetExportTable(const void** table, const CUuuid* id) {
  if (table) *table = nullptr;
  static const unsigned char kStaticRuntimeTables[2][16] = {
      {0xf8, 0xcf, 0xf9, 0x51, 0x21, 0x46, 0x8b, 0x4e, 0xb9, 0xe2, 0xfb, 0x46, 0x9e, 0x7c, 0x0d, 0xd9},
      {0x6b, 0xd5, 0xfb, 0x6c, 0x5b, 0xf4, 0xe7, 0x4a, 0x89, 0x87, 0xd9, 0x39, 0x12, 0xfd, 0x9d, 0xf9}};
  bool static_runtime = false;
  for (const auto& uuid : kStaticRuntimeTables) static_runtime |= id && std::memcmp(id->bytes, uuid, sizeof uuid) == 0;
  // The caller is NVIDIA's code inside the object that carries it. A closed library (cuFFT asks
  // for a table of its own right after cuInit) is named whatever table it asks for.
  Dl_info caller{};
  const std::string object =
      dladdr(__builtin_return_address(0), &caller) && caller.dli_fname ? caller.dli_fname : "";
  if (!static_runtime && gpusim::runtime::closed_library_message(object).empty()) return CUDA_ERROR_NOT_SUPPORTED;
  static std::mutex told_mutex;
  static std::set<std::string> told;
  std::lock_guard<std::mutex> lock(told_mutex);
  if (told.insert(object).second) std::fputs(static_runtime_message(object).c_str(), stderr);
  return CUDA_ERROR_NOT_SUPPORTED;
}

}  // extern "C"
