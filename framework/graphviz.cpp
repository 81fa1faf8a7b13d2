#include "framework/graphviz.h"

#include <sstream>
#include <unordered_map>
#include <vector>

#include "framework/op.h"

namespace gpusim::framework {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string to_dot(const Tensor& root) {
  std::ostringstream dot;
  dot << "digraph computation {\n  rankdir=LR;\n";
  std::unordered_map<const TensorImpl*, size_t> ids;
  std::vector<const TensorImpl*> pending{&root.impl()};
  ids[&root.impl()] = 0;
  while (!pending.empty()) {
    const TensorImpl* node = pending.back();
    pending.pop_back();
    const size_t id = ids.at(node);
    const std::string name = node->label.empty() ? (node->op ? "" : "leaf") : node->label;
    dot << "  t" << id << " [shape=box, label=\"" << escape(name) << (name.empty() ? "" : "\\n")
        << to_string(node->shape) << (node->requires_grad && !node->op ? "\\nrequires_grad" : "") << "\"];\n";
    if (!node->op) continue;
    dot << "  op" << id << " [shape=ellipse, label=\"" << escape(node->op->name()) << "\"];\n";
    dot << "  op" << id << " -> t" << id << ";\n";
    for (const auto& input : node->inputs) {
      auto [it, inserted] = ids.try_emplace(input.get(), ids.size());
      if (inserted) pending.push_back(input.get());
      dot << "  t" << it->second << " -> op" << id << ";\n";
    }
  }
  dot << "}\n";
  return dot.str();
}

}  // namespace gpusim::framework
