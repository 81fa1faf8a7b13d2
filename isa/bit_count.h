// Bit counts on the hot paths, inline. The build targets baseline x86-64 (no POPCNT instruction),
// where __builtin_popcount and std::popcount/std::has_single_bit become libgcc calls; the
// functional step counts every instruction's lanes and the timing model checks every summarised
// memory access, so these stay plain arithmetic the compiler can fold.
#pragma once

#include <cstdint>

namespace gpusim::isa {

// Set bits (active lanes) of a 32-bit mask.
constexpr unsigned lane_count(uint32_t m) {
  m = m - ((m >> 1) & 0x55555555u);
  m = (m & 0x33333333u) + ((m >> 2) & 0x33333333u);
  return (((m + (m >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24;
}
static_assert(lane_count(0) == 0 && lane_count(~0u) == 32 && lane_count(0x80000001u) == 2 &&
              lane_count(0x0000ff00u) == 8 && lane_count(0x55555555u) == 16);

// Set bits of a 64-bit mask (e.g. a sub-core's warp slots).
constexpr unsigned bit_count64(uint64_t m) {
  m = m - ((m >> 1) & 0x5555555555555555u);
  m = (m & 0x3333333333333333u) + ((m >> 2) & 0x3333333333333333u);
  return unsigned((((m + (m >> 4)) & 0x0f0f0f0f0f0f0f0fu) * 0x0101010101010101u) >> 56);
}
static_assert(bit_count64(0) == 0 && bit_count64(~uint64_t(0)) == 64 && bit_count64(0x8000000000000001u) == 2);

// Exactly one bit set (a power of two).
constexpr bool single_bit(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }
static_assert(single_bit(1) && single_bit(0x80000000u) && !single_bit(0) && !single_bit(6));

}  // namespace gpusim::isa
