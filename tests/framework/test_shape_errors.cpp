// Broadcasting rules and the error messages for invalid shapes, axes and devices.
#include <gtest/gtest.h>

#include "framework/cpu_backend.h"
#include "framework/ops.h"

namespace fw = gpusim::framework;
using fw::Tensor;

namespace {

// Runs `f`, expecting a FrameworkError whose message contains every fragment.
template <typename F>
void expect_error(F f, std::initializer_list<const char*> fragments) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const fw::FrameworkError& e) {
    const std::string msg = e.what();
    for (const char* frag : fragments) EXPECT_NE(msg.find(frag), std::string::npos) << "'" << frag << "' not in: " << msg;
  }
}

class ShapeTest : public ::testing::Test {
 protected:
  std::shared_ptr<fw::Context> ctx = std::make_shared<fw::Context>();
  fw::BackendPtr cpu = fw::make_cpu_backend();
  Tensor t(const fw::Shape& s, float v = 1.0f) { return Tensor::full(s, v, cpu, ctx); }
};

}  // namespace

TEST(BroadcastShapes, NumpyRules) {
  EXPECT_EQ(fw::broadcast_shapes({2, 3}, {3}, "t"), (fw::Shape{2, 3}));
  EXPECT_EQ(fw::broadcast_shapes({4, 1, 5}, {3, 1}, "t"), (fw::Shape{4, 3, 5}));
  EXPECT_EQ(fw::broadcast_shapes({}, {2, 2}, "t"), (fw::Shape{2, 2}));
  EXPECT_EQ(fw::broadcast_shapes({1}, {1}, "t"), (fw::Shape{1}));
}

TEST_F(ShapeTest, BroadcastValuesFollowNumpy) {
  // [2,1] + [3] -> [2,3] with out[i][j] = a[i] + b[j].
  Tensor a = Tensor::from_vector({10, 20}, {2, 1}, cpu, ctx);
  Tensor b = Tensor::from_vector({1, 2, 3}, {3}, cpu, ctx);
  EXPECT_EQ((a + b).shape(), (fw::Shape{2, 3}));
  EXPECT_EQ((a + b).to_vector(), (std::vector<float>{11, 12, 13, 21, 22, 23}));
}

TEST_F(ShapeTest, IncompatibleBroadcastNamesOpShapesAndAxis) {
  expect_error([&] { fw::add(t({2, 3}), t({4})); }, {"add", "[2, 3]", "[4]", "not broadcastable", "3 vs 4"});
  expect_error([&] { fw::mul(t({2, 3, 4}), t({3, 1, 1})); }, {"mul", "axis -3", "2 vs 3"});
  expect_error([&] { fw::broadcast_to(t({3}), {2, 4}); }, {"broadcast_to", "[3]"});
}

TEST_F(ShapeTest, MatmulShapeErrors) {
  expect_error([&] { fw::matmul(t({2, 3}), t({4, 5})); }, {"matmul", "inner dimensions", "3 vs 4"});
  expect_error([&] { fw::matmul(t({2, 3, 4}), t({4, 5})); }, {"matmul", "2-D"});
}

TEST_F(ShapeTest, ReshapeAndAxisErrors) {
  expect_error([&] { fw::reshape(t({2, 3}), {4, 2}); }, {"reshape", "6 elements", "8 elements"});
  expect_error([&] { fw::sum(t({2, 3}), {2}); }, {"sum", "axis 2", "out of range"});
  expect_error([&] { fw::max(t({2, 3}), -3); }, {"max", "axis -3"});
  expect_error([&] { fw::transpose(t({3})); }, {"transpose", "at least 2"});
}

TEST_F(ShapeTest, LossAndDataErrors) {
  expect_error([&] { fw::cross_entropy(t({2, 3}), {0}); }, {"cross_entropy", "1 labels for 2 rows"});
  expect_error([&] { fw::cross_entropy(t({2, 3}), {0, 3}); }, {"label 3", "row 1", "[0, 3)"});
  expect_error([&] { Tensor::from_vector({1, 2, 3}, {2, 2}, cpu, ctx); }, {"3 values", "[2, 2]"});
  expect_error([&] { t({2}).item(); }, {"item"});
}

TEST_F(ShapeTest, MixedBackendsAreRejected) {
  auto other = fw::make_cpu_backend();
  expect_error([&] { fw::add(t({2}), Tensor::full({2}, 1.0f, other, ctx)); }, {"add", "different backends", ".to()"});
}

TEST_F(ShapeTest, BackwardRequiresScalarOrSeed) {
  Tensor x = Tensor::full({2, 2}, 1.0f, cpu, ctx, true);
  expect_error([&] { (x * 2.0f).backward(); }, {"backward", "[2, 2]", "seed"});
  expect_error([&] { t({1}).backward(); }, {"backward", "does not require grad"});
}

TEST_F(ShapeTest, ReductionShapes) {
  Tensor x = t({2, 3, 4});
  EXPECT_EQ(fw::sum(x, {1}).shape(), (fw::Shape{2, 4}));
  EXPECT_EQ(fw::sum(x, {1}, true).shape(), (fw::Shape{2, 1, 4}));
  EXPECT_EQ(fw::sum(x).shape(), (fw::Shape{}));
  EXPECT_EQ(fw::mean(x, {0, -1}, true).shape(), (fw::Shape{1, 3, 1}));
  EXPECT_EQ(fw::max(x, -1).shape(), (fw::Shape{2, 3}));
  EXPECT_FLOAT_EQ(fw::sum(x).item(), 24.0f);
}
