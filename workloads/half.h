// IEEE 754 binary16 <-> binary32 conversions for the host side of half-precision workloads
// (generating WMMA inputs and computing their CPU reference). Independent of isa/numerics so the
// reference does not share code with the simulator it checks.
#pragma once

#include <cstdint>

namespace gpusim::workloads {

// Round-to-nearest-even, with overflow to infinity, subnormals and NaN preserved (quiet).
uint16_t float_to_half_bits(float value);
// Exact (every half is representable as a float).
float half_bits_to_float(uint16_t bits);

// bfloat16 (the top half of a binary32): round-to-nearest-even; NaN stays a (quiet) NaN.
uint16_t float_to_bf16_bits(float value);
// Exact (every bfloat16 is a float).
float bf16_bits_to_float(uint16_t bits);

}  // namespace gpusim::workloads
