// SIMD video instructions: vop2 on two 16-bit and vop4 on four 8-bit elements (vadd, vsub,
// vavrg, vabsdiff, vmin, vmax). nvcc emits vabsdiff4/vabsdiff2 for the __vabsdiffu4, __vsadu4,
// __vsadu2 ... intrinsics.
//   vop.dtype.atype.btype{.sat} d, a, b, c   each element of d: op(a, b), or c's where masked off
//   vop.dtype.atype.btype.add   d, a, b, c   d = c + the sum of the elements' results
// Elements are sign- or zero-extended by atype/btype, .sat clamps a result to dtype's element
// range. The element selectors pick a's and b's elements from the pair {b, a}, and d's mask says
// which elements the operation writes (isa/ptx_video_selectors.h).
#include "isa/exec_alu_support.h"
#include "isa/ptx_video_selectors.h"

namespace gpusim::isa {
using namespace alu;

namespace {

enum class VideoOp { Add, Sub, Avrg, Absdiff, Min, Max };

int64_t element(uint64_t v, unsigned i, unsigned bits, bool sgn) {
  const uint32_t raw = uint32_t(v >> (i * bits)) & ((1u << bits) - 1);
  if (!sgn) return raw;
  const uint32_t sign = 1u << (bits - 1);
  return int64_t(raw ^ sign) - int64_t(sign);
}

int64_t apply(VideoOp op, int64_t a, int64_t b) {
  switch (op) {
    case VideoOp::Add: return a + b;
    case VideoOp::Sub: return a - b;
    case VideoOp::Avrg: return (a + b) >= 0 ? (a + b + 1) >> 1 : (a + b) >> 1;  // rounds half away from zero
    case VideoOp::Absdiff: return a > b ? a - b : b - a;
    case VideoOp::Min: return a < b ? a : b;
    case VideoOp::Max: return a > b ? a : b;
  }
  return 0;
}

void exec_simd(ExecContext& ctx, const Instruction& in, VideoOp op, unsigned elements) {
  const bool ds = type_is_signed(require_type(ctx, in, 0)), as = type_is_signed(require_type(ctx, in, 1));
  const bool bs = type_is_signed(require_type(ctx, in, 2));
  const bool accumulate = in.mod.atom == AtomOp::Add;
  if (in.mod.atom != AtomOp::None && !accumulate) unsupported(ctx, in, "secondary operation (only .add)");
  if (accumulate && in.mod.sat) unsupported(ctx, in, ".sat with .add (the PTX ISA forbids it)");
  const unsigned bits = 32 / elements;
  const int64_t lo = ds ? -(int64_t(1) << (bits - 1)) : 0;
  const int64_t hi = ds ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;
  const uint16_t asel = in.ops[1].first, bsel = in.ops[2].first, dmask = in.ops[0].first;
  const uint32_t element_mask = (1u << bits) - 1;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint32_t a = uint32_t(ctx.get(in.ops[1], l)), b = uint32_t(ctx.get(in.ops[2], l));
    const uint32_t c = uint32_t(ctx.get(in.ops[3], l));
    const uint64_t pair = uint64_t(b) << 32 | a;  // the elements the selectors pick from
    uint32_t d = accumulate ? c : 0;
    for (unsigned i = 0; i < elements; ++i) {
      const bool written = video_element_written(dmask, i);
      if (!written) {  // c's element, or nothing added
        if (!accumulate) d |= ((c >> (i * bits)) & element_mask) << (i * bits);
        continue;
      }
      int64_t r = apply(op, element(pair, video_source_element(asel, 1, i, elements), bits, as),
                        element(pair, video_source_element(bsel, 2, i, elements), bits, bs));
      if (in.mod.sat) r = r < lo ? lo : r > hi ? hi : r;
      if (accumulate) d += uint32_t(r);
      else d |= (uint32_t(r) & element_mask) << (i * bits);
    }
    ctx.set(in.ops[0], l, d);
  });
}

}  // namespace

void exec_Vadd2(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Add, 2); }
void exec_Vadd4(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Add, 4); }
void exec_Vsub2(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Sub, 2); }
void exec_Vsub4(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Sub, 4); }
void exec_Vavrg2(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Avrg, 2); }
void exec_Vavrg4(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Avrg, 4); }
void exec_Vabsdiff2(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Absdiff, 2); }
void exec_Vabsdiff4(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Absdiff, 4); }
void exec_Vmin2(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Min, 2); }
void exec_Vmin4(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Min, 4); }
void exec_Vmax2(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Max, 2); }
void exec_Vmax4(ExecContext& ctx, const Instruction& in) { exec_simd(ctx, in, VideoOp::Max, 4); }

}  // namespace gpusim::isa
