// The autograd engine itself: accumulation over reused tensors and repeated backward calls,
// no_grad scopes, detach, and that gradients are not recorded as graph.
#include <gtest/gtest.h>

#include <cmath>

#include "framework/cpu_backend.h"
#include "framework/ops.h"

namespace fw = gpusim::framework;
using fw::Tensor;

class AutogradTest : public ::testing::Test {
 protected:
  std::shared_ptr<fw::Context> ctx = std::make_shared<fw::Context>();
  fw::BackendPtr cpu = fw::make_cpu_backend();
};

TEST_F(AutogradTest, ReusedTensorAccumulatesAllPaths) {
  // f = x*x + x*3 + exp(x): df/dx = 2x + 3 + exp(x).
  Tensor x = Tensor::from_vector({0.5f, -1.0f}, {2}, cpu, ctx, true);
  fw::sum(x * x + x * 3.0f + fw::exp(x)).backward();
  const auto g = x.grad().to_vector();
  EXPECT_NEAR(g[0], 1.0f + 3.0f + std::exp(0.5f), 1e-5f);
  EXPECT_NEAR(g[1], -2.0f + 3.0f + std::exp(-1.0f), 1e-5f);
}

TEST_F(AutogradTest, RepeatedBackwardAccumulatesUntilZeroGrad) {
  Tensor x = Tensor::from_vector({2.0f}, {1}, cpu, ctx, true);
  (x * 5.0f).backward();
  (x * 5.0f).backward();
  EXPECT_FLOAT_EQ(x.grad().item(), 10.0f);
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST_F(AutogradTest, NoGradScopeRecordsNothingAndNests) {
  Tensor x = Tensor::from_vector({1.0f}, {1}, cpu, ctx, true);
  {
    fw::NoGradGuard outer(*ctx);
    {
      fw::NoGradGuard inner(*ctx);
      EXPECT_FALSE(ctx->grad_enabled());
    }
    EXPECT_FALSE(ctx->grad_enabled());
    Tensor y = x * 2.0f;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_leaf());
  }
  EXPECT_TRUE(ctx->grad_enabled());
  EXPECT_TRUE((x * 2.0f).requires_grad());
}

TEST_F(AutogradTest, ContextsAreIndependent) {
  auto other = std::make_shared<fw::Context>();
  Tensor a = Tensor::from_vector({1.0f}, {1}, cpu, ctx, true);
  Tensor b = Tensor::from_vector({1.0f}, {1}, cpu, other, true);
  fw::NoGradGuard no_grad(*ctx);
  EXPECT_FALSE((a * 2.0f).requires_grad());
  EXPECT_TRUE((b * 2.0f).requires_grad());
}

TEST_F(AutogradTest, DetachStopsGradient) {
  Tensor x = Tensor::from_vector({3.0f}, {1}, cpu, ctx, true);
  Tensor y = x * x.detach();  // d/dx treats the detached factor as a constant: 3, not 6
  y.backward();
  EXPECT_FLOAT_EQ(x.grad().item(), 3.0f);
}

TEST_F(AutogradTest, GradientsAreNotPartOfTheGraph) {
  Tensor x = Tensor::from_vector({1.0f, 2.0f}, {2}, cpu, ctx, true);
  fw::sum(fw::tanh(x)).backward();
  EXPECT_TRUE(x.grad().is_leaf());
  EXPECT_FALSE(x.grad().requires_grad());
}

TEST_F(AutogradTest, ToCopiesValuesAndKeepsLeafStatus) {
  auto other = fw::make_cpu_backend();
  Tensor x = Tensor::from_vector({1.0f, 2.0f}, {2}, cpu, ctx, true);
  Tensor y = x.to(other);
  EXPECT_EQ(y.backend(), other);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_EQ(y.to_vector(), x.to_vector());
  EXPECT_EQ(x.to(cpu).impl_ptr(), x.impl_ptr());
}
