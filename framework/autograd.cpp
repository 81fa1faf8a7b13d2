// Graph recording (apply) and reverse-mode differentiation (Tensor::backward).
#include <unordered_map>
#include <unordered_set>

#include "framework/op.h"
#include "framework/ops.h"

namespace gpusim::framework {

Tensor apply(OpPtr op, const std::vector<Tensor>& inputs) {
  if (inputs.empty()) throw FrameworkError(op->name() + ": no inputs");
  for (const Tensor& t : inputs) {
    if (!t.defined()) throw FrameworkError(op->name() + ": an input tensor is undefined");
    if (t.backend() != inputs[0].backend())
      throw FrameworkError(op->name() + ": inputs live on different backends ('" + inputs[0].backend()->name() +
                           "' and '" + t.backend()->name() + "'); move them with .to()");
    if (t.context() != inputs[0].context())
      throw FrameworkError(op->name() + ": inputs belong to different autograd contexts");
  }
  const Tensor& first = inputs[0];
  Context& ctx = *first.context();
  const Shape out_shape = op->infer_shape(inputs);
  Backend& backend = *first.backend();
  const std::string scope = ctx.label_scope().empty() ? "" : ctx.label_scope() + ": ";
  backend.set_op_label(scope + op->name() + (ctx.in_backward() ? " (backward)" : ""));
  BufferPtr buffer = op->compute(backend, inputs, out_shape);
  Tensor out = Tensor::from_buffer(std::move(buffer), out_shape, first.backend(), first.context());

  bool needs_grad = false;
  for (const Tensor& t : inputs) needs_grad = needs_grad || t.requires_grad();
  if (needs_grad && ctx.grad_enabled()) {
    TensorImpl& impl = out.impl();
    impl.requires_grad = true;
    impl.op = std::move(op);
    for (const Tensor& t : inputs) impl.inputs.push_back(t.impl_ptr());
  }
  return out;
}

std::vector<Tensor> inputs_of(const Tensor& output) {
  std::vector<Tensor> out;
  for (const auto& impl : output.impl().inputs) out.emplace_back(impl);
  return out;
}

namespace {

// Post-order DFS over nodes that require grad; iterative so deep graphs cannot overflow the stack.
std::vector<TensorImpl*> topological_order(TensorImpl* root) {
  std::vector<TensorImpl*> order;
  std::unordered_set<TensorImpl*> visited;
  std::vector<std::pair<TensorImpl*, size_t>> stack{{root, 0}};
  visited.insert(root);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      TensorImpl* child = node->inputs[next++].get();
      if (child->requires_grad && visited.insert(child).second) stack.emplace_back(child, 0);
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;  // inputs before the nodes that use them
}

}  // namespace

void Tensor::backward() const {
  if (numel() != 1)
    throw FrameworkError("backward: output has shape " + to_string(shape()) +
                         "; pass a gradient seed for outputs that are not a single value");
  backward(full(shape(), 1.0f, backend(), context()));
}

void Tensor::backward(const Tensor& seed) const {
  if (!requires_grad())
    throw FrameworkError("backward: tensor does not require grad (no input required it, or no_grad was active)");
  if (seed.shape() != shape())
    throw FrameworkError("backward: seed of shape " + to_string(seed.shape()) + " for output of shape " +
                         to_string(shape()));
  Context& ctx = *context();
  // Gradients are computed with ordinary tensor ops; they must not themselves be recorded.
  NoGradGuard no_grad(ctx);
  ++ctx.backward_depth_;
  struct BackwardScope {
    Context& c;
    ~BackwardScope() { --c.backward_depth_; }
  } scope{ctx};

  const std::vector<TensorImpl*> order = topological_order(impl_.get());
  std::unordered_map<TensorImpl*, Tensor> grads;
  grads[impl_.get()] = seed.detach();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    TensorImpl* node = *it;
    auto found = grads.find(node);
    if (found == grads.end()) continue;
    const Tensor g = found->second;
    grads.erase(found);
    if (!node->op) {  // a leaf: accumulate across backward() calls, as optimizers expect
      node->grad = node->grad ? add(Tensor(node->grad), g).impl_ptr() : g.impl_ptr();
      continue;
    }
    // Rebuild a handle sharing the node so the op can see its inputs and output values.
    Tensor output(std::shared_ptr<TensorImpl>(std::shared_ptr<TensorImpl>{}, node));
    const std::vector<Tensor> input_grads = node->op->gradient(g, output);
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      TensorImpl* input = node->inputs[i].get();
      if (!input->requires_grad || i >= input_grads.size() || !input_grads[i].defined()) continue;
      if (input_grads[i].shape() != input->shape)
        throw FrameworkError("backward: " + node->op->name() + " produced a gradient of shape " +
                             to_string(input_grads[i].shape()) + " for input " + std::to_string(i) + " of shape " +
                             to_string(input->shape));
      auto [slot, inserted] = grads.try_emplace(input, input_grads[i]);
      if (!inserted) slot->second = add(slot->second, input_grads[i]);
    }
  }
}

}  // namespace gpusim::framework
