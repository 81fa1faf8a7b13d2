// The op interface: `compute` runs on a backend over raw buffers; `gradient` is written in
// tensor ops, so backward passes need no backend-specific code.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "framework/tensor.h"

namespace gpusim::framework {

class Op {
 public:
  virtual ~Op() = default;
  virtual std::string name() const = 0;
  // The output shape; throws FrameworkError naming the op for invalid input shapes.
  virtual Shape infer_shape(const std::vector<Tensor>& inputs) const = 0;
  // Produces the output's storage on `backend` (may alias an input's buffer, e.g. reshape).
  virtual BufferPtr compute(Backend& backend, const std::vector<Tensor>& inputs, const Shape& out_shape) const = 0;
  // Gradients with respect to each input, given the gradient of `output` (whose inputs are the
  // op's inputs). An undefined Tensor means "no gradient flows to this input".
  virtual std::vector<Tensor> gradient(const Tensor& out_grad, const Tensor& output) const = 0;
};
using OpPtr = std::shared_ptr<const Op>;

// Runs `op` on `inputs` (same backend and context required) and records it in the graph when
// the context records gradients and an input requires them.
Tensor apply(OpPtr op, const std::vector<Tensor>& inputs);
// The op's inputs of a recorded output tensor.
std::vector<Tensor> inputs_of(const Tensor& output);

}  // namespace gpusim::framework
