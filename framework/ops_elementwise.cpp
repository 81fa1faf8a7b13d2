// Element-wise ops: one class for the unary maps, one for the binary ones; broadcasting is
// done up front by broadcast_to so the kernels only ever see equal-sized operands.
#include "framework/op.h"
#include "framework/ops.h"

namespace gpusim::framework {
namespace {

class UnaryOp : public Op {
 public:
  UnaryOp(UnaryKind kind, float param) : kind_(kind), param_(param) {}
  std::string name() const override { return name_of(kind_); }
  Shape infer_shape(const std::vector<Tensor>& in) const override { return in[0].shape(); }
  BufferPtr compute(Backend& backend, const std::vector<Tensor>& in, const Shape& out_shape) const override {
    BufferPtr out = backend.alloc(numel(out_shape));
    backend.unary(kind_, param_, in[0].buffer(), *out);
    return out;
  }
  std::vector<Tensor> gradient(const Tensor& g, const Tensor& out) const override {
    const Tensor x = inputs_of(out)[0];
    const Tensor y = out.detach();
    switch (kind_) {
      case UnaryKind::Neg: return {neg(g)};
      case UnaryKind::Exp: return {g * y};
      case UnaryKind::Log: return {g / x};
      case UnaryKind::Relu: return {g * step(x)};
      case UnaryKind::Tanh: return {g * (1.0f - y * y)};
      case UnaryKind::Sigmoid: return {g * y * (1.0f - y)};
      case UnaryKind::Sqrt: return {g * 0.5f / y};
      case UnaryKind::Square: return {g * x * 2.0f};
      case UnaryKind::Pow: return {g * power(x, param_ - 1.0f) * param_};
      case UnaryKind::AddScalar: return {g};
      case UnaryKind::MulScalar: return {g * param_};
      case UnaryKind::Step: return {Tensor()};
    }
    return {Tensor()};
  }

 private:
  UnaryKind kind_;
  float param_;
};

class BinaryOp : public Op {
 public:
  explicit BinaryOp(BinaryKind kind) : kind_(kind) {}
  std::string name() const override { return name_of(kind_); }
  Shape infer_shape(const std::vector<Tensor>& in) const override {
    if (in.size() != 2 || in[0].shape() != in[1].shape())
      throw FrameworkError(name() + ": operands must have equal shapes after broadcasting");
    return in[0].shape();
  }
  BufferPtr compute(Backend& backend, const std::vector<Tensor>& in, const Shape& out_shape) const override {
    BufferPtr out = backend.alloc(numel(out_shape));
    backend.binary(kind_, in[0].buffer(), in[1].buffer(), *out);
    return out;
  }
  std::vector<Tensor> gradient(const Tensor& g, const Tensor& out) const override {
    const std::vector<Tensor> in = inputs_of(out);
    const Tensor& a = in[0];
    const Tensor& b = in[1];
    switch (kind_) {
      case BinaryKind::Add: return {g, g};
      case BinaryKind::Sub: return {g, neg(g)};
      case BinaryKind::Mul: return {g * b, g * a};
      case BinaryKind::Div: return {g / b, neg(g * a / (b * b))};
      case BinaryKind::Equal: return {Tensor(), Tensor()};
    }
    return {Tensor(), Tensor()};
  }

 private:
  BinaryKind kind_;
};

Tensor unary(UnaryKind kind, const Tensor& a, float param = 0.0f) {
  return apply(std::make_shared<UnaryOp>(kind, param), {a});
}

Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) throw FrameworkError(std::string(name_of(kind)) + ": undefined operand");
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name_of(kind));
  const Tensor lhs = a.shape() == shape ? a : broadcast_to(a, shape);
  const Tensor rhs = b.shape() == shape ? b : broadcast_to(b, shape);
  return apply(std::make_shared<BinaryOp>(kind), {lhs, rhs});
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(BinaryKind::Add, a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary(BinaryKind::Sub, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinaryKind::Mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(BinaryKind::Div, a, b); }
Tensor equal(const Tensor& a, const Tensor& b) { return binary(BinaryKind::Equal, a, b); }

Tensor add_scalar(const Tensor& a, float s) { return unary(UnaryKind::AddScalar, a, s); }
Tensor mul_scalar(const Tensor& a, float s) { return unary(UnaryKind::MulScalar, a, s); }
Tensor neg(const Tensor& a) { return unary(UnaryKind::Neg, a); }
Tensor exp(const Tensor& a) { return unary(UnaryKind::Exp, a); }
Tensor log(const Tensor& a) { return unary(UnaryKind::Log, a); }
Tensor relu(const Tensor& a) { return unary(UnaryKind::Relu, a); }
Tensor tanh(const Tensor& a) { return unary(UnaryKind::Tanh, a); }
Tensor sigmoid(const Tensor& a) { return unary(UnaryKind::Sigmoid, a); }
Tensor step(const Tensor& a) { return unary(UnaryKind::Step, a); }

Tensor power(const Tensor& a, float exponent) {
  // Common exponents get exact dedicated kernels; powf is slow and only faithfully rounded.
  if (exponent == 1.0f) return mul_scalar(a, 1.0f);
  if (exponent == 2.0f) return unary(UnaryKind::Square, a);
  if (exponent == 0.5f) return unary(UnaryKind::Sqrt, a);
  return unary(UnaryKind::Pow, a, exponent);
}

}  // namespace gpusim::framework
