// Driver API graphs: creating them, adding nodes and edges, reading them back, cloning,
// destroying and writing them as DOT, over the shared graph model (runtime/graph/graph_model.h).
// Instantiation and launch are in graph_exec.cpp. Every node owns a copy of what it runs (kernel
// arguments are copied when the node is made, as CUDA does).
#include <cuda.h>

#include <cstring>
#include <fstream>

#include "runtime/cudadrv/driver_graph.h"
#include "runtime/cudadrv/graph_foreign.h"
#include "runtime/graph/foreign_query.h"
#include "runtime/raw_enum.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverGraph;
using gpusim::cudadrv::DriverGraphNode;
using gpusim::cudadrv::DriverState;
using gpusim::cudadrv::graph_call;
using gpusim::cudadrv::graph_errors;
using gpusim::cudadrv::graphs;
using gpusim::cudadrv::typed_node;

namespace gpusim::cudadrv {

void** DriverGraphNode::pointers() {
  arg_pointers.clear();
  for (auto& a : args) arg_pointers.push_back(a.bytes.data());
  return arg_pointers.data();
}

DriverGraphNode kernel_node(DriverState& s, CUfunc_st& f, runtime::Dim3 grid, runtime::Dim3 block, unsigned shared_bytes,
                            void** params, void** extra) {
  DriverGraphNode n;
  n.type = graph::kKernelNode;
  n.function = &f;
  n.grid = grid;
  n.block = block;
  n.shared_bytes = shared_bytes;
  n.args = checked_launch_arguments(s, f, grid, block, shared_bytes, params, extra);
  return n;
}

DriverGraphNode memcpy_node(const CUDA_MEMCPY3D& copy) {
  using gpusim::runtime::raw_enum_value;
  for (long long type : {raw_enum_value(copy.srcMemoryType), raw_enum_value(copy.dstMemoryType)}) {
    if (type == CU_MEMORYTYPE_ARRAY)
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "copies to or from CUDA arrays are not supported by the driver library"};
    if (type != CU_MEMORYTYPE_HOST && type != CU_MEMORYTYPE_DEVICE && type != CU_MEMORYTYPE_UNIFIED)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "memory type " + std::to_string(type) + " is not a CUmemorytype"};
  }
  DriverGraphNode n;
  n.type = graph::kMemcpyNode;
  n.copy = copy;
  return n;
}

DriverGraphNode linear_memcpy_node(CUmemorytype dst_type, CUdeviceptr dst, CUmemorytype src_type, CUdeviceptr src,
                                   size_t bytes) {
  CUDA_MEMCPY3D c{};
  c.dstMemoryType = dst_type;
  c.srcMemoryType = src_type;
  if (dst_type == CU_MEMORYTYPE_HOST) c.dstHost = reinterpret_cast<void*>(dst);
  else c.dstDevice = dst;
  if (src_type == CU_MEMORYTYPE_HOST) c.srcHost = reinterpret_cast<const void*>(src);
  else c.srcDevice = src;
  c.WidthInBytes = bytes;
  c.Height = c.Depth = 1;
  return memcpy_node(c);
}

DriverGraphNode memset_node(CUdeviceptr dst, size_t pitch, unsigned value, unsigned element_size, size_t width, size_t height) {
  if (element_size != 1 && element_size != 2 && element_size != 4)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "elementSize " + std::to_string(element_size) + " (must be 1, 2 or 4)"};
  if (!dst) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the destination is null"};
  if (dst % element_size || (height > 1 && pitch % element_size))
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the destination or pitch is not aligned to the element size"};
  if (height > 1 && pitch < width * element_size) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the pitch is smaller than a row"};
  DriverGraphNode n;
  n.type = graph::kMemsetNode;
  n.dst = dst;
  n.pitch = pitch;
  n.value = value;
  n.element_size = element_size;
  n.width = width;
  n.height = height ? height : 1;
  return n;
}

DriverGraphNode& typed_node(DriverState& s, CUgraphNode node, int type, const char* what) {
  DriverGraphNode& n = graphs(s).node_of(node);
  if (n.type != type) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string("not a ") + what + " node"};
  return n;
}

}  // namespace gpusim::cudadrv

namespace {

// An API call over the graph model: graph::GraphError becomes the driver's CUresult.
// Adds the node `make` builds, after the checks every cuGraphAdd*Node makes.
template <typename Make>
CUresult adding(const char* call, CUgraphNode* out, CUgraph graph, const CUgraphNode* deps, size_t n, Make&& make) {
  return graph_call(call, [&](DriverState& s) {
    if (!out) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "phGraphNode is null"};
    gpusim::cudadrv::current_context(s);
    auto& model = graphs(s);
    DriverGraph& g = model.graph_of(graph);
    auto list = model.dependency_list(g, reinterpret_cast<const void* const*>(deps), n);
    *out = reinterpret_cast<CUgraphNode>(model.add(g, make(s), list));
  });
}

DriverGraphNode kernel_node_of(DriverState& s, const CUDA_KERNEL_NODE_PARAMS& p) {
  // A CUkernel (p.kern) launches as the CUfunction it is (library.cpp).
  CUfunction function = p.func ? p.func : reinterpret_cast<CUfunction>(p.kern);
  CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
  return gpusim::cudadrv::kernel_node(s, f, {p.gridDimX, p.gridDimY, p.gridDimZ}, {p.blockDimX, p.blockDimY, p.blockDimZ},
                                      p.sharedMemBytes, p.kernelParams, p.extra);
}

// The CUDA 11 parameter struct is the CUDA 12 one without its last two fields.
CUDA_KERNEL_NODE_PARAMS widened(const CUDA_KERNEL_NODE_PARAMS_v1* p) {
  CUDA_KERNEL_NODE_PARAMS out{};
  if (p) std::memcpy(&out, p, sizeof *p);
  return out;
}

const char* type_name(int t) {
  switch (t) {
    case gpusim::graph::kKernelNode: return "kernel";
    case gpusim::graph::kMemcpyNode: return "memcpy";
    case gpusim::graph::kMemsetNode: return "memset";
    case gpusim::graph::kHostNode: return "host";
    case gpusim::graph::kWaitEventNode: return "event wait";
    case gpusim::graph::kEventRecordNode: return "event record";
    default: return "empty";
  }
}

// An event record or wait node (the two differ only in type).
DriverGraphNode event_node(DriverState& s, int type, CUevent event) {
  gpusim::cudadrv::live_event(s, event);
  DriverGraphNode e;
  e.type = type;
  e.event = event;
  return e;
}

}  // namespace

extern "C" {

CUresult cuGraphCreate(CUgraph* graph, unsigned int flags) {
  return graph_call("cuGraphCreate", [&](DriverState& s) {
    if (!graph) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "phGraph is null"};
    if (flags) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags must be 0"};
    gpusim::cudadrv::current_context(s);
    *graph = reinterpret_cast<CUgraph>(graphs(s).create());
  });
}

CUresult cuGraphDestroy(CUgraph graph) {
  if (auto* runtime_side = gpusim::cudadrv::runtime_graph_owner(graph, false))  // libcudart's graph
    return static_cast<CUresult>(runtime_side->destroy_graph(graph));
  return graph_call("cuGraphDestroy", [&](DriverState& s) {
    auto& model = graphs(s);
    DriverGraph& g = model.graph_of(graph);
    if (model.graph_is_capture_target(&g)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the graph is being captured into"};
    model.forget(&g);
  });
}

CUresult cuGraphAddEmptyNode(CUgraphNode* node, CUgraph graph, const CUgraphNode* deps, size_t n) {
  return adding("cuGraphAddEmptyNode", node, graph, deps, n, [](DriverState&) { return DriverGraphNode{}; });
}

CUresult cuGraphAddKernelNode_v2(CUgraphNode* node, CUgraph graph, const CUgraphNode* deps, size_t n,
                                 const CUDA_KERNEL_NODE_PARAMS* p) {
  return adding("cuGraphAddKernelNode", node, graph, deps, n, [&](DriverState& s) {
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams is null"};
    return kernel_node_of(s, *p);
  });
}
#undef cuGraphAddKernelNode
CUresult cuGraphAddKernelNode(CUgraphNode* node, CUgraph graph, const CUgraphNode* deps, size_t n,
                              const CUDA_KERNEL_NODE_PARAMS_v1* p) {
  if (!p) return cuGraphAddKernelNode_v2(node, graph, deps, n, nullptr);
  const CUDA_KERNEL_NODE_PARAMS wide = widened(p);
  return cuGraphAddKernelNode_v2(node, graph, deps, n, &wide);
}

CUresult cuGraphAddMemcpyNode(CUgraphNode* node, CUgraph graph, const CUgraphNode* deps, size_t n,
                              const CUDA_MEMCPY3D* copy, CUcontext) {
  return adding("cuGraphAddMemcpyNode", node, graph, deps, n, [&](DriverState&) {
    if (!copy) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "copyParams is null"};
    return gpusim::cudadrv::memcpy_node(*copy);
  });
}

CUresult cuGraphAddMemsetNode(CUgraphNode* node, CUgraph graph, const CUgraphNode* deps, size_t n,
                              const CUDA_MEMSET_NODE_PARAMS* p, CUcontext) {
  return adding("cuGraphAddMemsetNode", node, graph, deps, n, [&](DriverState&) {
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "memsetParams is null"};
    return gpusim::cudadrv::memset_node(p->dst, p->pitch, p->value, p->elementSize, p->width, p->height);
  });
}

CUresult cuGraphAddHostNode(CUgraphNode* node, CUgraph graph, const CUgraphNode* deps, size_t n,
                            const CUDA_HOST_NODE_PARAMS* p) {
  return adding("cuGraphAddHostNode", node, graph, deps, n, [&](DriverState&) {
    if (!p || !p->fn) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams or its fn is null"};
    DriverGraphNode h;
    h.type = gpusim::graph::kHostNode;
    h.host_fn = p->fn;
    h.user_data = p->userData;
    return h;
  });
}

CUresult cuGraphAddEventRecordNode(CUgraphNode* node, CUgraph graph, const CUgraphNode* deps, size_t n, CUevent event) {
  return adding("cuGraphAddEventRecordNode", node, graph, deps, n,
                [&](DriverState& s) { return event_node(s, gpusim::graph::kEventRecordNode, event); });
}

CUresult cuGraphAddEventWaitNode(CUgraphNode* node, CUgraph graph, const CUgraphNode* deps, size_t n, CUevent event) {
  return adding("cuGraphAddEventWaitNode", node, graph, deps, n,
                [&](DriverState& s) { return event_node(s, gpusim::graph::kWaitEventNode, event); });
}

CUresult cuGraphAddDependencies_v2(CUgraph graph, const CUgraphNode* from, const CUgraphNode* to,
                                   const CUgraphEdgeData* edge_data, size_t n) {
  return graph_call("cuGraphAddDependencies", [&](DriverState& s) {
    if (edge_data)
      for (size_t i = 0; i < n; ++i)
        if (edge_data[i].type != CU_GRAPH_DEPENDENCY_TYPE_DEFAULT || edge_data[i].from_port || edge_data[i].to_port)
          throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "edge data other than the default (programmatic ports) is not supported"};
    auto& model = graphs(s);
    model.add_edges(model.graph_of(graph), reinterpret_cast<const void* const*>(from),
                    reinterpret_cast<const void* const*>(to), n);
  });
}
#undef cuGraphAddDependencies
CUresult cuGraphAddDependencies(CUgraph graph, const CUgraphNode* from, const CUgraphNode* to, size_t n) {
  return cuGraphAddDependencies_v2(graph, from, to, nullptr, n);
}

// A libcudart graph's or node's query answered by libcudart's entry point (graph_foreign.h).
#define GPUSIM_RUNTIME_GRAPH_QUERY(handle, kind, symbol, type, ...)                                          \
  if (auto forward = gpusim::graph::foreign_entry_as<type>(gpusim::cudadrv::runtime_##kind##_entry(handle, symbol))) \
    return static_cast<CUresult>(GPUSIM_FORWARD_##kind(forward, __VA_ARGS__));
#define GPUSIM_FORWARD_graph(entry, ...) entry(__VA_ARGS__)
#define GPUSIM_FORWARD_node(entry, ...) \
  gpusim::graph::forward_node_query(gpusim::cudadrv::forwarding_node_query(), entry, __VA_ARGS__)

CUresult cuGraphGetNodes(CUgraph graph, CUgraphNode* nodes, size_t* count) {
  GPUSIM_RUNTIME_GRAPH_QUERY(graph, graph, "cudaGraphGetNodes", int (*)(void*, void*, size_t*), graph, nodes, count)
  return graph_call("cuGraphGetNodes", [&](DriverState& s) {
    std::vector<DriverGraphNode*> all;
    for (auto& n : graphs(s).graph_of(graph).nodes) all.push_back(n.get());
    gpusim::graph::copy_out(nodes, count, all);
  });
}

CUresult cuGraphGetRootNodes(CUgraph graph, CUgraphNode* nodes, size_t* count) {
  GPUSIM_RUNTIME_GRAPH_QUERY(graph, graph, "cudaGraphGetRootNodes", int (*)(void*, void*, size_t*), graph, nodes, count)
  return graph_call("cuGraphGetRootNodes", [&](DriverState& s) {
    gpusim::graph::copy_out(nodes, count, gpusim::graph::root_nodes(graphs(s).graph_of(graph)));
  });
}

CUresult cuGraphGetEdges_v2(CUgraph graph, CUgraphNode* from, CUgraphNode* to, CUgraphEdgeData* edge_data, size_t* count) {
  // cudaGraphEdgeData is laid out as CUgraphEdgeData.
  GPUSIM_RUNTIME_GRAPH_QUERY(graph, graph, "cudaGraphGetEdges", int (*)(void*, void*, void*, void*, size_t*), graph, from, to,
                             edge_data, count)
  return graph_call("cuGraphGetEdges", [&](DriverState& s) {
    if (!count) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "numEdges is null"};
    const auto edges = gpusim::graph::edges(graphs(s).graph_of(graph));
    if (!from != !to) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "from and to must both be given or both be null"};
    if (from) {
      for (size_t i = 0; i < std::min(*count, edges.size()); ++i) {
        from[i] = reinterpret_cast<CUgraphNode>(edges[i].first);
        to[i] = reinterpret_cast<CUgraphNode>(edges[i].second);
        if (edge_data) edge_data[i] = {};
      }
      if (*count > edges.size()) *count = edges.size();
    } else {
      *count = edges.size();
    }
  });
}
#undef cuGraphGetEdges
CUresult cuGraphGetEdges(CUgraph graph, CUgraphNode* from, CUgraphNode* to, size_t* count) {
  return cuGraphGetEdges_v2(graph, from, to, nullptr, count);
}

CUresult cuGraphNodeGetDependencies_v2(CUgraphNode node, CUgraphNode* deps, CUgraphEdgeData* edge_data, size_t* count) {
  GPUSIM_RUNTIME_GRAPH_QUERY(node, node, "cudaGraphNodeGetDependencies", int (*)(void*, void*, void*, size_t*), node, deps,
                             edge_data, count)
  return graph_call("cuGraphNodeGetDependencies", [&](DriverState& s) {
    const auto& list = graphs(s).node_of(node).deps;
    gpusim::graph::copy_out(deps, count, list);
    if (deps && edge_data)
      for (size_t i = 0; i < *count; ++i) edge_data[i] = {};
  });
}
#undef cuGraphNodeGetDependencies
CUresult cuGraphNodeGetDependencies(CUgraphNode node, CUgraphNode* deps, size_t* count) {
  return cuGraphNodeGetDependencies_v2(node, deps, nullptr, count);
}

CUresult cuGraphNodeGetType(CUgraphNode node, CUgraphNodeType* type) {
  GPUSIM_RUNTIME_GRAPH_QUERY(node, node, "cudaGraphNodeGetType", int (*)(void*, void*), node, type)
  return graph_call("cuGraphNodeGetType", [&](DriverState& s) {
    if (!type) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "type is null"};
    *type = static_cast<CUgraphNodeType>(graphs(s).node_of(node).type);
  });
}

CUresult cuGraphKernelNodeGetParams_v2(CUgraphNode node, CUDA_KERNEL_NODE_PARAMS* p) {
  return graph_call("cuGraphKernelNodeGetParams", [&](DriverState& s) {
    DriverGraphNode& n = typed_node(s, node, gpusim::graph::kKernelNode, "kernel");
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams is null"};
    *p = {};
    p->func = n.function;
    p->gridDimX = n.grid.x, p->gridDimY = n.grid.y, p->gridDimZ = n.grid.z;
    p->blockDimX = n.block.x, p->blockDimY = n.block.y, p->blockDimZ = n.block.z;
    p->sharedMemBytes = n.shared_bytes;
    p->kernelParams = n.pointers();  // the node's own copies, valid while the node lives
  });
}
#undef cuGraphKernelNodeGetParams
CUresult cuGraphKernelNodeGetParams(CUgraphNode node, CUDA_KERNEL_NODE_PARAMS_v1* p) {
  CUDA_KERNEL_NODE_PARAMS wide{};
  const CUresult r = cuGraphKernelNodeGetParams_v2(node, p ? &wide : nullptr);
  if (r == CUDA_SUCCESS) std::memcpy(p, &wide, sizeof *p);
  return r;
}

CUresult cuGraphKernelNodeSetParams_v2(CUgraphNode node, const CUDA_KERNEL_NODE_PARAMS* p) {
  return graph_call("cuGraphKernelNodeSetParams", [&](DriverState& s) {
    DriverGraphNode& n = typed_node(s, node, gpusim::graph::kKernelNode, "kernel");
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams is null"};
    DriverGraphNode fresh = kernel_node_of(s, *p);
    fresh.graph = n.graph;
    fresh.deps = n.deps;
    n = std::move(fresh);
  });
}
#undef cuGraphKernelNodeSetParams
CUresult cuGraphKernelNodeSetParams(CUgraphNode node, const CUDA_KERNEL_NODE_PARAMS_v1* p) {
  if (!p) return cuGraphKernelNodeSetParams_v2(node, nullptr);
  const CUDA_KERNEL_NODE_PARAMS wide = widened(p);
  return cuGraphKernelNodeSetParams_v2(node, &wide);
}

CUresult cuGraphMemcpyNodeGetParams(CUgraphNode node, CUDA_MEMCPY3D* p) {
  return graph_call("cuGraphMemcpyNodeGetParams", [&](DriverState& s) {
    DriverGraphNode& n = typed_node(s, node, gpusim::graph::kMemcpyNode, "memcpy");
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams is null"};
    *p = n.copy;
  });
}

CUresult cuGraphMemsetNodeGetParams(CUgraphNode node, CUDA_MEMSET_NODE_PARAMS* p) {
  return graph_call("cuGraphMemsetNodeGetParams", [&](DriverState& s) {
    DriverGraphNode& n = typed_node(s, node, gpusim::graph::kMemsetNode, "memset");
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams is null"};
    *p = {n.dst, n.pitch, n.value, n.element_size, n.width, n.height};
  });
}

CUresult cuGraphHostNodeGetParams(CUgraphNode node, CUDA_HOST_NODE_PARAMS* p) {
  // cudaHostNodeParams is laid out as CUDA_HOST_NODE_PARAMS (function, user data).
  GPUSIM_RUNTIME_GRAPH_QUERY(node, node, "cudaGraphHostNodeGetParams", int (*)(void*, void*), node, p)
  return graph_call("cuGraphHostNodeGetParams", [&](DriverState& s) {
    DriverGraphNode& n = typed_node(s, node, gpusim::graph::kHostNode, "host");
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams is null"};
    *p = {n.host_fn, n.user_data};
  });
}

CUresult cuGraphDestroyNode(CUgraphNode node) {
  return graph_call("cuGraphDestroyNode", [&](DriverState& s) { graphs(s).destroy_node(graphs(s).node_of(node)); });
}

CUresult cuGraphClone(CUgraph* clone, CUgraph original) {
  // The clone of a libcudart graph is libcudart's too (every API takes it, as it takes the original).
  GPUSIM_RUNTIME_GRAPH_QUERY(original, graph, "cudaGraphClone", int (*)(void*, void*), clone, original)
  return graph_call("cuGraphClone", [&](DriverState& s) {
    if (!clone) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "phGraphClone is null"};
    auto& model = graphs(s);
    *clone = reinterpret_cast<CUgraph>(model.clone(model.graph_of(original), [](DriverGraphNode&) {}));
  });
}

// A DOT file of the nodes (kind, and the kernel's name and shape) and their edges.
CUresult cuGraphDebugDotPrint(CUgraph graph, const char* path, unsigned int flags) {
  GPUSIM_RUNTIME_GRAPH_QUERY(graph, graph, "cudaGraphDebugDotPrint", int (*)(void*, const char*, unsigned), graph, path, flags)
  return graph_call("cuGraphDebugDotPrint", [&](DriverState& s) {
    DriverGraph& g = graphs(s).graph_of(graph);
    if (!path) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "path is null"};
    std::ofstream out(path);
    if (!out) throw DriverFailure{CUDA_ERROR_OPERATING_SYSTEM, std::string("cannot write ") + path};
    std::map<const DriverGraphNode*, size_t> id;
    for (auto& n : g.nodes) id.emplace(n.get(), id.size());
    out << "digraph gpusim_graph {\n  node [shape=box];\n";
    for (auto& n : g.nodes) {
      out << "  n" << id[n.get()] << " [label=\"" << id[n.get()] << ": " << type_name(n->type);
      if (n->type == gpusim::graph::kKernelNode && s.functions.count(n->function))
        out << "\\n" << n->function->kernel->name << "\\ngrid (" << n->grid.x << "," << n->grid.y << "," << n->grid.z
            << ") block (" << n->block.x << "," << n->block.y << "," << n->block.z << ")";
      out << "\"];\n";
    }
    for (auto& n : g.nodes)
      for (DriverGraphNode* d : n->deps) out << "  n" << id[d] << " -> n" << id[n.get()] << ";\n";
    out << "}\n";
  });
}

}  // extern "C"
