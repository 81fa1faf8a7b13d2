// The lecture's computation-graph example: z = log(3x^2 + 5xy) at x = 2, y = 3. Reference values
// are PyTorch's printed output in the lecture notes (z = 3.7377, dz/dx = 0.6429, dz/dy = 0.2381),
// which also follow by hand: e = 12 + 30 = 42, dz/dx = (6x + 5y)/e = 27/42, dz/dy = 5x/e = 10/42.
#include <gtest/gtest.h>

#include <regex>

#include "framework/cpu_backend.h"
#include "framework/graphviz.h"
#include "framework/ops.h"

namespace fw = gpusim::framework;

TEST(LectureExample, ValueAndGradients) {
  auto ctx = std::make_shared<fw::Context>();
  auto cpu = fw::make_cpu_backend();
  fw::Tensor x = fw::Tensor::from_vector({2.0f}, {1}, cpu, ctx, true);
  fw::Tensor y = fw::Tensor::from_vector({3.0f}, {1}, cpu, ctx, true);
  fw::Tensor z = fw::log(3.0f * fw::power(x, 2.0f) + 5.0f * x * y);
  z.backward();
  EXPECT_NEAR(z.item(), 3.7377f, 5e-5f);
  EXPECT_NEAR(x.grad().item(), 0.6429f, 5e-5f);
  EXPECT_NEAR(y.grad().item(), 0.2381f, 5e-5f);
  EXPECT_NEAR(x.grad().item(), 27.0f / 42.0f, 1e-6f);
  EXPECT_NEAR(y.grad().item(), 10.0f / 42.0f, 1e-6f);
}

TEST(LectureExample, DotExportShowsTheGraph) {
  auto ctx = std::make_shared<fw::Context>();
  auto cpu = fw::make_cpu_backend();
  fw::Tensor x = fw::Tensor::from_vector({2.0f}, {1}, cpu, ctx, true);
  fw::Tensor y = fw::Tensor::from_vector({3.0f}, {1}, cpu, ctx, true);
  x.set_label("x");
  y.set_label("y");
  fw::Tensor z = fw::log(3.0f * fw::power(x, 2.0f) + 5.0f * x * y);
  const std::string dot = fw::to_dot(z);
  EXPECT_EQ(dot.rfind("digraph", 0), 0u);
  for (const char* op : {"\"log\"", "\"add\"", "\"mul\"", "\"square\"", "\"mul_scalar\""})
    EXPECT_NE(dot.find(op), std::string::npos) << op << " missing in\n" << dot;
  EXPECT_NE(dot.find("label=\"x\\n[1]"), std::string::npos) << dot;
  // x feeds both x^2 and x*y: exactly one node for it, with two outgoing edges.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(dot, m, std::regex(R"((t\d+) \[shape=box, label="x\\n)"))) << dot;
  const std::string x_node = m[1];
  size_t edges_from_x = 0, pos = 0;
  while ((pos = dot.find(x_node + " -> op", pos)) != std::string::npos) ++edges_from_x, ++pos;
  EXPECT_EQ(edges_from_x, 2u) << dot;
}
