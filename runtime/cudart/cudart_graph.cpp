// Graph objects: creating graphs, adding nodes and edges, reading them back, cloning, destroying,
// and writing them as DOT: the runtime API over the shared model (runtime/graph/graph_model.h).
// Instantiation and launch are in cudart_graph_exec.cpp.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "runtime/cudart/cudart_graph.h"
#include "runtime/cudart/cudart_graph_foreign.h"
#include "runtime/graph/foreign_query.h"

namespace gpusim::cudart {

GraphState& graph_state(Context& ctx) {
  if (!ctx.graph_state) ctx.graph_state = std::make_shared<GraphState>();
  return *ctx.graph_state;
}

GraphAllocation::~GraphAllocation() {
  Context& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  try {
    ctx.device().free(reinterpret_cast<runtime::DevPtr>(ptr));
    ctx.note_device_bytes(-static_cast<int64_t>(bytes));
  } catch (...) {
    // Gone with a cudaDeviceReset already; nothing to give back.
  }
}

void** GraphNode::pointers() {
  arg_pointers.clear();
  for (auto& a : args) arg_pointers.push_back(a.data());
  return arg_pointers.data();
}

GraphRecord& graph_of(Context& ctx, cudaGraph_t g) { return graph_state(ctx).graph_of(g); }
GraphNode& node_of(Context& ctx, cudaGraphNode_t n) { return graph_state(ctx).node_of(n); }
GraphExecRecord& exec_of(Context& ctx, cudaGraphExec_t e) { return graph_state(ctx).exec_of(e); }

std::vector<GraphNode*> dependency_list(Context& ctx, GraphRecord& g, const cudaGraphNode_t* deps, size_t n) {
  return graph_state(ctx).dependency_list(g, reinterpret_cast<const void* const*>(deps), n);
}

namespace {

// Adds the node `make` builds, after the checks every cudaGraphAdd*Node makes.
template <typename F>
cudaError_t adding(const char* api_name, cudaGraphNode_t* out, cudaGraph_t graph, const cudaGraphNode_t* deps,
                   size_t n, F&& make) {
  return api(api_name, [&](Context& ctx) {
    if (!out) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    GraphRecord& g = graph_of(ctx, graph);
    auto list = dependency_list(ctx, g, deps, n);
    GraphNode* node = graph_state(ctx).add(g, make(ctx), list);
    *out = reinterpret_cast<cudaGraphNode_t>(node);
  });
}

}  // namespace

GraphNode memset_node(const cudaMemsetParams* p) {
  if (!p) throw ApiError(cudaErrorInvalidValue, "null memset parameters");
  if (p->elementSize != 1 && p->elementSize != 2 && p->elementSize != 4)
    throw ApiError(cudaErrorInvalidValue, "memset element size " + std::to_string(p->elementSize) + " (must be 1, 2 or 4)");
  if (p->height > 1 && p->pitch < p->width * p->elementSize)
    throw ApiError(cudaErrorInvalidValue, "memset pitch is smaller than a row");
  GraphNode n;
  n.type = cudaGraphNodeTypeMemset;
  n.dst = p->dst;
  n.dst_pitch = p->pitch;
  n.value = p->value;
  n.element_size = p->elementSize;
  n.width = p->width;
  n.height = std::max<size_t>(1, p->height);
  return n;
}

GraphNode memcpy1d_node(void* dst, const void* src, size_t count, const cudaMemcpyKind& kind) {
  GraphNode n;
  n.type = cudaGraphNodeTypeMemcpy;
  n.dst = dst;
  n.src = src;
  n.width = count;
  n.dst_pitch = n.src_pitch = count;
  n.dst_rows = n.src_rows = 1;
  n.kind = gpusim::runtime::raw_enum_value(kind);
  return n;
}

GraphNode memcpy3d_node(const cudaMemcpy3DParms* p) {
  if (!p) throw ApiError(cudaErrorInvalidValue, "null copy parameters");
  if (p->srcArray || p->dstArray) throw ApiError(cudaErrorNotSupported, "copies to or from CUDA arrays in a graph are not supported by gpusim");
  GraphNode n;
  n.type = cudaGraphNodeTypeMemcpy;
  const auto at = [](const cudaPitchedPtr& pp, const cudaPos& pos) {
    return static_cast<char*>(pp.ptr) + (pos.z * pp.ysize + pos.y) * pp.pitch + pos.x;
  };
  n.dst = at(p->dstPtr, p->dstPos);
  n.src = at(p->srcPtr, p->srcPos);
  n.width = p->extent.width;
  n.height = p->extent.height;
  n.depth = p->extent.depth;
  n.dst_pitch = p->dstPtr.pitch;
  n.src_pitch = p->srcPtr.pitch;
  n.dst_rows = p->dstPtr.ysize;
  n.src_rows = p->srcPtr.ysize;
  n.kind = gpusim::runtime::raw_enum_value(p->kind);
  if (n.width > n.dst_pitch || n.width > n.src_pitch) throw ApiError(cudaErrorInvalidValue, "copy width exceeds a pitch");
  return n;
}

const char* node_type_name(cudaGraphNodeType t) {
  switch (t) {
    case cudaGraphNodeTypeKernel: return "kernel";
    case cudaGraphNodeTypeMemcpy: return "memcpy";
    case cudaGraphNodeTypeMemset: return "memset";
    case cudaGraphNodeTypeHost: return "host";
    case cudaGraphNodeTypeEmpty: return "empty";
    case cudaGraphNodeTypeWaitEvent: return "event wait";
    case cudaGraphNodeTypeEventRecord: return "event record";
    case cudaGraphNodeTypeMemAlloc: return "mem alloc";
    case cudaGraphNodeTypeMemFree: return "mem free";
    case cudaGraphNodeTypeGraph: return "child graph";
    case cudaGraphNodeTypeConditional: return "conditional";
    default: return "node";
  }
}

}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaGraphCreate(cudaGraph_t* graph, unsigned int flags) {
  return api("cudaGraphCreate", [&](Context& ctx) {
    if (!graph) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (flags) throw ApiError(cudaErrorInvalidValue, "flags must be 0");
    *graph = reinterpret_cast<cudaGraph_t>(graph_state(ctx).create());
  });
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  if (auto* driver = driver_graph_owner(graph, false)) return set_last_error(static_cast<cudaError_t>(driver->destroy_graph(graph)));
  return api("cudaGraphDestroy", [&](Context& ctx) {
    GraphRecord& g = graph_of(ctx, graph);
    if (g.owned_by_node) throw ApiError(cudaErrorInvalidValue, "the graph belongs to a node (a child graph node's graph or a conditional node's body: destroy the node instead)");
    if (graph_state(ctx).graph_is_capture_target(&g)) throw ApiError(cudaErrorInvalidValue, "the graph is being captured into");
    forget_conditions_of(ctx, g);
    graph_state(ctx).forget(&g);
  });
}

cudaError_t cudaGraphAddEmptyNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n) {
  return adding("cudaGraphAddEmptyNode", node, graph, deps, n, [](Context&) { return GraphNode{}; });
}

cudaError_t cudaGraphAddKernelNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n,
                                   const cudaKernelNodeParams* p) {
  return adding("cudaGraphAddKernelNode", node, graph, deps, n, [&](Context& ctx) {
    if (!p) throw ApiError(cudaErrorInvalidValue, "null kernel parameters");
    if (p->extra) throw ApiError(cudaErrorNotSupported, "kernel arguments in the 'extra' format are not supported by gpusim");
    return kernel_node(ctx, p->func, p->gridDim, p->blockDim, p->sharedMemBytes, p->kernelParams, false, dim3(1, 1, 1));
  });
}

cudaError_t cudaGraphAddMemcpyNode1D(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n,
                                     void* dst, const void* src, size_t count, cudaMemcpyKind kind) {
  return adding("cudaGraphAddMemcpyNode1D", node, graph, deps, n,
                [&](Context&) { return memcpy1d_node(dst, src, count, kind); });
}

cudaError_t cudaGraphAddMemcpyNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n,
                                   const cudaMemcpy3DParms* p) {
  return adding("cudaGraphAddMemcpyNode", node, graph, deps, n, [&](Context&) { return memcpy3d_node(p); });
}

cudaError_t cudaGraphAddMemsetNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n,
                                   const cudaMemsetParams* p) {
  return adding("cudaGraphAddMemsetNode", node, graph, deps, n, [&](Context&) { return memset_node(p); });
}

cudaError_t cudaGraphAddHostNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n,
                                 const cudaHostNodeParams* p) {
  return adding("cudaGraphAddHostNode", node, graph, deps, n, [&](Context&) {
    if (!p || !p->fn) throw ApiError(cudaErrorInvalidValue, "null host function");
    GraphNode h;
    h.type = cudaGraphNodeTypeHost;
    h.host_fn = p->fn;
    h.user_data = p->userData;
    return h;
  });
}

cudaError_t cudaGraphAddEventRecordNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps,
                                        size_t n, cudaEvent_t event) {
  return adding("cudaGraphAddEventRecordNode", node, graph, deps, n, [&](Context& ctx) {
    if (!ctx.stream_table.event(event)) throw ApiError(cudaErrorInvalidResourceHandle, "unknown or destroyed event");
    GraphNode e;
    e.type = cudaGraphNodeTypeEventRecord;
    e.event = event;
    return e;
  });
}

cudaError_t cudaGraphAddEventWaitNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps,
                                      size_t n, cudaEvent_t event) {
  return adding("cudaGraphAddEventWaitNode", node, graph, deps, n, [&](Context& ctx) {
    if (!ctx.stream_table.event(event)) throw ApiError(cudaErrorInvalidResourceHandle, "unknown or destroyed event");
    GraphNode e;
    e.type = cudaGraphNodeTypeWaitEvent;
    e.event = event;
    return e;
  });
}

cudaError_t cudaGraphAddDependencies(cudaGraph_t graph, const cudaGraphNode_t* from, const cudaGraphNode_t* to,
                                     const cudaGraphEdgeData* edge_data, size_t n) {
  return api("cudaGraphAddDependencies", [&](Context& ctx) {
    graph_state(ctx).add_edges(graph_of(ctx, graph), reinterpret_cast<const void* const*>(from),
                               reinterpret_cast<const void* const*>(to), n);
  });
}

// A libcuda graph's or node's query answered by libcuda's entry point (cudart_graph_foreign.h).
#define GPUSIM_DRIVER_GRAPH_QUERY(handle, kind, symbol, type, ...)                                          \
  if (auto forward = gpusim::graph::foreign_entry_as<type>(gpusim::cudart::driver_##kind##_entry(handle, symbol))) \
    return gpusim::cudart::set_last_error(static_cast<cudaError_t>(GPUSIM_FORWARD_##kind(forward, __VA_ARGS__)));
#define GPUSIM_FORWARD_graph(entry, ...) entry(__VA_ARGS__)
#define GPUSIM_FORWARD_node(entry, ...) \
  gpusim::graph::forward_node_query(gpusim::cudart::forwarding_node_query(), entry, __VA_ARGS__)

cudaError_t cudaGraphGetNodes(cudaGraph_t graph, cudaGraphNode_t* nodes, size_t* count) {
  GPUSIM_DRIVER_GRAPH_QUERY(graph, graph, "cuGraphGetNodes", int (*)(void*, void*, size_t*), graph, nodes, count)
  return api("cudaGraphGetNodes", [&](Context& ctx) {
    std::vector<GraphNode*> all;
    for (auto& n : graph_of(ctx, graph).nodes) all.push_back(n.get());
    gpusim::graph::copy_out(nodes, count, all);
  });
}

cudaError_t cudaGraphGetRootNodes(cudaGraph_t graph, cudaGraphNode_t* nodes, size_t* count) {
  GPUSIM_DRIVER_GRAPH_QUERY(graph, graph, "cuGraphGetRootNodes", int (*)(void*, void*, size_t*), graph, nodes, count)
  return api("cudaGraphGetRootNodes", [&](Context& ctx) {
    gpusim::graph::copy_out(nodes, count, gpusim::graph::root_nodes(graph_of(ctx, graph)));
  });
}

cudaError_t cudaGraphGetEdges(cudaGraph_t graph, cudaGraphNode_t* from, cudaGraphNode_t* to,
                              cudaGraphEdgeData* edge_data, size_t* count) {
  // CUgraphEdgeData is laid out as cudaGraphEdgeData.
  GPUSIM_DRIVER_GRAPH_QUERY(graph, graph, "cuGraphGetEdges_v2", int (*)(void*, void*, void*, void*, size_t*), graph, from, to,
                            edge_data, count)
  return api("cudaGraphGetEdges", [&](Context& ctx) {
    if (!count) throw ApiError(cudaErrorInvalidValue, "null count pointer");
    const auto edges = gpusim::graph::edges(graph_of(ctx, graph));
    if (from && to) {
      for (size_t i = 0; i < std::min(*count, edges.size()); ++i) {
        from[i] = reinterpret_cast<cudaGraphNode_t>(edges[i].first);
        to[i] = reinterpret_cast<cudaGraphNode_t>(edges[i].second);
        if (edge_data) edge_data[i] = {};
      }
      if (*count > edges.size()) *count = edges.size();
    } else {
      *count = edges.size();
    }
  });
}

cudaError_t cudaGraphNodeGetType(cudaGraphNode_t node, cudaGraphNodeType* type) {
  GPUSIM_DRIVER_GRAPH_QUERY(node, node, "cuGraphNodeGetType", int (*)(void*, void*), node, type)
  return api("cudaGraphNodeGetType", [&](Context& ctx) {
    if (!type) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *type = node_of(ctx, node).type;
  });
}

cudaError_t cudaGraphNodeGetDependencies(cudaGraphNode_t node, cudaGraphNode_t* deps, cudaGraphEdgeData* edge_data,
                                         size_t* count) {
  GPUSIM_DRIVER_GRAPH_QUERY(node, node, "cuGraphNodeGetDependencies_v2", int (*)(void*, void*, void*, size_t*), node, deps,
                            edge_data, count)
  return api("cudaGraphNodeGetDependencies", [&](Context& ctx) { gpusim::graph::copy_out(deps, count, node_of(ctx, node).deps); });
}

cudaError_t cudaGraphKernelNodeGetParams(cudaGraphNode_t node, cudaKernelNodeParams* p) {
  return api("cudaGraphKernelNodeGetParams", [&](Context& ctx) {
    GraphNode& n = node_of(ctx, node);
    if (!p) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (n.type != cudaGraphNodeTypeKernel) throw ApiError(cudaErrorInvalidValue, "not a kernel node");
    *p = {};
    p->func = const_cast<void*>(n.func);
    p->gridDim = n.grid;
    p->blockDim = n.block;
    p->sharedMemBytes = static_cast<unsigned>(n.shared);
    p->kernelParams = n.pointers();
  });
}

cudaError_t cudaGraphKernelNodeSetParams(cudaGraphNode_t node, const cudaKernelNodeParams* p) {
  return api("cudaGraphKernelNodeSetParams", [&](Context& ctx) {
    GraphNode& n = node_of(ctx, node);
    if (!p) throw ApiError(cudaErrorInvalidValue, "null kernel parameters");
    if (n.type != cudaGraphNodeTypeKernel) throw ApiError(cudaErrorInvalidValue, "not a kernel node");
    // The launch attributes (cudaGraphKernelNodeSetAttribute) stay the node's.
    GraphNode fresh = kernel_node(ctx, p->func, p->gridDim, p->blockDim, p->sharedMemBytes, p->kernelParams, n.cooperative, n.cluster);
    fresh.attributes = n.attributes;
    fresh.graph = n.graph;
    fresh.deps = n.deps;
    n = std::move(fresh);
  });
}

cudaError_t cudaGraphHostNodeGetParams(cudaGraphNode_t node, cudaHostNodeParams* p) {
  // CUDA_HOST_NODE_PARAMS is laid out as cudaHostNodeParams (function, user data).
  GPUSIM_DRIVER_GRAPH_QUERY(node, node, "cuGraphHostNodeGetParams", int (*)(void*, void*), node, p)
  return api("cudaGraphHostNodeGetParams", [&](Context& ctx) {
    GraphNode& n = node_of(ctx, node);
    if (!p || n.type != cudaGraphNodeTypeHost) throw ApiError(cudaErrorInvalidValue, "not a host node, or a null result pointer");
    p->fn = n.host_fn;
    p->userData = n.user_data;
  });
}

cudaError_t cudaGraphDestroyNode(cudaGraphNode_t node) {
  return api("cudaGraphDestroyNode", [&](Context& ctx) {
    graph_state(ctx).destroy_node(node_of(ctx, node));
  });
}

cudaError_t cudaGraphClone(cudaGraph_t* clone, cudaGraph_t original) {
  // The clone of a libcuda graph is libcuda's too (every API takes it, as it takes the original).
  GPUSIM_DRIVER_GRAPH_QUERY(original, graph, "cuGraphClone", int (*)(void*, void*), clone, original)
  return api("cudaGraphClone", [&](Context& ctx) {
    if (!clone) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    GraphRecord& g = graph_of(ctx, original);
    if (holds_conditional_node(g))
      throw ApiError(cudaErrorNotSupported, "a graph that holds conditional nodes cannot be cloned (CUDA's rule)");
    GraphRecord* copy = graph_state(ctx).clone(g, [&](GraphNode& c) { copy_child_graphs(ctx, c); });
    *clone = reinterpret_cast<cudaGraph_t>(copy);
  });
}

// A DOT file of the nodes (kind and the essential parameters) and their edges.
cudaError_t cudaGraphDebugDotPrint(cudaGraph_t graph, const char* path, unsigned int flags) {
  GPUSIM_DRIVER_GRAPH_QUERY(graph, graph, "cuGraphDebugDotPrint", int (*)(void*, const char*, unsigned), graph, path, flags)
  return api("cudaGraphDebugDotPrint", [&](Context& ctx) {
    GraphRecord& g = graph_of(ctx, graph);
    if (!path) throw ApiError(cudaErrorInvalidValue, "null path");
    std::ofstream out(path);
    if (!out) throw ApiError(cudaErrorOperatingSystem, std::string("cannot write ") + path);
    std::map<const GraphNode*, size_t> id;
    for (auto& n : g.nodes) id[n.get()] = id.size();
    out << "digraph gpusim_graph {\n  node [shape=box];\n";
    for (auto& n : g.nodes) {
      out << "  n" << id[n.get()] << " [label=\"" << id[n.get()] << ": " << node_type_name(n->type);
      if (n->type == cudaGraphNodeTypeKernel) {
        out << "\\n" << ctx.kernel(n->func).name << "\\ngrid (" << n->grid.x << "," << n->grid.y << "," << n->grid.z
            << ") block (" << n->block.x << "," << n->block.y << "," << n->block.z << ")";
      } else if (n->type == cudaGraphNodeTypeMemcpy) {
        out << "\\n" << n->width * n->height * n->depth << " bytes";
      } else if (n->type == cudaGraphNodeTypeMemset) {
        out << "\\n" << n->width * n->height << " x " << n->element_size << " bytes = " << n->value;
      }
      out << "\"];\n";
    }
    for (auto& n : g.nodes)
      for (GraphNode* d : n->deps) out << "  n" << id[d] << " -> n" << id[n.get()] << ";\n";
    out << "}\n";
  });
}

}  // extern "C"
