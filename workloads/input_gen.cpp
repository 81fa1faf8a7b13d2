#include "workloads/input_gen.h"

#include <cstdint>
#include <string>

#include "runtime/resource_limits.h"

namespace gpusim::workloads {

namespace {

// The host memory policy, before a vector is allocated (a count near 2^64 would wrap the bytes).
void require_input_fits(size_t count) {
  const uint64_t bytes = count > UINT64_MAX / sizeof(float) ? UINT64_MAX : count * sizeof(float);
  runtime::require_host_memory(bytes, "an input vector of " + std::to_string(count) + " floats");
}

}  // namespace

float InputGenerator::uniform(float lo, float hi) {
  const double unit = static_cast<double>(engine_() >> 40) * 0x1p-24;  // 24 random bits in [0, 1)
  return static_cast<float>(lo + (static_cast<double>(hi) - lo) * unit);
}

float InputGenerator::small_integer(int max_abs) {
  const uint64_t span = 2 * static_cast<uint64_t>(max_abs) + 1;
  // The modulo bias is below span / 2^64: irrelevant for test inputs.
  return static_cast<float>(static_cast<int64_t>(engine_() % span) - max_abs);
}

std::vector<float> InputGenerator::uniform_vector(size_t count, float lo, float hi) {
  require_input_fits(count);
  std::vector<float> v(count);
  for (float& x : v) x = uniform(lo, hi);
  return v;
}

std::vector<float> InputGenerator::small_integer_vector(size_t count, int max_abs) {
  require_input_fits(count);
  std::vector<float> v(count);
  for (float& x : v) x = small_integer(max_abs);
  return v;
}

}  // namespace gpusim::workloads
