// Modules (Linear init, Sequential, Flatten, RMSNorm) and optimizers against update rules
// re-implemented here in double precision.
#include <gtest/gtest.h>

#include <cmath>

#include "framework/cpu_backend.h"
#include "framework/nn.h"
#include "framework/ops.h"
#include "framework/optim.h"

namespace fw = gpusim::framework;
using fw::Tensor;

class NnTest : public ::testing::Test {
 protected:
  std::shared_ptr<fw::Context> ctx = std::make_shared<fw::Context>();
  fw::BackendPtr cpu = fw::make_cpu_backend();
};

TEST_F(NnTest, LinearKaimingUniformInitIsSeededAndBounded) {
  std::mt19937 rng_a(7), rng_b(7), rng_c(8);
  fw::nn::Linear a(200, 50, rng_a, cpu, ctx), b(200, 50, rng_b, cpu, ctx), c(200, 50, rng_c, cpu, ctx);
  const auto wa = a.weight().to_vector();
  EXPECT_EQ(wa, b.weight().to_vector());
  EXPECT_NE(wa, c.weight().to_vector());
  const double bound = std::sqrt(6.0 / 200.0);
  double sum_sq = 0.0;
  for (float w : wa) {
    EXPECT_LE(std::fabs(w), bound);
    sum_sq += double{w} * w;
  }
  // Uniform(-b, b) has variance b^2 / 3 = 2 / fan_in (He); 10000 samples pin it within ~3%.
  EXPECT_NEAR(sum_sq / wa.size(), 2.0 / 200.0, 0.1 * 2.0 / 200.0);
  for (float v : a.bias().to_vector()) EXPECT_EQ(v, 0.0f);
}

TEST_F(NnTest, LinearComputesXWPlusB) {
  std::mt19937 rng(1);
  fw::nn::Linear layer(3, 2, rng, cpu, ctx);
  const auto w = layer.weight().to_vector();
  const Tensor x = Tensor::from_vector({1, 2, 3}, {1, 3}, cpu, ctx);
  const auto y = layer(x).to_vector();
  for (size_t j = 0; j < 2; ++j) EXPECT_NEAR(y[j], 1 * w[0 * 2 + j] + 2 * w[1 * 2 + j] + 3 * w[2 * 2 + j], 1e-6);
  EXPECT_THROW(layer(Tensor::full({1, 4}, 1.0f, cpu, ctx)), fw::FrameworkError);
}

TEST_F(NnTest, SequentialMlpHasAllParametersAndShapes) {
  std::mt19937 rng(1);
  auto mlp = fw::nn::make_mlp({784, 512, 512, 10}, rng, cpu, ctx);
  const auto params = mlp->parameters();
  ASSERT_EQ(params.size(), 6u);
  size_t count = 0;
  for (const Tensor& p : params) count += p.numel();
  EXPECT_EQ(count, 784u * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10);
  EXPECT_EQ((*mlp)(Tensor::full({3, 784}, 0.5f, cpu, ctx)).shape(), (fw::Shape{3, 10}));
  EXPECT_EQ(mlp->name(), "Sequential(Linear(784, 512), ReLU, Linear(512, 512), ReLU, Linear(512, 10))");
}

TEST_F(NnTest, FlattenAndRmsNorm) {
  fw::nn::Flatten flatten;
  EXPECT_EQ(flatten(Tensor::full({2, 3, 4}, 1.0f, cpu, ctx)).shape(), (fw::Shape{2, 12}));
  fw::nn::RMSNorm norm(2, cpu, ctx, 0.0f);
  // Row [3, 4]: rms = sqrt((9 + 16) / 2) = 3.5355; outputs 3/rms, 4/rms.
  const auto y = norm(Tensor::from_vector({3, 4}, {1, 2}, cpu, ctx)).to_vector();
  EXPECT_NEAR(y[0], 3.0 / std::sqrt(12.5), 1e-6);
  EXPECT_NEAR(y[1], 4.0 / std::sqrt(12.5), 1e-6);
}

// Minimises f(p) = sum(c * p^2) (gradient 2 c p) and compares each step with a double-precision
// re-implementation of the textbook update rule.
class OptimTest : public NnTest {
 protected:
  const std::vector<double> c{0.5, 2.0, -1.0};
  std::vector<double> grad_of(const std::vector<double>& p) const {
    std::vector<double> g(p.size());
    for (size_t i = 0; i < p.size(); ++i) g[i] = 2.0 * c[i] * p[i];
    return g;
  }
  void backward_step(Tensor& p) {
    const Tensor coeff = Tensor::from_vector({0.5f, 2.0f, -1.0f}, {3}, cpu, ctx);
    fw::sum(coeff * p * p).backward();
  }
};

TEST_F(OptimTest, SgdWithMomentumMatchesTheUpdateRule) {
  Tensor p = Tensor::from_vector({1.0f, -0.5f, 0.25f}, {3}, cpu, ctx, true);
  fw::optim::SGD sgd({p}, 0.1f, 0.9f);
  std::vector<double> ref{1.0, -0.5, 0.25}, v(3, 0.0);
  for (int step = 0; step < 5; ++step) {
    sgd.zero_grad();
    backward_step(p);
    sgd.step();
    const auto g = grad_of(ref);
    for (size_t i = 0; i < 3; ++i) {
      v[i] = 0.9 * v[i] + g[i];
      ref[i] -= 0.1 * v[i];
    }
    const auto got = p.to_vector();
    for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(got[i], ref[i], 1e-5) << "step " << step << " element " << i;
  }
}

TEST_F(OptimTest, AdamMatchesTheUpdateRule) {
  Tensor p = Tensor::from_vector({1.0f, -0.5f, 0.25f}, {3}, cpu, ctx, true);
  fw::optim::Adam adam({p}, 0.05f, 0.9, 0.999, 1e-8f);
  std::vector<double> ref{1.0, -0.5, 0.25}, m(3, 0.0), v(3, 0.0);
  for (int t = 1; t <= 5; ++t) {
    adam.zero_grad();
    backward_step(p);
    adam.step();
    const auto g = grad_of(ref);
    for (size_t i = 0; i < 3; ++i) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      const double m_hat = m[i] / (1 - std::pow(0.9, t)), v_hat = v[i] / (1 - std::pow(0.999, t));
      ref[i] -= 0.05 * m_hat / (std::sqrt(v_hat) + 1e-8);
    }
    const auto got = p.to_vector();
    for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(got[i], ref[i], 1e-5) << "step " << t << " element " << i;
  }
}

TEST_F(OptimTest, StepSkipsParametersWithoutGradientAndRejectsBadSettings) {
  Tensor used = Tensor::from_vector({1.0f}, {1}, cpu, ctx, true);
  Tensor unused = Tensor::from_vector({1.0f}, {1}, cpu, ctx, true);
  fw::optim::SGD sgd({used, unused}, 0.5f);
  (used * 2.0f).backward();
  sgd.step();
  EXPECT_FLOAT_EQ(used.item(), 0.0f);
  EXPECT_FLOAT_EQ(unused.item(), 1.0f);
  EXPECT_THROW(fw::optim::SGD({used}, -1.0f), fw::FrameworkError);
  EXPECT_THROW(fw::optim::Adam({Tensor::full({1}, 1.0f, cpu, ctx)}), fw::FrameworkError);  // no requires_grad
}
