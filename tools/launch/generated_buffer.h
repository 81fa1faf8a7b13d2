// Input buffers `gpusim launch` makes itself instead of reading a file (rand:, iota:, fill:), so a
// kernel can be tried, timed or compared without writing an input file first. The values are
// defined here, not by a library's generator, so a seed gives the same buffer on every machine.
#pragma once

#include <cstdint>
#include <vector>

#include "tools/launch/element_type.h"
#include "tools/launch/host_buffer.h"

namespace gpusim::launch {

struct BufferGenerator {
  enum class Kind : uint8_t { None, Random, Iota, Fill };
  Kind kind = Kind::None;
  uint64_t seed = 1;               // Random
  std::vector<uint8_t> fill_value;  // Fill: one element of the buffer's type
};

// Random: floats uniform in [-1, 1) (rounded to the type), integers and bits uniform in [0, 99];
// the n-th value from SplitMix64 of (seed, n). Iota: 0, 1, 2, ... (converted to the type, integers
// wrapping at its width). Fill: fill_value everywhere.
HostBuffer generate_buffer(const BufferGenerator& g, ElementType t, const std::vector<uint64_t>& shape);

}  // namespace gpusim::launch
