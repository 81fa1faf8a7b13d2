// JIT linking (cuLinkCreate .. cuLinkComplete): several PTX modules, as NVRTC writes them with
// -rdc (relocatable device code: extern device functions and variables), or the PTX of fat
// binaries, joined into one module by the same PTX linker gpusim uses for nvcc -rdc programs
// (isa/ptx_link.h, runtime/rdc_program.h). The "cubin" cuLinkComplete hands out is the linked PTX
// text, which cuModuleLoadData / cuLibraryLoadData take as they take any PTX.
#include <cuda.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "isa/device_services.h"
#include "isa/ptx_link.h"
#include "runtime/cudadrv/driver_state.h"
#include "runtime/raw_enum.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

CUlinkState_st& live_link(DriverState& s, CUlinkState state) {
  return gpusim::cudadrv::live_handle(s.links, state, "link state", "a pending link (cuLinkCreate)");
}

void write_log(char* buffer, size_t size, const std::string& text) {
  if (!buffer || size == 0) return;
  const size_t n = std::min(text.size(), size - 1);
  std::memcpy(buffer, text.data(), n);
  buffer[n] = '\0';
}

// The input's PTX, by its declared type. PTX ends at its NUL or at `size`, whichever is first.
std::string input_ptx(const DriverState& s, long long type, const void* data, size_t size, const std::string& name) {
  switch (type) {
    case CU_JIT_INPUT_PTX: {
      const char* text = static_cast<const char*>(data);
      return std::string(text, size ? strnlen(text, size) : std::strlen(text));
    }
    case CU_JIT_INPUT_FATBINARY:
    case CU_JIT_INPUT_CUBIN:  // a cubin is refused by name (SASS), as cuModuleLoadData refuses it
      return gpusim::cudadrv::module_image_ptx(s, name, data);
    default:
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED,
                          name + ": the simulator links PTX and fat binaries holding PTX (CU_JIT_INPUT_PTX, _FATBINARY); "
                                 "host objects, archives and LTO IR (input type " + std::to_string(type) + ") are not supported"};
  }
}

// libcudadevrt (the device runtime a CDP program links) is the simulator's own: its functions are
// provided to every kernel (isa/device_services.h), so the archive adds nothing.
bool is_device_runtime_library(const std::string& name) { return name.find("cudadevrt") != std::string::npos; }

CUresult add_input(DriverState& s, CUlinkState state, long long type, const void* data, size_t size,
                   const std::string& name) {
  CUlinkState_st& link = live_link(s, state);
  if (!data) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the input's data is null"};
  if (type == CU_JIT_INPUT_LIBRARY && is_device_runtime_library(name)) return CUDA_SUCCESS;
  std::string ptx;
  try {
    ptx = input_ptx(s, type, data, size, name);
  } catch (const DriverFailure& failure) {
    write_log(link.error_log, link.error_log_size, failure.message);
    throw;
  }
  link.inputs.push_back({name, std::move(ptx)});
  return CUDA_SUCCESS;
}

}  // namespace

extern "C" {

CUresult cuLinkCreate(unsigned int count, CUjit_option* options, void** values, CUlinkState* state) {
  return api_call("cuLinkCreate", [&](DriverState& s) {
    if (!state) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "stateOut is null"};
    if (count && (!options || !values)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "options or their values are null"};
    gpusim::cudadrv::usable_context(s);
    auto link = std::make_unique<CUlinkState_st>();
    // The logs the caller reads after cuLinkComplete; the other options (optimisation level,
    // targets, ...) do not apply to the simulator.
    for (unsigned i = 0; i < count; ++i) {
      const size_t number = static_cast<size_t>(reinterpret_cast<uintptr_t>(values[i]));
      switch (gpusim::runtime::raw_enum_value(options[i])) {  // any number may be in the array
        case CU_JIT_ERROR_LOG_BUFFER: link->error_log = static_cast<char*>(values[i]); break;
        case CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES: link->error_log_size = number; break;
        case CU_JIT_INFO_LOG_BUFFER: link->info_log = static_cast<char*>(values[i]); break;
        case CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES: link->info_log_size = number; break;
        case CU_JIT_WALL_TIME: *reinterpret_cast<float*>(&values[i]) = 0.0f; break;
        default: break;
      }
    }
    write_log(link->error_log, link->error_log_size, "");
    write_log(link->info_log, link->info_log_size, "");
    *state = link.get();
    s.links.emplace(link.get(), std::move(link));
    return CUDA_SUCCESS;
  });
}

CUresult cuLinkAddData(CUlinkState state, CUjitInputType type, void* data, size_t size, const char* name, unsigned int,
                       CUjit_option*, void**) {
  return api_call("cuLinkAddData", [&](DriverState& s) {
    const CUlinkState_st& link = live_link(s, state);
    const std::string input_name = name && *name ? name : "input " + std::to_string(link.inputs.size() + 1);
    return add_input(s, state, gpusim::runtime::raw_enum_value(type), data, size, input_name);
  });
}

CUresult cuLinkAddFile(CUlinkState state, CUjitInputType type, const char* path, unsigned int, CUjit_option*, void**) {
  return api_call("cuLinkAddFile", [&](DriverState& s) {
    CUlinkState_st& link = live_link(s, state);
    if (!path) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "path is null"};
    if (gpusim::runtime::raw_enum_value(type) == CU_JIT_INPUT_LIBRARY && is_device_runtime_library(path)) return CUDA_SUCCESS;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      write_log(link.error_log, link.error_log_size, std::string(path) + ": cannot open");
      throw DriverFailure{CUDA_ERROR_FILE_NOT_FOUND, std::string(path) + ": cannot open"};
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string image = bytes.str();  // NUL-terminated by std::string for PTX
    return add_input(s, state, gpusim::runtime::raw_enum_value(type), image.c_str(), image.size(), path);
  });
}

CUresult cuLinkComplete(CUlinkState state, void** cubin, size_t* size) {
  return api_call("cuLinkComplete", [&](DriverState& s) {
    CUlinkState_st& link = live_link(s, state);
    if (!cubin || !size) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "cubinOut or sizeOut is null"};
    if (link.inputs.empty()) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nothing was added to the link"};
    std::vector<gpusim::isa::PtxLinkModule> modules;
    for (const CUlinkState_st::Input& input : link.inputs) modules.push_back({input.name, input.ptx, false});
    try {
      // Externs no input defines are accepted when the simulator provides them (vprintf,
      // malloc, the device runtime), as for nvcc -rdc programs.
      link.linked = gpusim::isa::link_ptx(
          modules, [](std::string_view name) { return gpusim::isa::is_device_runtime_function(std::string(name)); });
    } catch (const std::exception& e) {  // PtxLinkError (undefined / doubly defined) or unreadable PTX
      write_log(link.error_log, link.error_log_size, e.what());
      throw DriverFailure{CUDA_ERROR_INVALID_IMAGE, std::string("linking ") + std::to_string(modules.size()) +
                                                        " modules: " + e.what()};
    }
    *cubin = link.linked.data();
    *size = link.linked.size() + 1;  // with its NUL, as a loader copying `size` bytes needs
    return CUDA_SUCCESS;
  });
}

CUresult cuLinkDestroy(CUlinkState state) {
  return api_call("cuLinkDestroy", [&](DriverState& s) {
    live_link(s, state);
    s.links.erase(state);
    return CUDA_SUCCESS;
  });
}

// The names before CUDA 11 (cuda.h now maps them to _v2) had the same signatures: programs built
// against old headers call them.
#undef cuLinkCreate
#undef cuLinkAddData
#undef cuLinkAddFile
CUresult cuLinkCreate(unsigned int count, CUjit_option* options, void** values, CUlinkState* state) {
  return cuLinkCreate_v2(count, options, values, state);
}
CUresult cuLinkAddData(CUlinkState state, CUjitInputType type, void* data, size_t size, const char* name,
                       unsigned int count, CUjit_option* options, void** values) {
  return cuLinkAddData_v2(state, type, data, size, name, count, options, values);
}
CUresult cuLinkAddFile(CUlinkState state, CUjitInputType type, const char* path, unsigned int count,
                       CUjit_option* options, void** values) {
  return cuLinkAddFile_v2(state, type, path, count, options, values);
}

}  // extern "C"
