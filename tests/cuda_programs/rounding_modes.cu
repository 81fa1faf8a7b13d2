// The CUDA intrinsics with an explicit rounding mode, in every mode: float and double
// add/sub/mul/fma/div/rcp/sqrt (__fadd_rd, __dmul_ru, __fmaf_rz, __fdiv_ru, __frcp_rd,
// __fsqrt_rz, __ddiv_rd, __drcp_ru, __dsqrt_rn, ...), conversions float/double -> int, unsigned,
// long long (saturating; NaN -> 0 or MININT as PTX ISA 9.0 says), int / long long -> float / double and double -> float in
// each mode, __saturatef; plus the cache-operator loads and stores (__ldcs, __ldlu, __ldcv,
// __ldca, __ldcg, __stcg, __stcs, __stwt, __stwb) and a clock64() loop.
// The host reference is the host's own IEEE arithmetic under fesetround (SSE honours the
// rounding mode for +, -, *, /, sqrt and conversions; glibc's fma is correctly rounded in every
// mode), with the saturation rules of the PTX ISA's cvt written out.
#include <cfenv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "check.cuh"
#include "device_vectors.cuh"

constexpr int kF = 4 * 7 + 1;  // float results per element: 7 operations x 4 modes, __saturatef
constexpr int kD = 4 * 7;      // double results per element
constexpr int kI = 4 * 13;     // conversion results per element (as 64-bit words)

#define FOUR(f, ...) f##_rn(__VA_ARGS__), f##_rz(__VA_ARGS__), f##_ru(__VA_ARGS__), f##_rd(__VA_ARGS__)
// Integer results widened to 64 bits (signed ones sign-extended); float results by their bits.
#define U64(x) (unsigned long long)(x)
#define U64_FOUR(f, ...) U64(f##_rn(__VA_ARGS__)), U64(f##_rz(__VA_ARGS__)), U64(f##_ru(__VA_ARGS__)), U64(f##_rd(__VA_ARGS__))
#define BITS_FOUR(bits, f, ...)                                                                  \
  U64(bits(f##_rn(__VA_ARGS__))), U64(bits(f##_rz(__VA_ARGS__))), U64(bits(f##_ru(__VA_ARGS__))), \
      U64(bits(f##_rd(__VA_ARGS__)))

__global__ void float_ops(const float* x, const float* y, const float* z, float* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const float a = x[i], b = y[i], c = z[i];
  const float r[kF] = {FOUR(__fadd, a, b), FOUR(__fsub, a, b), FOUR(__fmul, a, b), FOUR(__fmaf, a, b, c),
                       FOUR(__fdiv, a, b),  FOUR(__frcp, b),    FOUR(__fsqrt, fabsf(a)), __saturatef(a)};
  for (int k = 0; k < kF; ++k) out[size_t(i) * kF + k] = r[k];
}

__global__ void double_ops(const double* x, const double* y, const double* z, double* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const double a = x[i], b = y[i], c = z[i];
  const double r[kD] = {FOUR(__dadd, a, b), FOUR(__dsub, a, b), FOUR(__dmul, a, b), FOUR(__fma, a, b, c),
                        FOUR(__ddiv, a, b), FOUR(__drcp, b),    FOUR(__dsqrt, fabs(a))};
  for (int k = 0; k < kD; ++k) out[size_t(i) * kD + k] = r[k];
}

// Conversions; float and double results are stored by their bits.
__global__ void conversions(const float* x, const double* y, const long long* v, unsigned long long* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const float f = x[i];
  const double d = y[i];
  const long long l = v[i];
  const int s = int(l);
  const unsigned u = unsigned(l >> 7);
  const unsigned long long r[kI] = {
      U64_FOUR(__float2int, f),       U64_FOUR(__float2uint, f),      U64_FOUR(__float2ll, f),
      U64_FOUR(__float2ull, f),       U64_FOUR(__double2int, d),      U64_FOUR(__double2uint, d),
      U64_FOUR(__double2ll, d),       U64_FOUR(__double2ull, d),      BITS_FOUR(__float_as_uint, __int2float, s),
      BITS_FOUR(__float_as_uint, __uint2float, u), BITS_FOUR(__float_as_uint, __ll2float, l),
      BITS_FOUR(__double_as_longlong, __ll2double, l), BITS_FOUR(__float_as_uint, __double2float, d)};
  for (int k = 0; k < kI; ++k) out[size_t(i) * kI + k] = r[k];
}

// Cache-operator loads and stores move data unchanged; clock64() never runs backwards.
__global__ void cache_ops(const float4* in, const int2* in2, float4* out, int2* out2, long long* elapsed, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const long long t0 = clock64();
  float4 a = __ldcs(in + i), b = __ldlu(in + (i + 1) % n), c = __ldcv(in + (i + 2) % n), d = __ldca(in + (i + 3) % n);
  const float4 e = __ldcg(in + (i + 4) % n), g = __ldg(in + (i + 5) % n);
  const int2 p = __ldcs(in2 + i), q = __ldcg(in2 + (n - 1 - i));
  float4 r = make_float4(a.x + b.y + c.z + d.w, e.x - g.y, a.w * b.z, c.x + d.y + e.z + g.w);
  if (i % 4 == 0) __stcg(out + i, r);
  else if (i % 4 == 1) __stcs(out + i, r);
  else if (i % 4 == 2) __stwt(out + i, r);
  else __stwb(out + i, r);
  __stcg(out2 + i, make_int2(p.x + q.y, p.y ^ q.x));
  long long spins = 0, now = clock64();
  while (now - t0 < 2000) ++spins, now = clock64();
  elapsed[i] = (now >= t0 && spins > 0) ? now - t0 : -1;
}

// ---------------- host reference ----------------
const int kModes[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};

// One operation in one rounding mode; volatile keeps the compiler from folding or moving it
// across fesetround.
template <typename T, typename Op> T in_mode(int mode, Op op) {
  std::fesetround(mode);
  volatile T r = op();
  std::fesetround(FE_TONEAREST);
  return r;
}

template <typename T> bool same(T got, T want) {
  if (std::isnan(got) && std::isnan(want)) return true;
  return std::memcmp(&got, &want, sizeof(T)) == 0;
}

template <typename T> T host_rcp(T b) { volatile T one = 1; return one / b; }

std::vector<float> expected_float(float a, float b, float c) {
  std::vector<float> w;
  for (int m : kModes) w.push_back(in_mode<float>(m, [&] { volatile float x = a, y = b; return x + y; }));
  for (int m : kModes) w.push_back(in_mode<float>(m, [&] { volatile float x = a, y = b; return x - y; }));
  for (int m : kModes) w.push_back(in_mode<float>(m, [&] { volatile float x = a, y = b; return x * y; }));
  for (int m : kModes) w.push_back(in_mode<float>(m, [&] { volatile float x = a, y = b, z = c; return std::fmaf(x, y, z); }));
  for (int m : kModes) w.push_back(in_mode<float>(m, [&] { volatile float x = a, y = b; return x / y; }));
  for (int m : kModes) w.push_back(in_mode<float>(m, [&] { return host_rcp(b); }));
  for (int m : kModes) w.push_back(in_mode<float>(m, [&] { volatile float x = std::fabs(a); return std::sqrt(x); }));
  w.push_back(std::isnan(a) ? 0.0f : a < 0 ? 0.0f : a > 1 ? 1.0f : a);
  return w;
}

std::vector<double> expected_double(double a, double b, double c) {
  std::vector<double> w;
  for (int m : kModes) w.push_back(in_mode<double>(m, [&] { volatile double x = a, y = b; return x + y; }));
  for (int m : kModes) w.push_back(in_mode<double>(m, [&] { volatile double x = a, y = b; return x - y; }));
  for (int m : kModes) w.push_back(in_mode<double>(m, [&] { volatile double x = a, y = b; return x * y; }));
  for (int m : kModes) w.push_back(in_mode<double>(m, [&] { volatile double x = a, y = b, z = c; return std::fma(x, y, z); }));
  for (int m : kModes) w.push_back(in_mode<double>(m, [&] { volatile double x = a, y = b; return x / y; }));
  for (int m : kModes) w.push_back(in_mode<double>(m, [&] { return host_rcp(b); }));
  for (int m : kModes) w.push_back(in_mode<double>(m, [&] { volatile double x = std::fabs(a); return std::sqrt(x); }));
  return w;
}

// cvt.rXi.<int>.<float>: round to an integer in the mode, then clamp to the type. NaN (PTX ISA
// 9.0): 0, unless the source is a double or the result 64 bits wide, then 1 << (width - 1).
template <typename I> I host_to_int(double v, int mode, bool from_double) {
  using U = typename std::make_unsigned<I>::type;
  if (std::isnan(v)) return from_double || sizeof(I) == 8 ? I(U(1) << (sizeof(I) * 8 - 1)) : I(0);
  const double r = mode == FE_TONEAREST ? std::nearbyint(v) : mode == FE_TOWARDZERO ? std::trunc(v)
                   : mode == FE_UPWARD  ? std::ceil(v)      : std::floor(v);
  // The limits as doubles: max + 1 is a power of two, so the comparison is exact.
  const double hi = std::ldexp(1.0, sizeof(I) * 8 - (std::is_signed<I>::value ? 1 : 0));
  if (r >= hi) return std::numeric_limits<I>::max();
  if (r < double(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
  return I(r);
}

template <typename F> uint64_t bits_of(F f) {
  uint64_t u = 0;
  std::memcpy(&u, &f, sizeof(F));
  return u;
}

std::vector<unsigned long long> expected_conversions(float f, double d, long long l) {
  std::vector<unsigned long long> w;
  const int s = int(l);
  const unsigned u = unsigned(l >> 7);
  // Signed results sign-extended to 64 bits, as the device widened them.
  for (int m : kModes) w.push_back((unsigned long long)(long long)host_to_int<int>(f, m, false));
  for (int m : kModes) w.push_back(host_to_int<unsigned>(f, m, false));
  for (int m : kModes) w.push_back((unsigned long long)host_to_int<long long>(f, m, false));
  for (int m : kModes) w.push_back(host_to_int<unsigned long long>(f, m, false));
  for (int m : kModes) w.push_back((unsigned long long)(long long)host_to_int<int>(d, m, true));
  for (int m : kModes) w.push_back(host_to_int<unsigned>(d, m, true));
  for (int m : kModes) w.push_back((unsigned long long)host_to_int<long long>(d, m, true));
  for (int m : kModes) w.push_back(host_to_int<unsigned long long>(d, m, true));
  for (int m : kModes) w.push_back(bits_of(in_mode<float>(m, [&] { volatile int x = s; return float(x); })));
  for (int m : kModes) w.push_back(bits_of(in_mode<float>(m, [&] { volatile long long x = u; return float(x); })));
  for (int m : kModes) w.push_back(bits_of(in_mode<float>(m, [&] { volatile long long x = l; return float(x); })));
  for (int m : kModes) w.push_back(bits_of(in_mode<double>(m, [&] { volatile long long x = l; return double(x); })));
  for (int m : kModes) w.push_back(bits_of(in_mode<float>(m, [&] { volatile double x = d; return float(x); })));
  return w;
}

// Inputs: random values over a wide exponent range (subnormals included), exact halfway cases
// for the conversions, the integer limits, infinities, NaN, signed zeros.
float random_float(uint64_t& s, int exp_lo, int exp_hi) {
  s ^= s << 13, s ^= s >> 7, s ^= s << 17;
  const double mant = double(s >> 40) / double(1ull << 24);  // [0, 1)
  const int e = exp_lo + int((s >> 8) % uint64_t(exp_hi - exp_lo + 1));
  return float(std::ldexp(1.0 + mant, e) * ((s & 1) ? -1 : 1));
}

int main() {
  const int n = 2048;
  std::vector<float> fx(n), fy(n), fz(n);
  std::vector<double> dx(n), dy(n), dz(n), cd(n);
  std::vector<float> cf(n);
  std::vector<long long> cl(n);
  uint64_t s = 0x243f6a8885a308d3ull;
  for (int i = 0; i < n; ++i) {
    const int wide = i % 4 == 0;  // a quarter spans the whole range, the rest stays moderate
    fx[i] = random_float(s, wide ? -140 : -20, wide ? 127 : 20);
    fy[i] = random_float(s, wide ? -140 : -20, wide ? 127 : 20);
    fz[i] = random_float(s, wide ? -140 : -30, wide ? 127 : 30);
    dx[i] = double(random_float(s, -60, 60)) * (1.0 + std::ldexp(double(s & 0xffffff), -50));
    dy[i] = double(random_float(s, -60, 60)) + std::ldexp(double(s >> 40), -70);
    dz[i] = double(random_float(s, -80, 80));
    // Conversions: halves (ties), values near and beyond the integer limits.
    const double base = std::ldexp(double(int64_t(s >> 20) - (1ll << 43)), -(int(s % 12)));
    cf[i] = float(i % 8 == 0 ? std::ldexp(double(s % 1000) + 0.5, 0) * ((i & 16) ? -1 : 1) : base);
    cd[i] = i % 8 == 1 ? double(int64_t(s >> 3)) * ((i & 16) ? -1.0 : 1.0) / ((i & 32) ? 1 : 3) : base * 1.0001;
    cl[i] = int64_t(s) >> (s % 40);
  }
  const float f_special[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 2.5f, -2.5f, 3.5f, 0.5f, -0.5f,
                             2147483520.0f, 2147483648.0f, -2147483648.0f, 4294967296.0f, 9.3e18f, 1e-45f, -1e-45f, 1.0f};
  const double d_special[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 2.5, -3.5, 2147483647.5, -2147483648.5,
                              4294967295.5, 9223372036854775807.0, -9223372036854775808.0, 1.8446744073709552e19,
                              5e-324, 1.0, -0.75, 0.75, 1e300};
  const long long l_special[] = {0, -1, LLONG_MAX, LLONG_MIN, (1ll << 53) + 1, -(1ll << 53) - 1, (1ll << 24) + 1, 16777217,
                                 -16777217, (1ll << 62) + 3, 123456789, 0x7fffffffll, -0x80000000ll, 0x1ffffffll};
  for (int k = 0; k < 18; ++k) {
    cf[k] = f_special[k], cd[k] = d_special[k], cl[k] = l_special[k % 14];
    fx[k] = f_special[k], fy[k] = f_special[(k * 7) % 18], fz[k] = f_special[(k * 5 + 3) % 18];
    dx[k] = d_special[k], dy[k] = d_special[(k * 7) % 18], dz[k] = d_special[(k * 5 + 3) % 18];
  }
  float *d_fx = dev(fx), *d_fy = dev(fy), *d_fz = dev(fz), *d_cf = dev(cf), *d_fout;
  double *d_dx = dev(dx), *d_dy = dev(dy), *d_dz = dev(dz), *d_cd = dev(cd), *d_dout;
  long long* d_cl = dev(cl);
  unsigned long long* d_iout;
  CHECK(cudaMalloc(&d_fout, size_t(n) * kF * sizeof(float)));
  CHECK(cudaMalloc(&d_dout, size_t(n) * kD * sizeof(double)));
  CHECK(cudaMalloc(&d_iout, size_t(n) * kI * sizeof(unsigned long long)));
  float_ops<<<n / 128, 128>>>(d_fx, d_fy, d_fz, d_fout, n);
  double_ops<<<n / 128, 128>>>(d_dx, d_dy, d_dz, d_dout, n);
  conversions<<<n / 128, 128>>>(d_cf, d_cd, d_cl, d_iout, n);
  CHECK(cudaGetLastError());
  const std::vector<float> fout = host(d_fout, size_t(n) * kF);
  const std::vector<double> dout = host(d_dout, size_t(n) * kD);
  const std::vector<unsigned long long> iout = host(d_iout, size_t(n) * kI);
  for (int i = 0; i < n; ++i) {
    const std::vector<float> wf = expected_float(fx[i], fy[i], fz[i]);
    for (int k = 0; k < kF; ++k)
      // __saturatef(-0.0): the PTX ISA's cvt.sat does not say which zero; either is accepted.
      if (!same(fout[size_t(i) * kF + k], wf[k]) && !(k == kF - 1 && fout[size_t(i) * kF + k] == wf[k])) {
        std::fprintf(stderr, "rounding_modes: float op %d (mode %d) of (%a, %a, %a): got %a, expected %a\n", k / 4, k % 4,
                     fx[i], fy[i], fz[i], fout[size_t(i) * kF + k], wf[k]);
        return 1;
      }
    const std::vector<double> wd = expected_double(dx[i], dy[i], dz[i]);
    for (int k = 0; k < kD; ++k)
      if (!same(dout[size_t(i) * kD + k], wd[k])) {
        std::fprintf(stderr, "rounding_modes: double op %d (mode %d) of (%a, %a, %a): got %a, expected %a\n", k / 4, k % 4,
                     dx[i], dy[i], dz[i], dout[size_t(i) * kD + k], wd[k]);
        return 1;
      }
    const std::vector<unsigned long long> wi = expected_conversions(cf[i], cd[i], cl[i]);
    auto float_nan = [](unsigned long long b) { return (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu) && b >> 32 == 0; };
    for (int k = 0; k < kI; ++k)
      // A NaN's payload is the converter's choice (the host's is 0x7fc00000, NVIDIA's 0x7fffffff).
      if (iout[size_t(i) * kI + k] != wi[k] && !(k / 4 >= 8 && float_nan(wi[k]) && float_nan(iout[size_t(i) * kI + k]))) {
        std::fprintf(stderr, "rounding_modes: conversion %d (mode %d) of (%a, %a, %lld): got 0x%llx, expected 0x%llx\n",
                     k / 4, k % 4, cf[i], cd[i], cl[i], iout[size_t(i) * kI + k], wi[k]);
        return 1;
      }
  }

  const int m = 1000;
  std::vector<float4> v4(m);
  std::vector<int2> v2(m);
  for (int i = 0; i < m; ++i) v4[i] = make_float4(i, i * 0.5f, -i, i * 2.0f), v2[i] = make_int2(i * 3, i ^ 0x55);
  float4* d_v4 = dev(v4);
  int2* d_v2 = dev(v2);
  float4* d_o4;
  int2* d_o2;
  long long* d_el;
  CHECK(cudaMalloc(&d_o4, m * sizeof(float4)));
  CHECK(cudaMalloc(&d_o2, m * sizeof(int2)));
  CHECK(cudaMalloc(&d_el, m * sizeof(long long)));
  cache_ops<<<(m + 127) / 128, 128>>>(d_v4, d_v2, d_o4, d_o2, d_el, m);
  CHECK(cudaGetLastError());
  const std::vector<float4> o4 = host(d_o4, m);
  const std::vector<int2> o2 = host(d_o2, m);
  const std::vector<long long> el = host(d_el, m);
  for (int i = 0; i < m; ++i) {
    const float4 a = v4[i], b = v4[(i + 1) % m], c = v4[(i + 2) % m], d = v4[(i + 3) % m], e = v4[(i + 4) % m],
                 g = v4[(i + 5) % m];
    const float4 want = make_float4(a.x + b.y + c.z + d.w, e.x - g.y, a.w * b.z, c.x + d.y + e.z + g.w);
    EXPECT(std::memcmp(&o4[i], &want, sizeof want) == 0);
    EXPECT(o2[i].x == v2[i].x + v2[m - 1 - i].y && o2[i].y == (v2[i].y ^ v2[m - 1 - i].x));
    EXPECT(el[i] >= 2000);
  }
  std::printf("rounding_modes: OK\n");
  return 0;
}
