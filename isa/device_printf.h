// CUDA's device-side printf: nvcc turns printf(fmt, ...) into vprintf(fmt, buf), where `buf` is
// a per-thread local buffer holding the arguments in order, each aligned to its own size
// (int-sized conversions 4 bytes, l/ll/z/j/t 8 bytes, floats promoted to 8-byte double, %s/%p
// 8-byte generic pointers, `*` width/precision 4-byte ints). This formats such a call into text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace gpusim::isa {

// Reads `size` bytes at a generic device address as the calling thread sees it; false when no
// memory backs [addr, addr + size).
using DeviceMemoryReader = std::function<bool(uint64_t addr, void* out, size_t size)>;

// Device memory that a printf or assert argument points to cannot be read (the executor reports
// it as an illegal address).
class DeviceAddressError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Longest string (format string, %s argument, assert text) read from device memory.
constexpr size_t kDeviceStringCap = 64 * 1024;

// Reads a NUL-terminated string of at most `cap` bytes (without the NUL). When `need_nul` is true
// a string with no NUL within `cap` bytes is an error; otherwise it is cut at `cap` (a %s with a
// precision reads no further than the precision). Throws std::runtime_error naming `what` and
// the address that could not be read (DeviceAddressError).
std::string read_device_string(const DeviceMemoryReader& read, uint64_t addr, size_t cap, bool need_nul,
                               const std::string& what);

struct DevicePrintfResult {
  std::string text;
  // vprintf's return value as CUDA documents it: the number of arguments parsed (0 with none),
  // -1 for a null format string.
  int arguments = 0;
};

// Formats one printf call. Each conversion is formatted by the host's snprintf with the same
// flags, width and precision. Throws std::runtime_error for an unsupported or malformed
// conversion (%n, %ls, %Lf, a '%' at the end), DeviceAddressError for an unreadable format,
// argument or string address.
DevicePrintfResult format_device_printf(const DeviceMemoryReader& read, uint64_t format_addr, uint64_t args_addr);

}  // namespace gpusim::isa
