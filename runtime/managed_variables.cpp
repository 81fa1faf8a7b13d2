// __managed__ variables in host memory the device maps (runtime/managed_variables.h).
#include "runtime/managed_variables.h"

#include <cstring>

namespace gpusim::runtime {

HostMappedRange place_managed_variables(Device& device, isa::Module& m, uint64_t& next_address) {
  uint64_t bytes = 0;
  for (const isa::Symbol& s : m.symbols) {
    if (!s.managed) continue;
    const uint64_t align = s.align ? s.align : 1;
    bytes = (bytes + align - 1) / align * align + s.size;
  }
  if (bytes == 0) return {};
  // Page-aligned (allocate_host_mapped), so every alignment PTX can ask for holds.
  const HostMappedRange range = allocate_host_mapped(device, bytes, next_address);
  uint64_t at = 0;
  for (isa::Symbol& s : m.symbols) {
    if (!s.managed) continue;
    const uint64_t align = s.align ? s.align : 1;
    at = (at + align - 1) / align * align;
    s.placed_address = reinterpret_cast<uint64_t>(range.address) + at;
    // Fresh anonymous pages are zero: only initialised bytes need writing.
    if (!s.init.empty()) std::memcpy(reinterpret_cast<void*>(s.placed_address), s.init.data(), s.init.size());
    at += s.size;
  }
  return range;
}

}  // namespace gpusim::runtime
