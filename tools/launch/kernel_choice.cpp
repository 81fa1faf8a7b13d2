#include "tools/launch/kernel_choice.h"

#include "isa/kernel_names.h"

namespace gpusim::launch {

std::string demangled_kernel_name(const std::string& ptx_name) { return isa::demangled_kernel_name(ptx_name); }

std::vector<const isa::Function*> kernels_named(const isa::Module& module, const std::string& name) {
  // The lowest tier any kernel reaches (isa/kernel_names.h): 0 the PTX name, 1 the signature, 2
  // the name with template arguments, 3 the plain name.
  std::vector<const isa::Function*> tiers[4];
  for (const isa::Function& f : module.functions) {
    if (!f.is_entry) continue;
    const int tier = isa::kernel_name_match(f.name, name);
    if (tier >= 0) tiers[tier].push_back(&f);
  }
  for (auto& tier : tiers)
    if (!tier.empty()) return tier;
  return {};
}

std::string describe_kernel_name(const std::string& ptx_name) {
  const std::string signature = demangled_kernel_name(ptx_name);
  if (signature == ptx_name) return ptx_name;
  return isa::qualified_kernel_name(signature) + " (" + ptx_name + ")";
}

}  // namespace gpusim::launch
