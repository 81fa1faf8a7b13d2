#include "sim/config_fingerprint.h"

#include <cstdint>
#include <cstdio>

namespace gpusim::sim {

std::string fnv1a64_hex(const std::string& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

std::string config_fingerprint(const GpuConfig& config) { return fnv1a64_hex(describe(config)); }

}  // namespace gpusim::sim
