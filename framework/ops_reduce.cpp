// Reductions over axes: sum (several axes), max (one axis), and mean built on sum.
#include <algorithm>

#include "framework/op.h"
#include "framework/ops.h"

namespace gpusim::framework {
namespace {

Shape keepdims_shape(const Shape& in, const std::vector<size_t>& axes) {
  Shape s = in;
  for (size_t a : axes) s[a] = 1;
  return s;
}

Shape reduced_shape(const Shape& in, const std::vector<size_t>& axes, bool keepdims) {
  if (keepdims) return keepdims_shape(in, axes);
  Shape s;
  for (size_t d = 0; d < in.size(); ++d)
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) s.push_back(in[d]);
  return s;
}

// Reduces `axes` one at a time, last axis first so the earlier axes' positions stay valid. The
// keepdims and plain results share a layout, so only the final shape differs.
BufferPtr reduce_axes(Backend& backend, ReduceKind kind, const Tensor& in, const std::vector<size_t>& axes) {
  Shape shape = in.shape();
  BufferPtr current = in.buffer_ptr();
  for (auto it = axes.rbegin(); it != axes.rend(); ++it) {
    size_t outer = 1, inner = 1;
    for (size_t d = 0; d < *it; ++d) outer *= shape[d];
    for (size_t d = *it + 1; d < shape.size(); ++d) inner *= shape[d];
    BufferPtr next = backend.alloc(outer * inner);
    backend.reduce(kind, *current, *next, outer, shape[*it], inner);
    shape[*it] = 1;
    current = std::move(next);
  }
  if (current == in.buffer_ptr()) {  // no axes: still return fresh storage
    current = backend.alloc(in.numel());
    backend.unary(UnaryKind::MulScalar, 1.0f, in.buffer(), *current);
  }
  return current;
}

class SumOp : public Op {
 public:
  SumOp(std::vector<size_t> axes, bool keepdims) : axes_(std::move(axes)), keepdims_(keepdims) {}
  std::string name() const override { return "sum"; }
  Shape infer_shape(const std::vector<Tensor>& in) const override {
    return reduced_shape(in[0].shape(), axes_, keepdims_);
  }
  BufferPtr compute(Backend& backend, const std::vector<Tensor>& in, const Shape&) const override {
    return reduce_axes(backend, ReduceKind::Sum, in[0], axes_);
  }
  std::vector<Tensor> gradient(const Tensor& g, const Tensor& out) const override {
    const Shape& in_shape = inputs_of(out)[0].shape();
    return {broadcast_to(reshape(g, keepdims_shape(in_shape, axes_)), in_shape)};
  }

 private:
  std::vector<size_t> axes_;
  bool keepdims_;
};

class MaxOp : public Op {
 public:
  MaxOp(size_t axis, bool keepdims) : axis_(axis), keepdims_(keepdims) {}
  std::string name() const override { return "max"; }
  Shape infer_shape(const std::vector<Tensor>& in) const override {
    if (in[0].shape()[axis_] == 0) throw FrameworkError("max: reduction over an empty axis");
    return reduced_shape(in[0].shape(), {axis_}, keepdims_);
  }
  BufferPtr compute(Backend& backend, const std::vector<Tensor>& in, const Shape&) const override {
    return reduce_axes(backend, ReduceKind::Max, in[0], {axis_});
  }
  // The gradient flows to every element equal to the maximum (ties share it, each getting the
  // full upstream gradient, as a subgradient).
  std::vector<Tensor> gradient(const Tensor& g, const Tensor& out) const override {
    const Tensor x = inputs_of(out)[0];
    const Shape keep = keepdims_shape(x.shape(), {axis_});
    const Tensor mask = equal(x, broadcast_to(reshape(out.detach(), keep), x.shape()));
    return {broadcast_to(reshape(g, keep), x.shape()) * mask};
  }

 private:
  size_t axis_;
  bool keepdims_;
};

}  // namespace

Tensor sum(const Tensor& a, const std::vector<long>& axes, bool keepdims) {
  return apply(std::make_shared<SumOp>(normalize_axes(axes, a.ndim(), "sum"), keepdims), {a});
}

Tensor mean(const Tensor& a, const std::vector<long>& axes, bool keepdims) {
  size_t count = 1;
  for (size_t axis : normalize_axes(axes, a.ndim(), "mean")) count *= a.shape()[axis];
  if (count == 0) throw FrameworkError("mean: reduction over an empty axis");
  return mul_scalar(sum(a, axes, keepdims), 1.0f / static_cast<float>(count));
}

Tensor max(const Tensor& a, long axis, bool keepdims) {
  return apply(std::make_shared<MaxOp>(normalize_axis(axis, a.ndim(), "max"), keepdims), {a});
}

}  // namespace gpusim::framework
