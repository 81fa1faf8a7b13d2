// sm_90a warpgroup MMA: wgmma.mma_async and its wgmma.fence / commit_group / wait_group.
//
// A warpgroup is four consecutive warps (the first warp's rank a multiple of 4); together they
// compute D (64 x N) = A (64 x K) * B (K x N) {+ D}. Warp w of the group owns D's rows
// 16w..16w+15 and reads only those rows of A, so each warp's instruction is computed on its own
// when that warp executes it: no warp has to wait for the others. The functional model finishes
// the MMA when it issues, which is one of the orders the asynchronous proxy allows; fence,
// commit_group and wait_group therefore only check that the whole warp executes them.
//
// Supported: .m64nNk16 with .f16 or .bf16 A/B (D .f32, or .f16 for .f16 inputs), .m64nNk8 with
// .tf32 A/B (D .f32) and .m64nNk32 with .e4m3/.e5m2 A/B in any mix (D .f32 or .f16), N = 8..256
// in steps of 8; A from a shared-memory descriptor or from registers, B from a descriptor; all
// four swizzle modes; imm-trans-a/b (16-bit types only); imm-scale-a/b of +1/-1 and the scale-d
// predicate. Numerics: tensor::multiply_accumulate (exact products, one final rounding).
// Integer forms: .s32 D with .s8/.u8 A/B in any mix, m64nNk32 (N = 8, 16, 24, then steps of 16
// to 256), optional .satfinite; and .s32.b1.b1.and.popc, m64nNk256 (same N); both without the
// scale/transpose immediates (d, a, b-desc, scale-d). Numerics: wgmma::integer_multiply_accumulate.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "isa/exec_context.h"
#include "isa/warp_collective.h"
#include "isa/launch_state.h"
#include "isa/tensor_fragments.h"
#include "isa/wgmma_integer.h"
#include "isa/wgmma_layout.h"
#include "isa/warpgroup_check.h"

namespace gpusim::isa {

namespace {

using tensor::ElemKind;


void require_full_warp(ExecContext& ctx, const char* what) {
  isa::require_full_warp(ctx, std::string(what) + " is .sync.aligned: all 32 threads of the warp must execute it "
                                                  "together, but the active mask is ", FaultKind::Barrier);
}

// The value every lane must agree on (a descriptor or an immediate-like register); a
// disagreement is a malformed instruction, reported with the first lane that differs.
uint64_t uniform_value(ExecContext& ctx, const Operand& o, const char* what) {
  const uint64_t v0 = ctx.get(o, 0);
  for (unsigned lane = 1; lane < 32; ++lane) {
    const uint64_t v = ctx.get(o, lane);
    if (v == v0) continue;
    char buf[160];
    std::snprintf(buf, sizeof buf, "wgmma.mma_async: the %s differs across the warp (lane 0: 0x%llx, lane %u: 0x%llx)",
                  what, static_cast<unsigned long long>(v0), lane, static_cast<unsigned long long>(v));
    ctx.fail(lane, buf);
  }
  return v0;
}

struct Operands {
  ElemKind a_kind = ElemKind::F16, b_kind = ElemKind::F16, d_kind = ElemKind::F32;
  unsigned elem_bytes = 2, n = 0, k = 0;
  bool register_a = false;
  bool integer = false;  // .s32 accumulators: a_int / b_int say how A and B are read
  wgmma::IntInput a_int = wgmma::IntInput::S8, b_int = wgmma::IntInput::S8;
};

bool integer_input(DataType t, wgmma::IntInput& kind) {
  switch (t) {
    case DataType::S8: kind = wgmma::IntInput::S8; return true;
    case DataType::U8: kind = wgmma::IntInput::U8; return true;
    case DataType::B1: kind = wgmma::IntInput::B1; return true;
    default: return false;
  }
}

// The integer forms: .s32 D; .s8/.u8 in any mix with K = 32, or .b1 x .b1 .and.popc with
// K = 256 (A and B then read as 32 bytes of packed bits per row). N = 8, 16, 24, 32, 48, .., 256.
Operands check_integer_form(ExecContext& ctx, const Instruction& in) {
  const Modifiers& m = in.mod;
  Operands f;
  f.integer = true;
  f.elem_bytes = 1;
  f.d_kind = ElemKind::F32;  // one 32-bit accumulator per register, read and written as raw bits
  const DataType a = m.types[1], b = m.types[2];
  const std::string form = "wgmma.mma_async ." + std::string(type_name(m.types[0])) + "." + type_name(a) + "." + type_name(b);
  if (!integer_input(a, f.a_int) || !integer_input(b, f.b_int) ||
      (f.a_int == wgmma::IntInput::B1) != (f.b_int == wgmma::IntInput::B1))
    ctx.fail_warp(form + ": integer A and B are .s8/.u8 in any mix, or both .b1");
  if (m.types[0] != DataType::S32) ctx.fail_warp(form + ": integer inputs accumulate into .s32");
  const bool b1 = f.a_int == wgmma::IntInput::B1;
  if (b1 && (m.boolop != BoolOp::And || m.atom != AtomOp::Popc || m.satfinite))
    ctx.fail_warp(form + " needs .and.popc (and takes no .satfinite)");
  if (!b1 && (m.boolop != BoolOp::None || m.atom != AtomOp::None))
    ctx.fail_warp(form + ": .and/.popc are for .b1 inputs only");
  f.n = m.shape_n;
  f.k = 32;  // bytes of K per row: 32 eight-bit elements, or 256 bits
  const unsigned shape_k = b1 ? 256 : 32;
  const bool n_ok = f.n == 8 || f.n == 16 || f.n == 24 || (f.n >= 32 && f.n <= 256 && f.n % 16 == 0);
  if (m.shape_m != 64 || m.shape_k != shape_k || !n_ok)
    ctx.fail_warp(form + ": shape m" + std::to_string(m.shape_m) + "n" + std::to_string(m.shape_n) + "k" +
                  std::to_string(m.shape_k) + " is not valid (m64nNk" + std::to_string(shape_k) +
                  ", N = 8, 16, 24, then 32..256 in steps of 16)");
  f.register_a = in.ops[1].kind == OperandKind::Vector;
  const unsigned d_count = in.ops[0].kind == OperandKind::Vector ? in.ops[0].count : 1;
  if (d_count != f.n / 2)
    ctx.fail_warp(form + ": D of m64n" + std::to_string(f.n) + " needs " + std::to_string(f.n / 2) +
                  " registers per thread, the instruction gives " + std::to_string(d_count));
  if (f.register_a && in.ops[1].count != 4)
    ctx.fail_warp(form + ": a register A fragment has 4 registers, the instruction gives " + std::to_string(in.ops[1].count));
  if (in.nops != 4)
    ctx.fail_warp(form + " takes 4 operands (d, a, b-desc, scale-d), the instruction gives " + std::to_string(in.nops));
  return f;
}

// The input kind of an A/B type and its size; nothing for types wgmma does not take (here).
bool input_kind(DataType t, ElemKind& kind, unsigned& bytes) {
  switch (t) {
    case DataType::F16: kind = ElemKind::F16, bytes = 2; return true;
    case DataType::BF16: kind = ElemKind::BF16, bytes = 2; return true;
    case DataType::TF32: kind = ElemKind::TF32, bytes = 4; return true;
    case DataType::E4M3x2: kind = ElemKind::E4M3, bytes = 1; return true;  // spelled .e4m3 on wgmma
    case DataType::E5M2x2: kind = ElemKind::E5M2, bytes = 1; return true;
    default: return false;
  }
}

std::string input_name(DataType t) {
  if (t == DataType::E4M3x2) return "e4m3";
  if (t == DataType::E5M2x2) return "e5m2";
  return type_name(t);
}

Operands check_form(ExecContext& ctx, const Instruction& in) {
  const Modifiers& m = in.mod;
  wgmma::IntInput a_int;
  if (m.types[0] == DataType::S32 || integer_input(m.types[1], a_int)) return check_integer_form(ctx, in);
  Operands f;
  if (m.satfinite || m.boolop != BoolOp::None || m.atom != AtomOp::None)
    ctx.fail_warp("wgmma.mma_async: .satfinite and .and.popc are for integer inputs only");
  const DataType d = m.types[0], a = m.types[1], b = m.types[2];
  unsigned b_bytes = 0;
  if (!input_kind(a, f.a_kind, f.elem_bytes) || !input_kind(b, f.b_kind, b_bytes))
    ctx.fail_warp("wgmma.mma_async with ." + input_name(a) + "/." + input_name(b) +
                  " inputs is not supported (f16, bf16, tf32, e4m3, e5m2)", FaultKind::Unsupported);
  const bool fp8 = f.elem_bytes == 1;
  // A and B have the same type, except that the two FP8 formats mix.
  if (b_bytes != f.elem_bytes || (!fp8 && a != b))
    ctx.fail_warp("wgmma.mma_async: ." + input_name(a) + " A with ." + input_name(b) + " B is not a valid combination");
  const bool f16_d_allowed = a == DataType::F16 || fp8;
  if (d == DataType::F16 && f16_d_allowed) f.d_kind = ElemKind::F16;
  else if (d != DataType::F32)
    ctx.fail_warp("wgmma.mma_async: ." + std::string(type_name(d)) + " accumulators are not allowed with ." +
                  input_name(a) + " inputs", FaultKind::Unsupported);
  f.n = m.shape_n;
  f.k = 32 / f.elem_bytes;
  if (m.shape_m != 64 || m.shape_k != f.k || f.n < 8 || f.n > 256 || f.n % 8)
    ctx.fail_warp("wgmma.mma_async: shape m" + std::to_string(m.shape_m) + "n" + std::to_string(m.shape_n) + "k" +
                  std::to_string(m.shape_k) + " is not valid for ." + input_name(a) + " (m64nNk" + std::to_string(f.k) +
                  ", N = 8..256 in steps of 8)");
  f.register_a = in.ops[1].kind == OperandKind::Vector;
  const unsigned d_regs = f.d_kind == ElemKind::F32 ? f.n / 2 : f.n / 4;
  const unsigned d_count = in.ops[0].kind == OperandKind::Vector ? in.ops[0].count : 1;
  if (d_count != d_regs)
    ctx.fail_warp("wgmma.mma_async: D of m64n" + std::to_string(f.n) + " needs " + std::to_string(d_regs) +
                  " registers per thread, the instruction gives " + std::to_string(d_count));
  if (f.register_a && in.ops[1].count != 4)
    ctx.fail_warp("wgmma.mma_async: a register A fragment has 4 registers, the instruction gives " +
                  std::to_string(in.ops[1].count));
  const bool sixteen_bit = f.elem_bytes == 2;
  const unsigned expected_ops = 6 + (sixteen_bit ? (f.register_a ? 1 : 2) : 0);
  if (in.nops != expected_ops)
    ctx.fail_warp("wgmma.mma_async ." + input_name(a) + (f.register_a ? " with register A" : "") +
                  " takes " + std::to_string(expected_ops) + " operands, the instruction gives " + std::to_string(in.nops));
  return f;
}

// +1 / -1 immediates become a sign flip of the element bits; 0 / 1 transposes.
bool negate_flag(ExecContext& ctx, const Operand& o, const char* what) {
  const int32_t v = int32_t(uint32_t(ctx.get(o, 0)));
  if (v != 1 && v != -1) ctx.fail_warp(std::string("wgmma.mma_async: ") + what + " must be 1 or -1, got " + std::to_string(v));
  return v == -1;
}
bool transpose_flag(ExecContext& ctx, const Operand& o, const char* what) {
  const uint32_t v = uint32_t(ctx.get(o, 0));
  if (v > 1) ctx.fail_warp(std::string("wgmma.mma_async: ") + what + " must be 0 or 1, got " + std::to_string(v));
  return v == 1;
}

// Reads `rows` x `cols` element bits of a descriptor-addressed operand; element (r, c) of the
// result is (mn, k) = (row_base + r, c) for A, (k, mn) = (r, c) for B.
std::vector<uint32_t> read_shared_operand(ExecContext& ctx, const wgmma::MatrixDescriptor& d, bool is_a,
                                          bool k_major, const Operands& f, unsigned row_base, unsigned rows,
                                          unsigned cols) {
  const char* name = is_a ? "A" : "B";
  if (d.base_offset != 0)
    ctx.fail_warp(std::string("wgmma.mma_async: the ") + name + " descriptor (" + wgmma::describe(d) +
                  ") has a non-zero matrix base offset, which the simulator does not model", FaultKind::Unsupported);
  const std::vector<uint8_t>& smem = ctx.cta().shared;
  std::vector<uint32_t> out(size_t(rows) * cols);
  for (unsigned r = 0; r < rows; ++r)
    for (unsigned c = 0; c < cols; ++c) {
      const unsigned mn = is_a ? row_base + r : c, k = is_a ? c : r;
      const uint32_t addr = wgmma::element_address(d, k_major, f.elem_bytes, mn, k);
      if (uint64_t(addr) + f.elem_bytes > smem.size()) {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "wgmma.mma_async: the %s descriptor (%s) places element (%s %u, k %u) at shared address 0x%x, "
                      "outside the CTA's %zu bytes of shared memory",
                      name, wgmma::describe(d).c_str(), is_a ? "row" : "column", mn, k, addr, smem.size());
        ctx.fail_warp(buf, FaultKind::IllegalAddress);
      }
      uint32_t bits = 0;
      std::memcpy(&bits, smem.data() + addr, f.elem_bytes);
      out[size_t(r) * cols + c] = bits;
    }
  return out;
}

uint32_t sign_bit(ElemKind e) { return 1u << (tensor::elem_bits(e) - 1); }

}  // namespace

void exec_WgmmaFence(ExecContext& ctx, const Instruction&) { require_full_warp(ctx, "wgmma.fence"); }
void exec_WgmmaCommit(ExecContext& ctx, const Instruction&) { require_full_warp(ctx, "wgmma.commit_group"); }
void exec_WgmmaWaitGroup(ExecContext& ctx, const Instruction&) { require_full_warp(ctx, "wgmma.wait_group"); }

void exec_WgmmaMmaAsync(ExecContext& ctx, const Instruction& in) {
  require_full_warp(ctx, "wgmma.mma_async");
  ctx.warp().wgmma_issued += 1;
  check_warpgroup_at_wgmma(ctx);
  const Operands f = check_form(ctx, in);
  const unsigned quarter = ctx.warp().id() % 4;  // this warp's 16 rows of the 64
  const unsigned row0 = 16 * quarter;
  const bool sixteen_bit = f.elem_bytes == 2;
  const bool negate_a = !f.integer && negate_flag(ctx, in.ops[4], "imm-scale-a");
  const bool negate_b = !f.integer && negate_flag(ctx, in.ops[5], "imm-scale-b");
  const bool trans_a = sixteen_bit && !f.register_a && transpose_flag(ctx, in.ops[6], "imm-trans-a");
  const bool trans_b = sixteen_bit && transpose_flag(ctx, in.ops[f.register_a ? 6 : 7], "imm-trans-b");

  // A: this warp's 16 x K rows.
  std::vector<uint32_t> a(size_t(16) * f.k);
  if (f.register_a) {
    const unsigned per_reg = 4 / f.elem_bytes, bits = 8 * f.elem_bytes;
    for (unsigned lane = 0; lane < 32; ++lane)
      for (unsigned i = 0; i < 4 * per_reg; ++i) {
        const uint32_t reg = uint32_t(ctx.get(ctx.elem(in.ops[1], i / per_reg), lane));
        const uint32_t v = bits == 32 ? reg : (reg >> (bits * (i % per_reg))) & ((1u << bits) - 1);
        const wgmma::RowCol rc = wgmma::register_a_element(quarter * 32 + lane, i, f.elem_bytes);
        a[size_t(rc.row - row0) * f.k + rc.col] = v;
      }
  } else {
    const auto desc = wgmma::decode_descriptor(uniform_value(ctx, in.ops[1], "A descriptor"));
    a = read_shared_operand(ctx, desc, true, !trans_a, f, row0, 16, f.k);
  }
  const auto b_desc = wgmma::decode_descriptor(uniform_value(ctx, in.ops[2], "B descriptor"));
  std::vector<uint32_t> b = read_shared_operand(ctx, b_desc, false, !trans_b, f, 0, f.k, f.n);
  if (negate_a)
    for (uint32_t& x : a) x ^= sign_bit(f.a_kind);
  if (negate_b)
    for (uint32_t& x : b) x ^= sign_bit(f.b_kind);

  // C: the current D (or zero when scale-d is false), in this warp's 16 x N rows.
  const bool f16_acc = f.d_kind == ElemKind::F16;
  std::vector<uint32_t> c(size_t(16) * f.n, 0);
  const Operand& d_op = in.ops[0];
  auto d_reg = [&](unsigned r) -> const Operand& { return d_op.kind == OperandKind::Vector ? ctx.elem(d_op, r) : d_op; };
  const unsigned elements = f.n / 2;
  for (unsigned lane = 0; lane < 32; ++lane) {
    const bool accumulate = ctx.get(in.ops[3], lane) != 0;
    if (!accumulate) continue;
    for (unsigned i = 0; i < elements; ++i) {
      const uint32_t reg = uint32_t(ctx.get(d_reg(f16_acc ? i / 2 : i), lane));
      const wgmma::RowCol rc = wgmma::accumulator_element(quarter * 32 + lane, i);
      c[size_t(rc.row - row0) * f.n + rc.col] = f16_acc ? (reg >> (16 * (i % 2))) & 0xffffu : reg;
    }
  }
  const std::vector<uint32_t> d =
      f.integer ? wgmma::integer_multiply_accumulate(16, f.n, f.k, a, f.a_int, b, f.b_int, c, in.mod.satfinite)
                : tensor::multiply_accumulate(16, f.n, f.k, a, f.a_kind, b, f.b_kind, c, f.d_kind, f.d_kind);
  for (unsigned lane = 0; lane < 32; ++lane) {
    std::vector<uint32_t> regs(f16_acc ? elements / 2 : elements, 0);
    for (unsigned i = 0; i < elements; ++i) {
      const wgmma::RowCol rc = wgmma::accumulator_element(quarter * 32 + lane, i);
      const uint32_t v = d[size_t(rc.row - row0) * f.n + rc.col];
      if (f16_acc) regs[i / 2] |= (v & 0xffffu) << (16 * (i % 2));
      else regs[i] = v;
    }
    for (unsigned r = 0; r < regs.size(); ++r) ctx.set(d_reg(r), lane, regs[r]);
  }
}

}  // namespace gpusim::isa
