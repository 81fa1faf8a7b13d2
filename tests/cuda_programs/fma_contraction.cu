// A product and a sum nvcc leaves as separate mul / add instructions (here under a condition, the
// shape of an LU update `x = x - a*b`, and cuda_fp16's half operators, which are plain mul.f16 /
// add.f16), which ptxas fuses into one FMA by default: the result is rounded once, as std::fma on
// the host. Built again with -fmad=false (FMAD_OFF), where nvcc
// writes mul.rn / sub.rn and no FMA is formed: two roundings.
#include <cuda_fp16.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "check.cuh"

__global__ void update(double* x, const double* a, const double* b, float* y, const float* c, const float* d, int flag) {
  const int i = threadIdx.x;
  double v = x[i];
  float w = y[i];
  if (i < flag) {
    v = v - a[i] * b[i];
    w = w - c[i] * d[i];
  }
  x[i] = v;
  y[i] = w;
}

// h = a*b + c in half precision through cuda_fp16's operators.
__global__ void half_update(__half* h, const __half* a, const __half* b, int n) {
  const int i = threadIdx.x;
  if (i < n) h[i] = a[i] * b[i] + h[i];
}

// The half result of a*b + c rounded once: the sum is exact in double for these inputs (products
// of 11-bit significands near 1, plus a number near 1), so one rounding to half follows.
static bool check_half(int n) {
  std::vector<__half> a(n), b(n), c(n);
  for (int i = 0; i < n; ++i) {
    a[i] = __float2half(1.0f + std::ldexp(1.0f, -10) * float(i % 7 + 1));
    b[i] = __float2half(1.0f - std::ldexp(1.0f, -10) * float(i % 5 + 1));
    c[i] = __float2half(-1.0f - std::ldexp(1.0f, -9) * float(i % 3));
  }
  __half *da, *db, *dh;
  CHECK(cudaMalloc(&da, n * sizeof(__half))); CHECK(cudaMalloc(&db, n * sizeof(__half))); CHECK(cudaMalloc(&dh, n * sizeof(__half)));
  CHECK(cudaMemcpy(da, a.data(), n * sizeof(__half), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(db, b.data(), n * sizeof(__half), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(dh, c.data(), n * sizeof(__half), cudaMemcpyHostToDevice));
  half_update<<<1, n>>>(dh, da, db, n);
  std::vector<__half> got(n);
  CHECK(cudaMemcpy(got.data(), dh, n * sizeof(__half), cudaMemcpyDeviceToHost));
  int differs = 0;
  for (int i = 0; i < n; ++i) {
    const double fa = __half2float(a[i]), fb = __half2float(b[i]), fc = __half2float(c[i]);
    const __half fused = __double2half(fa * fb + fc);
    const __half unfused = __float2half(float(__half2float(__float2half(float(fa * fb))) + fc));
    // Fused in both builds: cuda_fp16 writes its mul.f16 / add.f16 in inline PTX, which
    // -fmad=false leaves as they are, and the driver compiles this program's PTX (compute_80 only)
    // with ptxas' default, contracting.
    const __half want = fused;
    if (__half_as_ushort(got[i]) != __half_as_ushort(want)) return false;
    differs += __half_as_ushort(fused) != __half_as_ushort(unfused);
  }
  CHECK(cudaFree(da)); CHECK(cudaFree(db)); CHECK(cudaFree(dh));
  return differs > 0;  // the inputs tell fused from unfused
}

int main() {
  const int n = 64;
  double x[n], a[n], b[n];
  float y[n], c[n], d[n];
  for (int i = 0; i < n; ++i) {
    // a*b is not representable: its rounding error is what a fused update keeps.
    a[i] = 1.0 + std::ldexp(1.0, -30) * (i + 1);
    b[i] = 1.0 - std::ldexp(1.0, -30) * (i + 1);
    x[i] = 1.0;
    c[i] = 1.0f + std::ldexp(1.0f, -12) * float(i + 1);
    d[i] = 1.0f - std::ldexp(1.0f, -12) * float(i + 1);
    y[i] = 1.0f;
  }
  double *dx, *da, *db;
  float *dy, *dc, *dd;
  CHECK(cudaMalloc(&dx, sizeof x)); CHECK(cudaMalloc(&da, sizeof a)); CHECK(cudaMalloc(&db, sizeof b));
  CHECK(cudaMalloc(&dy, sizeof y)); CHECK(cudaMalloc(&dc, sizeof c)); CHECK(cudaMalloc(&dd, sizeof d));
  CHECK(cudaMemcpy(dx, x, sizeof x, cudaMemcpyHostToDevice)); CHECK(cudaMemcpy(da, a, sizeof a, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(db, b, sizeof b, cudaMemcpyHostToDevice)); CHECK(cudaMemcpy(dy, y, sizeof y, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(dc, c, sizeof c, cudaMemcpyHostToDevice)); CHECK(cudaMemcpy(dd, d, sizeof d, cudaMemcpyHostToDevice));
  update<<<1, n>>>(dx, da, db, dy, dc, dd, n);
  CHECK(cudaGetLastError());
  double gx[n];
  float gy[n];
  CHECK(cudaMemcpy(gx, dx, sizeof gx, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(gy, dy, sizeof gy, cudaMemcpyDeviceToHost));
  int differs = 0;
  for (int i = 0; i < n; ++i) {
#ifdef FMAD_OFF
    const volatile double p = a[i] * b[i];
    const volatile float q = c[i] * d[i];
    const double want_x = x[i] - p;
    const float want_y = y[i] - q;
#else
    const double want_x = std::fma(-a[i], b[i], x[i]);
    const float want_y = std::fmaf(-c[i], d[i], y[i]);
#endif
    EXPECT(gx[i] == want_x && gy[i] == want_y);
    differs += std::fma(-a[i], b[i], x[i]) != x[i] - a[i] * b[i];
  }
  EXPECT(differs > n / 2);  // the inputs tell fused from unfused
  EXPECT(check_half(n));
#ifdef FMAD_OFF
  std::printf("fma_contraction_nofmad: OK\n");
#else
  std::printf("fma_contraction: OK\n");
#endif
  return 0;
}
