// Built with --use_fast_math: sinf/cosf/expf/logf/division become the SFU approximations
// (sin.approx.ftz, ex2.approx.ftz, lg2.approx.ftz, div.approx.ftz / rcp.approx.ftz) and
// denormals flush to zero. Results are checked against double-precision libm within the CUDA
// Programming Guide's bounds for the fast intrinsics.
#include <cmath>
#include <cstdio>
#include <cstring>
#include "check.cuh"

__global__ void fast(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float x = in[i];
  float* o = out + i * 8;
  o[0] = sinf(x); o[1] = cosf(x); o[2] = expf(x * 0.125f); o[3] = logf(fabsf(x) + 1.0f);
  o[4] = x / 3.0f; o[5] = 1.0f / sqrtf(fabsf(x) + 1.0f); o[6] = x * 1e-38f * 1e-3f;  // a denormal result: flushed
  o[7] = __powf(fabsf(x) + 1.0f, 0.75f);
}

int main() {
  const int n = 1024;
  static float in[n], out[n * 8];
  for (int i = 0; i < n; ++i) in[i] = (float)((i - 512) * 0.0061 + 0.0007 * (i % 5));  // [-3.13, 3.12]: within [-pi, pi]
  float *din, *dout;
  CHECK(cudaMalloc(&din, sizeof in)); CHECK(cudaMalloc(&dout, sizeof out));
  CHECK(cudaMemcpy(din, in, sizeof in, cudaMemcpyHostToDevice));
  fast<<<n / 128, 128>>>(din, dout, n);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(out, dout, sizeof out, cudaMemcpyDeviceToHost));
  int bad = 0;
  auto ulp = [](double r) { int e; std::frexp(r, &e); return std::ldexp(1.0, e - 24); };
  for (int i = 0; i < n; ++i) {
    const double x = in[i], a = (double)(in[i] * 0.125f), l = (double)(std::fabs(in[i]) + 1.0f);
    const float* o = out + i * 8;
    // __sinf/__cosf: absolute error 2^-21.41 in [-pi, pi]
    if (std::fabs(o[0] - std::sin(x)) > std::ldexp(1.0, -21) || std::fabs(o[1] - std::cos(x)) > std::ldexp(1.0, -21)) ++bad;
    // __expf: 2 + floor(|1.173 a|) ulp
    if (std::fabs(o[2] - std::exp(a)) > (2 + std::floor(std::fabs(1.173 * a)) + 0.5) * ulp(std::exp(a))) ++bad;
    // __logf: absolute error 2^-21.41 for arguments in [0.5, 2], 3 ulp otherwise
    const double rl = std::log(l);
    if (l <= 2 ? std::fabs(o[3] - rl) > std::ldexp(1.0, -21) : std::fabs(o[3] - rl) > 3.5 * ulp(rl)) ++bad;
    // __fdividef: 2 ulp; rsqrtf: 2 ulp
    if (std::fabs(o[4] - x / 3) > 2.5 * ulp(x / 3) && x != 0) ++bad;
    const double rs = 1 / std::sqrt((double)(std::fabs(in[i]) + 1.0f));
    if (std::fabs(o[5] - rs) > 2.5 * ulp(rs)) ++bad;
    if (o[6] != 0.0f) ++bad;  // ftz: tiny products flush to (signed) zero
    const double rp = std::pow(l, 0.75);
    if (std::fabs(o[7] - rp) / rp > 1e-5) ++bad;
    if (bad && bad < 5) std::fprintf(stderr, "i=%d x=%g: %g %g %g %g %g %g %g %g\n", i, x, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]);
  }
  EXPECT(bad == 0);
  std::printf("fast_math: OK\n");
  return 0;
}
