// Float32 tensors with autograd. A Tensor is a cheap handle (shared_ptr) to a TensorImpl, which
// holds the shape, the backend that owns its storage and, when it was produced by an op while
// gradients were being recorded, that op and its inputs: the graph is the tensors themselves.
// Autograd state (whether to record) lives in an explicit Context shared by related tensors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "framework/backend.h"
#include "framework/shape.h"

namespace gpusim::framework {

class Op;

// Autograd state for a family of tensors. Not global: tensors carry a pointer to theirs.
class Context {
 public:
  bool grad_enabled() const { return no_grad_depth_ == 0; }
  bool in_backward() const { return backward_depth_ > 0; }
  // A name for the ops run inside a LabelScope (e.g. "sgd"), used in launch records.
  const std::string& label_scope() const { return label_scope_; }

 private:
  friend class NoGradGuard;
  friend class LabelScope;
  friend class Tensor;
  int no_grad_depth_ = 0;
  int backward_depth_ = 0;
  std::string label_scope_;
};
using ContextPtr = std::shared_ptr<Context>;

// While alive, ops on tensors of `context` record no graph (nests).
class NoGradGuard {
 public:
  explicit NoGradGuard(Context& context) : context_(context) { ++context_.no_grad_depth_; }
  ~NoGradGuard() { --context_.no_grad_depth_; }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  Context& context_;
};

// While alive, launch records of ops on tensors of `context` are labelled "<scope>: <op>".
class LabelScope {
 public:
  LabelScope(Context& context, std::string scope) : context_(context), saved_(std::move(context.label_scope_)) {
    context_.label_scope_ = std::move(scope);
  }
  ~LabelScope() { context_.label_scope_ = std::move(saved_); }
  LabelScope(const LabelScope&) = delete;
  LabelScope& operator=(const LabelScope&) = delete;

 private:
  Context& context_;
  std::string saved_;
};

struct TensorImpl {
  Shape shape;
  BackendPtr backend;
  BufferPtr buffer;
  ContextPtr context;
  bool requires_grad = false;
  std::shared_ptr<const Op> op;                      // null for leaves
  std::vector<std::shared_ptr<TensorImpl>> inputs;   // the op's inputs, in order
  std::shared_ptr<TensorImpl> grad;                  // accumulated by backward() on leaves
  std::string label;                                 // optional name, shown in DOT output
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  static Tensor from_vector(const std::vector<float>& values, const Shape& shape, BackendPtr backend,
                            ContextPtr context, bool requires_grad = false);
  static Tensor full(const Shape& shape, float value, BackendPtr backend, ContextPtr context,
                     bool requires_grad = false);
  static Tensor scalar(float value, BackendPtr backend, ContextPtr context, bool requires_grad = false);
  // Wraps an existing buffer (no copy): used by ops and backends.
  static Tensor from_buffer(BufferPtr buffer, const Shape& shape, BackendPtr backend, ContextPtr context);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  size_t ndim() const { return shape().size(); }
  size_t numel() const { return framework::numel(shape()); }
  const BackendPtr& backend() const { return impl().backend; }
  const ContextPtr& context() const { return impl().context; }
  Buffer& buffer() const { return *impl().buffer; }
  const BufferPtr& buffer_ptr() const { return impl().buffer; }
  TensorImpl& impl() const;
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  std::vector<float> to_vector() const;
  float item() const;  // the single value of a one-element tensor
  // A copy on `backend` (a leaf, keeping requires_grad); the same tensor if already there.
  Tensor to(const BackendPtr& backend) const;

  bool requires_grad() const { return impl().requires_grad; }
  Tensor& set_requires_grad(bool value = true);
  const std::string& label() const { return impl().label; }
  Tensor& set_label(std::string label);
  bool is_leaf() const { return impl().op == nullptr; }

  Tensor grad() const;  // undefined Tensor when no gradient has been accumulated
  void zero_grad();
  // Reverse-mode differentiation from this tensor. Without a seed it must hold one element.
  void backward() const;
  void backward(const Tensor& seed) const;

  Tensor detach() const;  // same storage, no graph
  // Replaces the values in place (same shape and backend): optimizer updates of parameters.
  void assign(const Tensor& value);

 private:
  std::shared_ptr<TensorImpl> impl_;
};

}  // namespace gpusim::framework
