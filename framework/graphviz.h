// Export of a tensor's computation graph to Graphviz DOT (render with `dot -Tsvg`).
#pragma once

#include <string>

#include "framework/tensor.h"

namespace gpusim::framework {

// One box per tensor (label or "leaf", shape) and one ellipse per op, edges in data-flow
// direction, ending at `root`. Only the recorded graph is shown: tensors made under no_grad
// or not requiring grad appear as leaves.
std::string to_dot(const Tensor& root);

}  // namespace gpusim::framework
