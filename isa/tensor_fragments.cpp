#include "isa/tensor_fragments.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "isa/numerics/float_format.h"
#include "isa/numerics/fp8.h"
#include "isa/numerics/rounding.h"

namespace gpusim::isa::tensor {

unsigned elem_bits(ElemKind e) {
  switch (e) {
    case ElemKind::E4M3: case ElemKind::E5M2: case ElemKind::S8: case ElemKind::U8: return 8;
    case ElemKind::S4: case ElemKind::U4: return 4;
    case ElemKind::B1: return 1;
    case ElemKind::F16: case ElemKind::BF16: return 16;
    case ElemKind::F64: return 64;
    default: return 32;
  }
}

const char* elem_name(ElemKind e) {
  switch (e) {
    case ElemKind::F16: return "f16";
    case ElemKind::BF16: return "bf16";
    case ElemKind::TF32: return "tf32";
    case ElemKind::F32: return "f32";
    case ElemKind::E4M3: return "e4m3";
    case ElemKind::E5M2: return "e5m2";
    case ElemKind::S8: return "s8";
    case ElemKind::U8: return "u8";
    case ElemKind::S32: return "s32";
    case ElemKind::F64: return "f64";
    case ElemKind::S4: return "s4";
    case ElemKind::U4: return "u4";
    case ElemKind::B1: return "b1";
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

namespace {
FragmentSpec chunked_fragment(MatrixRole which, unsigned m, unsigned n, unsigned k, ElemKind e);

// ISA (m16n8kK integer and FP8 multiplicands, "Matrix Fragments for mma.m16n8k16/k32/k64/
// k128/k256"): each register packs PerReg consecutive k elements (8-bit: 4, 4-bit: 8, .b1: 32).
// A register r: row = groupID (r even) or groupID+8 (r odd);
//    col = threadID_in_group*PerReg + (i % PerReg), plus 4*PerReg for registers 2 and 3.
template <unsigned PerReg>
ElementPos mma_a_packed(unsigned lane, unsigned i) {
  const unsigned r = i / PerReg;
  return {group_id(lane) + 8 * (r & 1), thread_in_group(lane) * PerReg + i % PerReg + 4 * PerReg * (r >> 1)};
}
// B register r: row = threadID_in_group*PerReg + (i % PerReg) + 4*PerReg*r; col = groupID.
template <unsigned PerReg>
ElementPos mma_b_packed(unsigned lane, unsigned i) {
  return {thread_in_group(lane) * PerReg + i % PerReg + 4 * PerReg * (i / PerReg), group_id(lane)};
}

bool is_int8(ElemKind e) { return e == ElemKind::S8 || e == ElemKind::U8; }

// The m8n8 shapes: in the ISA's layouts a lane holds a run of consecutive k elements of one
// row of A / column of B and two adjacent elements of one row of C: the chunked layout.
std::optional<FragmentSpec> mma_m8n8_fragment(MatrixRole which, unsigned k, ElemKind e) {
  const bool ab = which != MatrixRole::C;
  const bool ok = (k == 4 && e == ElemKind::F64) ||
                  (ab ? (k == 16 && is_int8(e)) || (k == 32 && (e == ElemKind::S4 || e == ElemKind::U4)) ||
                            (k == 128 && e == ElemKind::B1)
                      : (k == 16 || k == 32 || k == 128) && e == ElemKind::S32);
  if (!ok) return std::nullopt;
  return chunked_fragment(which, 8, 8, k, e);
}

// The m16n8 shapes with packed multiplicands: s8/u8 and FP8 k16/k32, s4/u4 k32/k64, b1
// k128/k256 (A: 16 x k in 2 or 4 registers, B: k x 8 in 1 or 2).
std::optional<FragmentSpec> mma_m16n8_packed_fragment(MatrixRole which, unsigned k, ElemKind e) {
  const unsigned bits = elem_bits(e), per_reg = 32 / bits;
  if (which == MatrixRole::A)
    return FragmentSpec{16, k, e, k / 2, per_reg == 4 ? &mma_a_packed<4> : per_reg == 8 ? &mma_a_packed<8> : &mma_a_packed<32>};
  return FragmentSpec{k, 8, e, k / 4, per_reg == 4 ? &mma_b_packed<4> : per_reg == 8 ? &mma_b_packed<8> : &mma_b_packed<32>};
}

bool is_packed_multiplicand(ElemKind e, unsigned k) {
  switch (e) {
    case ElemKind::S8: case ElemKind::U8: case ElemKind::E4M3: case ElemKind::E5M2: return k == 16 || k == 32;
    case ElemKind::S4: case ElemKind::U4: return k == 32 || k == 64;
    case ElemKind::B1: return k == 128 || k == 256;
    default: return false;
  }
}
}  // namespace

std::optional<FragmentSpec> mma_fragment(MatrixRole which, unsigned m, unsigned n, unsigned k, ElemKind e) {
  if (m == 8 && n == 8) return mma_m8n8_fragment(which, k, e);
  if (m == 16 && n == 8 && which != MatrixRole::C && is_packed_multiplicand(e, k))
    return mma_m16n8_packed_fragment(which, k, e);
  // Integer accumulators of the packed shapes; FP8 ones are the f16/f32 ones below.
  if (m == 16 && n == 8 && which == MatrixRole::C && e == ElemKind::S32 &&
      (k == 16 || k == 32 || k == 64 || k == 128 || k == 256))
    return FragmentSpec{16, 8, e, 4, &mma_acc};
  if (m == 16 && n == 8 && which == MatrixRole::C && is_accumulator(e) && k == 32)
    return FragmentSpec{16, 8, e, 4, &mma_acc};  // FP8 m16n8k32
  if (m != 16 || n != 8 || (k != 16 && k != 8 && k != 4)) return std::nullopt;
  if (k == 4 && e != ElemKind::TF32 && !(which == MatrixRole::C && e == ElemKind::F32)) return std::nullopt;
  switch (which) {
    case MatrixRole::A:
      if (is_16bit(e)) return FragmentSpec{16, k, e, k / 2, &mma_a16};
      if (e == ElemKind::TF32 && (k == 8 || k == 4)) return FragmentSpec{16, k, e, k / 2, &mma_a_tf32};
      return std::nullopt;
    case MatrixRole::B:
      if (is_16bit(e)) return FragmentSpec{k, 8, e, k / 4, &mma_b16};
      if (e == ElemKind::TF32 && (k == 8 || k == 4)) return FragmentSpec{k, 8, e, k / 4, &mma_b_tf32};
      return std::nullopt;
    case MatrixRole::C:
      if (is_accumulator(e)) return FragmentSpec{16, 8, e, 4, &mma_acc};
      return std::nullopt;
  }
  return std::nullopt;
}

namespace {
// A fragment in the chunked layout (tensor_fragments.h). f16 multiplicands repeat their
// distinct elements to fill 16, as every f16 A/B fragment has 8 registers.
FragmentSpec chunked_fragment(MatrixRole which, unsigned m, unsigned n, unsigned k, ElemKind e) {
  FragmentSpec s;
  s.rows = which == MatrixRole::B ? k : m;
  s.cols = which == MatrixRole::A ? k : n;
  s.elem = e;
  s.column_chunks = which == MatrixRole::B;
  s.elements = e == ElemKind::F16 && which != MatrixRole::C ? 16 : s.distinct();
  return s;
}

// The element kinds each wmma shape takes: multiplicands, accumulators.
bool wmma_kinds_allowed(unsigned m, unsigned n, unsigned k, MatrixRole which, ElemKind e) {
  const bool ab = which != MatrixRole::C;
  if ((m == 32 && n == 8 && k == 16) || (m == 8 && n == 32 && k == 16) || (m == 16 && n == 16 && k == 16))
    return ab ? (is_16bit(e) || e == ElemKind::S8 || e == ElemKind::U8) : (is_accumulator(e) || e == ElemKind::S32);
  if (m == 16 && n == 16 && k == 8) return ab ? e == ElemKind::TF32 : e == ElemKind::F32;
  if (m == 8 && n == 8 && k == 4) return e == ElemKind::F64;
  if (m == 8 && n == 8 && k == 32) return ab ? (e == ElemKind::S4 || e == ElemKind::U4) : e == ElemKind::S32;
  if (m == 8 && n == 8 && k == 128) return ab ? e == ElemKind::B1 : e == ElemKind::S32;
  return false;
}
}  // namespace

std::optional<FragmentSpec> wmma_fragment(MatrixRole which, unsigned m, unsigned n, unsigned k, ElemKind e) {
  if (!wmma_kinds_allowed(m, n, k, which, e)) return std::nullopt;
  // m16n16k16 with f16/bf16 multiplicands or f16/f32 accumulators: the sm_80 layout.
  if (m != 16 || n != 16 || k != 16 || e == ElemKind::S8 || e == ElemKind::U8 || e == ElemKind::S32)
    return chunked_fragment(which, m, n, k, e);
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
uint32_t element_mask(ElemKind e) { return elem_bits(e) >= 32 ? 0xffffffffu : (1u << elem_bits(e)) - 1; }
}  // namespace

// Elements narrower than a word are packed into words; a 64-bit element is two whole words.
std::vector<uint32_t> fragment_to_matrix(const FragmentSpec& spec, const std::vector<uint32_t>& regs) {
  const unsigned bits = elem_bits(spec.elem), nregs = spec.regs(), words = spec.words();
  if (regs.size() != size_t(32) * nregs)
    throw std::invalid_argument("fragment_to_matrix: expected " + std::to_string(32 * nregs) + " registers, got " +
                                std::to_string(regs.size()));
  std::vector<uint32_t> matrix(size_t(spec.rows) * spec.cols * words);
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < spec.distinct(); ++i) {
      const unsigned bit = i * bits;
      const ElementPos p = spec.at(lane, i);
      for (unsigned w = 0; w < words; ++w) {
        const uint32_t v = (regs[lane * nregs + bit / 32 + w] >> (bit % 32)) & element_mask(spec.elem);
        matrix[(size_t(p.row) * spec.cols + p.col) * words + w] = v;
      }
    }
  return matrix;
}

std::vector<uint32_t> matrix_to_fragment(const FragmentSpec& spec, const std::vector<uint32_t>& matrix) {
  const unsigned bits = elem_bits(spec.elem), nregs = spec.regs(), words = spec.words();
  if (matrix.size() != size_t(spec.rows) * spec.cols * words)
    throw std::invalid_argument("matrix_to_fragment: expected a " + std::to_string(spec.rows) + "x" +
                                std::to_string(spec.cols) + " matrix");
  std::vector<uint32_t> regs(size_t(32) * nregs, 0);
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < spec.elements; ++i) {
      const ElementPos p = spec.at(lane, i);
      const unsigned bit = i * bits;
      for (unsigned w = 0; w < words; ++w) {
        const uint32_t v = matrix[(size_t(p.row) * spec.cols + p.col) * words + w] & element_mask(spec.elem);
        regs[lane * nregs + bit / 32 + w] |= v << (bit % 32);
      }
    }
  return regs;
}

// ---- Numerics ----
namespace {
double f64_at(const std::vector<uint32_t>& words, size_t element) {
  const uint64_t bits = uint64_t(words[2 * element]) | uint64_t(words[2 * element + 1]) << 32;
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}

}  // namespace

std::vector<uint32_t> multiply_accumulate_f64(unsigned m, unsigned n, unsigned k, const std::vector<uint32_t>& a,
                                              const std::vector<uint32_t>& b, const std::vector<uint32_t>& c,
                                              Rounding rnd) {
  if (a.size() != size_t(m) * k * 2 || b.size() != size_t(k) * n * 2 || c.size() != size_t(m) * n * 2)
    throw std::invalid_argument("multiply_accumulate_f64: operand sizes do not match");
  const bool nearest = rnd == Rounding::Rn || rnd == Rounding::None;
  std::vector<uint32_t> d(size_t(m) * n * 2);
  for (unsigned row = 0; row < m; ++row)
    for (unsigned col = 0; col < n; ++col) {
      double acc = f64_at(c, size_t(row) * n + col);
      for (unsigned kk = 0; kk < k; ++kk) {
        const double x = f64_at(a, size_t(row) * k + kk), y = f64_at(b, size_t(kk) * n + col);
        // The directed modes switch the host's rounding mode per operation (numerics/rounding.h).
        acc = nearest ? std::fma(x, y, acc)
                      : std::bit_cast<double>(numerics::f64_fma(std::bit_cast<uint64_t>(x), std::bit_cast<uint64_t>(y),
                                                                std::bit_cast<uint64_t>(acc), rnd));
      }
      const uint64_t bits = std::bit_cast<uint64_t>(acc);
      d[2 * (size_t(row) * n + col)] = uint32_t(bits), d[2 * (size_t(row) * n + col) + 1] = uint32_t(bits >> 32);
    }
  return d;
}

std::vector<uint32_t> multiply_accumulate_b1(unsigned m, unsigned n, unsigned k, const std::vector<uint32_t>& a,
                                             const std::vector<uint32_t>& b, const std::vector<uint32_t>& c,
                                             bool use_xor) {
  if (a.size() != size_t(m) * k || b.size() != size_t(k) * n || c.size() != size_t(m) * n)
    throw std::invalid_argument("multiply_accumulate_b1: operand sizes do not match");
  std::vector<uint32_t> d(size_t(m) * n);
  for (unsigned row = 0; row < m; ++row)
    for (unsigned col = 0; col < n; ++col) {
      uint32_t acc = c[size_t(row) * n + col];
      for (unsigned kk = 0; kk < k; ++kk) {
        const uint32_t x = a[size_t(row) * k + kk] & 1, y = b[size_t(kk) * n + col] & 1;
        acc += use_xor ? (x ^ y) : (x & y);
      }
      d[size_t(row) * n + col] = acc;
    }
  return d;
}

double element_value(uint32_t bits, ElemKind e) {
  switch (e) {
    case ElemKind::F16: return numerics::to_double(bits & 0xffffu, numerics::kF16);
    case ElemKind::BF16: return numerics::to_double(bits & 0xffffu, numerics::kBF16);
    case ElemKind::TF32: return numerics::to_double(bits & 0xffffe000u, numerics::kF32);
    case ElemKind::F32: return numerics::to_double(bits, numerics::kF32);
    // FP8 values are exact in f16.
    case ElemKind::E4M3: return numerics::to_double(numerics::fp8_to_f16(uint8_t(bits), numerics::Fp8Kind::E4M3), numerics::kF16);
    case ElemKind::E5M2: return numerics::to_double(numerics::fp8_to_f16(uint8_t(bits), numerics::Fp8Kind::E5M2), numerics::kF16);
    case ElemKind::S8: return double(int8_t(bits));
    case ElemKind::U8: return double(uint8_t(bits));
    case ElemKind::S32: return double(int32_t(bits));
    case ElemKind::S4: return double(int32_t(bits << 28) >> 28);
    case ElemKind::U4: return double(bits & 0xfu);
    case ElemKind::B1: return double(bits & 1u);
    case ElemKind::F64: break;  // two words: multiply_accumulate decodes them itself
  }
  throw std::invalid_argument(std::string("element_value: ") + elem_name(e) + " does not fit in one word");
}

uint32_t round_to_element(double v, ElemKind e, bool satfinite) {
  switch (e) {
    case ElemKind::S32: {
      const int64_t exact = int64_t(v);  // integer sums are exact (see multiply_accumulate)
      if (satfinite) return uint32_t(int32_t(std::clamp<int64_t>(exact, INT32_MIN, INT32_MAX)));
      return uint32_t(uint64_t(exact));
    }
    case ElemKind::F16: return uint32_t(numerics::from_double(v, numerics::kF16, Rounding::Rn));
    case ElemKind::F32: return uint32_t(numerics::from_double(v, numerics::kF32, Rounding::Rn));
    default: throw std::invalid_argument(std::string("round_to_element: ") + elem_name(e) + " is not an accumulator type");
  }
}

std::vector<uint32_t> multiply_accumulate(unsigned m, unsigned n, unsigned k,
                                          const std::vector<uint32_t>& a, ElemKind a_kind,
                                          const std::vector<uint32_t>& b, ElemKind b_kind,
                                          const std::vector<uint32_t>& c, ElemKind c_kind, ElemKind d_kind,
                                          bool satfinite) {
  const size_t words = a_kind == ElemKind::F64 ? 2 : 1;
  if (a.size() != size_t(m) * k * words || b.size() != size_t(k) * n * words || c.size() != size_t(m) * n * words)
    throw std::invalid_argument("multiply_accumulate: operand sizes do not match m" + std::to_string(m) + "n" +
                                std::to_string(n) + "k" + std::to_string(k));
  if (a_kind == ElemKind::F64) return multiply_accumulate_f64(m, n, k, a, b, c, Rounding::Rn);
  // Decode each input once; the inner loop is then plain double arithmetic.
  std::vector<double> av(a.size()), bv(b.size());
  for (size_t i = 0; i < a.size(); ++i) av[i] = element_value(a[i], a_kind);
  for (size_t i = 0; i < b.size(); ++i) bv[i] = element_value(b[i], b_kind);
  std::vector<uint32_t> d(size_t(m) * n);
  for (unsigned row = 0; row < m; ++row)
    for (unsigned col = 0; col < n; ++col) {
      double acc = element_value(c[size_t(row) * n + col], c_kind);
      for (unsigned kk = 0; kk < k; ++kk) acc += av[size_t(row) * k + kk] * bv[size_t(kk) * n + col];
      d[size_t(row) * n + col] = round_to_element(acc, d_kind, satfinite);
    }
  return d;
}

}  // namespace gpusim::isa::tensor
