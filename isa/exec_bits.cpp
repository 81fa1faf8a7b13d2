// Bit manipulation and logic: popc, clz, bfind, brev, bfe, bfi, prmt, dp4a, dp2a, and/or/xor/
// not/cnot, lop3, shl/shr, shf, bmsk, fns.
#include <bit>

#include "isa/exec_alu_support.h"

namespace gpusim::isa {
using namespace alu;

namespace {

template <typename Fn>
void unary(ExecContext& ctx, const Instruction& in, Fn fn) {
  const DataType t = require_type(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, fn(truncate(ctx.get(in.ops[1], l), t), t)); });
}

template <typename Fn>
void logic2(ExecContext& ctx, const Instruction& in, Fn fn) {
  const DataType t = require_type(ctx, in);
  LaneSource a, b;
  take_value_source(ctx, in.ops[1], a), take_value_source(ctx, in.ops[2], b);
  if (a.ok && b.ok && in.ops[0].kind == OperandKind::Reg) {
    // Registers (predicates included: or.pred of two setp results) and immediates as rows.
    const uint64_t tm = truncate(~0ull, t);
    write_register_row(ctx, in.ops[0], ctx.mask, [&](unsigned l) { return fn(a.at(l), b.at(l)) & tm; });
    return;
  }
  for_each_lane(ctx.mask, [&](unsigned l) {
    ctx.set(in.ops[0], l, truncate(fn(ctx.get(in.ops[1], l), ctx.get(in.ops[2], l)), t));
  });
}

uint8_t byte_of(uint64_t v, unsigned i) { return uint8_t(v >> (8 * i)); }

// One result byte of prmt's default mode: selector nibble picks one of the 8 bytes of {b, a};
// its top bit replicates that byte's sign bit instead.
uint8_t prmt_default_byte(uint64_t ab, unsigned nibble) {
  const uint8_t byte = byte_of(ab, nibble & 7);
  return (nibble & 8) ? ((byte & 0x80) ? 0xff : 0x00) : byte;
}

uint32_t prmt(uint32_t a, uint32_t b, uint32_t c, PrmtMode mode) {
  const uint64_t x = uint64_t(a) | (uint64_t(b) << 32);  // bytes 0..3 from a, 4..7 from b
  const unsigned n = c & 3;
  unsigned idx[4];
  switch (mode) {
    case PrmtMode::Default: {
      uint32_t r = 0;
      for (unsigned i = 0; i < 4; ++i) r |= uint32_t(prmt_default_byte(x, (c >> (4 * i)) & 0xf)) << (8 * i);
      return r;
    }
    case PrmtMode::F4e: for (unsigned i = 0; i < 4; ++i) idx[i] = (n + i) & 7; break;
    case PrmtMode::B4e: for (unsigned i = 0; i < 4; ++i) idx[i] = (n + 8 - i) & 7; break;
    case PrmtMode::Rc8: for (unsigned i = 0; i < 4; ++i) idx[i] = n; break;
    case PrmtMode::Ecl: for (unsigned i = 0; i < 4; ++i) idx[i] = i > n ? i : n; break;
    case PrmtMode::Ecr: for (unsigned i = 0; i < 4; ++i) idx[i] = i < n ? i : n; break;
    case PrmtMode::Rc16: for (unsigned i = 0; i < 4; ++i) idx[i] = 2 * (n & 1) + (i & 1); break;
  }
  uint32_t r = 0;
  for (unsigned i = 0; i < 4; ++i) r |= uint32_t(byte_of(x, idx[i])) << (8 * i);
  return r;
}

}  // namespace

void exec_Popc(ExecContext& ctx, const Instruction& in) {
  unary(ctx, in, [](uint64_t v, DataType) { return uint64_t(std::popcount(v)); });
}
void exec_Clz(ExecContext& ctx, const Instruction& in) {
  unary(ctx, in, [](uint64_t v, DataType t) { return uint64_t(std::countl_zero(v) - (64 - type_bits(t))); });
}
void exec_Brev(ExecContext& ctx, const Instruction& in) {
  unary(ctx, in, [](uint64_t v, DataType t) {
    uint64_t r = 0;
    for (unsigned i = 0; i < type_bits(t); ++i) r |= ((v >> i) & 1) << (type_bits(t) - 1 - i);
    return r;
  });
}

// bfind: bit position of the most significant non-sign bit (0xffffffff when none); .shiftamt
// returns the left shift that would normalise it instead.
void exec_Bfind(ExecContext& ctx, const Instruction& in) {
  const bool shiftamt = in.mod.shiftamt;
  unary(ctx, in, [shiftamt](uint64_t v, DataType t) -> uint64_t {
    const unsigned w = type_bits(t);
    if (type_is_signed(t) && ((v >> (w - 1)) & 1)) v = truncate(~v, t);
    if (v == 0) return 0xffffffffu;
    const unsigned pos = 63 - unsigned(std::countl_zero(v));
    return shiftamt ? (w - 1 - pos) : pos;
  });
}

void exec_Bfe(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  const unsigned w = type_bits(t);
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = truncate(ctx.get(in.ops[1], l), t);
    const unsigned pos = ctx.get(in.ops[2], l) & 0xff, len = ctx.get(in.ops[3], l) & 0xff;
    // The fill bit: the field's top bit for signed types (clamped to the msb), else 0.
    uint64_t fill = 0;
    if (type_is_signed(t) && len != 0) fill = (a >> (pos + len - 1 < w - 1 ? pos + len - 1 : w - 1)) & 1;
    uint64_t r = 0;
    for (unsigned i = 0; i < w; ++i) {
      const uint64_t bit = (i < len && pos + i < w) ? (a >> (pos + i)) & 1 : fill;
      r |= bit << i;
    }
    ctx.set(in.ops[0], l, r);
  });
}

void exec_Bfi(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  const unsigned w = type_bits(t);
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t f = ctx.get(in.ops[1], l);
    uint64_t r = truncate(ctx.get(in.ops[2], l), t);
    const unsigned pos = ctx.get(in.ops[3], l) & 0xff, len = ctx.get(in.ops[4], l) & 0xff;
    for (unsigned i = 0; i < len && pos + i < w; ++i) {
      r = (r & ~(uint64_t(1) << (pos + i))) | (((f >> i) & 1) << (pos + i));
    }
    ctx.set(in.ops[0], l, r);
  });
}

void exec_Prmt(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned l) {
    ctx.set(in.ops[0], l, prmt(uint32_t(ctx.get(in.ops[1], l)), uint32_t(ctx.get(in.ops[2], l)),
                               uint32_t(ctx.get(in.ops[3], l)), in.mod.prmt));
  });
}

// dp4a.atype.btype d, a, b, c: c + sum of four byte products; dp2a.{lo,hi}: two 16-bit halves of
// a times bytes {0,1} (lo) or {2,3} (hi) of b.
void exec_Dp4a(ExecContext& ctx, const Instruction& in) {
  const bool sa = type_is_signed(require_type(ctx, in, 0)), sb = type_is_signed(require_type(ctx, in, 1));
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = ctx.get(in.ops[1], l), b = ctx.get(in.ops[2], l);
    uint32_t acc = uint32_t(ctx.get(in.ops[3], l));
    for (unsigned i = 0; i < 4; ++i) {
      const int64_t x = sa ? int8_t(byte_of(a, i)) : byte_of(a, i);
      const int64_t y = sb ? int8_t(byte_of(b, i)) : byte_of(b, i);
      acc += uint32_t(x * y);
    }
    ctx.set(in.ops[0], l, acc);
  });
}
void exec_Dp2a(ExecContext& ctx, const Instruction& in) {
  const bool sa = type_is_signed(require_type(ctx, in, 0)), sb = type_is_signed(require_type(ctx, in, 1));
  if (in.mod.mul != MulMode::Lo && in.mod.mul != MulMode::Hi) unsupported(ctx, in, "dp2a without .lo/.hi");
  const unsigned first = in.mod.mul == MulMode::Hi ? 2 : 0;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = ctx.get(in.ops[1], l), b = ctx.get(in.ops[2], l);
    uint32_t acc = uint32_t(ctx.get(in.ops[3], l));
    for (unsigned i = 0; i < 2; ++i) {
      const uint16_t h = uint16_t(a >> (16 * i));
      const int64_t x = sa ? int16_t(h) : h;
      const int64_t y = sb ? int8_t(byte_of(b, first + i)) : byte_of(b, first + i);
      acc += uint32_t(x * y);
    }
    ctx.set(in.ops[0], l, acc);
  });
}

void exec_And(ExecContext& ctx, const Instruction& in) { logic2(ctx, in, [](uint64_t a, uint64_t b) { return a & b; }); }
void exec_Or(ExecContext& ctx, const Instruction& in) { logic2(ctx, in, [](uint64_t a, uint64_t b) { return a | b; }); }
void exec_Xor(ExecContext& ctx, const Instruction& in) { logic2(ctx, in, [](uint64_t a, uint64_t b) { return a ^ b; }); }
void exec_Not(ExecContext& ctx, const Instruction& in) {
  unary(ctx, in, [](uint64_t v, DataType t) { return t == DataType::Pred ? (~v & 1) : truncate(~v, t); });
}
void exec_Cnot(ExecContext& ctx, const Instruction& in) {
  unary(ctx, in, [](uint64_t v, DataType) { return uint64_t(v == 0 ? 1 : 0); });
}

// lop3.b32 d, a, b, c, immLut: each result bit is immLut[(a<<2)|(b<<1)|c], the encoding in
// which a = 0xF0, b = 0xCC, c = 0xAA evaluate the desired function.
void exec_Lop3(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint32_t a = uint32_t(ctx.get(in.ops[1], l)), b = uint32_t(ctx.get(in.ops[2], l));
    const uint32_t c = uint32_t(ctx.get(in.ops[3], l)), lut = uint32_t(ctx.get(in.ops[4], l)) & 0xff;
    uint32_t r = 0;
    for (unsigned i = 0; i < 32; ++i) {
      const unsigned idx = (((a >> i) & 1) << 2) | (((b >> i) & 1) << 1) | ((c >> i) & 1);
      r |= ((lut >> idx) & 1u) << i;
    }
    ctx.set(in.ops[0], l, r);
  });
}

// Shift amounts are unsigned 32-bit; amounts >= the width give 0 (or the sign fill for shr.s).
void exec_Shl(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  LaneSource a, n;
  take_lane_source(ctx, in.ops[1], a), take_lane_source(ctx, in.ops[2], n);
  if (a.ok && n.ok && is_plain_register(in.ops[0])) {
    // Index scaling (shl.b32 %r, %r, 2): the operands as rows, the type decided once.
    const unsigned w = type_bits(t);
    const uint64_t tm = truncate(~0ull, t);
    write_register_row(ctx, in.ops[0], ctx.mask, [&](unsigned l) {
      const uint64_t k = n.at(l) & 0xffffffffu;
      return k >= w ? 0 : (a.at(l) << k) & tm;
    });
    return;
  }
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t n = ctx.get(in.ops[2], l) & 0xffffffffu;
    ctx.set(in.ops[0], l, n >= type_bits(t) ? 0 : truncate(ctx.get(in.ops[1], l) << n, t));
  });
}
void exec_Shr(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  const unsigned w = type_bits(t);
  for_each_lane(ctx.mask, [&](unsigned l) {
    uint64_t n = ctx.get(in.ops[2], l) & 0xffffffffu;
    const uint64_t a = ctx.get(in.ops[1], l);
    uint64_t r;
    if (type_is_signed(t)) {
      r = uint64_t(as_signed(a, t) >> (n >= w ? w - 1 : n));
    } else {
      r = n >= w ? 0 : truncate(a, t) >> n;
    }
    ctx.set(in.ops[0], l, truncate(r, t));
  });
}

// shf.{l,r}.{wrap,clamp}.b32 d, a, b, c: shift the 64-bit pair {b:a} by c (mod 32 for .wrap,
// min(c, 32) for .clamp) and keep the upper (.l) or lower (.r) word.
// bmsk.{wrap,clamp}.b32 d, a, b: a mask of b bits starting at bit a (PTX ISA, bmsk).
void exec_Bmsk(ExecContext& ctx, const Instruction& in) {
  const bool clamp = in.mod.shf == ShfMode::LeftClamp;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint32_t a = uint32_t(ctx.get(in.ops[1], l)), b = uint32_t(ctx.get(in.ops[2], l));
    const uint32_t a1 = a & 31, b1 = b & 31, sum = a1 + b1;
    uint64_t mask0 = uint64_t(0xffffffffu) << a1 & 0xffffffffu;
    uint64_t mask1 = sum >= 32 ? 0 : uint64_t(0xffffffffu) << sum & 0xffffffffu;
    bool overflow = sum >= 32;
    if (clamp && a >= 32) mask0 = 0, overflow = true;
    if (clamp && b >= 32) overflow = true;
    if (overflow) mask1 = 0;
    else if (b1 == 0) mask1 = 0xffffffffu;
    ctx.set(in.ops[0], l, mask0 & ~mask1 & 0xffffffffu);
  });
}

// szext.{wrap,clamp}.{u32,s32} d, a, b: the low N bits of a, zero- (.u32) or sign-extended (.s32)
// to 32 bits, N = b mod 32 (.wrap) or min(b, 32) (.clamp); N = 0 gives 0 (PTX ISA, szext).
void exec_Szext(ExecContext& ctx, const Instruction& in) {
  const bool clamp = in.mod.shf == ShfMode::LeftClamp;
  const bool is_signed = type_is_signed(require_type(ctx, in));
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint32_t a = uint32_t(ctx.get(in.ops[1], l)), b = uint32_t(ctx.get(in.ops[2], l));
    const uint32_t n = b & 31;
    const bool whole = clamp && b >= 32;  // all 32 bits kept
    const uint32_t high = whole ? 0u : ~0u << n;  // the bits above the field (all of them for N = 0)
    const bool sign = is_signed && !whole && n != 0 && ((a >> (n - 1)) & 1);
    ctx.set(in.ops[0], l, (a & ~high) | (sign ? high : 0u));
  });
}

// fns.b32 d, mask, base, offset (__fns): the position of the |offset|-th set bit of mask counting
// from bit base upwards (offset > 0) or downwards (offset < 0), base itself included; offset 0
// asks whether bit base is set. 0xffffffff when there is no such bit (PTX ISA, fns). A base
// above 31 is undefined in PTX; here it finds nothing.
void exec_Fns(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint32_t mask = uint32_t(ctx.get(in.ops[1], l)), base = uint32_t(ctx.get(in.ops[2], l));
    const int32_t offset = int32_t(uint32_t(ctx.get(in.ops[3], l)));
    uint32_t d = 0xffffffffu;
    if (base < 32 && offset == 0) {
      if ((mask >> base) & 1) d = base;
    } else if (base < 32) {
      int64_t left = offset > 0 ? int64_t(offset) : -int64_t(offset);  // set bits still to pass
      const int step = offset > 0 ? 1 : -1;
      for (int pos = int(base); pos >= 0 && pos < 32; pos += step) {
        if (((mask >> pos) & 1) && --left == 0) {
          d = uint32_t(pos);
          break;
        }
      }
    }
    ctx.set(in.ops[0], l, d);
  });
}

void exec_Shf(ExecContext& ctx, const Instruction& in) {
  const ShfMode m = in.mod.shf;
  if (m == ShfMode::None) unsupported(ctx, in, "shf without .l/.r and .wrap/.clamp");
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t a = ctx.get(in.ops[1], l) & 0xffffffffu, b = ctx.get(in.ops[2], l) & 0xffffffffu;
    const uint32_t c = uint32_t(ctx.get(in.ops[3], l));
    const bool wrap = m == ShfMode::LeftWrap || m == ShfMode::RightWrap;
    const unsigned n = wrap ? (c & 31) : (c > 32 ? 32 : c);
    const uint64_t pair = (b << 32) | a;
    const bool left = m == ShfMode::LeftWrap || m == ShfMode::LeftClamp;
    const uint64_t r = left ? ((pair << n) >> 32) : (pair >> n);
    ctx.set(in.ops[0], l, r & 0xffffffffu);
  });
}

}  // namespace gpusim::isa
