// Conditional graph nodes (CUDA 12.4+): IF (with an optional ELSE body), WHILE and SWITCH nodes
// whose condition a kernel sets with the device-side cudaGraphSetConditional, so that a graph
// iterates (a solver until it converges, a decode loop) without returning to the host.
//
// A handle is the device address of its condition (isa/graph_conditional.h), which the executor's
// cudaGraphSetConditional writes. A launch runs the graph's nodes one after another, so a
// conditional node reads its condition when it is reached, after every node before it has run,
// and runs the chosen body's nodes in their own order where the node stands (a WHILE node again
// as long as the condition stays non-zero after the body).
#include <cuda_runtime_api.h>

#include <set>
#include <string>

#include "isa/graph_conditional.h"
#include "runtime/cudart/cudart_graph.h"
#include "runtime/raw_enum.h"

namespace gpusim::cudart {

namespace {

// CUDA bounds a SWITCH node by nothing but memory; a bound keeps a wrong size from exhausting it.
constexpr unsigned kMaxBodies = 65536;

const char* conditional_name(cudaGraphConditionalNodeType t) {
  switch (t) {
    case cudaGraphCondTypeIf: return "IF";
    case cudaGraphCondTypeWhile: return "WHILE";
    case cudaGraphCondTypeSwitch: return "SWITCH";
  }
  return "?";
}

uint32_t read_condition(Context& ctx, const ConditionalHandle& c) {
  uint32_t v = 0;
  ctx.device().copy_to_host(&v, c.handle(), sizeof v);
  return v;
}

void write_condition(Context& ctx, const ConditionalHandle& c, uint32_t value) {
  ctx.device().copy_to_device(c.handle(), &value, sizeof value);
}

// Whether anything in `g` (child graphs and nested bodies included) launches a kernel: only a
// kernel can change a condition, so a WHILE body without one never ends.
bool launches_a_kernel(const GraphRecord& g) {
  for (const auto& n : g.nodes) {
    if (n->type == cudaGraphNodeTypeKernel || n->foreign) return true;
    if (n->child && launches_a_kernel(*n->child)) return true;
    for (const auto& b : n->bodies)
      if (launches_a_kernel(*b)) return true;
  }
  return false;
}

bool allowed_in_body(cudaGraphNodeType t) {
  return t == cudaGraphNodeTypeKernel || t == cudaGraphNodeTypeEmpty || t == cudaGraphNodeTypeGraph ||
         t == cudaGraphNodeTypeMemset || t == cudaGraphNodeTypeMemcpy || t == cudaGraphNodeTypeConditional;
}

// CUDA's rule for what a body holds, applied to `g` and everything below it.
void check_body(const GraphRecord& g, const std::string& where) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const GraphNode& n = *g.nodes[i];
    if (!allowed_in_body(n.type))
      throw ApiError(cudaErrorNotSupported,
                     where + " holds a " + node_type_name(n.type) + " node (node " + std::to_string(i) +
                         "); a conditional node's body may hold only kernel, empty, child graph, memset, memcpy and "
                         "conditional nodes (CUDA's rule)");
    if (n.child) check_body(*n.child, where + "'s child graph");
    for (size_t b = 0; b < n.bodies.size(); ++b) check_body(*n.bodies[b], where + "'s nested body " + std::to_string(b));
  }
}

void collect_conditions(const GraphRecord& g, std::set<ConditionalHandle*>& out);

void collect_conditions(const GraphNode& n, std::set<ConditionalHandle*>& out) {
  if (n.condition) out.insert(n.condition.get());
  if (n.child) collect_conditions(*n.child, out);
  for (const auto& b : n.bodies) collect_conditions(*b, out);
}

void collect_conditions(const GraphRecord& g, std::set<ConditionalHandle*>& out) {
  for (const auto& n : g.nodes) collect_conditions(*n, out);
}

}  // namespace

GraphNode conditional_node(Context& ctx, const cudaConditionalNodeParams& p) {
  GraphState& st = graph_state(ctx);
  auto it = st.conditions.find(p.handle);
  if (it == st.conditions.end())
    throw ApiError(cudaErrorInvalidValue, "the conditional handle is unknown (cudaGraphConditionalHandleCreate makes "
                                          "handles; they go with the graph they were made for)");
  const int type = gpusim::runtime::raw_enum_value(p.type);
  if (type != cudaGraphCondTypeIf && type != cudaGraphCondTypeWhile && type != cudaGraphCondTypeSwitch)
    throw ApiError(cudaErrorInvalidValue, "unknown conditional node type " + std::to_string(type));
  const bool size_ok = type == cudaGraphCondTypeWhile ? p.size == 1
                       : type == cudaGraphCondTypeIf  ? p.size == 1 || p.size == 2
                                                      : p.size >= 1 && p.size <= kMaxBodies;
  if (!size_ok)
    throw ApiError(cudaErrorInvalidValue,
                   std::string("a ") + conditional_name(p.type) + " node of " + std::to_string(p.size) +
                       " bodies (size): WHILE takes 1, IF 1 or 2 (an ELSE body), SWITCH 1 to " +
                       std::to_string(kMaxBodies));
  GraphNode node;
  node.type = cudaGraphNodeTypeConditional;
  node.condition = it->second;
  node.conditional_type = p.type;
  for (unsigned i = 0; i < p.size; ++i) {
    node.bodies.push_back(owned_empty_graph(ctx));
    node.body_handles.push_back(reinterpret_cast<cudaGraph_t>(node.bodies.back().get()));
  }
  return node;
}

void run_conditional(Context& ctx, GraphNode& node) {
  ConditionalHandle& c = *node.condition;
  switch (node.conditional_type) {
    case cudaGraphCondTypeIf: {
      const bool taken = read_condition(ctx, c) != 0;
      if (taken) run_graph_nodes(ctx, *node.bodies[0]);
      else if (node.bodies.size() == 2) run_graph_nodes(ctx, *node.bodies[1]);
      return;
    }
    case cudaGraphCondTypeSwitch: {
      const uint32_t v = read_condition(ctx, c);
      if (v < node.bodies.size()) run_graph_nodes(ctx, *node.bodies[v]);
      return;
    }
    case cudaGraphCondTypeWhile:
      if (read_condition(ctx, c) == 0) return;
      if (!launches_a_kernel(*node.bodies[0]))
        throw ApiError(cudaErrorInvalidValue,
                       "a WHILE conditional node's condition is non-zero and its body launches no kernel, so nothing "
                       "can set it to 0: the graph would never finish");
      do run_graph_nodes(ctx, *node.bodies[0]);
      while (read_condition(ctx, c) != 0);
      return;
  }
}

void assign_default_conditions(Context& ctx, GraphExecRecord& exec) {
  std::set<ConditionalHandle*> used;
  for (const GraphNode& n : exec.nodes) collect_conditions(n, used);
  for (ConditionalHandle* c : used)
    if (c->assign_default) write_condition(ctx, *c, c->default_value);
}

void check_conditional_bodies(const GraphRecord& g) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const GraphNode& n = *g.nodes[i];
    for (size_t b = 0; b < n.bodies.size(); ++b)
      check_body(*n.bodies[b], std::string("body ") + std::to_string(b) + " of conditional node " + std::to_string(i));
    if (n.child) check_conditional_bodies(*n.child);
  }
}

bool holds_conditional_node(const GraphRecord& g) {
  for (const auto& n : g.nodes)
    if (n->type == cudaGraphNodeTypeConditional || (n->child && holds_conditional_node(*n->child))) return true;
  return false;
}

void forget_conditions_of(Context& ctx, const GraphRecord& g) {
  auto& conditions = graph_state(ctx).conditions;
  for (auto it = conditions.begin(); it != conditions.end();)
    it = it->second->graph == &g ? conditions.erase(it) : std::next(it);
}

}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaGraphConditionalHandleCreate(cudaGraphConditionalHandle* out, cudaGraph_t graph,
                                             unsigned int default_value, unsigned int flags) {
  return api("cudaGraphConditionalHandleCreate", [&](Context& ctx) {
    if (!out) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    GraphRecord& g = graph_of(ctx, graph);
    if (flags & ~static_cast<unsigned>(cudaGraphCondAssignDefault))
      throw ApiError(cudaErrorInvalidValue,
                     "flags " + std::to_string(flags) + ": only cudaGraphCondAssignDefault (1) or 0 are defined");
    auto c = std::make_shared<ConditionalHandle>();
    c->memory = std::make_shared<GraphAllocation>();
    c->memory->ptr = reinterpret_cast<void*>(ctx.device().alloc(gpusim::isa::kConditionalHandleBytes));
    c->memory->bytes = gpusim::isa::kConditionalHandleBytes;
    ctx.note_device_bytes(static_cast<int64_t>(c->memory->bytes));
    c->graph = &g;
    c->default_value = default_value;
    c->assign_default = flags & cudaGraphCondAssignDefault;
    const uint32_t contents[2] = {default_value, gpusim::isa::kConditionalHandleTag};
    ctx.device().copy_to_device(c->handle(), contents, sizeof contents);
    graph_state(ctx).conditions[c->handle()] = c;
    *out = c->handle();
  });
}

}  // extern "C"
