#include "framework/tensor.h"

#include "framework/op.h"

namespace gpusim::framework {

TensorImpl& Tensor::impl() const {
  if (!impl_) throw FrameworkError("tensor: use of an undefined (empty) tensor");
  return *impl_;
}

Tensor Tensor::from_buffer(BufferPtr buffer, const Shape& shape, BackendPtr backend, ContextPtr context) {
  if (!backend) throw FrameworkError("tensor: no backend given");
  if (!context) throw FrameworkError("tensor: no autograd context given");
  if (!buffer || buffer->size() != framework::numel(shape))
    throw FrameworkError("tensor: buffer of " + std::to_string(buffer ? buffer->size() : 0) +
                         " values does not match shape " + to_string(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->backend = std::move(backend);
  impl->buffer = std::move(buffer);
  impl->context = std::move(context);
  return Tensor(std::move(impl));
}

Tensor Tensor::from_vector(const std::vector<float>& values, const Shape& shape, BackendPtr backend,
                           ContextPtr context, bool requires_grad) {
  if (values.size() != framework::numel(shape))
    throw FrameworkError("tensor: " + std::to_string(values.size()) + " values given for shape " +
                         to_string(shape) + " (" + std::to_string(framework::numel(shape)) + " elements)");
  if (!backend) throw FrameworkError("tensor: no backend given");
  BufferPtr buffer = backend->alloc(values.size());
  backend->write(*buffer, values.data(), values.size());
  Tensor t = from_buffer(std::move(buffer), shape, std::move(backend), std::move(context));
  t.impl().requires_grad = requires_grad;
  return t;
}

Tensor Tensor::full(const Shape& shape, float value, BackendPtr backend, ContextPtr context, bool requires_grad) {
  if (!backend) throw FrameworkError("tensor: no backend given");
  BufferPtr buffer = backend->alloc(framework::numel(shape));
  backend->fill(*buffer, value);
  Tensor t = from_buffer(std::move(buffer), shape, std::move(backend), std::move(context));
  t.impl().requires_grad = requires_grad;
  return t;
}

Tensor Tensor::scalar(float value, BackendPtr backend, ContextPtr context, bool requires_grad) {
  return full({}, value, std::move(backend), std::move(context), requires_grad);
}

std::vector<float> Tensor::to_vector() const {
  std::vector<float> out(numel());
  backend()->read(buffer(), out.data(), out.size());
  return out;
}

float Tensor::item() const {
  if (numel() != 1)
    throw FrameworkError("item: tensor of shape " + to_string(shape()) + " does not hold exactly one value");
  return to_vector()[0];
}

Tensor Tensor::to(const BackendPtr& target) const {
  if (!target) throw FrameworkError("to: no backend given");
  if (target == backend()) return *this;
  Tensor copy = from_vector(to_vector(), shape(), target, context(), requires_grad());
  copy.impl().label = label();
  return copy;
}

Tensor& Tensor::set_requires_grad(bool value) {
  impl().requires_grad = value;
  return *this;
}

Tensor& Tensor::set_label(std::string label) {
  impl().label = std::move(label);
  return *this;
}

Tensor Tensor::grad() const { return impl().grad ? Tensor(impl().grad) : Tensor(); }

void Tensor::zero_grad() { impl().grad.reset(); }

Tensor Tensor::detach() const { return from_buffer(buffer_ptr(), shape(), backend(), context()); }

void Tensor::assign(const Tensor& value) {
  if (value.shape() != shape())
    throw FrameworkError("assign: value of shape " + to_string(value.shape()) + " into tensor of shape " +
                         to_string(shape()));
  if (value.backend() != backend())
    throw FrameworkError("assign: value on backend '" + value.backend()->name() + "' into tensor on '" +
                         backend()->name() + "'");
  impl().buffer = value.buffer_ptr();
}

}  // namespace gpusim::framework
