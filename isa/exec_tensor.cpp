// Warp-collective TensorCore instructions: wmma.load / wmma.store / wmma.mma, mma.sync and
// ldmatrix. Each handler gathers the whole warp's fragment registers, works on whole matrices
// with the datapath model in tensor_fragments.h, and scatters the result. All sources are read
// before any destination is written, so a destination fragment may alias a source.
//
// Supported (everything else fails naming the combination):
//   wmma   .m16n16k16, .m32n8k16, .m8n32k16: A/B .f16 or .bf16 with C/D .f16 or .f32 (.bf16
//          inputs: .f32 only), A/B .s8 or .u8 with C/D .s32 (.satfinite clamps, else wraps);
//          .m16n16k8: .tf32 with .f32; .m8n8k4: .f64 (.rn, .rz, .rm, .rp: each step of the fma
//          chain rounded so); .m8n8k32 .s4/.u4 and .m8n8k128 .b1 (.xor.popc / .and.popc) with
//          .s32; any .row/.col for load/store and for mma (the fragment layout does not depend on it).
//   mma    .m16n8k16 / .m16n8k8 .row.col: .f16 inputs with .f16/.f32 C and D (each chosen
//          independently), .bf16 inputs with .f32; .m16n8k8 / .m16n8k4 .tf32 inputs with .f32;
//          .m16n8k16 / .m16n8k32 .e4m3/.e5m2 (any mix, sm_89) with .f16 or .f32 (C = D type);
//          .m16n8k16 / .m16n8k32 / .m8n8k16 .s8/.u8 with .s32 (.satfinite); .m8n8k32 /
//          .m16n8k32 / .m16n8k64 .s4/.u4, .m8n8k128 / .m16n8k128 / .m16n8k256 .b1
//          (.xor/.and.popc) with .s32; .m8n8k4 .f64 (.rn).
//   mma.sp / mma.sp::ordered_metadata .m16n8k16 / .m16n8k32 .row.col: 2:4-sparse .f16 A with
//          .f16/.f32 C and D, .bf16 with .f32 (isa/mma_sparse.h).
//   ldmatrix .m8n8 .x1/.x2/.x4 {.trans} .b16 from .shared or generic addresses.
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "isa/exec_context.h"
#include "isa/mma_sparse.h"
#include "isa/warp_collective.h"
#include "isa/tensor_fragments.h"

namespace gpusim::isa {

namespace {

using tensor::ElemKind;
using tensor::FragmentSpec;
using tensor::MatrixRole;


void require_full_warp(ExecContext& ctx, const char* what) {
  isa::require_full_warp(ctx, std::string(what) + " is warp-collective: all 32 lanes must execute it together, but the "
                                                  "active mask is ");
}

std::string shape_name(const Modifiers& m) {
  return "m" + std::to_string(m.shape_m) + "n" + std::to_string(m.shape_n) + "k" + std::to_string(m.shape_k);
}

std::optional<ElemKind> elem_kind(DataType t) {
  switch (t) {
    case DataType::F16: return ElemKind::F16;
    case DataType::BF16: return ElemKind::BF16;
    case DataType::TF32: return ElemKind::TF32;
    case DataType::F32: return ElemKind::F32;
    case DataType::S8: return ElemKind::S8;
    case DataType::U8: return ElemKind::U8;
    case DataType::S32: return ElemKind::S32;
    case DataType::F64: return ElemKind::F64;
    case DataType::S4: return ElemKind::S4;
    case DataType::U4: return ElemKind::U4;
    case DataType::B1: return ElemKind::B1;
    case DataType::E4M3x2: return ElemKind::E4M3;  // spelled .e4m3 on mma (single elements)
    case DataType::E5M2x2: return ElemKind::E5M2;
    default: return std::nullopt;
  }
}

// The registers named by a fragment operand: "{%r1, %r2}" or, for one register, "%r1".
unsigned operand_width(const isa::Operand& o) { return o.kind == OperandKind::Vector ? o.count : 1; }
const isa::Operand& operand_part(const ExecContext& ctx, const isa::Operand& o, unsigned i) {
  return o.kind == OperandKind::Vector ? ctx.elem(o, i) : o;
}

void check_width(ExecContext& ctx, const isa::Operand& o, unsigned regs, const std::string& what) {
  if (operand_width(o) != regs)
    ctx.fail_warp(what + " needs " + std::to_string(regs) + " registers, the instruction gives " +
                  std::to_string(operand_width(o)));
}

// A warp's fragment registers as 32-bit words, laid out as tensor_fragments.h expects (a
// 64-bit register of an f64 fragment is two words, low first).
std::vector<uint32_t> read_fragment(ExecContext& ctx, const isa::Operand& o, const FragmentSpec& spec) {
  const unsigned words = spec.regs(), per_reg = spec.regs() / spec.operand_regs();
  std::vector<uint32_t> out(size_t(32) * words);
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned r = 0; r < spec.operand_regs(); ++r) {
      const uint64_t v = ctx.get(operand_part(ctx, o, r), lane);
      for (unsigned w = 0; w < per_reg; ++w) out[lane * words + r * per_reg + w] = uint32_t(v >> (32 * w));
    }
  return out;
}

void write_fragment(ExecContext& ctx, const isa::Operand& o, const FragmentSpec& spec, const std::vector<uint32_t>& v) {
  const unsigned words = spec.regs(), per_reg = spec.regs() / spec.operand_regs();
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned r = 0; r < spec.operand_regs(); ++r) {
      uint64_t value = 0;
      for (unsigned w = 0; w < per_reg; ++w) value |= uint64_t(v[lane * words + r * per_reg + w]) << (32 * w);
      ctx.set(operand_part(ctx, o, r), lane, value);
    }
}

StateSpace memory_space(ExecContext& ctx, const Instruction& in, const char* what) {
  switch (in.mod.space) {
    case StateSpace::None:
    case StateSpace::Generic: return StateSpace::Generic;
    case StateSpace::Global:
    case StateSpace::Shared: return in.mod.space;
    default: ctx.fail_warp(std::string(what) + " cannot access state space ." + space_name(in.mod.space));
  }
}

// ---------------- wmma.load / wmma.store ----------------

// What a wmma.load/store moves: which fragment, in which memory layout, at which stride.
struct WmmaMemoryAccess {
  FragmentSpec spec;
  bool row_major = true;
  StateSpace space = StateSpace::Generic;
  unsigned bits = 0;  // per element in memory (s4/u4: 4, b1: 1, packed from the low bits of each byte up)
};

WmmaMemoryAccess wmma_memory_access(ExecContext& ctx, const Instruction& in, const char* what) {
  require_full_warp(ctx, what);
  const Modifiers& m = in.mod;
  MatrixRole role = MatrixRole::C;
  switch (m.frag) {
    case FragKind::A: role = MatrixRole::A; break;
    case FragKind::B: role = MatrixRole::B; break;
    case FragKind::C:
    case FragKind::D: role = MatrixRole::C; break;
    default: ctx.fail_warp(std::string(what) + " needs a fragment kind (.a, .b, .c or .d)");
  }
  if (m.layout_a != Layout::Row && m.layout_a != Layout::Col)
    ctx.fail_warp(std::string(what) + " needs a memory layout (.row or .col)");
  if (m.ntypes < 1) ctx.fail_warp(std::string(what) + " needs an element type");
  const std::optional<ElemKind> e = elem_kind(m.types[0]);
  std::optional<FragmentSpec> spec;
  if (e) spec = tensor::wmma_fragment(role, m.shape_m, m.shape_n, m.shape_k, *e);
  if (!spec)
    ctx.fail_warp(std::string(what) + ": unsupported fragment ." + shape_name(m) + " ." + type_name(m.types[0]) +
                  " (supported: m16n16k16, m32n8k16, m8n32k16 with .f16/.bf16/.s8/.u8 A and B, .f16/.f32/.s32 C and"
                  " D; m16n16k8 .tf32 A and B, .f32 C and D; m8n8k4 .f64; m8n8k32 .s4/.u4 and m8n8k128 .b1 A and"
                  " B with .s32 C and D)", FaultKind::Unsupported);
  return {*spec, m.layout_a == Layout::Row, memory_space(ctx, in, what), tensor::elem_bits(*e)};
}

// The stride, in elements, between consecutive rows (row-major) or columns (column-major);
// the ISA's default is the matrix's leading dimension.
uint64_t wmma_stride(ExecContext& ctx, const Instruction& in, unsigned stride_op, const WmmaMemoryAccess& acc,
                     unsigned lane) {
  if (in.nops > stride_op && in.ops[stride_op].kind != OperandKind::None)
    return uint32_t(ctx.get(in.ops[stride_op], lane));
  return acc.row_major ? acc.spec.cols : acc.spec.rows;
}

// Address of matrix element p for `lane`, in bits from address 0 (sub-byte elements share
// bytes). Every row (column) must start on a 16-byte boundary: the hardware moves fragments
// with vector accesses (the CUDA guide asks for a 32-byte base and a 16-byte multiple stride; we
// enforce the part that any vector access needs).
uint64_t wmma_element_bit_address(ExecContext& ctx, const WmmaMemoryAccess& acc, uint64_t base, uint64_t stride,
                                  tensor::ElementPos p, unsigned lane) {
  const uint64_t line = acc.row_major ? p.row : p.col, within = acc.row_major ? p.col : p.row;
  const uint64_t line_start = base + line * stride * acc.bits / 8;
  if (line_start % 16 != 0)
    ctx.fail(lane, "wmma " + std::string(acc.row_major ? "row " : "column ") + std::to_string(line) +
                       " starts at address " + std::to_string(line_start) +
                       ", which is not 16-byte aligned (base and stride*element size must be multiples of 16)");
  return line_start * 8 + within * acc.bits;
}

}  // namespace

void exec_WmmaLoad(ExecContext& ctx, const Instruction& in) {
  const WmmaMemoryAccess acc = wmma_memory_access(ctx, in, "wmma.load");
  const FragmentSpec& spec = acc.spec;
  check_width(ctx, in.ops[0], spec.operand_regs(), "wmma.load destination");
  std::vector<uint32_t> regs(size_t(32) * spec.regs(), 0);
  const unsigned bits = tensor::elem_bits(spec.elem);
  for (unsigned lane = 0; lane < 32; ++lane) {
    const uint64_t base = ctx.address(in.ops[1], lane);
    const uint64_t stride = wmma_stride(ctx, in, 2, acc, lane);
    std::vector<uint64_t> values(spec.distinct());
    for (unsigned i = 0; i < spec.distinct(); ++i) {
      const uint64_t at = wmma_element_bit_address(ctx, acc, base, stride, spec.at(lane, i), lane);
      if (bits >= 8) {
        ctx.load(acc.space, at / 8, &values[i], bits / 8, lane);  // little-endian: low bytes first
      } else {  // s4/u4/b1: the element's bits within its byte
        uint8_t byte = 0;
        ctx.load(acc.space, at / 8, &byte, 1, lane);
        values[i] = (byte >> (at % 8)) & ((1u << bits) - 1);
      }
    }
    for (unsigned i = 0; i < spec.elements; ++i) {  // repeated copies too
      const unsigned bit = i * bits;
      for (unsigned w = 0; w < spec.words(); ++w)
        regs[lane * spec.regs() + bit / 32 + w] |= uint32_t(values[i % spec.distinct()] >> (32 * w)) << (bit % 32);
    }
  }
  write_fragment(ctx, in.ops[0], spec, regs);
}

void exec_WmmaStore(ExecContext& ctx, const Instruction& in) {
  const WmmaMemoryAccess acc = wmma_memory_access(ctx, in, "wmma.store");
  const FragmentSpec& spec = acc.spec;
  check_width(ctx, in.ops[1], spec.operand_regs(), "wmma.store source");
  const std::vector<uint32_t> regs = read_fragment(ctx, in.ops[1], spec);
  const unsigned bits = tensor::elem_bits(spec.elem);
  for (unsigned lane = 0; lane < 32; ++lane) {
    const uint64_t base = ctx.address(in.ops[0], lane);
    const uint64_t stride = wmma_stride(ctx, in, 2, acc, lane);
    for (unsigned i = 0; i < spec.distinct(); ++i) {
      const unsigned bit = i * bits;
      uint64_t v = regs[lane * spec.regs() + bit / 32] >> (bit % 32);
      if (spec.words() == 2) v |= uint64_t(regs[lane * spec.regs() + bit / 32 + 1]) << 32;
      // Only accumulators are stored: their elements are 16 bits or wider.
      const uint64_t at = wmma_element_bit_address(ctx, acc, base, stride, spec.at(lane, i), lane);
      ctx.store(acc.space, at / 8, &v, bits / 8, lane);
    }
  }
}

namespace {

// ---------------- wmma.mma / mma ----------------

// The four operand element types, in the PTX order d, a, b, c.
struct MmaTypes {
  DataType d = DataType::None, a = DataType::None, b = DataType::None, c = DataType::None;
};

// As written in the instruction: mma's single FP8 elements are .e4m3/.e5m2 (the lexer's DataType
// is cvt's pair type).
const char* mma_type_name(DataType t) {
  return t == DataType::E4M3x2 ? "e4m3" : t == DataType::E5M2x2 ? "e5m2" : type_name(t);
}

std::string types_name(const MmaTypes& t) {
  return std::string(".") + mma_type_name(t.d) + "." + mma_type_name(t.a) + "." + mma_type_name(t.b) + "." +
         mma_type_name(t.c);
}

// Checks the type combination against what the ISA allows for the shape and returns the four
// fragment descriptions (A, B, C, D).
struct MmaFragments {
  FragmentSpec a, b, c, d;
};

MmaFragments mma_fragments(ExecContext& ctx, const char* what, const Modifiers& m, const MmaTypes& t, bool wmma) {
  const std::optional<ElemKind> ea = elem_kind(t.a), eb = elem_kind(t.b), ec = elem_kind(t.c), ed = elem_kind(t.d);
  // mma.sync takes signed and unsigned integer multiplicands of one width in any mix.
  auto same_width_ints = [](ElemKind x, ElemKind y) {
    return ((x == ElemKind::S8 || x == ElemKind::U8) && (y == ElemKind::S8 || y == ElemKind::U8)) ||
           ((x == ElemKind::S4 || x == ElemKind::U4) && (y == ElemKind::S4 || y == ElemKind::U4));
  };
  auto fp8 = [](ElemKind x) { return x == ElemKind::E4M3 || x == ElemKind::E5M2; };
  bool valid = ea && eb && ec && ed &&
               (*ea == *eb || (!wmma && (same_width_ints(*ea, *eb) || (fp8(*ea) && fp8(*eb)))));
  // f16 inputs accumulate in f16 or f32; bf16 and tf32 inputs in f32 only; s8/u8 in s32; f64 in f64;
  // e4m3/e5m2 (sm_89, any mix) in f16 or f32, C and D of one type (the ISA's .f8type line).
  if (valid && fp8(*ea)) {
    valid = *ec == *ed && (*ec == ElemKind::F16 || *ec == ElemKind::F32);
  } else if (valid && *ea != ElemKind::F16) {
    const bool integer = *ea == ElemKind::S8 || *ea == ElemKind::U8 || *ea == ElemKind::S4 ||
                         *ea == ElemKind::U4 || *ea == ElemKind::B1;
    const ElemKind acc = integer ? ElemKind::S32 : *ea == ElemKind::F64 ? ElemKind::F64 : ElemKind::F32;
    valid = *ec == acc && *ed == acc;
  }
  std::optional<FragmentSpec> a, b, c, d;
  if (valid) {
    auto frag = wmma ? &tensor::wmma_fragment : &tensor::mma_fragment;
    a = frag(MatrixRole::A, m.shape_m, m.shape_n, m.shape_k, *ea);
    b = frag(MatrixRole::B, m.shape_m, m.shape_n, m.shape_k, *eb);
    c = frag(MatrixRole::C, m.shape_m, m.shape_n, m.shape_k, *ec);
    d = frag(MatrixRole::C, m.shape_m, m.shape_n, m.shape_k, *ed);
  }
  if (!a || !b || !c || !d)
    ctx.fail_warp(std::string(what) + ": unsupported shape/type combination ." + shape_name(m) + types_name(t) +
                  (wmma ? " (supported: m16n16k16, m32n8k16, m8n32k16 with f16 inputs and f16/f32 accumulators, bf16"
                          " inputs with f32, s8/u8 inputs with s32; m16n16k8 tf32 with f32; m8n8k4 f64; m8n8k32"
                          " s4/u4 and m8n8k128 b1 with s32)"
                        : " (supported: m16n8k16 and m16n8k8 with f16 inputs and f16/f32 accumulators, bf16 "
                          "inputs with f32; m16n8k8 and m16n8k4 with tf32 inputs and f32; m16n8k16 and m16n8k32 "
                          "with e4m3/e5m2 inputs and f16 or f32; m16n8k16, m16n8k32 and m8n8k16 with s8/u8 inputs "
                          "and s32; m8n8k32, m16n8k32 and m16n8k64 s4/u4, m8n8k128, m16n8k128 and m16n8k256 b1 "
                          "with s32; m8n8k4 f64)"),
                  FaultKind::Unsupported);
  return {*a, *b, *c, *d};
}

// Reads A, B and C, multiplies, and writes D: shared by wmma.mma, mma and mma.sp (whose dense A,
// rebuilt from the compressed fragment and the metadata, comes in `sparse_a`).
void run_mma(ExecContext& ctx, const Instruction& in, const MmaFragments& f,
             const std::optional<std::vector<uint32_t>>& sparse_a = std::nullopt) {
  // .satfinite: integer MMAs clamp to int32; for floating-point fragments it exists only in the
  // deprecated f16-result wmma form, which is not modelled.
  const bool integer = f.d.elem == ElemKind::S32, saturate = in.mod.sat || in.mod.satfinite;
  if (saturate && !integer)
    ctx.fail_warp("TensorCore .satfinite is not supported for floating-point fragments", FaultKind::Unsupported);
  // A rounding qualifier belongs to the f64 form: wmma's takes .rn/.rz/.rm/.rp, mma's .rn only
  // (and may omit it: .rn is the default).
  const bool directed = in.mod.rnd == Rounding::Rz || in.mod.rnd == Rounding::Rm || in.mod.rnd == Rounding::Rp;
  if (f.d.elem == ElemKind::F64 && in.mod.rnd != Rounding::Rn && in.mod.rnd != Rounding::None &&
      !(directed && in.op == Opcode::WmmaMma))
    ctx.fail_warp(std::string("the f64 ") + (in.op == Opcode::WmmaMma ? "wmma.mma takes .rn, .rz, .rm or .rp"
                                                                         : "mma takes the .rn rounding only"));
  if (f.d.elem != ElemKind::F64 && in.mod.rnd != Rounding::None)
    ctx.fail_warp("a rounding qualifier is valid only on the f64 TensorCore MMA");
  check_width(ctx, in.ops[0], f.d.operand_regs(), "D fragment");
  check_width(ctx, in.ops[1], f.a.operand_regs(), "A fragment");
  check_width(ctx, in.ops[2], f.b.operand_regs(), "B fragment");
  check_width(ctx, in.ops[3], f.c.operand_regs(), "C fragment");
  const auto a = sparse_a ? *sparse_a : tensor::fragment_to_matrix(f.a, read_fragment(ctx, in.ops[1], f.a));
  const auto b = tensor::fragment_to_matrix(f.b, read_fragment(ctx, in.ops[2], f.b));
  const auto c = tensor::fragment_to_matrix(f.c, read_fragment(ctx, in.ops[3], f.c));
  // b1 x b1: .xor.popc or .and.popc (the wmma form takes either); other inputs take neither.
  const bool b1 = f.a.elem == ElemKind::B1;
  if (b1 && (in.mod.atom != AtomOp::Popc || (in.mod.boolop != BoolOp::Xor && in.mod.boolop != BoolOp::And) || saturate))
    ctx.fail_warp("the .b1 TensorCore MMA needs .xor.popc or .and.popc (and takes no .satfinite)");
  if (!b1 && (in.mod.atom != AtomOp::None || in.mod.boolop != BoolOp::None))
    ctx.fail_warp(".xor/.and/.popc are for .b1 TensorCore inputs only");
  const unsigned k = f.b.rows;  // f.a holds the compressed A of a sparse MMA
  const auto d = b1 ? tensor::multiply_accumulate_b1(f.a.rows, f.b.cols, k, a, b, c, in.mod.boolop == BoolOp::Xor)
                 : f.a.elem == ElemKind::F64
                     ? tensor::multiply_accumulate_f64(f.a.rows, f.b.cols, k, a, b, c, in.mod.rnd)
                     : tensor::multiply_accumulate(f.a.rows, f.b.cols, k, a, f.a.elem, b, f.b.elem, c, f.c.elem,
                                                   f.d.elem, saturate);
  write_fragment(ctx, in.ops[0], f.d, tensor::matrix_to_fragment(f.d, d));
}

}  // namespace

void exec_WmmaMma(ExecContext& ctx, const Instruction& in) {
  require_full_warp(ctx, "wmma.mma");
  const Modifiers& m = in.mod;
  MmaTypes t;
  if (m.ntypes == 2) {  // f16 inputs are implicit: wmma.mma...m16n16k16.dtype.ctype
    t = {m.types[0], DataType::F16, DataType::F16, m.types[1]};
  } else if (m.ntypes == 4) {  // wmma.mma...m16n16k16.dtype.atype.btype.ctype
    t = {m.types[0], m.types[1], m.types[2], m.types[3]};
  } else {
    ctx.fail_warp("wmma.mma needs .dtype.ctype (f16 inputs) or .dtype.atype.btype.ctype, got " +
                  std::to_string(m.ntypes) + " types");
  }
  // The .row/.col qualifiers must match those of the loads; since our fragment layout is the
  // same for both memory layouts, they do not change the arithmetic.
  run_mma(ctx, in, mma_fragments(ctx, "wmma.mma", m, t, /*wmma=*/true));
}

namespace {

// mma.sp / mma.sp::ordered_metadata with 2:4-sparse f16/bf16 A (isa/mma_sparse.h): d, a, b, c,
// metadata, sparsity selector.
void run_sparse_mma(ExecContext& ctx, const Instruction& in, const MmaTypes& t) {
  const Modifiers& m = in.mod;
  const std::optional<ElemKind> ea = elem_kind(t.a), eb = elem_kind(t.b), ec = elem_kind(t.c), ed = elem_kind(t.d);
  const unsigned k = m.shape_k, selectors = tensor::sparse_selector_count(k);
  auto f16_or_f32 = [](std::optional<ElemKind> e) { return e == ElemKind::F16 || e == ElemKind::F32; };
  const bool valid = m.shape_m == 16 && m.shape_n == 8 && selectors > 0 && ea && ea == eb &&
                     ((*ea == ElemKind::F16 && f16_or_f32(ec) && f16_or_f32(ed)) ||
                      (*ea == ElemKind::BF16 && ec == ElemKind::F32 && ed == ElemKind::F32));
  if (!valid)
    ctx.fail_warp("mma.sp: unsupported shape/type combination ." + shape_name(m) + types_name(t) +
                  " (supported: m16n8k16 and m16n8k32 with f16 inputs and f16/f32 accumulators, bf16 inputs with f32)",
                  FaultKind::Unsupported);
  // A is compressed to 16 x k/2: its fragment is the dense m16n8k(k/2) one; B, C and D are m16n8k's.
  const MmaFragments f{*tensor::mma_fragment(MatrixRole::A, 16, 8, k / 2, *ea),
                       FragmentSpec{k, 8, *eb, k / 4, &tensor::mma_b16},
                       *tensor::mma_fragment(MatrixRole::C, 16, 8, 16, *ec),
                       *tensor::mma_fragment(MatrixRole::C, 16, 8, 16, *ed)};
  check_width(ctx, in.ops[1], f.a.operand_regs(), "A fragment");
  if (operand_width(in.ops[4]) != 1 || operand_width(in.ops[5]) != 1)
    ctx.fail_warp("mma.sp's metadata and sparsity selector are single operands");
  // The selector is an immediate in every PTX the ISA allows; a register must agree across the warp.
  const uint64_t selector = ctx.get(in.ops[5], 0);
  for (unsigned lane = 1; lane < 32; ++lane)
    if (ctx.get(in.ops[5], lane) != selector)
      ctx.fail(lane, "mma.sp sparsity selector differs between lanes (lane 0 has " + std::to_string(selector) + ")");
  if (selector >= selectors)
    ctx.fail_warp("mma.sp ." + shape_name(m) + ": the sparsity selector must be 0.." + std::to_string(selectors - 1) +
                  ", got " + std::to_string(selector));
  std::vector<uint32_t> metadata(32);
  for (unsigned lane = 0; lane < 32; ++lane) metadata[lane] = uint32_t(ctx.get(in.ops[4], lane));
  const tensor::SparseExpansion dense =
      tensor::expand_sparse_a(k, tensor::fragment_to_matrix(f.a, read_fragment(ctx, in.ops[1], f.a)), metadata,
                              unsigned(selector), m.variant == tensor::MmaVariant::SparseOrdered);
  if (!dense.error.empty()) ctx.fail(dense.error_lane, "mma.sp: " + dense.error);
  run_mma(ctx, in, f, dense.dense);
}

}  // namespace

void exec_Mma(ExecContext& ctx, const Instruction& in) {
  const Modifiers& m = in.mod;
  const bool sparse = m.variant == tensor::MmaVariant::Sparse || m.variant == tensor::MmaVariant::SparseOrdered;
  const char* what = sparse ? "mma.sp" : "mma.sync";
  require_full_warp(ctx, what);
  if (m.ntypes != 4)
    ctx.fail_warp(std::string(what) + " needs .dtype.atype.btype.ctype, got " + std::to_string(m.ntypes) + " types");
  if (in.nops != (sparse ? 6u : 4u))
    ctx.fail_warp(std::string(what) + " takes " +
                  (sparse ? "6 operands (d, a, b, c, metadata, sparsity selector)" : "4 operands (d, a, b, c)") +
                  ", got " + std::to_string(in.nops));
  // The fragment layouts above are the ISA's for .row A and .col B, the only combination the
  // m16n8kX shapes allow.
  if (m.layout_a != Layout::Row || m.layout_b != Layout::Col)
    ctx.fail_warp(std::string(what) + " ." + shape_name(m) + " requires .row.col layouts");
  const MmaTypes t{m.types[0], m.types[1], m.types[2], m.types[3]};
  if (sparse) return run_sparse_mma(ctx, in, t);
  run_mma(ctx, in, mma_fragments(ctx, what, m, t, false));
}

// ---------------- ldmatrix ----------------

void exec_Ldmatrix(ExecContext& ctx, const Instruction& in) {
  require_full_warp(ctx, "ldmatrix");
  const Modifiers& m = in.mod;
  if (m.shape_m != 8 || m.shape_n != 8 || m.ntypes < 1 || m.types[0] != DataType::B16)
    ctx.fail_warp("ldmatrix: unsupported shape/type ." + std::string("m") + std::to_string(m.shape_m) + "n" +
                  std::to_string(m.shape_n) + (m.ntypes ? std::string(".") + type_name(m.types[0]) : "") +
                  " (supported: .m8n8 .b16)", FaultKind::Unsupported);
  const unsigned count = m.vec;
  if (count != 1 && count != 2 && count != 4) ctx.fail_warp("ldmatrix needs .x1, .x2 or .x4");
  check_width(ctx, in.ops[0], count, "ldmatrix destination");
  const StateSpace space = memory_space(ctx, in, "ldmatrix");
  if (space == StateSpace::Global) ctx.fail_warp("ldmatrix reads shared memory only, not .global");

  // Threads 8j..8j+7 give the addresses of the 8 rows (16 bytes each) of matrix j.
  uint16_t rows[4][8][8];
  for (unsigned j = 0; j < count; ++j)
    for (unsigned r = 0; r < 8; ++r) {
      const unsigned lane = 8 * j + r;
      const uint64_t addr = ctx.address(in.ops[1], lane);
      if (addr % 16 != 0)
        ctx.fail(lane, "ldmatrix row address " + std::to_string(addr) + " is not 16-byte aligned", FaultKind::MisalignedAddress);
      ctx.load(space, addr, rows[j][r], 16, lane);
    }

  std::vector<uint32_t> regs(size_t(32) * count);
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned j = 0; j < count; ++j) {
      uint32_t packed = 0;
      for (unsigned e = 0; e < 2; ++e) {
        const tensor::ElementPos p = tensor::ldmatrix_m8n8(lane, e);
        const uint16_t v = m.trans ? rows[j][p.col][p.row] : rows[j][p.row][p.col];
        packed |= uint32_t(v) << (16 * e);
      }
      regs[lane * count + j] = packed;
    }
  // Described as a fragment only for its register count: count b16x2 registers per lane.
  write_fragment(ctx, in.ops[0], FragmentSpec{8 * count, 8, ElemKind::F16, 2 * count, &tensor::ldmatrix_m8n8}, regs);
}

}  // namespace gpusim::isa
