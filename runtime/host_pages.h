// What the host's page tables allow on a range of this process's memory, so that the simulator
// can refuse to touch (or let a kernel touch) host memory that is not there. A CUDA driver pins
// registered pages, so a GPU never faults on them; the simulator reaches them through the host's
// own mapping instead, and an access to a range the program unmapped or made read-only would
// kill the whole process with SIGSEGV.
#pragma once

#include <cstddef>

namespace gpusim::runtime {

enum class HostPages {
  Unmapped,   // some page of the range is not mapped (or the range wraps)
  NoAccess,   // mapped, but some page is not readable (PROT_NONE)
  ReadOnly,   // readable everywhere, not writable everywhere
  ReadWrite,  // readable and writable everywhere
};

// The least access any page of [p, p + bytes) allows (bytes 0 is treated as 1). Reads
// /proc/self/maps: exact about protections, at the cost of a file read (call it per
// registration or launch, not per access).
HostPages host_pages(const void* p, size_t bytes);

// Whether every page of [p, p + bytes) is mapped, by one msync(MS_ASYNC) (ENOMEM for a hole):
// cheap enough for each host-side copy; says nothing about protections.
bool host_pages_mapped(const void* p, size_t bytes);

// How a host range mapped into the device came to be: the simulator's own allocation (pinned,
// managed: it stays mapped until freed) or the program's memory handed over by
// cudaHostRegister / cuMemHostRegister, which the program may unmap or protect later.
enum class HostMapping {
  Owned,
  Registered,
  RegisteredReadOnly,  // cudaHostRegisterReadOnly: the device may read it, a store faults
};

// How cudaHostRegister / cuMemHostRegister may map [p, p + bytes): Registered, or
// RegisteredReadOnly where `read_only` (cudaHostRegisterReadOnly) was asked for. Throws
// std::invalid_argument, saying why, where the pages are not all there (a GPU driver fails to pin
// them) or not writable without `read_only` (a driver pins for writing unless told otherwise).
HostMapping registration_mapping(const void* p, size_t bytes, bool read_only);

// "unmapped", "not readable", "read-only", "readable and writable": for messages.
const char* describe(HostPages pages);

}  // namespace gpusim::runtime
