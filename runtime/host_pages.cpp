#include "runtime/host_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace gpusim::runtime {

namespace {
uint64_t page_bytes() {
  static const uint64_t bytes = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return bytes;
}
}  // namespace

HostPages host_pages(const void* p, size_t bytes) {
  const uint64_t lo = reinterpret_cast<uint64_t>(p);
  const uint64_t hi = lo + std::max<size_t>(bytes, 1);
  if (!p || hi < lo) return HostPages::Unmapped;
  std::FILE* maps = std::fopen("/proc/self/maps", "re");
  if (!maps) return host_pages_mapped(p, bytes) ? HostPages::ReadWrite : HostPages::Unmapped;  // no procfs: best effort
  // The maps are sorted by address: walk them, covering [lo, hi) from `covered` upwards; a gap
  // before hi means an unmapped page.
  uint64_t covered = lo;
  HostPages least = HostPages::ReadWrite;
  char line[512];
  while (covered < hi && std::fgets(line, sizeof line, maps)) {
    unsigned long long start = 0, end = 0;
    char perms[5] = {};
    if (std::sscanf(line, "%llx-%llx %4s", &start, &end, perms) != 3) continue;
    if (end <= covered) continue;
    if (start > covered) break;  // a hole
    const HostPages here = perms[0] != 'r' ? HostPages::NoAccess : perms[1] != 'w' ? HostPages::ReadOnly : HostPages::ReadWrite;
    least = std::min(least, here);
    covered = end;
  }
  std::fclose(maps);
  return covered >= hi ? least : HostPages::Unmapped;
}

bool host_pages_mapped(const void* p, size_t bytes) {
  const uint64_t lo = reinterpret_cast<uint64_t>(p);
  const uint64_t hi = lo + std::max<size_t>(bytes, 1);
  if (!p || hi < lo) return false;
  const uint64_t first = lo & ~(page_bytes() - 1);
  // Linux's msync checks that every page of the range is mapped (ENOMEM otherwise); MS_ASYNC
  // writes nothing back.
  return msync(reinterpret_cast<void*>(first), hi - first, MS_ASYNC) == 0 || errno != ENOMEM;
}

HostMapping registration_mapping(const void* p, size_t bytes, bool read_only) {
  const HostPages pages = host_pages(p, bytes);
  if (pages == HostPages::ReadWrite || (pages == HostPages::ReadOnly && read_only))
    return read_only ? HostMapping::RegisteredReadOnly : HostMapping::Registered;
  char buf[200];
  std::snprintf(buf, sizeof buf, "the host range [%p, +%zu) is %s%s", p, bytes, describe(pages),
                pages == HostPages::ReadOnly ? " (register it with the read-only flag)" : ": it cannot be pinned");
  throw std::invalid_argument(buf);
}

const char* describe(HostPages pages) {
  switch (pages) {
    case HostPages::Unmapped: return "not mapped";
    case HostPages::NoAccess: return "not readable";
    case HostPages::ReadOnly: return "read-only";
    case HostPages::ReadWrite: return "readable and writable";
  }
  return "?";
}

}  // namespace gpusim::runtime
