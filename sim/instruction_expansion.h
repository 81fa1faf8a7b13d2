// PTX instructions that ptxas lowers to a sequence of SASS instructions rather than one: integer
// division and remainder (no hardware divider: a MUFU.RCP estimate refined with IMADs) and
// IEEE-rounded floating-point division (MUFU.RCP plus Newton-Raphson FFMAs/DFMAs and a range
// check). The timing model still executes the PTX instruction once (isa::step_warp), but charges
// the sequence: the sub-core's dispatch port for every SASS instruction, the instruction's pipe for
// those that run on it, and the dependent chain's latency for its result.
//
// Where the numbers come from (docs/ARCHITECTURE.md "Instructions ptxas expands"):
// - instruction counts: ptxas 13 (sm_90) on this repository's machine, .text size / 16 bytes per
//   SASS instruction, one operation with its own register divisor against the same kernel with an
//   add; integer sequences are straight-line code, so what is emitted is what runs;
//   tests/sim/instruction_expansion_test.cpp compiles the same PTX with ptxas when the toolkit is
//   installed and checks the table against it;
// - IEEE division's executed part (its slow path for denormal/huge operands is a subroutine that
//   ordinary operands skip): the published V100 throughput of float and double division, 1/12.55
//   and 1/7.75 of the multiply's, which the table reproduces on configs/v100.ini (also tested);
// - the chain latency: the critical path of the sequence (MUFU and the int<->float conversions at
//   the SFU latency, each dependent ALU step at its pipe's latency), from the configuration's own
//   latencies, so a calibrated config moves it too.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "isa/ir.h"

namespace gpusim::sim {

struct Expansion {
  uint16_t instructions = 1;     // SASS instructions the warp issues for the PTX instruction
  uint16_t alu_ops = 1;          // of those, the ones on the type's ALU pipe (int, FP32 or FP64)
  uint16_t sfu_ops = 0;          // MUFU and int<->float conversions; the rest (IMADs of an integer
                                 // division, moves and integer steps of a double one) only take
                                 // their dispatch cycle here
  uint16_t sfu_chain_steps = 0;  // the critical path: SFU steps at the SFU latency ...
  uint16_t alu_chain_steps = 1;  // ... and dependent ALU steps at the ALU pipe's latency
};

// The sequence ptxas emits for `in`, or nothing when it is one SASS instruction (as timed before).
// `reciprocal_hoisted`: an integer division whose divisor's reciprocal ptxas computes once outside
// the loop (hoisted_divisor_reciprocals), so only the quotient and its correction run here.
std::optional<Expansion> ptxas_expansion(const isa::Instruction& in, bool reciprocal_hoisted = false);

// For each instruction of `fn`: true for a 32-bit integer div/rem by a register that no
// instruction of its innermost loop writes. ptxas computes such a divisor's reciprocal (I2F,
// MUFU.RCP, F2I and their IMADs) once before the loop: ptxas 13 makes a grid-stride loop's
// `i % n` 8 instructions a pass instead of 17. Loops are the ranges [target, branch] of backward
// branches, the shape nvcc lays loops out in; a division in no loop is charged in full.
std::vector<bool> hoisted_divisor_reciprocals(const isa::Function& fn);

}  // namespace gpusim::sim
