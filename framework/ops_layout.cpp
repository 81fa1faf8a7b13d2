// Layout ops (reshape, transpose, broadcast) and matmul.
#include "framework/op.h"
#include "framework/ops.h"

namespace gpusim::framework {
namespace {

class ReshapeOp : public Op {
 public:
  explicit ReshapeOp(Shape shape) : shape_(std::move(shape)) {}
  std::string name() const override { return "reshape"; }
  Shape infer_shape(const std::vector<Tensor>& in) const override {
    if (numel(shape_) != in[0].numel())
      throw FrameworkError("reshape: cannot reshape " + to_string(in[0].shape()) + " (" +
                           std::to_string(in[0].numel()) + " elements) into " + to_string(shape_) + " (" +
                           std::to_string(numel(shape_)) + " elements)");
    return shape_;
  }
  // Tensors are always contiguous, so a reshape shares the input's storage.
  BufferPtr compute(Backend&, const std::vector<Tensor>& in, const Shape&) const override {
    return in[0].buffer_ptr();
  }
  std::vector<Tensor> gradient(const Tensor& g, const Tensor& out) const override {
    return {reshape(g, inputs_of(out)[0].shape())};
  }

 private:
  Shape shape_;
};

class TransposeOp : public Op {
 public:
  TransposeOp(size_t axis0, size_t axis1) : axis0_(axis0), axis1_(axis1) {}
  std::string name() const override { return "transpose"; }
  Shape infer_shape(const std::vector<Tensor>& in) const override {
    Shape s = in[0].shape();
    std::swap(s[axis0_], s[axis1_]);
    return s;
  }
  BufferPtr compute(Backend& backend, const std::vector<Tensor>& in, const Shape& out_shape) const override {
    std::vector<size_t> strides = contiguous_strides(in[0].shape());
    std::swap(strides[axis0_], strides[axis1_]);
    BufferPtr out = backend.alloc(numel(out_shape));
    backend.strided_copy(in[0].buffer(), StridedView{out_shape, strides}, *out);
    return out;
  }
  std::vector<Tensor> gradient(const Tensor& g, const Tensor&) const override {
    return {transpose(g, static_cast<long>(axis0_), static_cast<long>(axis1_))};
  }

 private:
  size_t axis0_, axis1_;
};

class BroadcastOp : public Op {
 public:
  explicit BroadcastOp(Shape shape) : shape_(std::move(shape)) {}
  std::string name() const override { return "broadcast_to"; }
  Shape infer_shape(const std::vector<Tensor>& in) const override {
    const Shape& from = in[0].shape();
    if (from.size() > shape_.size() || broadcast_shapes(from, shape_, "broadcast_to") != shape_)
      throw FrameworkError("broadcast_to: cannot broadcast " + to_string(from) + " to " + to_string(shape_));
    return shape_;
  }
  BufferPtr compute(Backend& backend, const std::vector<Tensor>& in, const Shape& out_shape) const override {
    const Shape& from = in[0].shape();
    const std::vector<size_t> from_strides = contiguous_strides(from);
    // Trailing axes align; stretched (size-1) and missing leading axes read with stride 0.
    std::vector<size_t> strides(out_shape.size(), 0);
    const size_t lead = out_shape.size() - from.size();
    for (size_t d = 0; d < from.size(); ++d) strides[lead + d] = from[d] == 1 ? 0 : from_strides[d];
    BufferPtr out = backend.alloc(numel(out_shape));
    backend.strided_copy(in[0].buffer(), StridedView{out_shape, strides}, *out);
    return out;
  }
  std::vector<Tensor> gradient(const Tensor& g, const Tensor& out) const override {
    return {sum_to(g, inputs_of(out)[0].shape())};
  }

 private:
  Shape shape_;
};

class MatmulOp : public Op {
 public:
  std::string name() const override { return "matmul"; }
  Shape infer_shape(const std::vector<Tensor>& in) const override {
    const Shape& a = in[0].shape();
    const Shape& b = in[1].shape();
    if (a.size() != 2 || b.size() != 2)
      throw FrameworkError("matmul: expects 2-D operands, got " + to_string(a) + " and " + to_string(b));
    if (a[1] != b[0])
      throw FrameworkError("matmul: inner dimensions differ: " + to_string(a) + " x " + to_string(b) + " (" +
                           std::to_string(a[1]) + " vs " + std::to_string(b[0]) + ")");
    return {a[0], b[1]};
  }
  BufferPtr compute(Backend& backend, const std::vector<Tensor>& in, const Shape& out_shape) const override {
    BufferPtr out = backend.alloc(numel(out_shape));
    backend.matmul(in[0].buffer(), in[1].buffer(), *out, out_shape[0], in[0].shape()[1], out_shape[1]);
    return out;
  }
  std::vector<Tensor> gradient(const Tensor& g, const Tensor& out) const override {
    const std::vector<Tensor> in = inputs_of(out);
    return {matmul(g, transpose(in[1])), matmul(transpose(in[0]), g)};
  }
};

}  // namespace

Tensor reshape(const Tensor& a, const Shape& shape) {
  if (a.shape() == shape) return a;
  return apply(std::make_shared<ReshapeOp>(shape), {a});
}

Tensor transpose(const Tensor& a, long axis0, long axis1) {
  if (a.ndim() < 2) throw FrameworkError("transpose: needs at least 2 dimensions, got " + to_string(a.shape()));
  const size_t x = normalize_axis(axis0, a.ndim(), "transpose");
  const size_t y = normalize_axis(axis1, a.ndim(), "transpose");
  return apply(std::make_shared<TransposeOp>(x, y), {a});
}

Tensor broadcast_to(const Tensor& a, const Shape& shape) {
  if (a.shape() == shape) return a;
  return apply(std::make_shared<BroadcastOp>(shape), {a});
}

Tensor sum_to(const Tensor& a, const Shape& shape) {
  if (a.shape() == shape) return a;
  const Shape& from = a.shape();
  if (shape.size() > from.size())
    throw FrameworkError("sum_to: cannot reduce " + to_string(from) + " to the larger rank " + to_string(shape));
  // Leading axes that the broadcast added, and axes it stretched from 1.
  std::vector<long> axes;
  const size_t lead = from.size() - shape.size();
  for (size_t d = 0; d < from.size(); ++d)
    if (d < lead || (shape[d - lead] == 1 && from[d] != 1)) axes.push_back(static_cast<long>(d));
  const Tensor summed = axes.empty() ? a : sum(a, axes, true);
  return reshape(summed, shape);
}

Tensor matmul(const Tensor& a, const Tensor& b) { return apply(std::make_shared<MatmulOp>(), {a, b}); }

}  // namespace gpusim::framework
