#include "isa/tensor_fragments.h"

#include <stdexcept>
#include <string>

#include "isa/numerics/float_format.h"
#include "isa/numerics/fp8.h"

namespace gpusim::isa::tensor {

unsigned elem_bits(ElemKind e) {
  if (e == ElemKind::E4M3 || e == ElemKind::E5M2) return 8;
  return e == ElemKind::F16 || e == ElemKind::BF16 ? 16 : 32;
}

const char* elem_name(ElemKind e) {
  switch (e) {
    case ElemKind::F16: return "f16";
    case ElemKind::BF16: return "bf16";
    case ElemKind::TF32: return "tf32";
    case ElemKind::F32: return "f32";
    case ElemKind::E4M3: return "e4m3";
    case ElemKind::E5M2: return "e5m2";
  }
  return "?";
}

// ---- Layout maps ----
namespace {
unsigned group_id(unsigned lane) { return lane >> 2; }
unsigned thread_in_group(unsigned lane) { return lane & 3; }
}  // namespace

// ISA: row = groupID for a0,a1,a4,a5 and groupID+8 for a2,a3,a6,a7;
//      col = threadID_in_group*2 + (i & 1), plus 8 for a4..a7.
ElementPos mma_a16(unsigned lane, unsigned i) {
  return {group_id(lane) + 8 * ((i >> 1) & 1), thread_in_group(lane) * 2 + (i & 1) + 8 * (i >> 2)};
}

// ISA: row = threadID_in_group*2 + (i & 1), plus 8 for b2,b3; col = groupID.
ElementPos mma_b16(unsigned lane, unsigned i) {
  return {thread_in_group(lane) * 2 + (i & 1) + 8 * (i >> 1), group_id(lane)};
}

// ISA: row = groupID for c0,c1 and groupID+8 for c2,c3; col = threadID_in_group*2 + (i & 1).
ElementPos mma_acc(unsigned lane, unsigned i) {
  return {group_id(lane) + 8 * (i >> 1), thread_in_group(lane) * 2 + (i & 1)};
}

// ISA (.tf32, m16n8k8): row = groupID for a0,a2 and groupID+8 for a1,a3;
//                       col = threadID_in_group for a0,a1 and +4 for a2,a3.
ElementPos mma_a_tf32(unsigned lane, unsigned i) {
  return {group_id(lane) + 8 * (i & 1), thread_in_group(lane) + 4 * (i >> 1)};
}

// ISA (.tf32, m16n8k8): row = threadID_in_group, plus 4 for b1; col = groupID.
ElementPos mma_b_tf32(unsigned lane, unsigned i) { return {thread_in_group(lane) + 4 * i, group_id(lane)}; }

ElementPos wmma_a(unsigned lane, unsigned i) { return mma_a16(lane, i); }

ElementPos wmma_b(unsigned lane, unsigned i) {
  ElementPos p = mma_b16(lane, i & 3);
  return {p.row, p.col + 8 * (i >> 2)};
}

ElementPos wmma_acc(unsigned lane, unsigned i) {
  ElementPos p = mma_acc(lane, i & 3);
  return {p.row, p.col + 8 * (i >> 2)};
}

// ISA (ldmatrix): a lane holds two consecutive elements of row laneid/4, starting at column
// (laneid % 4) * 2.
ElementPos ldmatrix_m8n8(unsigned lane, unsigned i) { return {lane >> 2, (lane & 3) * 2 + i}; }

// ---- Fragment descriptions ----
namespace {
bool is_16bit(ElemKind e) { return e == ElemKind::F16 || e == ElemKind::BF16; }
bool is_accumulator(ElemKind e) { return e == ElemKind::F16 || e == ElemKind::F32; }
}  // namespace

std::optional<FragmentSpec> mma_fragment(MatrixRole which, unsigned m, unsigned n, unsigned k, ElemKind e) {
  if (m != 16 || n != 8 || (k != 16 && k != 8)) return std::nullopt;
  switch (which) {
    case MatrixRole::A:
      if (is_16bit(e)) return FragmentSpec{16, k, e, k / 2, &mma_a16};
      if (e == ElemKind::TF32 && k == 8) return FragmentSpec{16, 8, e, 4, &mma_a_tf32};
      return std::nullopt;
    case MatrixRole::B:
      if (is_16bit(e)) return FragmentSpec{k, 8, e, k / 4, &mma_b16};
      if (e == ElemKind::TF32 && k == 8) return FragmentSpec{8, 8, e, 2, &mma_b_tf32};
      return std::nullopt;
    case MatrixRole::C:
      if (is_accumulator(e)) return FragmentSpec{16, 8, e, 4, &mma_acc};
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<FragmentSpec> wmma_fragment(MatrixRole which, unsigned m, unsigned n, unsigned k, ElemKind e) {
  if (m != 16 || n != 16 || k != 16) return std::nullopt;
  switch (which) {
    case MatrixRole::A:
    case MatrixRole::B: {
      if (!is_16bit(e)) return std::nullopt;
      // f16 fragments carry every element twice (8 registers), bf16 ones once (4 registers).
      unsigned elements = e == ElemKind::F16 ? 16 : 8;
      return FragmentSpec{16, 16, e, elements, which == MatrixRole::A ? &wmma_a : &wmma_b};
    }
    case MatrixRole::C:
      if (is_accumulator(e)) return FragmentSpec{16, 16, e, 8, &wmma_acc};
      return std::nullopt;
  }
  return std::nullopt;
}

// ---- Registers <-> matrices ----
namespace {
uint32_t element_mask(ElemKind e) { return elem_bits(e) == 32 ? 0xffffffffu : (1u << elem_bits(e)) - 1; }
}  // namespace

std::vector<uint32_t> fragment_to_matrix(const FragmentSpec& spec, const std::vector<uint32_t>& regs) {
  const unsigned bits = elem_bits(spec.elem), nregs = spec.regs();
  if (regs.size() != size_t(32) * nregs)
    throw std::invalid_argument("fragment_to_matrix: expected " + std::to_string(32 * nregs) + " registers, got " +
                                std::to_string(regs.size()));
  std::vector<uint32_t> matrix(size_t(spec.rows) * spec.cols);
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < spec.distinct(); ++i) {
      unsigned bit = i * bits;
      uint32_t v = (regs[lane * nregs + bit / 32] >> (bit % 32)) & element_mask(spec.elem);
      ElementPos p = spec.at(lane, i);
      matrix[size_t(p.row) * spec.cols + p.col] = v;
    }
  return matrix;
}

std::vector<uint32_t> matrix_to_fragment(const FragmentSpec& spec, const std::vector<uint32_t>& matrix) {
  if (matrix.size() != size_t(spec.rows) * spec.cols)
    throw std::invalid_argument("matrix_to_fragment: expected a " + std::to_string(spec.rows) + "x" +
                                std::to_string(spec.cols) + " matrix");
  const unsigned bits = elem_bits(spec.elem), nregs = spec.regs();
  std::vector<uint32_t> regs(size_t(32) * nregs, 0);
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < spec.elements; ++i) {
      ElementPos p = spec.at(lane, i);
      uint32_t v = matrix[size_t(p.row) * spec.cols + p.col] & element_mask(spec.elem);
      unsigned bit = i * bits;
      regs[lane * nregs + bit / 32] |= v << (bit % 32);
    }
  return regs;
}

// ---- Numerics ----
double element_value(uint32_t bits, ElemKind e) {
  switch (e) {
    case ElemKind::F16: return numerics::to_double(bits & 0xffffu, numerics::kF16);
    case ElemKind::BF16: return numerics::to_double(bits & 0xffffu, numerics::kBF16);
    case ElemKind::TF32: return numerics::to_double(bits & 0xffffe000u, numerics::kF32);
    case ElemKind::F32: return numerics::to_double(bits, numerics::kF32);
    // FP8 values are exact in f16.
    case ElemKind::E4M3: return numerics::to_double(numerics::fp8_to_f16(uint8_t(bits), numerics::Fp8Kind::E4M3), numerics::kF16);
    case ElemKind::E5M2: return numerics::to_double(numerics::fp8_to_f16(uint8_t(bits), numerics::Fp8Kind::E5M2), numerics::kF16);
  }
  return 0;
}

uint32_t round_to_element(double v, ElemKind e) {
  switch (e) {
    case ElemKind::F16: return uint32_t(numerics::from_double(v, numerics::kF16, Rounding::Rn));
    case ElemKind::F32: return uint32_t(numerics::from_double(v, numerics::kF32, Rounding::Rn));
    default: throw std::invalid_argument(std::string("round_to_element: ") + elem_name(e) + " is not an accumulator type");
  }
}

std::vector<uint32_t> multiply_accumulate(unsigned m, unsigned n, unsigned k,
                                          const std::vector<uint32_t>& a, ElemKind a_kind,
                                          const std::vector<uint32_t>& b, ElemKind b_kind,
                                          const std::vector<uint32_t>& c, ElemKind c_kind, ElemKind d_kind) {
  if (a.size() != size_t(m) * k || b.size() != size_t(k) * n || c.size() != size_t(m) * n)
    throw std::invalid_argument("multiply_accumulate: operand sizes do not match m" + std::to_string(m) + "n" +
                                std::to_string(n) + "k" + std::to_string(k));
  // Decode each input once; the inner loop is then plain double arithmetic.
  std::vector<double> av(a.size()), bv(b.size());
  for (size_t i = 0; i < a.size(); ++i) av[i] = element_value(a[i], a_kind);
  for (size_t i = 0; i < b.size(); ++i) bv[i] = element_value(b[i], b_kind);
  std::vector<uint32_t> d(size_t(m) * n);
  for (unsigned row = 0; row < m; ++row)
    for (unsigned col = 0; col < n; ++col) {
      double acc = element_value(c[size_t(row) * n + col], c_kind);
      for (unsigned kk = 0; kk < k; ++kk) acc += av[size_t(row) * k + kk] * bv[size_t(kk) * n + col];
      d[size_t(row) * n + col] = round_to_element(acc, d_kind);
    }
  return d;
}

}  // namespace gpusim::isa::tensor
