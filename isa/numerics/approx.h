// The PTX .approx special functions (MUFU). PTX only bounds their error, so these compute the
// function in double precision and round once to the destination, which is well inside every
// documented bound, and apply the special cases the PTX ISA lists for each instruction.
// Inputs and results are raw bits; `ftz` flushes subnormal inputs and results.
#pragma once

#include <cstdint>

namespace gpusim::isa::numerics {

enum class ApproxFn : uint8_t { Rcp, Sqrt, Rsqrt, Ex2, Lg2, Sin, Cos, Tanh };

uint32_t approx_f32(ApproxFn fn, uint32_t a, bool ftz);
// rcp.approx.ftz.f64 and rsqrt.approx{.ftz}.f64. The .ftz forms read only the operand's upper
// 32 bits and zero the result's lower 32 (PTX ISA); rsqrt.approx.f64 is a full-width rsqrt.
uint64_t approx_f64(ApproxFn fn, uint64_t a, bool ftz);
// ex2.approx / tanh.approx on f16 and bf16 (raw 16-bit patterns).
uint16_t approx_f16(ApproxFn fn, uint16_t a, bool bf16);

}  // namespace gpusim::isa::numerics
