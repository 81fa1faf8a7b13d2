// Composite graph nodes: child graph nodes (cudaGraphAddChildGraphNode, a graph launched into a
// capturing stream) and memcpy nodes to and from __device__/__constant__ variables
// (cudaGraphAddMemcpyNodeToSymbol/FromSymbol, captured cudaMemcpyTo/FromSymbolAsync). A
// conditional node's bodies are owned graphs too, copied here with the node.
//
// A child graph node owns a deep copy of the graph it was given, as CUDA clones it; the copy is
// registered so that cudaGraphChildGraphNodeGetGraph hands out a handle the graph calls accept
// (changes through it change the node, as in CUDA), and it goes when its node goes.
#include <cuda_runtime_api.h>

#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {

namespace {

// Unregisters and deletes an owned child graph when its last node copy goes (normally inside an
// API call that destroys a node, graph or executable graph; the context's lock is recursive).
void release_owned_graph(GraphRecord* g) {
  Context& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  graph_state(ctx).forget(g);
}

// A registered graph (the shared model's) owned by the node that holds it.
std::shared_ptr<GraphRecord> owned(GraphRecord* g) {
  g->owned_by_node = true;
  return std::shared_ptr<GraphRecord>(g, release_owned_graph);
}

}  // namespace

std::shared_ptr<GraphRecord> owned_graph_copy(Context& ctx, const GraphRecord& g) {
  return owned(graph_state(ctx).clone(g, [&](GraphNode& c) { copy_child_graphs(ctx, c); }));
}

std::shared_ptr<GraphRecord> owned_empty_graph(Context& ctx) { return owned(graph_state(ctx).create()); }

void copy_child_graphs(Context& ctx, GraphNode& node) {
  if (node.child) node.child = owned_graph_copy(ctx, *node.child);
  for (size_t i = 0; i < node.bodies.size(); ++i) {  // a conditional node's bodies
    node.bodies[i] = owned_graph_copy(ctx, *node.bodies[i]);
    node.body_handles[i] = reinterpret_cast<cudaGraph_t>(node.bodies[i].get());
  }
}

std::shared_ptr<GraphRecord> owned_graph_of_exec(Context& ctx, const GraphExecRecord& exec) {
  GraphState& st = graph_state(ctx);
  std::shared_ptr<GraphRecord> g = owned(st.create());
  for (const GraphNode& n : exec.nodes) copy_child_graphs(ctx, *st.add(*g, n, {}));
  for (size_t k = 0; k < exec.nodes.size(); ++k)
    for (size_t d : exec.deps[k]) g->nodes[k]->deps.push_back(g->nodes[d].get());
  copy_user_refs(st, &exec, g.get());  // the child graph node holds the executable graph's user objects too
  return g;
}

GraphNode symbol_memcpy_node(Context& ctx, const void* symbol, void* other, size_t count, size_t offset, int kind,
                             bool to_symbol) {
  VariableRecord& var = ctx.variable(symbol);
  if (offset > var.size || count > var.size - offset)
    throw ApiError(cudaErrorInvalidValue, "copy of " + std::to_string(count) + " bytes at offset " + std::to_string(offset) +
                                              " overruns '" + var.name + "' (" + std::to_string(var.size) + " bytes)");
  // A __managed__ variable the device placed is one address for host and device; one it did not
  // place has a host copy that only launches bring in step.
  const runtime::ModuleHandle module = ctx.loaded(*var.module);
  if (var.managed_host && !var.placed())
    throw ApiError(cudaErrorNotSupported, "a graph copy to or from the __managed__ variable '" + var.name + "' is not supported by gpusim");
  const bool kind_ok = kind == cudaMemcpyDeviceToDevice || kind == cudaMemcpyDefault ||
                       kind == (to_symbol ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost);
  if (!kind_ok) throw ApiError(cudaErrorInvalidMemcpyDirection, "invalid copy kind " + std::to_string(kind) + " for a symbol copy");
  if (!other) throw ApiError(cudaErrorInvalidValue, "null pointer in a symbol copy");
  // A __constant__ variable has a device address too: the launches read the constant bank from it.
  auto* at = reinterpret_cast<char*>(ctx.device().symbol(module, var.name).address) + offset;
  GraphNode n;
  n.type = cudaGraphNodeTypeMemcpy;
  n.dst = to_symbol ? at : other;
  n.src = to_symbol ? static_cast<const void*>(other) : at;
  n.width = n.dst_pitch = n.src_pitch = count;
  n.dst_rows = n.src_rows = 1;
  n.kind = kind;
  return n;
}

}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaGraphAddChildGraphNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n,
                                       cudaGraph_t child) {
  return api("cudaGraphAddChildGraphNode", [&](Context& ctx) {
    if (!node) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    GraphRecord& g = graph_of(ctx, graph);
    GraphRecord& c = graph_of(ctx, child);
    if (&c == &g) throw ApiError(cudaErrorInvalidValue, "a graph cannot be its own child");
    if (holds_conditional_node(c))
      throw ApiError(cudaErrorInvalidValue, "a graph that holds conditional nodes cannot be a child graph (CUDA's rule)");
    for (const auto& cn : c.nodes)
      if (cn->type == cudaGraphNodeTypeMemAlloc || cn->type == cudaGraphNodeTypeMemFree)
        throw ApiError(cudaErrorNotSupported, "a child graph may not contain memory allocation or free nodes (CUDA's rule)");
    auto list = dependency_list(ctx, g, deps, n);
    GraphNode proto;
    proto.type = cudaGraphNodeTypeGraph;
    proto.child = owned_graph_copy(ctx, c);
    GraphNode* added = graph_state(ctx).add(g, std::move(proto), list);
    *node = reinterpret_cast<cudaGraphNode_t>(added);
  });
}

cudaError_t cudaGraphChildGraphNodeGetGraph(cudaGraphNode_t node, cudaGraph_t* graph) {
  return api("cudaGraphChildGraphNodeGetGraph", [&](Context& ctx) {
    GraphNode& n = node_of(ctx, node);
    if (!graph || n.type != cudaGraphNodeTypeGraph) throw ApiError(cudaErrorInvalidValue, "not a child graph node, or a null result pointer");
    *graph = reinterpret_cast<cudaGraph_t>(n.child.get());
  });
}

cudaError_t cudaGraphAddMemcpyNodeToSymbol(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n,
                                           const void* symbol, const void* src, size_t count, size_t offset,
                                           enum cudaMemcpyKind kind) {
  return api("cudaGraphAddMemcpyNodeToSymbol", [&](Context& ctx) {
    if (!node) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    GraphRecord& g = graph_of(ctx, graph);
    auto list = dependency_list(ctx, g, deps, n);
    GraphNode* added =
        graph_state(ctx).add(g, symbol_memcpy_node(ctx, symbol, const_cast<void*>(src), count, offset, gpusim::runtime::raw_enum_value(kind), true), list);
    *node = reinterpret_cast<cudaGraphNode_t>(added);
  });
}

cudaError_t cudaGraphAddMemcpyNodeFromSymbol(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps,
                                             size_t n, void* dst, const void* symbol, size_t count, size_t offset,
                                             enum cudaMemcpyKind kind) {
  return api("cudaGraphAddMemcpyNodeFromSymbol", [&](Context& ctx) {
    if (!node) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    GraphRecord& g = graph_of(ctx, graph);
    auto list = dependency_list(ctx, g, deps, n);
    GraphNode* added = graph_state(ctx).add(g, symbol_memcpy_node(ctx, symbol, dst, count, offset, gpusim::runtime::raw_enum_value(kind), false), list);
    *node = reinterpret_cast<cudaGraphNode_t>(added);
  });
}

}  // extern "C"
