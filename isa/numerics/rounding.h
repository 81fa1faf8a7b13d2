// IEEE-754 f32/f64 arithmetic under an explicit rounding mode (PTX .rn/.rz/.rm/.rp).
//
// Choice: the host's SSE unit already rounds add/sub/mul/div/sqrt/fma correctly in all four
// IEEE modes, so each operation switches the MXCSR rounding mode with <cfenv> around one
// operation and restores the caller's mode afterwards. rounding.cpp is compiled with
// -frounding-math and passes operands through an optimisation barrier so that the compiler
// can neither constant-fold nor move the operation across the mode switch. Results are bit
// patterns; NaN results are replaced by the canonical NaN (see float_format.h) because that is
// what the GPU produces, and the host would instead propagate an input payload.
#pragma once

#include <cstdint>

#include "isa/ir.h"

namespace gpusim::isa::numerics {

enum class ArithOp : uint8_t { Add, Sub, Mul, Div };

// a (op) b rounded once under `rnd` (None = Rn). Inputs/outputs are raw bits.
uint32_t f32_arith(ArithOp op, uint32_t a, uint32_t b, Rounding rnd);
uint64_t f64_arith(ArithOp op, uint64_t a, uint64_t b, Rounding rnd);
// a*b+c with a single rounding.
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, Rounding rnd);
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, Rounding rnd);
uint32_t f32_sqrt(uint32_t a, Rounding rnd);
uint64_t f64_sqrt(uint64_t a, Rounding rnd);
// 1/a correctly rounded.
uint32_t f32_rcp(uint32_t a, Rounding rnd);
uint64_t f64_rcp(uint64_t a, Rounding rnd);
// Round to an integral value in the same format (.rni/.rzi/.rmi/.rpi).
uint32_t f32_round_integral(uint32_t a, Rounding rnd);
uint64_t f64_round_integral(uint64_t a, Rounding rnd);

// a*b+c computed in double with round-to-odd: truncate, then force the last bit to 1 when the
// result is inexact. Rounding that double once more to any format with at most 51 fraction
// bits (f32, f16, bf16) then equals rounding the exact a*b+c directly, which is how the f16 and
// bf16 fused operations get a single correct rounding.
double f64_fma_round_to_odd(double a, double b, double c);
// p+c with round-to-odd, for a product p that is exact in double (operands of at most 26
// significand bits: f32, f16, bf16, fp8 values). Pure arithmetic (TwoSum), no floating-point
// environment: switching the rounding mode and reading the inexact flag per element made f16 and
// bf16 arithmetic ~70x slower to simulate than f32. Same result as f64_fma_round_to_odd.
double exact_product_sum_round_to_odd(double p, double c);

// PTX .sat for f32 / f64: clamp to [0, 1]; NaN -> +0.
uint32_t f32_saturate(uint32_t a);
uint64_t f64_saturate(uint64_t a);

}  // namespace gpusim::isa::numerics
