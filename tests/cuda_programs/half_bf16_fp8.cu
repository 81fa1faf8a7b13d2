// half, bfloat16 and fp8 arithmetic and conversions (cuda_fp16.h, cuda_bf16.h, cuda_fp8.h): rounding
// modes, __hadd2/__hfma2/__h2div, hexp, max/min with NaNs, saturating subtract, bf16 fma, e4m3/e5m2
// conversions. The host-side references are the headers' own software conversions applied to
// double-precision results, which are exact before the final rounding.
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include "check.cuh"

// half / bfloat16 / fp8: device results vs the same header's host-side conversions (cuda_fp16.h's
// host paths are independent software implementations) and double-precision CPU arithmetic.
__global__ void half_ops(const float* a, const float* b, unsigned short* o, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float x = a[i], y = b[i];
  unsigned short* r = o + i * 24;
  __half hx = __float2half_rn(x), hy = __float2half_rn(y);
  __half2 h2 = __halves2half2(hx, hy), g2 = __halves2half2(hy, hx);
  auto u = [](__half h) { return __half_as_ushort(h); };
  auto ub = [](__nv_bfloat16 h) { return __bfloat16_as_ushort(h); };
  r[0] = u(__float2half_rz(x));
  r[1] = u(__float2half_rd(x));
  r[2] = u(__float2half_ru(x));
  r[3] = u(__hadd(hx, hy));
  r[4] = u(__hmul(hx, hy));
  r[5] = u(__hfma(hx, hy, __float2half(0.5f)));
  __half2 s = __hadd2(h2, g2); r[6] = u(__low2half(s)); r[7] = u(__high2half(s));
  __half2 f = __hfma2(h2, g2, h2); r[8] = u(__low2half(f)); r[9] = u(__high2half(f));
  __half2 d = __h2div(h2, g2); r[10] = u(__low2half(d)); r[11] = u(__high2half(d));
  r[12] = u(hexp(__float2half(x * 0.01f)));
  r[13] = u(__hmax(hx, hy)); r[14] = u(__hmin_nan(hx, hy));
  r[15] = u(__hsub_sat(hx, hy));
  __nv_bfloat16 bx = __float2bfloat16(x), by = __float2bfloat16_rz(y);
  r[16] = ub(bx); r[17] = ub(by);
  r[18] = ub(__hadd(bx, by)); r[19] = ub(__hfma(bx, by, __float2bfloat16(1.0f)));
  __nv_fp8_e4m3 e4(x * 0.01f); __nv_fp8_e5m2 e5(y);
  r[20] = (unsigned short)e4.__x; r[21] = (unsigned short)e5.__x;
  __nv_fp8x2_e4m3 p2(make_float2(x * 0.001f, y * 0.1f)); r[22] = (unsigned short)p2.__x;
  r[23] = u(__float2half((float)e4));
}
int main() {
  const int n = 512;
  static float a[n], b[n];
  for (int i = 0; i < n; ++i) { a[i] = (float)std::ldexp((double)((i * 2654435761u) % 100000) - 50000, -(int)(i % 20)); b[i] = std::sin(i * 0.37) * (i % 40 + 1) + 0.001f * i; }
  a[1] = 65519.f; a[2] = 65520.f; a[3] = 1e-8f; a[4] = -0.0f; a[5] = INFINITY; a[6] = NAN; b[7] = -65504.f; a[7] = 65504.f;
  float *da, *db; unsigned short* dout;
  CHECK(cudaMalloc(&da, sizeof a)); CHECK(cudaMalloc(&db, sizeof b)); CHECK(cudaMalloc(&dout, n * 48));
  CHECK(cudaMemcpy(da, a, sizeof a, cudaMemcpyHostToDevice)); CHECK(cudaMemcpy(db, b, sizeof b, cudaMemcpyHostToDevice));
  half_ops<<<4, 128>>>(da, db, dout, n);
  CHECK(cudaGetLastError());
  static unsigned short o[n * 24];
  CHECK(cudaMemcpy(o, dout, sizeof o, cudaMemcpyDeviceToHost));
  int bad = 0;
  auto hu = [](__half h) { return __half_as_ushort(h); };
  auto bu = [](__nv_bfloat16 h) { return __bfloat16_as_ushort(h); };
  auto H = [](double v) { return __double2half((double)v); };  // host conversion: rn
  for (int i = 0; i < n; ++i) {
    float x = a[i], y = b[i];
    __half hx = __float2half_rn(x), hy = __float2half_rn(y);
    double fx = __half2float(hx), fy = __half2float(hy);
    unsigned short e[24];
    e[0] = hu(__float2half_rz(x)); e[1] = hu(__float2half_rd(x)); e[2] = hu(__float2half_ru(x));
    e[3] = hu(H(fx + fy)); e[4] = hu(H(fx * fy)); e[5] = hu(H(fx * fy + 0.5));
    e[6] = hu(H(fx + fy)); e[7] = e[6];
    e[8] = hu(H(fx * fy + fx)); e[9] = hu(H(fy * fx + fy));
    e[10] = hu(H(fx / fy)); e[11] = hu(H(fy / fx));
    e[12] = 0;
    e[13] = hu(std::isnan(fx) ? hy : std::isnan(fy) ? hx : (fx > fy || (fx == fy && !std::signbit(fx)) ? hx : hy));
    e[14] = (std::isnan(fx) || std::isnan(fy)) ? 0x7fff : hu(fx < fy || (fx == fy && std::signbit(fx)) ? hx : hy);
    { double d = fx - fy; d = std::isnan(d) ? 0 : d < 0 ? 0 : d > 1 ? 1 : d; e[15] = hu(H(d)); }
    __nv_bfloat16 bx = __float2bfloat16(x), by = __float2bfloat16_rz(y);
    e[16] = bu(bx); e[17] = bu(by);
    double bfx = __bfloat162float(bx), bfy = __bfloat162float(by);
    e[18] = bu(__double2bfloat16(bfx + bfy)); e[19] = bu(__double2bfloat16(bfx * bfy + 1.0));
    __nv_fp8_e4m3 e4(x * 0.01f); __nv_fp8_e5m2 e5(y); __nv_fp8x2_e4m3 p2(make_float2(x * 0.001f, y * 0.1f));
    e[20] = e4.__x; e[21] = e5.__x; e[22] = p2.__x; e[23] = hu(__float2half((float)e4));
    for (int k = 0; k < 24; ++k) {
      if (k == 12) { double ref = std::exp((double)__half2float(__float2half(x * 0.01f))); float got = __half2float(__ushort_as_half(o[i * 24 + 12]));
        if (!(std::isnan(ref) && std::isnan(got)) && !(std::isinf(ref) && ref == got) && std::fabs(got - ref) > std::fabs(ref) * 2e-3 + 1e-7 && !(ref > 65504 && std::isinf(got))) { if (bad++ < 30) std::fprintf(stderr, "i=%d hexp got %g want %g\n", i, got, ref); }
        continue; }
      unsigned short g = o[i * 24 + k];
      bool nan_ok = k < 20 && ((g & 0x7c00) == 0x7c00 && (g & 0x3ff)) && ((e[k] & 0x7c00) == 0x7c00 && (e[k] & 0x3ff));
      if (k >= 16 && k < 20) nan_ok = ((g & 0x7f80) == 0x7f80 && (g & 0x7f)) && ((e[k] & 0x7f80) == 0x7f80 && (e[k] & 0x7f));
      if (g != e[k] && !nan_ok) { if (bad++ < 30) std::fprintf(stderr, "i=%d op %d: got %04x want %04x (x=%g y=%g)\n", i, k, g, e[k], x, y); }
    }
  }
  EXPECT(bad == 0);
  std::printf("half_bf16_fp8: OK\n");
  return 0;
}
