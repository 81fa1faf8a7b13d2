#include "workloads/half.h"

#include <bit>

namespace gpusim::workloads {

uint16_t float_to_half_bits(float value) {
  const uint32_t f = std::bit_cast<uint32_t>(value);
  const uint16_t sign = static_cast<uint16_t>((f >> 16) & 0x8000u);
  const uint32_t exponent = (f >> 23) & 0xffu;
  uint32_t mantissa = f & 0x7fffffu;

  if (exponent == 0xff)  // infinity or NaN (NaN keeps its top payload bits and stays a NaN)
    return sign | 0x7c00u | (mantissa ? (0x200u | (mantissa >> 13)) : 0u);

  const int unbiased = static_cast<int>(exponent) - 127;
  if (unbiased > 15) return sign | 0x7c00u;  // beyond the half range even before rounding
  if (unbiased >= -14) {
    // Normal half: keep 10 mantissa bits, round the 13 dropped bits to nearest even. A carry out
    // of the mantissa correctly bumps the exponent (and may reach infinity, 0x7c00).
    uint32_t half = (static_cast<uint32_t>(unbiased + 15) << 10) | (mantissa >> 13);
    const uint32_t dropped = mantissa & 0x1fffu;
    if (dropped > 0x1000u || (dropped == 0x1000u && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  if (unbiased < -25) return sign;  // below half the smallest subnormal: rounds to zero
  // Subnormal half: value = m * 2^-24 with m = full significand >> shift.
  mantissa |= 0x800000u;  // implicit leading one
  const unsigned shift = static_cast<unsigned>(-unbiased - 14 + 13);  // 14..24
  uint32_t half = mantissa >> shift;
  const uint32_t dropped = mantissa & ((1u << shift) - 1u);
  const uint32_t halfway = 1u << (shift - 1);
  if (dropped > halfway || (dropped == halfway && (half & 1u))) ++half;  // may become the min normal
  return static_cast<uint16_t>(sign | half);
}

float half_bits_to_float(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  if (mantissa == 0) return std::bit_cast<float>(sign);
  // Subnormal half: normalize into a float, which has the range for it.
  int e = -14;
  while (!(mantissa & 0x400u)) {
    mantissa <<= 1;
    --e;
  }
  mantissa &= 0x3ffu;
  return std::bit_cast<float>(sign | (static_cast<uint32_t>(e + 127) << 23) | (mantissa << 13));
}

uint16_t float_to_bf16_bits(float value) {
  const uint32_t f = std::bit_cast<uint32_t>(value);
  if ((f & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((f >> 16) | 0x40u);  // quiet NaN
  // Round the 16 dropped bits to nearest even; a carry may reach the exponent (and infinity).
  const uint32_t rounded = f + 0x7fffu + ((f >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

float bf16_bits_to_float(uint16_t bits) { return std::bit_cast<float>(uint32_t(bits) << 16); }

}  // namespace gpusim::workloads
