#include "workloads/input_gen.h"

namespace gpusim::workloads {

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
  std::vector<float> v(count);
  for (float& x : v) x = uniform(lo, hi);
  return v;
}

std::vector<float> InputGenerator::small_integer_vector(size_t count, int max_abs) {
  std::vector<float> v(count);
  for (float& x : v) x = small_integer(max_abs);
  return v;
}

}  // namespace gpusim::workloads
