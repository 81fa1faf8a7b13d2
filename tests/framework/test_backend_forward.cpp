// Forward results of every op on each backend against references computed here independently
// (naive double-precision loops), parametrised over the backends: "cpu", and "sim" (the device
// backend on the functional simulator, with small sizes: it runs ~1M warp-instructions/s), and
// "gpu" (the same kernels on a real GPU; skipped, with the driver's reason, where there is none).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "framework/backends.h"
#include "framework/ops.h"
#include "runtime/cuda_device.h"

namespace fw = gpusim::framework;
using fw::Tensor;

namespace {

std::vector<float> uniform(size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

class BackendForward : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "gpu") {
      const auto cuda = gpusim::runtime::probe_cuda();
      if (!cuda.available) GTEST_SKIP() << "no usable GPU: " << cuda.reason;
    }
    fw::BackendSpec spec;
    spec.name = GetParam();
    backend = fw::make_backend(spec);
  }
  Tensor make(const std::vector<float>& v, const fw::Shape& s) { return Tensor::from_vector(v, s, backend, ctx); }
  // Elementwise |got - want| <= 1e-5 * max(1, |want|): float32 results vs double references,
  // loose enough for CUDA's 2-ulp expf/tanhf, tight enough to catch any wrong formula or index.
  static void expect_close(const std::vector<float>& got, const std::vector<double>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-5 * std::max(1.0, std::fabs(want[i]))) << what << " at " << i;
  }

  std::shared_ptr<fw::Context> ctx = std::make_shared<fw::Context>();
  fw::BackendPtr backend;
};

}  // namespace

TEST_P(BackendForward, UnaryOps) {
  const auto xs = uniform(37, -2.0f, 2.0f, 1);  // 37: not a multiple of the warp size
  const auto pos = uniform(37, 0.25f, 3.0f, 2);
  const Tensor x = make(xs, {37}), p = make(pos, {37});
  auto ref = [&](const std::vector<float>& in, auto f) {
    std::vector<double> out;
    for (float v : in) out.push_back(f(double{v}));
    return out;
  };
  expect_close(fw::neg(x).to_vector(), ref(xs, [](double v) { return -v; }), "neg");
  expect_close(fw::exp(x).to_vector(), ref(xs, [](double v) { return std::exp(v); }), "exp");
  expect_close(fw::log(p).to_vector(), ref(pos, [](double v) { return std::log(v); }), "log");
  expect_close(fw::relu(x).to_vector(), ref(xs, [](double v) { return v > 0 ? v : 0.0; }), "relu");
  expect_close(fw::tanh(x).to_vector(), ref(xs, [](double v) { return std::tanh(v); }), "tanh");
  expect_close(fw::sigmoid(x).to_vector(), ref(xs, [](double v) { return 1 / (1 + std::exp(-v)); }), "sigmoid");
  expect_close(fw::power(p, 0.5f).to_vector(), ref(pos, [](double v) { return std::sqrt(v); }), "sqrt");
  expect_close(fw::power(x, 2.0f).to_vector(), ref(xs, [](double v) { return v * v; }), "square");
  expect_close(fw::power(p, -1.5f).to_vector(), ref(pos, [](double v) { return std::pow(v, -1.5); }), "pow");
  expect_close((x * 3.0f + 1.0f).to_vector(), ref(xs, [](double v) { return 3 * v + 1; }), "scalar");
}

TEST_P(BackendForward, BinaryOpsWithBroadcast) {
  const auto av = uniform(3 * 5, -2.0f, 2.0f, 3), bv = uniform(5, 0.5f, 2.0f, 4);
  const Tensor a = make(av, {3, 5}), b = make(bv, {5});
  std::vector<double> sum, diff, prod, quot;
  for (size_t i = 0; i < 3; ++i)
    for (size_t j = 0; j < 5; ++j) {
      const double x = av[i * 5 + j], y = bv[j];
      sum.push_back(x + y);
      diff.push_back(x - y);
      prod.push_back(x * y);
      quot.push_back(x / y);
    }
  expect_close((a + b).to_vector(), sum, "add");
  expect_close((a - b).to_vector(), diff, "sub");
  expect_close((a * b).to_vector(), prod, "mul");
  expect_close((a / b).to_vector(), quot, "div");
}

TEST_P(BackendForward, MatmulOddSizes) {
  const size_t m = 19, k = 23, n = 17;  // not multiples of the 16x16 tile
  const auto av = uniform(m * k, -1.0f, 1.0f, 5), bv = uniform(k * n, -1.0f, 1.0f, 6);
  std::vector<double> want(m * n, 0.0);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j)
      for (size_t p = 0; p < k; ++p) want[i * n + j] += double{av[i * k + p]} * bv[p * n + j];
  expect_close(fw::matmul(make(av, {m, k}), make(bv, {k, n})).to_vector(), want, "matmul");
}

TEST_P(BackendForward, LayoutOps) {
  const auto v = uniform(2 * 3 * 4, -1.0f, 1.0f, 7);
  const Tensor x = make(v, {2, 3, 4});
  std::vector<double> t02;  // transpose(0, 2): [4, 3, 2]
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 3; ++j)
      for (size_t l = 0; l < 2; ++l) t02.push_back(v[l * 12 + j * 4 + i]);
  expect_close(fw::transpose(x, 0, 2).to_vector(), t02, "transpose");
  std::vector<double> bc;  // [3, 1] -> [2, 3, 4]
  const auto col = uniform(3, -1.0f, 1.0f, 8);
  for (size_t l = 0; l < 2; ++l)
    for (size_t j = 0; j < 3; ++j)
      for (size_t i = 0; i < 4; ++i) bc.push_back(col[j]);
  expect_close(fw::broadcast_to(make(col, {3, 1}), {2, 3, 4}).to_vector(), bc, "broadcast_to");
  EXPECT_EQ(fw::reshape(x, {6, 4}).to_vector(), v);
}

TEST_P(BackendForward, Reductions) {
  const auto v = uniform(2 * 3 * 4, -1.0f, 1.0f, 9);
  const Tensor x = make(v, {2, 3, 4});
  std::vector<double> s1(2 * 4, 0.0), m2(2 * 3, -1e30), s02(3, 0.0);
  double total = 0.0;
  for (size_t l = 0; l < 2; ++l)
    for (size_t j = 0; j < 3; ++j)
      for (size_t i = 0; i < 4; ++i) {
        const double e = v[l * 12 + j * 4 + i];
        s1[l * 4 + i] += e;
        m2[l * 3 + j] = std::max(m2[l * 3 + j], e);
        s02[j] += e;
        total += e;
      }
  expect_close(fw::sum(x, {1}).to_vector(), s1, "sum axis 1");
  expect_close(fw::max(x, -1).to_vector(), m2, "max axis -1");
  expect_close(fw::sum(x, {0, 2}).to_vector(), s02, "sum axes 0,2");
  expect_close(fw::mean(x).to_vector(), {total / 24}, "mean");
}

TEST_P(BackendForward, SoftmaxFamily) {
  const size_t rows = 5, cols = 10;
  auto v = uniform(rows * cols, -3.0f, 3.0f, 10);
  v[7] = 80.0f;  // large logit: needs the max shift to avoid overflow in exp
  const std::vector<int32_t> labels{0, 9, 3, 3, 7};
  std::vector<double> lsm;
  double loss = 0.0;
  for (size_t r = 0; r < rows; ++r) {
    double mx = -1e30, s = 0.0;
    for (size_t c = 0; c < cols; ++c) mx = std::max(mx, double{v[r * cols + c]});
    for (size_t c = 0; c < cols; ++c) s += std::exp(v[r * cols + c] - mx);
    for (size_t c = 0; c < cols; ++c) lsm.push_back(v[r * cols + c] - mx - std::log(s));
    loss -= lsm[r * cols + static_cast<size_t>(labels[r])] / rows;
  }
  const Tensor x = make(v, {rows, cols});
  expect_close(fw::log_softmax(x).to_vector(), lsm, "log_softmax");
  expect_close(fw::cross_entropy(x, labels).to_vector(), {loss}, "cross_entropy");
  std::vector<double> oh(rows * cols, 0.0);
  for (size_t r = 0; r < rows; ++r) oh[r * cols + static_cast<size_t>(labels[r])] = 1.0;
  expect_close(fw::one_hot(labels, cols, x).to_vector(), oh, "one_hot");
}

TEST_P(BackendForward, BackwardMatchesCpuGradients) {
  // The same small graph differentiated on this backend and on the CPU reference.
  fw::BackendPtr cpu = fw::make_backend({});
  auto grads_on = [&](const fw::BackendPtr& b) {
    auto c = std::make_shared<fw::Context>();
    Tensor x = Tensor::from_vector(uniform(6 * 8, -1, 1, 11), {6, 8}, b, c, true);
    Tensor w = Tensor::from_vector(uniform(8 * 4, -1, 1, 12), {8, 4}, b, c, true);
    Tensor bias = Tensor::from_vector(uniform(4, -1, 1, 13), {4}, b, c, true);
    fw::cross_entropy(fw::tanh(fw::matmul(x, w) + bias), {0, 1, 2, 3, 0, 1}).backward();
    return std::vector<std::vector<float>>{x.grad().to_vector(), w.grad().to_vector(), bias.grad().to_vector()};
  };
  const auto here = grads_on(backend), ref = grads_on(cpu);
  for (size_t t = 0; t < 3; ++t)
    for (size_t i = 0; i < ref[t].size(); ++i) EXPECT_NEAR(here[t][i], ref[t][i], 1e-5f) << "tensor " << t << " at " << i;
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendForward, ::testing::Values("cpu", "sim", "gpu"),
                         [](const auto& info) { return info.param; });
