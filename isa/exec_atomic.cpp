// atom and red: scalar atomics on 16-, 32- and 64-bit values and sm_90's vector atomics, each
// lane's operation done whole while no other thread runs (functional execution is serial).
#include <cmath>
#include <cstring>
#include <string>

#include "isa/exec_context.h"
#include "isa/exec_memory_support.h"
#include "isa/numerics/half.h"

namespace gpusim::isa {

namespace {

float as_f32(uint64_t v) { float f; uint32_t u = static_cast<uint32_t>(v); std::memcpy(&f, &u, 4); return f; }
uint64_t from_f32(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
double as_f64(uint64_t v) { double d; std::memcpy(&d, &v, 8); return d; }
uint64_t from_f64(double d) { uint64_t u; std::memcpy(&u, &d, 8); return u; }
float flush(float f) { return std::fpclassify(f) == FP_SUBNORMAL ? std::copysign(0.0f, f) : f; }

// Whether an atomic's address is in shared memory: its space, or a generic address in the window.
bool on_shared(StateSpace space, uint64_t addr) { return resolve_space(space, addr) == StateSpace::Shared; }

}  // namespace

uint64_t atomic_result(ExecContext& ctx, const Instruction& in, uint64_t old, uint64_t b, uint64_t c, bool on_shared) {
  const DataType t = in.mod.types[0];
  const unsigned bits = type_bits(t);
  const uint64_t mask = bits >= 64 ? ~0ull : (1ull << bits) - 1;
  const bool sgn = type_is_signed(t);
  auto sx = [&](uint64_t v) { return bits >= 64 ? static_cast<int64_t>(v) : static_cast<int64_t>(sign_extend(v, bits / 8)); };
  switch (in.mod.atom) {
    case AtomOp::Add:
      // The PTX ISA: atom.add.f32 flushes subnormal inputs and results in global memory and keeps
      // them in shared memory (measured so on GPUs as well); both round to nearest even.
      if (t == DataType::F32 && on_shared) return from_f32(as_f32(old) + as_f32(b));
      if (t == DataType::F32) return from_f32(flush(flush(as_f32(old)) + flush(as_f32(b))));
      if (t == DataType::F64) return from_f64(as_f64(old) + as_f64(b));
      if (t == DataType::F16 || t == DataType::BF16 || t == DataType::F16x2 || t == DataType::BF16x2) {
        // atom.add.noftz.{f16,bf16,f16x2,bf16x2} (atomicAdd on __half/__nv_bfloat16 and their
        // pairs): round to nearest even, subnormals kept, each half on its own.
        const numerics::FloatFormat f = t == DataType::F16 || t == DataType::F16x2 ? numerics::kF16 : numerics::kBF16;
        auto add = [&](unsigned shift) {
          return uint64_t(numerics::half_arith(numerics::HalfOp::Add, uint16_t(old >> shift), uint16_t(b >> shift), f, {}))
                 << shift;
        };
        return bits == 16 ? add(0) : add(0) | add(16);
      }
      if (type_is_float(t)) ctx.fail_warp(std::string("atom.add.") + type_name(t) + " is not supported", FaultKind::Unsupported);
      return (old + b) & mask;
    case AtomOp::Min:
    case AtomOp::Max: {
      const bool want_min = in.mod.atom == AtomOp::Min;
      bool take_b;
      if (t == DataType::F32) take_b = want_min ? as_f32(b) < as_f32(old) : as_f32(b) > as_f32(old);
      else if (t == DataType::F64) take_b = want_min ? as_f64(b) < as_f64(old) : as_f64(b) > as_f64(old);
      else if (sgn) take_b = want_min ? sx(b) < sx(old) : sx(b) > sx(old);
      else take_b = want_min ? (b & mask) < (old & mask) : (b & mask) > (old & mask);
      return take_b ? b & mask : old;
    }
    case AtomOp::Exch: return b & mask;
    case AtomOp::Cas: return (old & mask) == (b & mask) ? c & mask : old;
    case AtomOp::And: return old & b & mask;
    case AtomOp::Or: return (old | b) & mask;
    case AtomOp::Xor: return (old ^ b) & mask;
    case AtomOp::Inc: return (old & mask) >= (b & mask) ? 0 : (old + 1) & mask;
    case AtomOp::Dec: return ((old & mask) == 0 || (old & mask) > (b & mask)) ? b & mask : (old - 1) & mask;
    default: ctx.fail_warp("unsupported atomic operation", FaultKind::Unsupported);
  }
}

namespace {

// sm_90's vector atomics (atomicAdd on float2/float4, __half2 x4...): atom/red.global.{add,min,max}
// .v2/.v4 .f32 and .v2/.v4/.v8 .f16/.bf16(x2), the vector aligned to its whole size; each element
// is its own atomic operation on consecutive addresses (the ISA's guarantee), in element order.
void vector_atomic_op(ExecContext& ctx, const Instruction& in, bool returns, unsigned size, StateSpace space) {
  const unsigned first = returns ? 1 : 0;
  const unsigned n = in.mod.vec;
  const DataType t = in.mod.types[0];
  const bool f32 = t == DataType::F32 && (n == 2 || n == 4);
  const bool f16 = (t == DataType::F16 || t == DataType::BF16 || t == DataType::F16x2 || t == DataType::BF16x2) &&
                   (n == 2 || n == 4 || n == 8);
  const bool op_ok = in.mod.atom == AtomOp::Add || in.mod.atom == AtomOp::Min || in.mod.atom == AtomOp::Max;
  if (!(f32 || f16) || !op_ok || (space != StateSpace::Global && space != StateSpace::Generic))
    ctx.fail_warp(std::string(returns ? "atom" : "red") + " .v" + std::to_string(n) + "." + type_name(t) +
                      ": vector atomics are .global .add/.min/.max of .f32 (.v2, .v4) or 16-bit floats (.v2, .v4, .v8)",
                  FaultKind::Unsupported);
  const Operand& dst = in.ops[0];
  const Operand& src = in.ops[first + 1];
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t addr = ctx.address(in.ops[first], lane);
    check_alignment(ctx, addr, size * n, n, lane);
    for (unsigned i = 0; i < n; ++i) {
      const uint64_t b = ctx.get(ctx.elem(src, i), lane);
      const uint64_t old =
          ctx.atomic(space, addr + i * size, size, lane, [&](uint64_t o) { return atomic_result(ctx, in, o, b, 0, false); });
      if (returns && ctx.elem(dst, i).kind == OperandKind::Reg) ctx.set(ctx.elem(dst, i), lane, old);
    }
  });
}

void atomic_op(ExecContext& ctx, const Instruction& in, bool returns) {
  const unsigned first = returns ? 1 : 0;  // atom: d, [a], b{, c}; red: [a], b
  const unsigned size = type_bits(in.mod.types[0]) / 8;
  // 16-bit atomics exist as atom.cas.b16 (sm_70: atomicCAS on unsigned short) and
  // atom.add.noftz.{f16,bf16}; no other 2-byte form is in the ISA.
  const bool sixteen_bit_form = size == 2 && (in.mod.atom == AtomOp::Cas || in.mod.atom == AtomOp::Add);
  if (size != 4 && size != 8 && !sixteen_bit_form)
    ctx.fail_warp("atomics on " + std::to_string(size) + "-byte values are not supported", FaultKind::Unsupported);
  const StateSpace space = space_of(in);
  ctx.warp().atomic_changed_memory = true;  // vector forms: counted as writes
  if (in.mod.vec > 1) return vector_atomic_op(ctx, in, returns, size, space);
  bool changed = false;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t addr = ctx.address(in.ops[first], lane);
    const uint64_t b = ctx.get(in.ops[first + 1], lane);
    const uint64_t c = in.nops > first + 2 ? ctx.get(in.ops[first + 2], lane) : 0;
    const uint64_t old = ctx.atomic(space, addr, size, lane, [&](uint64_t o) {
      const uint64_t result = atomic_result(ctx, in, o, b, c, on_shared(space, addr));
      changed = changed || result != o;
      return result;
    });
    if (returns) ctx.set(in.ops[0], lane, old);
  });
  ctx.warp().atomic_changed_memory = changed;
}

}  // namespace

void exec_Atom(ExecContext& ctx, const Instruction& in) { atomic_op(ctx, in, true); }
void exec_Red(ExecContext& ctx, const Instruction& in) { atomic_op(ctx, in, false); }

}  // namespace gpusim::isa
