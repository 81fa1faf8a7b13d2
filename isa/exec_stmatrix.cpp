// stmatrix.sync.aligned.m8n8.x{1,2,4}{.trans}{.shared}.b16 [p], {r..}: the inverse of ldmatrix.
// Matrix j's eight row addresses come from lanes 8j..8j+7; register j of each lane holds the
// two elements of matrix j that ldmatrix would have given it (tensor::ldmatrix_m8n8), stored
// transposed with .trans.
#include <cstdio>

#include "isa/exec_context.h"
#include "isa/tensor_fragments.h"

namespace gpusim::isa {

void exec_Stmatrix(ExecContext& ctx, const Instruction& in) {
  if (ctx.mask != 0xffffffffu) {
    char mask[16];
    std::snprintf(mask, sizeof mask, "0x%08x", ctx.mask);
    ctx.fail_warp(std::string("stmatrix is warp-collective: all 32 lanes must execute it together, but the active mask is ") +
                  mask, FaultKind::Barrier);
  }
  const unsigned count = in.mod.vec;
  if (in.mod.shape_m != 8 || in.mod.shape_n != 8 || (count != 1 && count != 2 && count != 4))
    ctx.fail_warp("stmatrix supports .m8n8 with .x1, .x2 or .x4", FaultKind::Unsupported);
  const Operand& regs = in.ops[1];
  const unsigned given = regs.kind == OperandKind::Vector ? regs.count : 1;
  if (given != count)
    ctx.fail_warp("stmatrix .x" + std::to_string(count) + " needs " + std::to_string(count) + " registers, got " +
                  std::to_string(given));
  const StateSpace space = in.mod.space == StateSpace::None ? StateSpace::Generic : in.mod.space;
  for (unsigned j = 0; j < count; ++j) {
    const Operand& reg = regs.kind == OperandKind::Vector ? ctx.elem(regs, j) : regs;
    for (unsigned lane = 0; lane < 32; ++lane) {
      const uint32_t bits = uint32_t(ctx.get(reg, lane));
      for (unsigned i = 0; i < 2; ++i) {
        tensor::ElementPos p = tensor::ldmatrix_m8n8(lane, i);
        if (in.mod.trans) p = {p.col, p.row};
        const uint64_t row_addr = ctx.address(in.ops[0], 8 * j + p.row);
        const uint16_t v = uint16_t(bits >> (16 * i));
        ctx.store(space, row_addr + 2 * p.col, &v, 2, 8 * j + p.row);
      }
    }
  }
}

// movmatrix.sync.aligned.m8n8.trans.b16 d, a: the warp's registers hold an 8x8 matrix in
// ldmatrix's layout (lane l: row l/4, columns 2(l%4) and 2(l%4)+1); d receives its transpose in
// the same layout, i.e. element (r, c) of d is element (c, r) of a.
void exec_Movmatrix(ExecContext& ctx, const Instruction& in) {
  if (ctx.mask != 0xffffffffu) {
    char mask[16];
    std::snprintf(mask, sizeof mask, "0x%08x", ctx.mask);
    ctx.fail_warp(std::string("movmatrix is warp-collective: all 32 lanes must execute it together, but the active "
                              "mask is ") + mask, FaultKind::Barrier);
  }
  if (in.mod.shape_m != 8 || in.mod.shape_n != 8 || !in.mod.trans)
    ctx.fail_warp("movmatrix supports .m8n8.trans.b16 only", FaultKind::Unsupported);
  uint16_t m[8][8];
  for (unsigned lane = 0; lane < 32; ++lane) {
    const uint32_t bits = uint32_t(ctx.get(in.ops[1], lane));
    for (unsigned i = 0; i < 2; ++i) {
      const tensor::ElementPos p = tensor::ldmatrix_m8n8(lane, i);
      m[p.row][p.col] = uint16_t(bits >> (16 * i));
    }
  }
  for (unsigned lane = 0; lane < 32; ++lane) {
    uint32_t bits = 0;
    for (unsigned i = 0; i < 2; ++i) {
      const tensor::ElementPos p = tensor::ldmatrix_m8n8(lane, i);
      bits |= uint32_t(m[p.col][p.row]) << (16 * i);
    }
    ctx.set(in.ops[0], lane, bits);
  }
}

}  // namespace gpusim::isa
