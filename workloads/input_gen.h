// Seeded input generation. Built on std::mt19937_64, whose output sequence the C++ standard fixes,
// with our own bits-to-float mapping (the std distributions are implementation-defined), so a seed
// gives the same inputs with every standard library.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace gpusim::workloads {

class InputGenerator {
 public:
  explicit InputGenerator(uint64_t seed) : engine_(seed) {}

  // Uniform in [lo, hi), on a 2^-24 grid of the interval.
  float uniform(float lo, float hi);
  // A uniformly chosen integer in [-max_abs, max_abs], as a float: sums of such values stay
  // exact while they remain below 2^24, which makes order-independent exact checks possible.
  float small_integer(int max_abs);

  std::vector<float> uniform_vector(size_t count, float lo, float hi);
  std::vector<float> small_integer_vector(size_t count, int max_abs);

 private:
  std::mt19937_64 engine_;
};

}  // namespace gpusim::workloads
