// Host-mapped allocations shared by libcudart and libcuda (runtime/host_mapped_memory.h).
#include "runtime/host_mapped_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace gpusim::runtime {

HostMappedRange allocate_host_mapped(Device& device, size_t bytes, uint64_t& next_address) {
  // MAP_FIXED_NOREPLACE never clobbers: a taken address (the other library's allocations, the
  // program's own mappings) moves on to the next candidate.
  const size_t span = (std::max<size_t>(bytes, 1) + 0xFFFF) & ~size_t(0xFFFF);
  for (int attempt = 0; attempt < 64; ++attempt) {
    void* want = reinterpret_cast<void*>(next_address);
    next_address += span + 0x10000;  // a guard gap, like device allocations
    void* p = mmap(want, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) {
      if (errno == EEXIST) continue;
      throw OutOfMemory("host allocation of " + std::to_string(bytes) + " bytes failed: " + std::strerror(errno));
    }
    if (p != want) {  // an old kernel without MAP_FIXED_NOREPLACE placed it elsewhere
      munmap(p, span);
      continue;
    }
    try {
      device.map_host_memory(p, bytes ? bytes : 1);
    } catch (...) {
      munmap(p, span);
      throw;
    }
    return {p, span};
  }
  throw OutOfMemory("no free host address range for a mapped allocation of " + std::to_string(bytes) + " bytes");
}

void release_host_mapped(Device& device, const HostMappedRange& range) {
  device.unmap_host_memory(range.address);
  munmap(range.address, range.span);
}

}  // namespace gpusim::runtime
