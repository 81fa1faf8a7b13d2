// Library management (CUDA 12+): cudaLibraryLoadData / cudaLibraryLoadFromFile load code a
// program made at run time (NVRTC's PTX, a fat binary from nvcc -fatbin) into the runtime itself,
// without the driver API; cudaLibraryGetKernel hands out kernels that cudaLaunchKernel,
// cudaFuncGetAttributes and the occupancy calls accept like registered ones. A library is a
// module of its own (ModuleRecord), loaded at once so a bad PTX fails the load, as CUDA's does.
//
// A kernel handle is the address of a byte the library owns: a key that never collides with a
// registered kernel's host function (Context::kernel looks both up in one map).
#include <cuda_runtime_api.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "isa/ptx_parser.h"
#include "runtime/cudart/cudart_context.h"

namespace gpusim::cudart {

struct LibraryRecord {
  ModuleRecord* module = nullptr;
  std::vector<std::string> kernels;                 // .entry names, in PTX order
  std::vector<std::unique_ptr<char>> kernel_keys;   // kernel i's handle is kernel_keys[i].get()
};

// Every loaded library, keyed by the handle the program holds.
struct LibraryState {
  std::map<const void*, std::unique_ptr<LibraryRecord>> libraries;
};

namespace {

LibraryState& state(Context& ctx) {
  if (!ctx.libraries) ctx.libraries = std::make_shared<LibraryState>();
  return *ctx.libraries;
}

LibraryRecord& live_library(Context& ctx, cudaLibrary_t library) {
  auto& all = state(ctx).libraries;
  auto it = all.find(library);
  if (it == all.end()) throw ApiError(cudaErrorInvalidResourceHandle, "not a loaded library (cudaLibraryLoadData)");
  return *it->second;
}

// cudaJitErrorLogBuffer / cudaJitErrorLogBufferSizeBytes: where a failure's message also goes.
void write_error_log(const cudaJitOption* options, void** values, unsigned count, const std::string& text) {
  if (!options || !values) return;
  char* buffer = nullptr;
  size_t size = 0;
  for (unsigned i = 0; i < count; ++i) {
    if (options[i] == cudaJitErrorLogBuffer) buffer = static_cast<char*>(values[i]);
    if (options[i] == cudaJitErrorLogBufferSizeBytes) size = static_cast<size_t>(reinterpret_cast<uintptr_t>(values[i]));
  }
  if (!buffer || !size) return;
  const size_t n = std::min(text.size(), size - 1);
  std::memcpy(buffer, text.data(), n);
  buffer[n] = '\0';
}

// "sm_80" in the PTX's .target line -> 80 (the architecture a one-entry fat binary is filed under).
unsigned ptx_target(const std::string& ptx) {
  const size_t target = ptx.find(".target");
  const size_t sm = target == std::string::npos ? std::string::npos : ptx.find("sm_", target);
  return sm == std::string::npos ? 0 : static_cast<unsigned>(std::atoi(ptx.c_str() + sm + 3));
}

// The code as a fat binary: PTX text becomes one PTX entry; a fat binary (container or the
// wrapper a program embeds) is read as it is. SASS alone cannot run on the simulator.
runtime::Fatbin as_fatbin(const void* code) {
  const auto* bytes = static_cast<const unsigned char*>(code);
  if (bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F')
    throw ApiError(cudaErrorNoKernelImageForDevice,
                   "the code is a cubin (SASS, as nvrtcGetCUBIN or nvcc -cubin make); gpusim runs PTX: compile for a "
                   "virtual architecture (--gpu-architecture=compute_XX) and load the PTX (nvrtcGetPTX)");
  uint32_t magic = 0;
  std::memcpy(&magic, code, sizeof magic);
  try {
    if (magic == runtime::kFatbinWrapperMagic) return runtime::read_fatbin_wrapper(code);
    if (magic == runtime::kFatbinContainerMagic) return runtime::read_fatbin_container_at(code);
  } catch (const std::exception& e) {
    throw ApiError(cudaErrorInvalidKernelImage, std::string("the fat binary cannot be read: ") + e.what());
  }
  runtime::FatbinEntry entry;
  entry.kind = runtime::FatbinEntry::Kind::Ptx;
  entry.payload = static_cast<const char*>(code);
  entry.arch = ptx_target(entry.payload);
  if (entry.payload.find(".version") == std::string::npos)
    throw ApiError(cudaErrorInvalidKernelImage, "the code is neither PTX text nor a fat binary");
  runtime::Fatbin fatbin;
  fatbin.wrapper_version = 1;
  fatbin.entries.push_back(std::move(entry));
  return fatbin;
}

void load_library(Context& ctx, cudaLibrary_t* library, const void* code, cudaJitOption* options, void** values,
                  unsigned count) {
  if (!library || !code) throw ApiError(cudaErrorInvalidValue, "library or code is null");
  try {
    runtime::Fatbin fatbin = as_fatbin(code);
    const runtime::FatbinEntry* ptx = fatbin.ptx_for(static_cast<unsigned>(ctx.properties().compute_major * 10 +
                                                                           ctx.properties().compute_minor));
    if (!ptx) throw ApiError(cudaErrorNoKernelImageForDevice, "the fat binary holds no PTX (" + fatbin.describe() + ")");
    auto lib = std::make_unique<LibraryRecord>();
    const isa::Module parsed = [&] {
      try {
        return isa::parse_ptx(ptx->payload, "library");
      } catch (const std::exception& e) {
        throw ApiError(cudaErrorInvalidPtx, e.what());
      }
    }();
    for (const isa::Function& f : parsed.functions)
      if (f.is_entry) lib->kernels.push_back(f.name);
    lib->module = ctx.add_module(std::move(fatbin), "");
    ctx.loaded(*lib->module);  // the device parses it now: a bad PTX fails this call
    for (const std::string& name : lib->kernels) {
      lib->kernel_keys.push_back(std::make_unique<char>());
      ctx.add_kernel(lib->module, lib->kernel_keys.back().get(), name);
    }
    *library = reinterpret_cast<cudaLibrary_t>(lib.get());
    state(ctx).libraries.emplace(lib.get(), std::move(lib));
  } catch (const ApiError& e) {
    write_error_log(options, values, count, e.what());
    throw;
  }
}

}  // namespace

}  // namespace gpusim::cudart

using gpusim::cudart::api;
using gpusim::cudart::ApiError;
using gpusim::cudart::Context;

extern "C" {

cudaError_t cudaLibraryLoadData(cudaLibrary_t* library, const void* code, cudaJitOption* jit_options,
                                void** jit_values, unsigned int jit_count, cudaLibraryOption*, void**, unsigned int) {
  return api("cudaLibraryLoadData", [&](Context& ctx) {
    gpusim::cudart::load_library(ctx, library, code, jit_options, jit_values, jit_count);
  });
}

cudaError_t cudaLibraryLoadFromFile(cudaLibrary_t* library, const char* file, cudaJitOption* jit_options,
                                    void** jit_values, unsigned int jit_count, cudaLibraryOption*, void**, unsigned int) {
  return api("cudaLibraryLoadFromFile", [&](Context& ctx) {
    if (!file) throw ApiError(cudaErrorInvalidValue, "file name is null");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ApiError(cudaErrorFileNotFound, std::string(file) + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    const std::string code = text.str();  // NUL-terminated by c_str(), as PTX text must be
    if (code.empty()) throw ApiError(cudaErrorInvalidKernelImage, std::string(file) + " is empty");
    gpusim::cudart::load_library(ctx, library, code.c_str(), jit_options, jit_values, jit_count);
  });
}

// The device frees the module's variables; its handles die here.
cudaError_t cudaLibraryUnload(cudaLibrary_t library) {
  return api("cudaLibraryUnload", [&](Context& ctx) {
    gpusim::cudart::LibraryRecord& lib = gpusim::cudart::live_library(ctx, library);
    if (lib.module && lib.module->module >= 0) {
      ctx.device().unload_module(lib.module->module);
      lib.module->module = -1;
    }
    for (const auto& key : lib.kernel_keys) ctx.remove_kernel(key.get());
    ctx.libraries->libraries.erase(library);
  });
}

cudaError_t cudaLibraryGetKernel(cudaKernel_t* kernel, cudaLibrary_t library, const char* name) {
  return api("cudaLibraryGetKernel", [&](Context& ctx) {
    if (!kernel || !name) throw ApiError(cudaErrorInvalidValue, "kernel or name is null");
    gpusim::cudart::LibraryRecord& lib = gpusim::cudart::live_library(ctx, library);
    for (size_t i = 0; i < lib.kernels.size(); ++i)
      if (lib.kernels[i] == name) {
        *kernel = reinterpret_cast<cudaKernel_t>(lib.kernel_keys[i].get());
        return;
      }
    throw ApiError(cudaErrorSymbolNotFound, std::string("the library has no kernel named '") + name + "'");
  });
}

cudaError_t cudaLibraryGetKernelCount(unsigned int* count, cudaLibrary_t library) {
  return api("cudaLibraryGetKernelCount", [&](Context& ctx) {
    if (!count) throw ApiError(cudaErrorInvalidValue, "count is null");
    *count = static_cast<unsigned>(gpusim::cudart::live_library(ctx, library).kernels.size());
  });
}

cudaError_t cudaLibraryEnumerateKernels(cudaKernel_t* kernels, unsigned int capacity, cudaLibrary_t library) {
  return api("cudaLibraryEnumerateKernels", [&](Context& ctx) {
    if (!kernels) throw ApiError(cudaErrorInvalidValue, "kernels is null");
    gpusim::cudart::LibraryRecord& lib = gpusim::cudart::live_library(ctx, library);
    for (size_t i = 0; i < lib.kernels.size() && i < capacity; ++i)
      kernels[i] = reinterpret_cast<cudaKernel_t>(lib.kernel_keys[i].get());
  });
}

// __device__ and __constant__ variables alike (a __constant__'s address is device memory the
// launches read the constant bank from: runtime/sim_device.cpp).
cudaError_t cudaLibraryGetGlobal(void** address, size_t* bytes, cudaLibrary_t library, const char* name) {
  return api("cudaLibraryGetGlobal", [&](Context& ctx) {
    if (!name) throw ApiError(cudaErrorInvalidValue, "name is null");
    gpusim::cudart::LibraryRecord& lib = gpusim::cudart::live_library(ctx, library);
    gpusim::runtime::SymbolInfo info;
    try {
      info = ctx.device().symbol(ctx.loaded(*lib.module), name);
    } catch (const gpusim::runtime::Error& e) {
      throw ApiError(cudaErrorSymbolNotFound, e.what());
    }
    if (address) *address = reinterpret_cast<void*>(info.address);
    if (bytes) *bytes = info.size;
  });
}

// The handle of a registered kernel is its host function (as __cudaGetKernel's).
cudaError_t cudaGetKernel(cudaKernel_t* kernel, const void* entry) {
  return api("cudaGetKernel", [&](Context& ctx) {
    if (!kernel) throw ApiError(cudaErrorInvalidValue, "kernel is null");
    ctx.kernel(entry);
    *kernel = reinterpret_cast<cudaKernel_t>(const_cast<void*>(entry));
  });
}

}  // extern "C"
