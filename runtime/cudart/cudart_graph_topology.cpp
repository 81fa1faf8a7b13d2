// A graph's shape after it is built: the nodes that depend on a node, removing edges, finding a
// node's counterpart in a clone (cudaGraphNodeFindInClone), and enabling or disabling an
// executable graph's nodes (cudaGraphNodeSetEnabled / GetEnabled). The edges are the shared
// model's (runtime/graph/graph_model.h); graphs here have default edge data only.
#include <cuda_runtime_api.h>

#include <cstring>
#include <string>

#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {
namespace {

// Edges other than the default (programmatic ports) are never made here, so none can match.
void check_plain_edges(const cudaGraphEdgeData* data, size_t n) {
  if (!data) return;
  static const cudaGraphEdgeData plain{};
  for (size_t i = 0; i < n; ++i)
    if (std::memcmp(&data[i], &plain, sizeof plain) != 0)
      throw ApiError(cudaErrorInvalidValue, "edge " + std::to_string(i) +
                                                " carries edge data other than the default: the graph has no such edge "
                                                "(gpusim makes default edges only)");
}

// The executable graph's copy of `node`, for the enable calls: CUDA supports kernel, memset and
// memcpy nodes only.
GraphNode& switchable(Context& ctx, cudaGraphExec_t exec, cudaGraphNode_t node) {
  GraphNode& target = exec_copy(ctx, exec, node);
  if (target.type != cudaGraphNodeTypeKernel && target.type != cudaGraphNodeTypeMemset && target.type != cudaGraphNodeTypeMemcpy)
    throw ApiError(cudaErrorInvalidValue, std::string("the node is a ") + node_type_name(target.type) +
                                              " node: only kernel, memset and memcpy nodes can be enabled or disabled");
  return target;
}

}  // namespace
}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaGraphNodeGetDependentNodes(cudaGraphNode_t node, cudaGraphNode_t* dependents, cudaGraphEdgeData* edge_data,
                                           size_t* count) {
  return api("cudaGraphNodeGetDependentNodes", [&](Context& ctx) {
    const auto list = gpusim::graph::Registry<GraphNode>::dependents(node_of(ctx, node));
    if (edge_data && !dependents) throw ApiError(cudaErrorInvalidValue, "edge data requested without a node array");
    gpusim::graph::copy_out(dependents, count, list);
    if (dependents && edge_data)
      for (size_t i = 0; i < *count; ++i) edge_data[i] = {};
  });
}

cudaError_t cudaGraphRemoveDependencies(cudaGraph_t graph, const cudaGraphNode_t* from, const cudaGraphNode_t* to,
                                        const cudaGraphEdgeData* edge_data, size_t n) {
  return api("cudaGraphRemoveDependencies", [&](Context& ctx) {
    GraphRecord& g = graph_of(ctx, graph);
    check_plain_edges(edge_data, n);
    graph_state(ctx).remove_edges(g, reinterpret_cast<const void* const*>(from), reinterpret_cast<const void* const*>(to), n);
  });
}

// A clone's nodes remember the node they copy (GraphState::clone), so the counterpart is the
// clone's node made from `original`; nodes added to the clone later have none.
cudaError_t cudaGraphNodeFindInClone(cudaGraphNode_t* found, cudaGraphNode_t original, cudaGraph_t cloned) {
  return api("cudaGraphNodeFindInClone", [&](Context& ctx) {
    if (!found) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    const GraphNode& o = node_of(ctx, original);
    GraphRecord& clone = graph_of(ctx, cloned);
    for (auto& n : clone.nodes)
      if (n->cloned_from == &o) {
        *found = reinterpret_cast<cudaGraphNode_t>(n.get());
        return;
      }
    throw ApiError(cudaErrorInvalidValue, "the graph is not a clone of the node's graph, or the node was added after the clone was made");
  });
}

// Disabling keeps the node's parameters; a launch runs a disabled node as an empty node (run_node).
cudaError_t cudaGraphNodeSetEnabled(cudaGraphExec_t exec, cudaGraphNode_t node, unsigned int enabled) {
  return api("cudaGraphNodeSetEnabled", [&](Context& ctx) { switchable(ctx, exec, node).enabled = enabled != 0; });
}

cudaError_t cudaGraphNodeGetEnabled(cudaGraphExec_t exec, cudaGraphNode_t node, unsigned int* enabled) {
  return api("cudaGraphNodeGetEnabled", [&](Context& ctx) {
    const GraphNode& n = switchable(ctx, exec, node);
    if (!enabled) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *enabled = n.enabled ? 1 : 0;
  });
}

}  // extern "C"
