#include "runtime/host_memory_headroom.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "runtime/device_memory.h"

namespace gpusim::runtime {

namespace {
std::string gib(uint64_t bytes) {
  char b[48];
  std::snprintf(b, sizeof b, "%.2f GiB", double(bytes) / double(uint64_t(1) << 30));
  return b;
}
}  // namespace

uint64_t host_available_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return UINT64_MAX;
}

uint64_t uncommitted_bytes(const void* data, uint64_t bytes) {
  const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
  const uintptr_t first = reinterpret_cast<uintptr_t>(data) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes + page - 1) / page * page;
  std::vector<unsigned char> resident((end - first) / page);
  // Not our mapping (a host-mapped region the program owns): its pages are the program's already.
  if (mincore(reinterpret_cast<void*>(first), end - first, resident.data()) != 0) return 0;
  uint64_t missing = 0;
  for (unsigned char r : resident) missing += (r & 1) ? 0 : page;
  return missing;
}

void HostMemoryHeadroom::before_write(const void* data, uint64_t bytes, const char* what) {
  unchecked_bytes_ += bytes;
  if (unchecked_bytes_ < kCheckEvery) return;
  unchecked_bytes_ = 0;
  const uint64_t available = available_();
  if (available >= bytes + kReserve) return;
  const uint64_t needed = uncommitted_bytes(data, bytes);
  if (available >= needed + kReserve) return;
  std::ostringstream os;
  os << what << " of " << bytes << " bytes would commit " << gib(needed) << " more host memory, and this host has "
     << gib(available) << " available: simulated device memory lives in host memory, committed as it is written, and "
     << "the OOM killer would end the program (no message, no statistics). Use smaller buffers, or make the simulated "
        "device smaller than this host with --max-host-memory SIZE (GPUSIM_MAX_HOST_MEMORY)";
  throw DeviceOutOfMemory(os.str());
}

}  // namespace gpusim::runtime
