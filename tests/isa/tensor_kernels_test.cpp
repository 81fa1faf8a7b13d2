// TensorCore instructions end to end: nvcc-compiled kernels (tests/fixtures/tensor_wmma.cu) run
// on the simulated device and compared with a CPU matrix product written here. Integer-valued
// inputs make every product and partial sum exact, so those results must match bit for bit;
// random reals are compared within a tolerance.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/sim_device.h"

namespace gpusim {
namespace {

using runtime::DevPtr;
using runtime::Device;
using runtime::LaunchConfig;

std::string read_fixture(const std::string& name) {
  std::ifstream f(std::string(GPUSIM_FIXTURES) + "/" + name);
  if (!f) throw std::runtime_error("cannot open fixture " + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Host-side encodings, independent of the simulator's numerics: the compiler's _Float16 and
// bf16 as the top half of an f32 (only used on values bf16 represents exactly).
uint16_t f16_bits(float v) {
  _Float16 h = static_cast<_Float16>(v);
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}
float f16_value(uint16_t b) {
  _Float16 h;
  std::memcpy(&h, &b, 2);
  return static_cast<float>(h);
}
uint32_t f32_bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return b;
}
uint16_t bf16_bits(float v) { return uint16_t(f32_bits(v) >> 16); }

// A matrix of real values plus the way it is stored for the kernel.
struct Mat {
  unsigned rows, cols;
  std::vector<double> v;  // row-major
  double& at(unsigned r, unsigned c) { return v[r * cols + c]; }
  double at(unsigned r, unsigned c) const { return v[r * cols + c]; }
};

// Integer values in [-4, 4] (exact in every format), or reals that the 16-bit format rounds.
Mat random_matrix(unsigned rows, unsigned cols, std::mt19937& rng, bool integers, bool bf16) {
  Mat m{rows, cols, std::vector<double>(rows * cols)};
  std::uniform_int_distribution<int> ints(-4, 4);
  std::uniform_real_distribution<float> reals(-2.0f, 2.0f);
  for (double& x : m.v) {
    if (integers) x = ints(rng);
    else x = bf16 ? double(std::bit_cast<float>(f32_bits(reals(rng)) & 0xffff0000u)) : f16_value(f16_bits(reals(rng)));
  }
  return m;
}

// Stores `m` as 16-bit elements, row- or column-major, with leading dimension `ld`.
std::vector<uint16_t> store16(const Mat& m, bool row_major, unsigned ld, bool bf16) {
  std::vector<uint16_t> out(size_t(ld) * (row_major ? m.rows : m.cols), 0);
  for (unsigned r = 0; r < m.rows; ++r)
    for (unsigned c = 0; c < m.cols; ++c) {
      const float x = float(m.at(r, c));
      out[row_major ? r * ld + c : c * ld + r] = bf16 ? bf16_bits(x) : f16_bits(x);
    }
  return out;
}
std::vector<float> store32(const Mat& m, bool row_major, unsigned ld) {
  std::vector<float> out(size_t(ld) * (row_major ? m.rows : m.cols), 0);
  for (unsigned r = 0; r < m.rows; ++r)
    for (unsigned c = 0; c < m.cols; ++c) out[row_major ? r * ld + c : c * ld + r] = float(m.at(r, c));
  return out;
}

// The CPU reference: A*B + C summed in double.
Mat reference(const Mat& a, const Mat& b, const Mat& c) {
  Mat d = c;
  for (unsigned r = 0; r < a.rows; ++r)
    for (unsigned col = 0; col < b.cols; ++col)
      for (unsigned k = 0; k < a.cols; ++k) d.at(r, col) += a.at(r, k) * b.at(k, col);
  return d;
}

class TensorKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    dev_ = runtime::make_sim_device();
    module_ = dev_->load_ptx("tensor_wmma.ptx", read_fixture("tensor_wmma.ptx"));
  }
  template <typename... Ts>
  void launch(const std::string& kernel, unsigned threads, const Ts&... args) {
    dev_->launch(module_, kernel, LaunchConfig{{1, 1, 1}, {threads, 1, 1}}, runtime::args(args...));
  }
  template <typename T>
  DevPtr up(const std::vector<T>& v) { return dev_->upload(v); }

  std::unique_ptr<Device> dev_;
  runtime::ModuleHandle module_ = 0;
};

// ---- wmma m16n16k16 ----
struct WmmaCase {
  const char* kernel;
  bool a_row, b_row, bf16_in, f16_acc;
};

// Runs one wmma kernel on 16x16 tiles stored with padded strides; returns D.
class WmmaKernels : public TensorKernels, public ::testing::WithParamInterface<WmmaCase> {
 public:
  Mat run(const Mat& a, const Mat& b, const Mat& c, bool c_col_major) {
    const WmmaCase& wc = GetParam();
    const int lda = 24, ldb = 40, ldc = 20;  // padded: rows start 48/80/80 (or 40 for f16 C) bytes apart
    const DevPtr pa = up(store16(a, wc.a_row, lda, wc.bf16_in)), pb = up(store16(b, wc.b_row, ldb, wc.bf16_in));
    DevPtr pc, pd;
    if (wc.f16_acc) {
      const int ldc16 = 24;  // 48 bytes: a multiple of 16
      pc = up(store16(c, !c_col_major, ldc16, false));
      pd = dev_->alloc(16 * ldc16 * 2);
      launch(wc.kernel, 32, pa, lda, pb, ldb, pc, pd, ldc16, int(c_col_major));
      auto raw = dev_->download<uint16_t>(pd, 16 * ldc16);
      Mat d{16, 16, std::vector<double>(256)};
      for (unsigned r = 0; r < 16; ++r)
        for (unsigned col = 0; col < 16; ++col)
          d.at(r, col) = f16_value(raw[c_col_major ? col * ldc16 + r : r * ldc16 + col]);
      return d;
    }
    pc = up(store32(c, !c_col_major, ldc));
    pd = dev_->alloc(16 * ldc * 4);
    launch(wc.kernel, 32, pa, lda, pb, ldb, pc, pd, ldc, int(c_col_major));
    auto raw = dev_->download<float>(pd, 16 * ldc);
    Mat d{16, 16, std::vector<double>(256)};
    for (unsigned r = 0; r < 16; ++r)
      for (unsigned col = 0; col < 16; ++col) d.at(r, col) = raw[c_col_major ? col * ldc + r : r * ldc + col];
    return d;
  }
};

TEST_P(WmmaKernels, IntegerTilesAreExact) {
  std::mt19937 rng(11);
  for (bool c_col_major : {false, true}) {
    const Mat a = random_matrix(16, 16, rng, true, GetParam().bf16_in);
    const Mat b = random_matrix(16, 16, rng, true, GetParam().bf16_in);
    const Mat c = random_matrix(16, 16, rng, true, false);
    const Mat want = reference(a, b, c), got = run(a, b, c, c_col_major);
    for (unsigned i = 0; i < 256; ++i)
      ASSERT_EQ(got.v[i], want.v[i]) << GetParam().kernel << " element (" << i / 16 << "," << i % 16 << ")"
                                     << (c_col_major ? " C/D column-major" : " C/D row-major");
  }
}

TEST_P(WmmaKernels, RandomRealTilesWithinRounding) {
  std::mt19937 rng(12);
  const bool bf16 = GetParam().bf16_in;
  const Mat a = random_matrix(16, 16, rng, false, bf16), b = random_matrix(16, 16, rng, false, bf16);
  Mat c = random_matrix(16, 16, rng, false, false);
  const Mat want = reference(a, b, c), got = run(a, b, c, false);
  // One rounding of the exact sum: 2^-11 relative for f16 results, 2^-24 for f32 (plus a tiny
  // absolute slack for results near zero).
  const double rel = GetParam().f16_acc ? 0x1p-11 : 0x1p-24;
  for (unsigned i = 0; i < 256; ++i)
    EXPECT_NEAR(got.v[i], want.v[i], std::abs(want.v[i]) * rel + 1e-6) << GetParam().kernel << " element " << i;
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, WmmaKernels,
    ::testing::Values(WmmaCase{"wmma_f16_f32_row_col", true, false, false, false},
                      WmmaCase{"wmma_f16_f32_row_row", true, true, false, false},
                      WmmaCase{"wmma_f16_f32_col_col", false, false, false, false},
                      WmmaCase{"wmma_f16_f32_col_row", false, true, false, false},
                      WmmaCase{"wmma_f16_f16_row_col", true, false, false, true},
                      WmmaCase{"wmma_f16_f16_col_row", false, true, false, true},
                      WmmaCase{"wmma_bf16_f32_row_col", true, false, true, false},
                      WmmaCase{"wmma_bf16_f32_col_row", false, true, true, false}),
    [](const auto& info) { return std::string(info.param.kernel); });

TEST_F(TensorKernels, WmmaDefaultStrideIsTheLeadingDimension) {
  std::vector<float> src(256);
  for (unsigned i = 0; i < 256; ++i) src[i] = float(i) + 0.5f;
  const DevPtr ps = up(src), pd = dev_->alloc(256 * 4);
  launch("wmma_default_stride_transpose", 32, ps, pd);
  const auto got = dev_->download<float>(pd, 256);
  // Loaded row-major, stored column-major, both with stride 16: the result is the transpose.
  for (unsigned r = 0; r < 16; ++r)
    for (unsigned c = 0; c < 16; ++c) ASSERT_EQ(got[c * 16 + r], src[r * 16 + c]) << r << "," << c;
}

TEST_F(TensorKernels, WmmaMisalignedStrideFaults) {
  std::vector<uint16_t> a(16 * 20), b(16 * 16);
  std::vector<float> c(256);
  const DevPtr pa = up(a), pb = up(b), pc = up(c), pd = dev_->alloc(256 * 4);
  try {
    launch("wmma_f16_f32_row_col", 32, pa, 20, pb, 16, pc, pd, 16, 0);  // 40-byte rows
    FAIL() << "expected a fault";
  } catch (const runtime::KernelFault& e) {
    EXPECT_NE(std::string(e.what()).find("16-byte aligned"), std::string::npos) << e.what();
  }
}

TEST_F(TensorKernels, WmmaNeedsTheWholeWarp) {
  std::vector<uint16_t> a(256);
  std::vector<float> c(256);
  const DevPtr pa = up(a), pc = up(c), pd = dev_->alloc(256 * 4);
  EXPECT_THROW(launch("wmma_f16_f32_row_col", 16, pa, 16, pa, 16, pc, pd, 16, 0), runtime::KernelFault);
}

// ---- ldmatrix ----
TEST_F(TensorKernels, LdmatrixMatchesTheIsaFragmentTable) {
  std::vector<uint16_t> src(32 * 8);
  for (unsigned i = 0; i < src.size(); ++i) src[i] = uint16_t(0x1000 + i);
  const DevPtr ps = up(src), po = dev_->alloc(32 * 14 * 4);
  launch("ldmatrix_dump", 32, ps, po);
  const auto out = dev_->download<uint32_t>(po, 32 * 14);
  // Lane l pointed at stored row (5l+3)%32; matrix j's row r comes from lane 8j+r.
  auto element = [&](unsigned j, unsigned r, unsigned c) -> uint32_t { return src[((5 * (8 * j + r) + 3) % 32) * 8 + c]; };
  struct Variant { unsigned first, count; bool trans; };
  const Variant variants[] = {{0, 1, false}, {1, 1, true}, {2, 2, false}, {4, 2, true}, {6, 4, false}, {10, 4, true}};
  for (const Variant& v : variants)
    for (unsigned lane = 0; lane < 32; ++lane)
      for (unsigned j = 0; j < v.count; ++j) {
        // Without .trans: row lane/4, columns 2*(lane%4) and +1. With .trans: the same positions
        // of the transposed matrix.
        const unsigned r = lane / 4, c = 2 * (lane % 4);
        const uint32_t lo = v.trans ? element(j, c, r) : element(j, r, c);
        const uint32_t hi = v.trans ? element(j, c + 1, r) : element(j, r, c + 1);
        ASSERT_EQ(out[lane * 14 + v.first + j], lo | hi << 16)
            << "x" << v.count << (v.trans ? ".trans" : "") << " lane " << lane << " matrix " << j;
      }
}

TEST_F(TensorKernels, LdmatrixInADivergentBranchFaults) {
  std::vector<uint16_t> src(64);
  const DevPtr ps = up(src), po = dev_->alloc(32 * 4);
  try {
    launch("ldmatrix_divergent", 32, ps, po);
    FAIL() << "expected a fault";
  } catch (const runtime::KernelFault& e) {
    EXPECT_NE(std::string(e.what()).find("warp-collective"), std::string::npos) << e.what();
  }
}

// ---- mma.sync ----
// Runs an mma kernel whose A (16xK), B (Kx8) are row-major 16-bit (or tf32 words) and C/D 16x8
// row-major f32 (or f16 when f16_acc).
class MmaKernels : public TensorKernels {
 protected:
  Mat run(const std::string& kernel, const Mat& a, const Mat& b, const Mat& c, bool bf16, bool tf32, bool f16_acc) {
    DevPtr pa, pb;
    if (tf32) {
      std::vector<float> fa = store32(a, true, a.cols), fb = store32(b, true, b.cols);
      pa = up(fa), pb = up(fb);
    } else {
      pa = up(store16(a, true, a.cols, bf16)), pb = up(store16(b, true, b.cols, bf16));
    }
    Mat d{16, 8, std::vector<double>(128)};
    if (f16_acc) {
      const DevPtr pc = up(store16(c, true, 8, false)), pd = dev_->alloc(128 * 2);
      launch(kernel, 32, pa, pb, pc, pd);
      const auto raw = dev_->download<uint16_t>(pd, 128);
      for (unsigned i = 0; i < 128; ++i) d.v[i] = f16_value(raw[i]);
    } else {
      const DevPtr pc = up(store32(c, true, 8)), pd = dev_->alloc(128 * 4);
      launch(kernel, 32, pa, pb, pc, pd);
      const auto raw = dev_->download<float>(pd, 128);
      for (unsigned i = 0; i < 128; ++i) d.v[i] = raw[i];
    }
    return d;
  }
  void check(const std::string& kernel, unsigned k, bool bf16, bool tf32, bool f16_acc) {
    std::mt19937 rng(21);
    for (bool integers : {true, false}) {
      Mat a = random_matrix(16, k, rng, integers, bf16 || tf32), b = random_matrix(k, 8, rng, integers, bf16 || tf32);
      if (tf32 && !integers)  // tf32 keeps 10 fraction bits: make the inputs exact tf32 values
        for (Mat* m : {&a, &b})
          for (double& x : m->v) x = std::bit_cast<float>(f32_bits(float(x)) & 0xffffe000u);
      const Mat c = random_matrix(16, 8, rng, integers, false);
      const Mat want = reference(a, b, c), got = run(kernel, a, b, c, bf16, tf32, f16_acc);
      const double rel = integers ? 0 : f16_acc ? 0x1p-11 : 0x1p-24;
      for (unsigned i = 0; i < 128; ++i)
        ASSERT_NEAR(got.v[i], want.v[i], std::abs(want.v[i]) * rel + (integers ? 0 : 1e-6))
            << kernel << (integers ? " integer" : " real") << " element (" << i / 8 << "," << i % 8 << ")";
    }
  }
};

TEST_F(MmaKernels, M16n8k16F16WithLdmatrixOperands) { check("mma_ldmatrix_f16_f32", 16, false, false, false); }
TEST_F(MmaKernels, M16n8k16Bf16) { check("mma_m16n8k16_bf16_f32", 16, true, false, false); }
TEST_F(MmaKernels, M16n8k16F16Accumulator) { check("mma_m16n8k16_f16_f16", 16, false, false, true); }
TEST_F(MmaKernels, M16n8k8F16) { check("mma_m16n8k8_f16_f32", 8, false, false, false); }
TEST_F(MmaKernels, M16n8k8Tf32) { check("mma_m16n8k8_tf32_f32", 8, false, true, false); }

}  // namespace
}  // namespace gpusim
