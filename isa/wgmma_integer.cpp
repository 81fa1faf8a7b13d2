#include "isa/wgmma_integer.h"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace gpusim::isa::wgmma {

namespace {

int64_t element_value(uint32_t bits, IntInput t) {
  return t == IntInput::S8 ? int64_t(int8_t(uint8_t(bits))) : int64_t(bits & 0xffu);
}

}  // namespace

std::vector<uint32_t> integer_multiply_accumulate(unsigned m, unsigned n, unsigned k, const std::vector<uint32_t>& a,
                                                  IntInput a_type, const std::vector<uint32_t>& b, IntInput b_type,
                                                  const std::vector<uint32_t>& c, bool satfinite) {
  const bool popc = a_type == IntInput::B1;  // exec_wgmma.cpp only pairs B1 with B1
  std::vector<uint32_t> d(std::size_t(m) * n);
  for (unsigned row = 0; row < m; ++row)
    for (unsigned col = 0; col < n; ++col) {
      // The exact sum: at most 32 products of magnitude < 2^16 plus a 32-bit value fit in 64 bits.
      int64_t sum = int32_t(c[std::size_t(row) * n + col]);
      for (unsigned kk = 0; kk < k; ++kk) {
        const uint32_t x = a[std::size_t(row) * k + kk], y = b[std::size_t(kk) * n + col];
        sum += popc ? std::popcount(uint8_t(x & y)) : element_value(x, a_type) * element_value(y, b_type);
      }
      if (satfinite) {
        constexpr int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
        sum = sum < lo ? lo : sum > hi ? hi : sum;
      }
      d[std::size_t(row) * n + col] = uint32_t(uint64_t(sum));  // without .satfinite: wraps modulo 2^32
    }
  return d;
}

}  // namespace gpusim::isa::wgmma
