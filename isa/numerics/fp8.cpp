#include "isa/numerics/fp8.h"

#include <bit>

namespace gpusim::isa::numerics {

namespace {

struct Fp8Format {
  int exp_bits, mant_bits, bias;
  uint8_t max_finite;  // code of the largest finite magnitude
};

Fp8Format format(Fp8Kind k) {
  return k == Fp8Kind::E4M3 ? Fp8Format{4, 3, 7, 0x7e} : Fp8Format{5, 2, 15, 0x7b};
}

// mant >> shift rounded to nearest, ties to even.
uint64_t shift_round_even(uint64_t mant, int shift) {
  if (shift <= 0) return mant << -shift;
  if (shift >= 64) return 0;
  const uint64_t kept = mant >> shift, rest = mant & ((uint64_t(1) << shift) - 1);
  const uint64_t half = uint64_t(1) << (shift - 1);
  return kept + ((rest > half || (rest == half && (kept & 1))) ? 1 : 0);
}

}  // namespace

uint8_t encode_fp8_satfinite(const Unpacked& v, Fp8Kind kind, bool relu) {
  const Fp8Format f = format(kind);
  const uint8_t sign = v.neg ? 0x80 : 0x00;
  switch (v.kind) {
    case Unpacked::Kind::NaN: return 0x7f;
    case Unpacked::Kind::Zero: return relu ? 0 : sign;
    case Unpacked::Kind::Inf: return relu && v.neg ? 0 : uint8_t(sign | f.max_finite);
    case Unpacked::Kind::Finite: break;
  }
  if (relu && v.neg) return 0;
  const int width = 64 - std::countl_zero(v.mant);
  const int msb_exp = v.exp + width - 1;
  const int emin = 1 - f.bias;
  // The exponent of the result's last fraction bit: normal numbers keep mant_bits fraction
  // bits below their leading bit, subnormals share the smallest normal exponent's quantum.
  const int quantum = (msb_exp > emin ? msb_exp : emin) - f.mant_bits;
  uint64_t r = shift_round_even(v.mant, quantum - v.exp);
  int q = quantum;
  if (r >> (f.mant_bits + 1)) {  // rounding carried into a new leading bit
    r >>= 1;
    q += 1;
  }
  if (r == 0) return sign;
  uint64_t code;
  if (r < (uint64_t(1) << f.mant_bits)) {
    code = r;  // subnormal
  } else {
    const int biased = q + f.mant_bits + f.bias;
    if (biased >= (1 << f.exp_bits)) return uint8_t(sign | f.max_finite);
    code = (uint64_t(biased) << f.mant_bits) | (r - (uint64_t(1) << f.mant_bits));
  }
  if (code > f.max_finite) code = f.max_finite;  // beyond the largest finite: saturate
  return uint8_t(sign | code);
}

uint16_t fp8_to_f16(uint8_t code, Fp8Kind kind) {
  const uint16_t sign = uint16_t(code & 0x80) << 8;
  if (kind == Fp8Kind::E5M2) return uint16_t(code) << 8;  // e5m2 is the top byte of an f16
  const unsigned e = (code >> 3) & 0xf, m = code & 7;
  if (e == 0xf && m == 7) return uint16_t(sign | 0x7fff);  // NaN
  if (e == 0 && m == 0) return sign;
  Unpacked u;
  u.kind = Unpacked::Kind::Finite;
  u.neg = sign != 0;
  u.mant = e ? (m | 8u) : m;
  u.exp = int(e ? e : 1) - 7 - 3;
  return uint16_t(pack(u, kF16, Rounding::Rn));
}

}  // namespace gpusim::isa::numerics
