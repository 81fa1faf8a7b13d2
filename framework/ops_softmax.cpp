// Log-softmax, softmax cross-entropy with integer labels, one-hot, and RMSNorm.
#include "framework/op.h"
#include "framework/ops.h"

namespace gpusim::framework {
namespace {

// Views a tensor as [rows, last axis].
std::pair<size_t, size_t> rows_cols(const Shape& shape) {
  const size_t cols = shape.back();
  return {cols == 0 ? 0 : numel(shape) / cols, cols};
}

class LogSoftmaxOp : public Op {
 public:
  std::string name() const override { return "log_softmax"; }
  Shape infer_shape(const std::vector<Tensor>& in) const override {
    if (in[0].ndim() == 0 || in[0].shape().back() == 0)
      throw FrameworkError("log_softmax: needs a non-empty last axis, got shape " + to_string(in[0].shape()));
    return in[0].shape();
  }
  BufferPtr compute(Backend& backend, const std::vector<Tensor>& in, const Shape& out_shape) const override {
    const auto [rows, cols] = rows_cols(out_shape);
    BufferPtr out = backend.alloc(numel(out_shape));
    backend.log_softmax(in[0].buffer(), *out, rows, cols);
    return out;
  }
  // d/dx of log_softmax: g - softmax(x) * sum(g) along the last axis.
  std::vector<Tensor> gradient(const Tensor& g, const Tensor& out) const override {
    return {g - exp(out.detach()) * sum(g, {-1}, true)};
  }
};

class CrossEntropyOp : public Op {
 public:
  explicit CrossEntropyOp(std::vector<int32_t> labels) : labels_(std::move(labels)) {}
  std::string name() const override { return "cross_entropy"; }
  Shape infer_shape(const std::vector<Tensor>& in) const override {
    const Shape& s = in[0].shape();
    if (s.size() != 2 || s[0] == 0 || s[1] == 0)
      throw FrameworkError("cross_entropy: expects non-empty [rows, classes] logits, got " + to_string(s));
    if (labels_.size() != s[0])
      throw FrameworkError("cross_entropy: " + std::to_string(labels_.size()) + " labels for " +
                           std::to_string(s[0]) + " rows of logits");
    return {};
  }
  BufferPtr compute(Backend& backend, const std::vector<Tensor>& in, const Shape&) const override {
    const size_t rows = in[0].shape()[0], cols = in[0].shape()[1];
    BufferPtr per_row = backend.alloc(rows);
    backend.cross_entropy_rows(in[0].buffer(), labels_, *per_row, rows, cols);
    BufferPtr total = backend.alloc(1);
    backend.reduce(ReduceKind::Sum, *per_row, *total, 1, rows, 1);
    BufferPtr mean = backend.alloc(1);
    backend.unary(UnaryKind::MulScalar, 1.0f / static_cast<float>(rows), *total, *mean);
    return mean;
  }
  // d(mean loss)/d logits = (softmax(logits) - one_hot(labels)) / rows.
  std::vector<Tensor> gradient(const Tensor& g, const Tensor& out) const override {
    const Tensor logits = inputs_of(out)[0];
    const size_t rows = logits.shape()[0];
    const Tensor diff = exp(log_softmax(logits)) - one_hot(labels_, logits.shape()[1], logits);
    return {diff * (g * (1.0f / static_cast<float>(rows)))};
  }

 private:
  std::vector<int32_t> labels_;
};

}  // namespace

Tensor log_softmax(const Tensor& logits) { return apply(std::make_shared<LogSoftmaxOp>(), {logits}); }

Tensor cross_entropy(const Tensor& logits, const std::vector<int32_t>& labels) {
  return apply(std::make_shared<CrossEntropyOp>(labels), {logits});
}

Tensor one_hot(const std::vector<int32_t>& labels, size_t classes, const Tensor& like) {
  const BackendPtr& backend = like.backend();
  BufferPtr buffer = backend->alloc(labels.size() * classes);
  backend->set_op_label("one_hot");
  backend->one_hot(labels, *buffer, labels.size(), classes);
  return Tensor::from_buffer(std::move(buffer), {labels.size(), classes}, backend, like.context());
}

Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps) {
  if (x.ndim() == 0) throw FrameworkError("rms_norm: needs at least one axis");
  if (weight.ndim() != 1 || weight.shape()[0] != x.shape().back())
    throw FrameworkError("rms_norm: weight of shape " + to_string(weight.shape()) + " does not match the last axis of " +
                         to_string(x.shape()));
  const Tensor inv_rms = power(mean(x * x, {-1}, true) + eps, -0.5f);
  return x * inv_rms * weight;
}

}  // namespace gpusim::framework
