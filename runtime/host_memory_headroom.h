// Device memory lives in host memory, committed as copies and kernels touch it (mmap with
// MAP_NORESERVE), so a program filling a simulated 80 GiB card on a 23 GiB host is ended by the
// kernel's OOM killer: SIGKILL, no message, no statistics. HostMemoryHeadroom is asked before each
// host-side write of device memory (cudaMemcpy/cudaMemset into it) and refuses one that would
// commit more than the host has available, so the program gets cudaErrorMemoryAllocation with a
// message naming the sizes and the fix instead of being killed.
#pragma once

#include <cstdint>
#include <string>

namespace gpusim::runtime {

// The host's available memory (MemAvailable of /proc/meminfo) in bytes; UINT64_MAX when unknown.
uint64_t host_available_bytes();

// Bytes of [data, data + bytes) not yet backed by host memory (mincore), rounded to whole pages.
uint64_t uncommitted_bytes(const void* data, uint64_t bytes);

class HostMemoryHeadroom {
 public:
  // `available` reports the host's available bytes (tests give a small host).
  explicit HostMemoryHeadroom(uint64_t (*available)() = host_available_bytes) : available_(available) {}

  // Throws DeviceOutOfMemory (runtime/device_memory.h) when writing [data, data + bytes) could
  // commit more host memory than is available, keeping `kReserve` for the simulator itself. Cheap
  // when there is room: /proc/meminfo is read once per 64 MiB written, pages only looked at when
  // the write might not fit (a buffer written again commits nothing new).
  void before_write(const void* data, uint64_t bytes, const char* what);

  static constexpr uint64_t kReserve = uint64_t(256) << 20;
  static constexpr uint64_t kCheckEvery = uint64_t(64) << 20;

 private:
  uint64_t (*available_)();
  uint64_t unchecked_bytes_ = 0;
};

}  // namespace gpusim::runtime
