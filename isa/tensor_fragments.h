// The TensorCore datapath model behind wmma / mma / ldmatrix: which matrix element each lane's
// fragment register holds, how elements are encoded, and the multiply-accumulate itself.
// Pure functions on plain arrays, so that they can be tested without a running warp; the
// handlers in exec_tensor.cpp only move registers and memory in and out of them.
//
// Fragment layouts
//   mma.sync: the PTX ISA defines them ("Matrix Fragments for mma.m16n8k16 / m16n8k8"), with
//     groupID = laneid >> 2 and threadID_in_group = laneid % 4.
//   wmma: the ISA leaves them unspecified. We use the layout sm_80 hardware uses, established
//     from a library that manipulates wmma fragments element-wise on A100 (wmma_extension,
//     detail/sm_80.hpp): an m16n16k16 fragment is two mma.m16n8k16 fragments side by side.
//     A (16x16): element x<8 is A's mma.m16n8k16 element a_x (the same for .row and .col; the
//       memory layout only changes the addresses). B (16x16): x<4 is b_x of the left 16x8
//       half, 4<=x<8 is b_(x-4) of the right half. Accumulators: x<4 is c_x of the left 16x8
//       half, 4<=x<8 is c_(x-4) of the right half.
//     f16 A/B fragments hold 16 elements in 8 registers although only 8 are distinct: element
//       x+8 repeats element x (again as on sm_80). Loads fill both copies; mma reads the first.
//     bf16 A/B fragments hold exactly the 8 distinct elements (4 registers).
//   The other wmma shapes and types (m32n8k16 and m8n32k16, tf32 m16n16k8, s8/u8 -> s32, f64
//     m8n8k4, s4/u4 m8n8k32, b1 m8n8k128) use gpusim's own "chunked" layout, since no published source fixes theirs: lane L
//     holds elements L*d .. L*d+d-1 (d = distinct elements per lane) of A and C/D in row-major
//     order and of B in column-major order. For f64 m8n8k4 this is exactly the ISA's
//     mma.m8n8k4 .f64 layout, and for s4/u4 and b1 the ISA's mma.m8n8k32 / m8n8k128 ones. f16 A/B fragments again repeat their distinct elements to fill 16.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "isa/ir.h"

namespace gpusim::isa::tensor {

struct ElementPos {
  unsigned row = 0, col = 0;
  bool operator==(const ElementPos&) const = default;
};

// Element encodings a fragment register can hold.
// E4M3/E5M2: wgmma and the sm_89 mma.m16n8k16/k32; S4/U4/B1: sub-byte wmma and mma, 8 or 32 to a register.
enum class ElemKind : uint8_t { F16, BF16, TF32, F32, E4M3, E5M2, S8, U8, S32, F64, S4, U4, B1 };
unsigned elem_bits(ElemKind e);
const char* elem_name(ElemKind e);

using PositionFn = ElementPos (*)(unsigned lane, unsigned i);

// One warp's fragment of one matrix operand.
struct FragmentSpec {
  unsigned rows = 0, cols = 0;  // the whole matrix the warp holds (A: MxK, B: KxN, C/D: MxN)
  ElemKind elem = ElemKind::F32;
  unsigned elements = 0;        // per lane, as stored in registers (including repeated copies)
  PositionFn pos = nullptr;     // (lane, i) -> element, for i < distinct(); null: the chunked layout
  bool column_chunks = false;   // chunked layout only: chunks run down columns (B) instead of rows

  // Elements per lane that differ; element i >= distinct() repeats element i % distinct().
  unsigned distinct() const { return rows * cols / 32; }
  // 32-bit words per lane (an f64 register is two words, low first).
  unsigned regs() const { return elements * elem_bits(elem) / 32; }
  // Registers the instruction names per lane (f64 fragments name 64-bit registers).
  unsigned operand_regs() const { return elem_bits(elem) == 64 ? elements : regs(); }
  // 32-bit words one matrix element takes in fragment_to_matrix's matrices.
  unsigned words() const { return elem_bits(elem) == 64 ? 2 : 1; }
  ElementPos at(unsigned lane, unsigned i) const {
    i %= distinct();
    if (pos) return pos(lane, i);
    const unsigned linear = lane * distinct() + i;
    return column_chunks ? ElementPos{linear % rows, linear / rows} : ElementPos{linear / cols, linear % cols};
  }
};

// ---- Layout maps (lane, element index) -> (row, col) ----
// mma.m16n8k16 / m16n8k8 with 16-bit multiplicands (k8 uses the first half of the elements).
ElementPos mma_a16(unsigned lane, unsigned i);   // A 16xK, i < K/2
ElementPos mma_b16(unsigned lane, unsigned i);   // B Kx8, i < K/4
ElementPos mma_acc(unsigned lane, unsigned i);   // C/D 16x8, i < 4
// mma.m16n8k8 / m16n8k4 with .tf32 multiplicands (k4 uses the first half of the elements).
ElementPos mma_a_tf32(unsigned lane, unsigned i);  // A 16xK, i < K/2
ElementPos mma_b_tf32(unsigned lane, unsigned i);  // B Kx8, i < K/4
// The packed m16n8 integer / FP8 layouts (s8/u8/e4m3/e5m2 k16/k32, s4/u4 k32/k64, b1
// k128/k256) live in tensor_fragments.cpp; mma_fragment hands them out.
// wmma.m16n16k16 (sm_80 layout, see above).
ElementPos wmma_a(unsigned lane, unsigned i);    // i < 8
ElementPos wmma_b(unsigned lane, unsigned i);    // i < 8
ElementPos wmma_acc(unsigned lane, unsigned i);  // i < 8
// ldmatrix .m8n8 .b16: element i (0, 1) of the register a lane receives for one 8x8 matrix,
// before .trans (with .trans the lane receives the element at (col, row) of the matrix as
// stored, i.e. the transposed matrix).
ElementPos ldmatrix_m8n8(unsigned lane, unsigned i);

// Fragment descriptions for the supported shapes; nullopt = this combination is unsupported.
enum class MatrixRole { A, B, C };  // C also describes D
std::optional<FragmentSpec> mma_fragment(MatrixRole which, unsigned m, unsigned n, unsigned k, ElemKind e);
std::optional<FragmentSpec> wmma_fragment(MatrixRole which, unsigned m, unsigned n, unsigned k, ElemKind e);

// ---- Moving between registers and matrices ----
// `regs` holds a warp's fragment registers: regs[lane * spec.regs() + r], 32-bit each; f16/bf16
// elements are packed two per register, the lower-numbered element in the low half.
// Matrix element bits, row-major rows x cols, gathered from the first copy of each element
// (64-bit elements take two consecutive words, low first).
std::vector<uint32_t> fragment_to_matrix(const FragmentSpec& spec, const std::vector<uint32_t>& regs);
// The inverse: fills every copy of every element.
std::vector<uint32_t> matrix_to_fragment(const FragmentSpec& spec, const std::vector<uint32_t>& matrix);

// ---- Numerics ----
// Exact value of an element's bits. tf32 ignores the 13 low fraction bits of its 32-bit
// container, as the hardware does.
double element_value(uint32_t bits, ElemKind e);
// Rounds to nearest-even into an accumulator format (F32 or F16); NaN -> canonical NaN. S32:
// the integer sum wraps modulo 2^32, or with `satfinite` clamps to the int32 range.
uint32_t round_to_element(double v, ElemKind e, bool satfinite = false);

// D = A*B + C on element bits (row-major A: MxK, B: KxN, C/D: MxN). Integer inputs (s8/u8
// into s32) are exact in double (|sum| < 2^53), then wrap or saturate. f64 (two words per
// element) is a chain of fused multiply-adds in k order starting from C, each rounded to
// nearest even, as the .rn qualifier of the f64 wmma/mma requires.
// Products of f16/bf16/tf32 values are exact in double (<= 24 significant bits each). Each
// output is accumulated as c + a0*b0 + a1*b1 + ... in k order in double, then rounded once
// (RN) to the accumulator type. The double sum is exact unless the terms span more than ~53
// bits of magnitude, where it rounds before the final rounding; real TensorCores also do not
// round the exact sum (they align to the largest exponent and truncate), so results agree with
// hardware (Fasi et al., "Numerical behavior of NVIDIA tensor cores", 2021) exactly for
// well-scaled inputs and within an ulp otherwise.
// FP8 (e4m3/e5m2, any mix) follow the same path: their products are exact in double too (at most
// 4 x 4 significant bits), accumulated into f32 or f16 with one final round to nearest even.
std::vector<uint32_t> multiply_accumulate(unsigned m, unsigned n, unsigned k,
                                          const std::vector<uint32_t>& a, ElemKind a_kind,
                                          const std::vector<uint32_t>& b, ElemKind b_kind,
                                          const std::vector<uint32_t>& c, ElemKind c_kind, ElemKind d_kind,
                                          bool satfinite = false);

// The f64 MMA (two words per element): d = fma(a[k-1], b[k-1], ... fma(a0, b0, c)), each fused
// multiply-add rounded with `rnd` (.rn, .rz, .rm or .rp, the modes wmma's f64 form offers).
std::vector<uint32_t> multiply_accumulate_f64(unsigned m, unsigned n, unsigned k, const std::vector<uint32_t>& a,
                                              const std::vector<uint32_t>& b, const std::vector<uint32_t>& c,
                                              Rounding rnd);

// The single-bit MMA (b1 x b1 -> s32): D = C + popc(A_row OP B_col) over k, OP = AND or XOR,
// wrapping modulo 2^32. A and B hold one bit (0 or 1) per element.
std::vector<uint32_t> multiply_accumulate_b1(unsigned m, unsigned n, unsigned k, const std::vector<uint32_t>& a,
                                             const std::vector<uint32_t>& b, const std::vector<uint32_t>& c,
                                             bool use_xor);

}  // namespace gpusim::isa::tensor
