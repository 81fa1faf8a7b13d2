// End-to-end: nvcc-generated PTX fixtures that exercise the ALU/FPU/convert handlers
// (half_math.cu, math_funcs.cu) run on the simulated device and are compared with CPU references
// written from the CUDA sources. Half-precision results are bit-exact (each intrinsic is one
// correctly rounded operation); libdevice float/double math is compared within tolerances.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "runtime/sim_device.h"

namespace gpusim::test {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(GPUSIM_FIXTURES) + "/" + name);
  EXPECT_TRUE(f.good()) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

uint16_t to_h(double d) {
  volatile double v = d;
  const _Float16 h = static_cast<_Float16>(v);
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}
double from_h(uint16_t b) {
  _Float16 h;
  std::memcpy(&h, &b, 2);
  return double(h);
}
double from_bf(uint16_t b) { return double(std::bit_cast<float>(uint32_t(b) << 16)); }
// Round-to-nearest-even from a double's bits (drop 45 fraction bits); normal-range values only.
uint16_t to_bf(double d) {
  const uint64_t x = std::bit_cast<uint64_t>(d);
  if ((x << 1) == 0) return uint16_t((x >> 48) & 0x8000);
  const uint64_t r = (x + 0xfffffffffffull + ((x >> 45) & 1)) >> 45;
  return uint16_t(((r >> 18) << 15) | ((((r >> 7) & 0x7ff) - 1023 + 127) << 7) | (r & 0x7f));
}

constexpr unsigned kThreads = 64;

TEST(OpcodeFixture, HalfOpsBitExact) {
  auto dev = runtime::make_sim_device();
  const auto mod = dev->load_ptx("half_math.ptx", fixture("half_math.ptx"));
  std::mt19937 rng(1);
  std::vector<uint16_t> a(kThreads), b(kThreads);
  for (unsigned i = 0; i < kThreads; ++i) {
    a[i] = to_h(double(int(rng() % 2000) - 1000) / 137.0);
    b[i] = to_h(double(int(rng() % 2000) - 1000) / 251.0);
  }
  const auto da = dev->upload(a), db = dev->upload(b);
  const auto dc = dev->alloc(kThreads * 2), df = dev->alloc(kThreads * 4);
  runtime::LaunchConfig cfg;
  cfg.block = {kThreads, 1, 1};
  dev->launch(mod, "half_ops", cfg, runtime::args(da, db, dc, df));
  const auto c = dev->download<uint16_t>(dc, kThreads);
  const auto f = dev->download<float>(df, kThreads);
  for (unsigned i = 0; i < kThreads; ++i) {
    const double x = from_h(a[i]), y = from_h(b[i]);
    const double sum = from_h(to_h(x + y));
    const double z = from_h(to_h(std::fma(x, y, sum)));  // exact in double for f16 operands
    EXPECT_EQ(c[i], to_h(z * 0.5)) << i;
    const float lo = float(from_h(to_h(x * x))), hi = float(from_h(to_h(y * y)));
    EXPECT_EQ(std::bit_cast<uint32_t>(f[i]), std::bit_cast<uint32_t>(lo + hi)) << i;
  }
}

TEST(OpcodeFixture, Bf16OpsBitExact) {
  auto dev = runtime::make_sim_device();
  const auto mod = dev->load_ptx("half_math.ptx", fixture("half_math.ptx"));
  std::mt19937 rng(2);
  std::vector<uint16_t> a(kThreads);
  for (unsigned i = 0; i < kThreads; ++i) a[i] = to_bf(double(int(rng() % 4000) - 2000) / 97.0);
  const auto da = dev->upload(a);
  const auto db = dev->alloc(kThreads * 2), df = dev->alloc(kThreads * 4);
  runtime::LaunchConfig cfg;
  cfg.block = {kThreads, 1, 1};
  dev->launch(mod, "bf16_ops", cfg, runtime::args(da, db, df));
  const auto b = dev->download<uint16_t>(db, kThreads);
  const auto f = dev->download<float>(df, kThreads);
  for (unsigned i = 0; i < kThreads; ++i) {
    const double x = from_bf(a[i]);
    const uint16_t y = to_bf(x * x + 1.0);  // x*x+1 is exact in double
    EXPECT_EQ(b[i], from_bf(y) >= x ? y : a[i]) << i;
    EXPECT_EQ(f[i], float(from_bf(y)) * 2.0f) << i;
  }
}

TEST(OpcodeFixture, FloatAndDoubleMathWithinTolerance) {
  auto dev = runtime::make_sim_device();
  const auto mod = dev->load_ptx("math_funcs.ptx", fixture("math_funcs.ptx"));
  std::vector<float> xf(kThreads);
  std::vector<double> xd(kThreads);
  for (unsigned i = 0; i < kThreads; ++i) {
    xf[i] = 0.1f + 0.07f * float(i);
    xd[i] = 0.25 + 0.6 * double(i);
  }
  const auto dxf = dev->upload(xf), dyf = dev->alloc(kThreads * 4);
  const auto dxd = dev->upload(xd), dyd = dev->alloc(kThreads * 8), dz = dev->alloc(kThreads * 8);
  runtime::LaunchConfig cfg;
  cfg.block = {kThreads, 1, 1};
  dev->launch(mod, "float_math", cfg, runtime::args(dxf, dyf));
  dev->launch(mod, "double_math", cfg, runtime::args(dxd, dyd, dz));
  const auto yf = dev->download<float>(dyf, kThreads);
  const auto yd = dev->download<double>(dyd, kThreads);
  const auto z = dev->download<int64_t>(dz, kThreads);
  for (unsigned i = 0; i < kThreads; ++i) {
    const double v = xf[i];
    const double want = std::sin(v) + std::exp(v) + std::sqrt(std::fabs(v)) + std::log(1.0 + std::fabs(v)) +
                        std::pow(v, 1.5) + std::sin(v) * std::exp(v) + 1.0 / std::sqrt(v + 2.0) + std::tanh(v) +
                        v / (v + 3.0);
    EXPECT_NEAR(yf[i], want, std::fabs(want) * 1e-5) << "float_math x=" << v;
    const double w = xd[i];
    const double dwant = std::sqrt(w) + std::exp(w) + w / 3.0 + std::fma(w, w, 1.0) + 0.1;
    EXPECT_NEAR(yd[i], dwant, std::fabs(dwant) * 1e-14) << "double_math x=" << w;
    const int64_t a = int64_t(w) * 0x123456789LL;
    EXPECT_EQ(z[i], (a >> 7) ^ ((a % 1000003) + int64_t(uint64_t(a) / 17))) << "double_math z x=" << w;
  }
}

}  // namespace
}  // namespace gpusim::test
