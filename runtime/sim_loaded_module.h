// A PTX module as the simulated device holds it (runtime/sim_device.cpp): the parsed module, its
// .global variables in device memory, its constant bank, its __managed__ variables' host pages and
// ptxas's figures, with the look-ups a launch or a symbol access makes in it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "isa/ir.h"
#include "runtime/device.h"
#include "runtime/device_memory.h"
#include "runtime/host_mapped_memory.h"
#include "runtime/ptxas_info.h"

namespace gpusim::runtime {

struct LoadedModule {
  isa::Module module;
  std::string ptx;                   // kept for ptxas, run on first need in functional mode
  bool ptxas_done = false;
  DevPtr globals = 0;                // device copy of the module's .global variables
  HostMappedRange managed;           // its __managed__ variables (runtime/managed_variables.h)
  std::vector<uint8_t> const_bank;   // the module's .const variables
  // Device memory holding the constant bank, made when a program first asks for a __constant__'s
  // address (cudaGetSymbolAddress, cuModuleGetGlobal); from then on it is the authoritative copy
  // (copies to that address are plain device copies) and each launch reads the bank from it.
  DevPtr const_mirror = 0;
  std::map<std::string, PtxasKernelInfo> ptxas;  // per kernel, for the config's SM arch (timing mode)
  std::string ptxas_note;
  unsigned max_registers = 0;  // CU_JIT_MAX_REGISTERS (0: no cap)
  std::map<const isa::Function*, bool> unbounded_call_depth;  // per kernel, found at its first launch
};

// Parses `ptx` and places its module-scope variables: .global in `memory`, __managed__ ones on
// host pages from `next_managed_address` on, initialisers written (pointers to variables too).
// Throws Error for PTX that does not parse (isa::UnsupportedPtxVersion passes through: it has
// its own error code in both APIs).
std::unique_ptr<LoadedModule> load_module(Device& device, DeviceMemory& memory, const std::string& source_name,
                                          const std::string& ptx, uint64_t& next_managed_address);

// Register counts and stack sizes from ptxas for `sm_arch`, once per module (capped by the
// module's CU_JIT_MAX_REGISTERS); Error naming the module when ptxas refuses it.
void ensure_ptxas_figures(LoadedModule& m, const std::string& sm_arch);
// ".target sm_80[, ...]" -> 80: the virtual architecture CUDA reports as a kernel's ptxVersion
// (libraries such as CUB choose their tuning from it).
uint32_t ptx_target_arch(const std::string& target);
// The kernel (.entry) `kernel`; Error naming the module's kernels when there is none.
const isa::Function& entry_named(const LoadedModule& lm, const std::string& kernel);
// A .global variable's device address: in the module's block, or where a __managed__ one was placed.
DevPtr global_address(const LoadedModule& lm, const isa::Symbol& s);
// The module-scope __device__ or __constant__ variable `name`; Error when there is none.
const isa::Symbol& module_symbol(const LoadedModule& lm, const std::string& name);
// module_symbol, checking that [offset, offset + bytes) lies inside it.
const isa::Symbol& symbol_range(const LoadedModule& lm, const std::string& name, size_t offset, size_t bytes);
// A lower bound of the launch's work for the budget: every warp runs the kernel's straight-line
// code once (loops only add); saturates instead of wrapping.
uint64_t estimated_warp_instructions(const isa::Function& fn, const LaunchConfig& cfg);
// Lays the arguments out per the kernel's .param declarations (offsets and sizes from PTX).
std::vector<uint8_t> pack_params(const isa::Module& m, const isa::Function& fn, const KernelArgs& args);

}  // namespace gpusim::runtime
