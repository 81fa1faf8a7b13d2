// Module summary for `gpusim ptx`: what a reader needs to sanity-check a kernel before
// simulating it.
#include "isa/module_summary.h"

#include <algorithm>
#include <array>
#include <iomanip>
#include <map>

#include "isa/call_graph.h"
#include "isa/kernel_names.h"

namespace gpusim::isa {

namespace {

constexpr unsigned kUnitCount = unsigned(Unit::Sync) + 1;

// Whether the kernel or a function it calls names an .extern .shared array (nvcc declares one
// per module, shared by every kernel of the file, so the declaration alone says nothing).
bool uses_dynamic_shared(const Module& m, const Function& kernel) {
  auto names_extern_shared = [&](const Function&, const Instruction& in) {
    for (unsigned i = 0; i < in.nops; ++i) {
      const Operand& op = in.ops[i];
      if ((op.kind != OperandKind::Address && op.kind != OperandKind::Symbol) || op.sym >= m.symbols.size()) continue;
      const Symbol& s = m.symbols[op.sym];
      if (s.space == StateSpace::Shared && s.is_extern) return true;
    }
    return false;
  };
  return any_reachable_in(m, kernel, false, names_extern_shared);
}

void write_function(std::ostream& out, const Module& m, const Function& f) {
  out << (f.is_entry ? "kernel " : "function ") << f.name;
  const std::string readable = demangled_kernel_name(f.name);
  if (readable != f.name) out << "  " << readable;
  out << "  (line " << f.decl_line << ")\n";
  if (f.code.empty()) {
    out << "  declaration only (no body in this module)\n";
    return;
  }
  auto write_params = [&](const char* title, const std::vector<uint32_t>& ids) {
    if (ids.empty()) return;
    out << "  " << title << ":\n";
    for (uint32_t id : ids) {
      const Symbol& s = m.symbols[id];
      out << "    " << std::left << std::setw(32) << s.name << std::right << " ." << std::left << std::setw(5)
          << type_name(s.elem) << std::right << " size " << std::setw(4) << s.size << "  offset " << std::setw(4)
          << s.offset << "  align " << s.align << "\n";
    }
  };
  write_params("returns", f.returns);
  write_params("parameters", f.params);
  if (f.is_entry) out << "  kernel parameter buffer: " << f.param_bytes << " bytes\n";
  out << "  per-thread .param frame: " << f.frame_param_bytes << " bytes (returns, parameters, call sites)\n";
  std::array<unsigned, kUnitCount> per_unit{};
  for (const Instruction& in : f.code) ++per_unit[unsigned(in.unit)];
  out << "  instructions: " << f.code.size() << " (";
  bool first = true;
  for (unsigned u = 0; u < kUnitCount; ++u) {
    if (!per_unit[u]) continue;
    out << (first ? "" : ", ") << unit_name(Unit(u)) << " " << per_unit[u];
    first = false;
  }
  out << ")\n";
  std::map<std::string, unsigned> regs_by_type;
  for (const RegInfo& r : f.regs) ++regs_by_type[type_name(r.type)];
  out << "  registers declared: " << f.regs.size();
  if (!regs_by_type.empty()) {
    out << " (";
    first = true;
    for (const auto& [type, n] : regs_by_type) {
      out << (first ? "" : ", ") << "." << type << " " << n;
      first = false;
    }
    out << ")";
  }
  out << "\n";
  if (f.is_entry && f.required_block[0])
    out << "  launch bounds: the block must be " << f.required_block[0] << "x" << std::max(f.required_block[1], 1u) << "x"
        << std::max(f.required_block[2], 1u) << " threads (.reqntid)\n";
  else if (f.is_entry && f.max_threads_per_block)
    out << "  launch bounds: at most " << f.max_threads_per_block << " threads per block (.maxntid, __launch_bounds__)\n";
  if (f.reaches_cta_barrier) out << "  CTA barriers: yes (bar.sync / __syncthreads, here or in a function it calls)\n";
  if (f.is_entry) out << "  static shared: " << f.static_shared_bytes << " bytes\n";
  if (f.is_entry && uses_dynamic_shared(m, f)) out << "  dynamic shared: used (.extern .shared), sized at launch\n";
  out << "  local frame: " << f.local_bytes << " bytes\n";
  if (f.ptxas_registers) out << "  ptxas: " << f.ptxas_registers << " registers, " << f.ptxas_stack_bytes << " bytes stack\n";
}

}  // namespace

void write_module_summary(std::ostream& out, const Module& m) {
  out << m.source_name << ": PTX " << m.version << ", target " << m.target << ", " << m.address_size
      << "-bit addresses\n";
  unsigned kernels = 0;
  for (const Function& f : m.functions) kernels += f.is_entry;
  out << kernels << " kernel(s), " << m.functions.size() - kernels << " other function(s)\n";
  if (m.global_bytes || m.const_bytes)
    out << "module .global " << m.global_bytes << " bytes, .const " << m.const_bytes << " bytes\n";
  for (const Symbol& s : m.symbols)
    if (s.owner < 0)
      out << "  ." << space_name(s.space) << " " << s.name << "  size " << s.size << "  offset " << s.offset
          << (s.init.empty() ? "" : "  (initialized)") << "\n";
  for (const Function& f : m.functions) {
    out << "\n";
    write_function(out, m, f);
  }
}

}  // namespace gpusim::isa
