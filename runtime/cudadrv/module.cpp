// Modules and functions: PTX text loaded into the simulated device (cuModuleLoad*), kernels
// found by name, their attributes and parameter layouts. The PTX is parsed a second time here
// for what the Device API does not expose (parameter offsets and sizes, static resources).
// Cubins and fat binaries carry SASS the simulator cannot run: they are refused.
#include <cuda.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "isa/ptx_parser.h"
#include "runtime/cluster_launch.h"
#include "runtime/rdc_program.h"
#include "runtime/fatbin.h"
#include "runtime/cudadrv/driver_state.h"
#include "runtime/raw_enum.h"
#include "runtime/launch_checks.h"
#include "runtime/ptxas_info.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

// Where the caller wants one of the JIT's logs (CU_JIT_ERROR_LOG_BUFFER / _SIZE_BYTES, or the
// INFO pair).
struct JitLog {
  char* buffer = nullptr;
  size_t size = 0;
  void** size_slot = nullptr;  // the driver writes back how much it used

  void write(const std::string& text) const {
    if (!buffer || size == 0) return;
    const size_t n = std::min(text.size(), size - 1);
    std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
    if (size_slot) *size_slot = reinterpret_cast<void*>(static_cast<uintptr_t>(n + 1));
  }
};

JitLog jit_log_option(unsigned count, const CUjit_option* options, void** values, CUjit_option buffer_option,
                      CUjit_option size_option) {
  JitLog log;
  if (count && (!options || !values)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "options or their values are null"};
  for (unsigned i = 0; i < count; ++i) {
    // Read as integers: a program's array may hold any number (raw_enum.h).
    const long long option = gpusim::runtime::raw_enum_value(options[i]);
    if (option == buffer_option) log.buffer = static_cast<char*>(values[i]);
    if (option == size_option) {
      log.size = static_cast<size_t>(reinterpret_cast<uintptr_t>(values[i]));
      log.size_slot = &values[i];
    }
  }
  return log;
}

// The JIT's outputs a program reads back: both logs (the info log stays empty: no ptxas runs at
// load) and CU_JIT_WALL_TIME (0 ms). The other options (optimisation level, targets, ...) are
// inputs that do not apply to the simulator.
struct JitOutputs {
  JitLog error, info;
  float* wall_ms = nullptr;
  // CU_JIT_MAX_REGISTERS: the JIT's register cap per thread (0: none); it decides whether a block
  // fits (a 1024-thread block needs at most 64), so it is applied to ptxas' count (registers_of).
  unsigned max_registers = 0;
};

JitOutputs jit_outputs(unsigned count, CUjit_option* options, void** values) {
  JitOutputs out;
  out.error = jit_log_option(count, options, values, CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
  out.info = jit_log_option(count, options, values, CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES);
  for (unsigned i = 0; i < count; ++i)
    if (gpusim::runtime::raw_enum_value(options[i]) == CU_JIT_WALL_TIME) out.wall_ms = reinterpret_cast<float*>(&values[i]);
  for (unsigned i = 0; i < count; ++i)
    if (gpusim::runtime::raw_enum_value(options[i]) == CU_JIT_MAX_REGISTERS)
      out.max_registers = static_cast<unsigned>(reinterpret_cast<uintptr_t>(values[i]));
  return out;
}

bool is_elf(const void* image) {
  const auto* b = static_cast<const unsigned char*>(image);
  return b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
}

// As libcudart does (runtime/cudart/cudart_context.cpp, Context::loaded): PTX for a newer
// architecture than the simulated GPU runs here, where a GPU would refuse it; said once per module.
void note_newer_ptx(const DriverState& s, const std::string& source_name, const std::string& target) {
  const size_t at = target.find("sm_");
  const int arch = at == std::string::npos ? 0 : std::atoi(target.c_str() + at + 3);
  const int device = gpusim::cudadrv::compute_capability(s);
  if (arch <= device) return;  // also under --quiet: a GPU would fail the program
  std::fprintf(stderr,
               "gpusim libcuda: note: %s is PTX for %s, newer than the simulated GPU (compute capability %d.%d); it "
               "runs here, where a GPU of that capability would refuse it (CUDA_ERROR_NO_BINARY_FOR_GPU); %s\n",
               source_name.c_str(), target.c_str(), device / 10, device % 10,
               gpusim::runtime::newer_ptx_advice(unsigned(arch)).c_str());
}

CUresult load_module_or_fail(DriverState& s, CUmodule* module, const std::string& source_name, const void* image,
                             const JitLog& log, unsigned max_registers) {
  if (!module || !image) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "module or image is null"};
  CUctx_st& context = gpusim::cudadrv::usable_context(s);
  auto m = std::make_unique<CUmod_st>();
  m->context = &context;
  m->source_name = source_name;
  std::string ptxas_options;
  m->ptx_text = gpusim::cudadrv::module_image_ptx(s, source_name, image, &ptxas_options);
  // A fat binary built with nvcc -maxrregcount=N carries the limit for the driver's ptxas; a
  // CU_JIT_MAX_REGISTERS option given to this load wins.
  if (!max_registers) max_registers = gpusim::runtime::max_registers_option(ptxas_options);
  m->max_registers = max_registers;  // also handed to the device below, for its own resource use
  try {
    m->handle = s.device->load_ptx(source_name, m->ptx_text);
    m->ptx = gpusim::isa::parse_ptx(m->ptx_text, source_name);
  } catch (const gpusim::isa::UnsupportedPtxVersion& e) {
    throw DriverFailure{CUDA_ERROR_UNSUPPORTED_PTX_VERSION, e.what()};
  } catch (const gpusim::runtime::OutOfMemory& e) {  // its __device__ variables do not fit
    throw DriverFailure{CUDA_ERROR_OUT_OF_MEMORY, e.what()};
  } catch (const std::exception& e) {
    throw DriverFailure{CUDA_ERROR_INVALID_PTX, e.what()};
  }
  if (m->ptx.version.empty())
    throw DriverFailure{CUDA_ERROR_INVALID_PTX, source_name + ": not PTX (no .version directive)" +
                                                    std::string(m->ptx_text.empty() ? ": the image is empty" : "")};
  note_newer_ptx(s, source_name, m->ptx.target);
  if (max_registers) s.device->cap_registers(m->handle, max_registers);
  log.write("");
  CUmod_st* raw = m.get();
  s.modules.emplace(raw, std::move(m));
  context.modules.insert(raw);
  *module = raw;
  return CUDA_SUCCESS;
}

// Every failure's message also goes to the error log buffer, as the JIT's would.
CUresult load_module(DriverState& s, CUmodule* module, const std::string& source_name, const void* image,
                     const JitOutputs& jit) {
  jit.info.write("");
  if (jit.wall_ms) *jit.wall_ms = 0.0f;
  try {
    return load_module_or_fail(s, module, source_name, image, jit.error, jit.max_registers);
  } catch (const DriverFailure& failure) {
    jit.error.write(failure.message);
    throw;
  }
}

std::string module_name(DriverState& s) { return "module " + std::to_string(s.modules.size() + 1) + ".ptx"; }

// Registers per thread from ptxas for the configuration's architecture (0 when ptxas is absent).
int registers_of(DriverState& s, CUfunc_st& f) {
  if (f.registers < 0) {
    std::string note;
    const auto info = gpusim::runtime::ptxas_resources_for(f.module->ptx_text, s.config.sm_arch, &note);
    auto it = info.find(f.kernel->name);
    f.registers = it == info.end() ? 0 : static_cast<int>(it->second.registers);
    // Under a CU_JIT_MAX_REGISTERS cap the JIT allocates at most that many (spilling the rest).
    if (f.module->max_registers && f.registers > int(f.module->max_registers)) f.registers = int(f.module->max_registers);
  }
  return f.registers;
}

// ".target sm_80" -> 80: the virtual architecture CUDA reports as the PTX version of a function
// (not the PTX ISA version; libraries such as CUB pick their tuning from it).
int ptx_version(const std::string& target) {
  const size_t at = target.find("sm_");
  return at == std::string::npos ? 0 : std::atoi(target.c_str() + at + 3);
}

// The one CUfunction of a kernel of the module, made on first request.
}  // namespace

namespace gpusim::cudadrv {

CUfunc_st& function_handle(DriverState& s, CUmod_st& m, const isa::Function& kernel) {
  auto it = m.functions.find(kernel.name);
  if (it == m.functions.end()) {
    auto f = std::make_unique<CUfunc_st>();
    f->module = &m;
    f->kernel = &kernel;
    s.functions.insert(f.get());
    it = m.functions.emplace(kernel.name, std::move(f)).first;
  }
  return *it->second;
}

// The PTX to run: the image itself, or the PTX entry of a fat binary (a container as nvcc
// -fatbin writes it, or the wrapper a program embeds) chosen for the configured architecture.
std::string module_image_ptx(const DriverState& s, const std::string& source_name, const void* image,
                             std::string* ptxas_options) {
  if (is_elf(image))
    throw DriverFailure{CUDA_ERROR_NO_BINARY_FOR_GPU,
                        source_name + " is a cubin (SASS, as nvrtcGetCUBIN or nvcc -cubin make); the simulator runs PTX, "
                                      "alone or in a fat binary: compile for a virtual architecture "
                                      "(nvrtc/nvcc --gpu-architecture=compute_XX) and load the PTX (nvrtcGetPTX)"};
  // The first four bytes, stopping at a NUL: a PTX image may be shorter (an empty string), and no
  // fat binary magic holds a zero byte.
  uint32_t magic = 0;
  const auto* bytes = static_cast<const unsigned char*>(image);
  for (unsigned i = 0; i < sizeof(magic) && bytes[i]; ++i) magic |= uint32_t(bytes[i]) << (8 * i);
  if (magic != runtime::kFatbinContainerMagic && magic != runtime::kFatbinWrapperMagic)
    return static_cast<const char*>(image);
  runtime::Fatbin fatbin;
  try {
    if (magic == runtime::kFatbinWrapperMagic) {
      fatbin = runtime::read_fatbin_wrapper(image);
    } else {
      // The container header: +8 u64 bytes of entries after the 16-byte header.
      uint64_t entries = 0;
      std::memcpy(&entries, static_cast<const uint8_t*>(image) + 8, sizeof(entries));
      fatbin = runtime::read_fatbin_container(static_cast<const uint8_t*>(image), 16 + entries);
    }
  } catch (const std::exception& e) {
    throw DriverFailure{CUDA_ERROR_INVALID_IMAGE, source_name + ": " + e.what()};
  }
  const unsigned arch = static_cast<unsigned>(compute_capability(s));
  const runtime::FatbinEntry* ptx = fatbin.ptx_for(arch);
  if (!ptx)
    throw DriverFailure{CUDA_ERROR_NO_BINARY_FOR_GPU, source_name + " holds no PTX (" + fatbin.describe() +
                                                          "); the simulator runs PTX only: compile with -gencode ...,code=compute_XX"};
  if (ptxas_options) *ptxas_options = ptx->ptxas_options;
  return ptx->payload;
}

// For the launch and occupancy code: the same figures cuFuncGetAttribute reports.
int function_registers(DriverState& s, CUfunc_st& f) { return registers_of(s, f); }

int function_max_threads(DriverState& s, CUfunc_st& f) {
  const int regs = registers_of(s, f);
  int limit = s.config.max_threads_per_block;
  if (f.kernel->max_threads_per_block) limit = std::min(limit, static_cast<int>(f.kernel->max_threads_per_block));
  if (regs > 0)  // the launch check's own limit (runtime/launch_checks.h)
    limit = std::min(limit, static_cast<int>(runtime::max_threads_for_registers(s.config, unsigned(regs))));
  return limit;
}

}  // namespace gpusim::cudadrv

extern "C" {

CUresult cuModuleLoadDataEx(CUmodule* module, const void* image, unsigned int count, CUjit_option* options,
                            void** values) {
  return api_call("cuModuleLoadDataEx", [&](DriverState& s) {
    return load_module(s, module, module_name(s), image, jit_outputs(count, options, values));
  });
}

CUresult cuModuleLoadData(CUmodule* module, const void* image) {
  return api_call("cuModuleLoadData", [&](DriverState& s) { return load_module(s, module, module_name(s), image, {}); });
}

CUresult cuModuleLoad(CUmodule* module, const char* path) {
  return api_call("cuModuleLoad", [&](DriverState& s) {
    if (!path) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "file name is null"};
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DriverFailure{CUDA_ERROR_FILE_NOT_FOUND, std::string(path) + ": cannot open"};
    std::ostringstream text;
    text << in.rdbuf();
    const std::string image = text.str();
    return load_module(s, module, path, image.c_str(), {});
  });
}

CUresult cuModuleUnload(CUmodule module) {
  return api_call("cuModuleUnload", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    CUmod_st& m = gpusim::cudadrv::live_module(s, module);
    if (m.runtime_owned)
      throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, "module " + gpusim::cudadrv::pointer_text(module) + " (" + m.source_name +
                                                         ") is libcudart's, reached through a runtime kernel handle: the runtime "
                                                         "unloads it (at cudaDeviceReset or exit)"};
    // The device frees the module's variables (a load/unload loop ran out of memory); the handle dies here.
    s.device->unload_module(m.handle);
    for (auto& [name, f] : m.functions) s.functions.erase(f.get());
    m.context->modules.erase(module);
    s.modules.erase(module);
    return CUDA_SUCCESS;
  });
}

CUresult cuModuleGetFunction(CUfunction* function, CUmodule module, const char* name) {
  return api_call("cuModuleGetFunction", [&](DriverState& s) {
    if (!function || !name) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "function or name is null"};
    gpusim::cudadrv::require_initialized(s);
    CUmod_st& m = gpusim::cudadrv::live_module(s, module);
    const gpusim::isa::Function* k = m.ptx.find_function(name);
    if (!k || !k->is_entry) return CUDA_ERROR_NOT_FOUND;  // a normal answer to a lookup: not printed
    *function = &gpusim::cudadrv::function_handle(s, m, *k);
    return CUDA_SUCCESS;
  });
}

CUresult cuModuleGetGlobal(CUdeviceptr* address, size_t* bytes, CUmodule module, const char* name) {
  return api_call("cuModuleGetGlobal", [&](DriverState& s) {
    if (!name) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "name is null"};
    gpusim::cudadrv::require_initialized(s);
    CUmod_st& m = gpusim::cudadrv::live_module(s, module);
    bool found = false;
    for (const gpusim::isa::Symbol& sym : m.ptx.symbols)
      found |= sym.owner == -1 && sym.name == name &&
               (sym.space == gpusim::isa::StateSpace::Global || sym.space == gpusim::isa::StateSpace::Const);
    if (!found) return CUDA_ERROR_NOT_FOUND;  // a normal answer to a lookup: not printed
    const gpusim::runtime::SymbolInfo info = s.device->symbol(m.handle, name);
    if (address) *address = info.address;
    if (bytes) *bytes = info.size;
    return CUDA_SUCCESS;
  });
}

CUresult cuFuncGetAttribute(int* value, CUfunction_attribute attribute, CUfunction function) {
  return api_call("cuFuncGetAttribute", [&](DriverState& s) {
    if (!value) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "value is null"};
    gpusim::cudadrv::require_initialized(s);
    CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
    const gpusim::isa::Function& k = *f.kernel;
    const long long raw_attribute = gpusim::runtime::raw_enum_value(attribute);
    switch (raw_attribute) {
      case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *value = gpusim::cudadrv::function_max_threads(s, f); break;
      case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES: *value = static_cast<int>(k.static_shared_bytes); break;
      case CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES: *value = static_cast<int>(f.module->ptx.const_bytes); break;
      case CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES: *value = static_cast<int>(k.local_bytes); break;
      case CU_FUNC_ATTRIBUTE_NUM_REGS: *value = registers_of(s, f); break;
      case CU_FUNC_ATTRIBUTE_PTX_VERSION: *value = ptx_version(f.module->ptx.target); break;
      case CU_FUNC_ATTRIBUTE_BINARY_VERSION: {
        // The "binary" is the PTX run for the configured architecture.
        *value = gpusim::cudadrv::compute_capability(s);
        break;
      }
      case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *value = f.max_dynamic_shared; break;
      case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT: *value = f.preferred_carveout; break;
      case CU_FUNC_ATTRIBUTE_CACHE_MODE_CA: *value = 0; break;
      case CU_FUNC_ATTRIBUTE_CLUSTER_SIZE_MUST_BE_SET: *value = k.explicit_cluster ? 1 : 0; break;
      // The compile-time shape (__cluster_dims__), else one set with cuFuncSetAttribute.
      case CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH:
        *value = static_cast<int>(k.required_cluster[0] ? k.required_cluster[0] : f.run_time_cluster.x);
        break;
      case CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_HEIGHT:
        *value = static_cast<int>(k.required_cluster[0] ? k.required_cluster[1] : f.run_time_cluster.y);
        break;
      case CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH:
        *value = static_cast<int>(k.required_cluster[0] ? k.required_cluster[2] : f.run_time_cluster.z);
        break;
      case CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED: *value = f.non_portable_cluster ? 1 : 0; break;
      case CU_FUNC_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE: *value = 0; break;
      default:
        throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "function attribute " + std::to_string(raw_attribute) + " is not supported"};
    }
    return CUDA_SUCCESS;
  });
}

CUresult cuFuncSetAttribute(CUfunction function, CUfunction_attribute attribute, int value) {
  return api_call("cuFuncSetAttribute", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
    const long long raw_attribute = gpusim::runtime::raw_enum_value(attribute);
    switch (raw_attribute) {
      case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: {
        const long long room = static_cast<long long>(s.config.shared_per_block_max_bytes) - f.kernel->static_shared_bytes;
        if (value < 0 || value > room)
          throw DriverFailure{CUDA_ERROR_INVALID_VALUE,
                              std::to_string(value) + " bytes of dynamic shared memory for '" + f.kernel->name +
                                  "': the limit is " + std::to_string(room) + " (opt-in maximum less static shared)"};
        f.max_dynamic_shared = value;
        return CUDA_SUCCESS;
      }
      case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT:
        if (value < -1 || value > 100) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "carveout must be -1..100"};
        f.preferred_carveout = value;  // a hint, read back; the simulator picks the carve-out from the launch's needs
        return CUDA_SUCCESS;
      case CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED:  // lifts the portable 8 CTAs per cluster
        if (value != 0 && value != 1) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the value must be 0 or 1"};
        f.non_portable_cluster = value == 1;
        return CUDA_SUCCESS;
      case CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH:
      case CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_HEIGHT:
      case CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH: {
        // A cluster shape for launches that name none; checked at launch (runtime/cluster_launch.h).
        const std::array<uint32_t, 3>& fixed = f.kernel->required_cluster;
        const unsigned axis = unsigned(raw_attribute - CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH);  // width, height, depth
        const char* names[] = {"WIDTH", "HEIGHT", "DEPTH"};
        try {
          gpusim::runtime::set_run_time_cluster(f.run_time_cluster, axis, value, {fixed[0], fixed[1], fixed[2]},
                                                f.kernel->name, std::string("CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_") + names[axis]);
        } catch (const gpusim::runtime::RunTimeClusterNotPermitted& e) {
          throw DriverFailure{CUDA_ERROR_NOT_PERMITTED, e.what()};
        } catch (const std::invalid_argument& e) {
          throw DriverFailure{CUDA_ERROR_INVALID_VALUE, e.what()};
        }
        return CUDA_SUCCESS;
      }
      case CU_FUNC_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE:  // a hint the cluster dispatch does not model
        if (value < 0 || value > 2) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the value must be 0, 1 or 2"};
        return CUDA_SUCCESS;
      default:
        throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "function attribute " + std::to_string(raw_attribute) + " cannot be set"};
    }
  });
}

CUresult cuFuncGetParamInfo(CUfunction function, size_t index, size_t* offset, size_t* size) {
  return api_call("cuFuncGetParamInfo", [&](DriverState& s) {
    // cuda.h: "paramSize can be set to NULL if only the parameter offset is desired".
    if (!offset) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "offset is null"};
    gpusim::cudadrv::require_initialized(s);
    CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
    if (index >= f.kernel->params.size()) return CUDA_ERROR_INVALID_VALUE;  // the documented end marker
    const gpusim::isa::Symbol& p = f.module->ptx.symbols[f.kernel->params[index]];
    *offset = p.offset;
    if (size) *size = p.size;
    return CUDA_SUCCESS;
  });
}

CUresult cuFuncGetName(const char** name, CUfunction function) {
  return api_call("cuFuncGetName", [&](DriverState& s) {
    if (!name) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "name is null"};
    *name = gpusim::cudadrv::live_function(s, function).kernel->name.c_str();
    return CUDA_SUCCESS;
  });
}

// A fat binary (nvcc -fatbin) loads as any image does: its PTX entry for the architecture.
CUresult cuModuleLoadFatBinary(CUmodule* module, const void* fat_binary) {
  return api_call("cuModuleLoadFatBinary", [&](DriverState& s) {
    return load_module(s, module, module_name(s), fat_binary, {});
  });
}

CUresult cuFuncGetModule(CUmodule* module, CUfunction function) {
  return api_call("cuFuncGetModule", [&](DriverState& s) {
    if (!module) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "module is null"};
    *module = gpusim::cudadrv::live_function(s, function).module;
    return CUDA_SUCCESS;
  });
}

// Modules load whole at cuModuleLoad*, as CUDA_MODULE_LOADING=EAGER does.
CUresult cuModuleGetLoadingMode(CUmoduleLoadingMode* mode) {
  if (!mode) return CUDA_ERROR_INVALID_VALUE;
  *mode = CU_MODULE_EAGER_LOADING;
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunctionCount(unsigned int* count, CUmodule module) {
  return api_call("cuModuleGetFunctionCount", [&](DriverState& s) {
    if (!count) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "count is null"};
    unsigned n = 0;
    for (const gpusim::isa::Function& k : gpusim::cudadrv::live_module(s, module).ptx.functions) n += k.is_entry;
    *count = n;
    return CUDA_SUCCESS;
  });
}

// The kernels in the order the PTX defines them, at most `capacity`.
CUresult cuModuleEnumerateFunctions(CUfunction* functions, unsigned int capacity, CUmodule module) {
  return api_call("cuModuleEnumerateFunctions", [&](DriverState& s) {
    if (!functions && capacity) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "functions is null"};
    CUmod_st& m = gpusim::cudadrv::live_module(s, module);
    unsigned n = 0;
    for (const gpusim::isa::Function& k : m.ptx.functions)
      if (k.is_entry && n < capacity) functions[n++] = &gpusim::cudadrv::function_handle(s, m, k);
    return CUDA_SUCCESS;
  });
}

// Loading is eager: every function is loaded with its module.
CUresult cuFuncIsLoaded(CUfunctionLoadingState* state, CUfunction function) {
  return api_call("cuFuncIsLoaded", [&](DriverState& s) {
    if (!state) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "state is null"};
    gpusim::cudadrv::live_function(s, function);
    *state = CU_FUNCTION_LOADING_STATE_LOADED;
    return CUDA_SUCCESS;
  });
}

CUresult cuFuncLoad(CUfunction function) {
  return api_call("cuFuncLoad", [&](DriverState& s) {
    gpusim::cudadrv::live_function(s, function);
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
