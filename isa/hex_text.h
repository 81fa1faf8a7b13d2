// "0x..." text of an address or a raw value, for the error messages that name a place in device
// memory (faults, bad handles, printf arguments, allocation failures).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace gpusim::isa {

inline std::string hex_text(uint64_t v) {
  char buf[24];  // "0x" + 16 digits + NUL
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace gpusim::isa
