// Numerical gradient checks for every op on the CPU backend.
//
// Design: the objective is L = sum_k w_k * f(x)_k with fixed random weights w, so one backward
// pass (seeded with w) checks the full vector-Jacobian product. L is accumulated in double on
// the host from f's float32 outputs, and dL/dx_j is estimated by central differences with
// h = 1e-2. Error budget: float32 rounding of f (relative 6e-8 per output, at most ~30 outputs
// of size O(1)) perturbs L by ~2e-6, i.e. ~1e-4 in the quotient; the O(h^2 f'''/6) truncation
// term is below ~3e-4 for the chosen inputs (x >= 0.5 for log/pow, inputs at least 0.1 away from
// relu/max kinks so x +- h never crosses one). We therefore accept |analytic - numeric| <=
// 2e-3 + 1e-2 * |numeric|: a wrong gradient formula (missing factor, wrong transpose, lost
// broadcast sum) misses by O(0.1..1) and still fails.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "framework/cpu_backend.h"
#include "framework/ops.h"

namespace fw = gpusim::framework;
using fw::Shape;
using fw::Tensor;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

struct Input {
  Shape shape;
  std::vector<float> values;
};

std::vector<float> uniform(size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

Input random_input(Shape shape, float lo, float hi, unsigned seed) {
  return {shape, uniform(fw::numel(shape), lo, hi, seed)};
}

class GradientCheck : public ::testing::Test {
 protected:
  std::shared_ptr<fw::Context> ctx = std::make_shared<fw::Context>();
  fw::BackendPtr cpu = fw::make_cpu_backend();

  double objective(const Fn& f, const std::vector<Input>& inputs, const std::vector<float>& w) {
    fw::NoGradGuard no_grad(*ctx);
    std::vector<Tensor> ts;
    for (const Input& in : inputs) ts.push_back(Tensor::from_vector(in.values, in.shape, cpu, ctx));
    const std::vector<float> out = f(ts).to_vector();
    double total = 0.0;
    for (size_t k = 0; k < out.size(); ++k) total += double{w[k]} * double{out[k]};
    return total;
  }

  void check(const Fn& f, std::vector<Input> inputs, double h = 1e-2) {
    std::vector<Tensor> ts;
    for (const Input& in : inputs) ts.push_back(Tensor::from_vector(in.values, in.shape, cpu, ctx, true));
    const Tensor out = f(ts);
    const std::vector<float> w = uniform(out.numel(), -1.0f, 1.0f, 99);
    out.backward(Tensor::from_vector(w, out.shape(), cpu, ctx));
    for (size_t i = 0; i < inputs.size(); ++i) {
      ASSERT_TRUE(ts[i].grad().defined()) << "input " << i << " got no gradient";
      ASSERT_EQ(ts[i].grad().shape(), inputs[i].shape);
      const std::vector<float> analytic = ts[i].grad().to_vector();
      for (size_t j = 0; j < inputs[i].values.size(); ++j) {
        const float saved = inputs[i].values[j];
        inputs[i].values[j] = static_cast<float>(saved + h);
        const double plus = objective(f, inputs, w);
        inputs[i].values[j] = static_cast<float>(saved - h);
        const double minus = objective(f, inputs, w);
        inputs[i].values[j] = saved;
        const double numeric = (plus - minus) / (2.0 * h);
        EXPECT_NEAR(analytic[j], numeric, 2e-3 + 1e-2 * std::abs(numeric))
            << "input " << i << " element " << j;
      }
    }
  }
};

// Values spaced >= 0.2 apart and >= 0.1 away from zero, shuffled: no kink within h of any input.
Input spaced_input(Shape shape, unsigned seed) {
  std::vector<float> v(fw::numel(shape));
  for (size_t i = 0; i < v.size(); ++i) v[i] = -1.45f + 0.2f * static_cast<float>(i % 15) + 0.013f * (i / 15);
  std::shuffle(v.begin(), v.end(), std::mt19937(seed));
  return {shape, v};
}

}  // namespace

TEST_F(GradientCheck, AddWithBroadcast) {
  check([](auto& x) { return x[0] + x[1]; }, {random_input({2, 3}, -1, 1, 1), random_input({3}, -1, 1, 2)});
}
TEST_F(GradientCheck, SubWithBroadcast) {
  check([](auto& x) { return x[0] - x[1]; }, {random_input({2, 1}, -1, 1, 3), random_input({2, 4}, -1, 1, 4)});
}
TEST_F(GradientCheck, MulWithBroadcast) {
  check([](auto& x) { return x[0] * x[1]; }, {random_input({3, 1, 2}, -1, 1, 5), random_input({4, 1}, -1, 1, 6)});
}
TEST_F(GradientCheck, Div) {
  check([](auto& x) { return x[0] / x[1]; }, {random_input({2, 3}, -1, 1, 7), random_input({2, 3}, 0.5, 2, 8)});
}
TEST_F(GradientCheck, Neg) { check([](auto& x) { return -x[0]; }, {random_input({5}, -1, 1, 9)}); }
TEST_F(GradientCheck, ScalarArithmetic) {
  check([](auto& x) { return (2.0f - x[0]) * 3.0f + 1.5f; }, {random_input({4}, -1, 1, 10)});
}
TEST_F(GradientCheck, PowerSquareSqrtAndGeneral) {
  for (float p : {2.0f, 0.5f, 3.0f, -0.5f, 1.7f})
    check([p](auto& x) { return fw::power(x[0], p); }, {random_input({2, 3}, 0.5, 2, 11)});
}
TEST_F(GradientCheck, Exp) { check([](auto& x) { return fw::exp(x[0]); }, {random_input({2, 3}, -1, 1, 12)}); }
TEST_F(GradientCheck, Log) { check([](auto& x) { return fw::log(x[0]); }, {random_input({2, 3}, 0.5, 2, 13)}); }
TEST_F(GradientCheck, Relu) { check([](auto& x) { return fw::relu(x[0]); }, {spaced_input({3, 4}, 14)}); }
TEST_F(GradientCheck, Tanh) { check([](auto& x) { return fw::tanh(x[0]); }, {random_input({2, 3}, -2, 2, 15)}); }
TEST_F(GradientCheck, Sigmoid) {
  check([](auto& x) { return fw::sigmoid(x[0]); }, {random_input({2, 3}, -3, 3, 16)});
}
TEST_F(GradientCheck, Matmul) {
  check([](auto& x) { return fw::matmul(x[0], x[1]); }, {random_input({3, 4}, -1, 1, 17), random_input({4, 2}, -1, 1, 18)});
}
TEST_F(GradientCheck, TransposeOfThreeDims) {
  check([](auto& x) { return fw::transpose(x[0], 0, 2); }, {random_input({2, 3, 4}, -1, 1, 19)});
}
TEST_F(GradientCheck, Reshape) {
  check([](auto& x) { return fw::reshape(x[0], {3, 2}) * x[1]; }, {random_input({2, 3}, -1, 1, 20), random_input({3, 2}, -1, 1, 21)});
}
TEST_F(GradientCheck, BroadcastTo) {
  check([](auto& x) { return fw::broadcast_to(x[0], {2, 3, 4}); }, {random_input({3, 1}, -1, 1, 22)});
}
TEST_F(GradientCheck, SumOverAxesWithAndWithoutKeepdims) {
  check([](auto& x) { return fw::sum(x[0], {0, 2}, false); }, {random_input({2, 3, 4}, -1, 1, 23)});
  check([](auto& x) { return fw::sum(x[0], {-1}, true); }, {random_input({2, 3, 4}, -1, 1, 24)});
  check([](auto& x) { return fw::sum(x[0]); }, {random_input({2, 3}, -1, 1, 25)});
}
TEST_F(GradientCheck, Mean) {
  check([](auto& x) { return fw::mean(x[0], {1}, false); }, {random_input({2, 5}, -1, 1, 26)});
}
TEST_F(GradientCheck, MaxOverAxis) {
  check([](auto& x) { return fw::max(x[0], 1, false); }, {spaced_input({3, 5}, 27)});
  check([](auto& x) { return fw::max(x[0], 0, true); }, {spaced_input({4, 3}, 28)});
}
TEST_F(GradientCheck, LogSoftmax) {
  check([](auto& x) { return fw::log_softmax(x[0]); }, {random_input({3, 5}, -2, 2, 29)});
}
TEST_F(GradientCheck, CrossEntropy) {
  check([](auto& x) { return fw::cross_entropy(x[0], {2, 0, 4}); }, {random_input({3, 5}, -2, 2, 30)});
}
TEST_F(GradientCheck, RmsNorm) {
  check([](auto& x) { return fw::rms_norm(x[0], x[1]); }, {random_input({3, 4}, -1, 1, 31), random_input({4}, 0.5, 1.5, 32)});
}
TEST_F(GradientCheck, CompositeMlpLayer) {
  // relu(x W + b) then cross-entropy: the chain used in training, with the bias broadcast.
  check([](auto& x) { return fw::cross_entropy(fw::relu(fw::matmul(x[0], x[1]) + x[2]), {1, 0}); },
        {random_input({2, 3}, -1, 1, 33), random_input({3, 4}, -1, 1, 34), random_input({4}, 0.2, 0.6, 35)});
}
