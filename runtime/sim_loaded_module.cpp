#include "runtime/sim_loaded_module.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "isa/init_addresses.h"
#include "isa/kernel_names.h"
#include "isa/ptx_parser.h"
#include "runtime/managed_variables.h"

namespace gpusim::runtime {

std::unique_ptr<LoadedModule> load_module(Device& device, DeviceMemory& memory, const std::string& source_name,
                                          const std::string& ptx, uint64_t& next_managed_address) {
  auto m = std::make_unique<LoadedModule>();
  m->ptx = ptx;
  try {
    m->module = isa::parse_ptx(ptx, source_name);
  } catch (const isa::UnsupportedPtxVersion&) {
    throw;  // its own error code in both APIs
  } catch (const std::exception& e) {
    throw Error(e.what());
  }
  // Module-scope variables: .global in device memory, .const in the module's constant bank,
  // both initialised from the PTX initializers.
  if (m->module.global_bytes) {
    try {
      m->globals = memory.allocate(m->module.global_bytes, DeviceMemory::Placement::ModuleData);
    } catch (const DeviceOutOfMemory& e) {
      // Name the variable that asks for it (an outside tester's `.global .b8 g[1 TiB]` got only the size).
      const isa::Symbol* largest = nullptr;
      for (const isa::Symbol& s : m->module.symbols)
        if (s.owner == -1 && s.space == isa::StateSpace::Global && (!largest || s.size > largest->size)) largest = &s;
      if (!largest) throw;
      throw DeviceOutOfMemory(std::string(e.what()) + " (for the module's .global variables, " +
                              std::to_string(m->module.global_bytes) + " bytes; the largest is '" + largest->name + "', " +
                              std::to_string(largest->size) + " bytes, declared at " + source_name + ":" +
                              std::to_string(largest->decl_line) + ")");
    }
  }
  if (m->globals) {  // fault messages name the variable an access missed
    std::vector<DeviceMemory::NamedRange> names;
    for (const isa::Symbol& s : m->module.symbols)
      if (s.owner == -1 && s.space == isa::StateSpace::Global && !s.placed_address)
        names.push_back({s.offset, s.size,
                         (s.name.rfind("$str", 0) == 0 ? "the string constant '" : "__device__ variable '") + s.name +
                             "' of " + source_name});
    memory.name_variables(m->globals, std::move(names));
  }
  m->managed = place_managed_variables(device, m->module, next_managed_address);
  // Pointers to variables in initializers, now that the variables are placed; a generic pointer
  // to __constant__ data points into the bank's device copy, made now.
  if (m->module.const_bytes && isa::init_addresses_need_const_memory(m->module))
    m->const_mirror = memory.allocate(m->module.const_bytes, DeviceMemory::Placement::ModuleData);
  isa::write_init_addresses(m->module, m->globals, m->const_mirror);
  m->const_bank.assign(m->module.const_bytes, 0);
  for (const isa::Symbol& s : m->module.symbols) {
    if (s.owner != -1 || s.init.empty()) continue;
    if (s.space == isa::StateSpace::Global && !s.placed_address)  // placed ones are initialised there
      memory.copy_in(m->globals + s.offset, s.init.data(), s.init.size());
    if (s.space == isa::StateSpace::Const)
      std::copy(s.init.begin(), s.init.end(), m->const_bank.begin() + static_cast<long>(s.offset));
  }
  if (m->const_mirror) memory.copy_in(m->const_mirror, m->const_bank.data(), m->const_bank.size());
  return m;
}

void ensure_ptxas_figures(LoadedModule& m, const std::string& sm_arch) {
  if (m.ptxas_done) return;
  m.ptxas_done = true;
  try {
    m.ptxas = ptxas_resources_for(m.ptx, sm_arch, &m.ptxas_note);
  } catch (const std::exception& e) {
    throw Error(m.module.source_name + ": " + with_source_name(e.what(), m.module.source_name));
  }
  for (isa::Function& f : m.module.functions) {
    auto it = m.ptxas.find(f.name);
    if (it != m.ptxas.end()) {
      f.ptxas_registers = it->second.registers;
      if (m.max_registers && f.ptxas_registers > m.max_registers) f.ptxas_registers = m.max_registers;
      f.ptxas_stack_bytes = it->second.stack_bytes;
    }
  }
}

uint32_t ptx_target_arch(const std::string& target) {
  const size_t at = target.find("sm_");
  return at == std::string::npos ? 0 : static_cast<uint32_t>(std::atoi(target.c_str() + at + 3));
}

const isa::Function& entry_named(const LoadedModule& lm, const std::string& kernel) {
  const isa::Function* fn = lm.module.find_function(kernel);
  if (!fn || !fn->is_entry) {
    std::vector<std::string> names;
    for (const auto& f : lm.module.functions)
      if (f.is_entry) names.push_back(f.name);
    throw KernelNotFound("no kernel named '" + kernel + "' in " + lm.module.source_name + " (kernels: " +
                         isa::listed_names(names) + ")");
  }
  return *fn;
}

DevPtr global_address(const LoadedModule& lm, const isa::Symbol& s) {
  return s.placed_address ? s.placed_address : lm.globals + s.offset;
}

const isa::Symbol& module_symbol(const LoadedModule& lm, const std::string& name) {
  for (const isa::Symbol& s : lm.module.symbols)
    if (s.owner == -1 && s.name == name && (s.space == isa::StateSpace::Global || s.space == isa::StateSpace::Const))
      return s;
  throw Error("no __device__ or __constant__ variable named '" + name + "' in " + lm.module.source_name);
}

const isa::Symbol& symbol_range(const LoadedModule& lm, const std::string& name, size_t offset, size_t bytes) {
  const isa::Symbol& s = module_symbol(lm, name);
  if (offset > s.size || bytes > s.size - offset)
    throw Error("access of " + std::to_string(bytes) + " bytes at offset " + std::to_string(offset) + " of '" + name +
                "' (" + std::to_string(s.size) + " bytes) in " + lm.module.source_name);
  return s;
}

uint64_t estimated_warp_instructions(const isa::Function& fn, const LaunchConfig& cfg) {
  const unsigned __int128 warps = (unsigned __int128)cfg.grid.count() * ((cfg.block.count() + 31) / 32);
  const unsigned __int128 work = warps * std::max<uint64_t>(1, fn.code.size());
  return work > UINT64_MAX ? UINT64_MAX : uint64_t(work);
}

std::vector<uint8_t> pack_params(const isa::Module& m, const isa::Function& fn, const KernelArgs& args) {
  if (args.size() != fn.params.size()) {
    std::ostringstream os;
    os << "kernel '" << fn.name << "' takes " << fn.params.size() << " parameters, the launch passed " << args.size();
    throw Error(os.str());
  }
  std::vector<uint8_t> buf(fn.param_bytes, 0);
  for (size_t i = 0; i < args.size(); ++i) {
    const isa::Symbol& p = m.symbols[fn.params[i]];
    if (args[i].bytes.size() != p.size) {
      std::ostringstream os;
      os << "kernel '" << fn.name << "' parameter " << i << " ('" << p.name << "', ." << isa::type_name(p.elem)
         << ", " << p.size << " bytes) was given " << args[i].bytes.size() << " bytes";
      throw Error(os.str());
    }
    std::copy(args[i].bytes.begin(), args[i].bytes.end(), buf.begin() + static_cast<long>(p.offset));
  }
  return buf;
}

}  // namespace gpusim::runtime
