// Editing a driver-API graph after it is built: removing edges, reading a node's dependents,
// setting memcpy, memset and host nodes' parameters, and the events of event record/wait nodes
// (in a graph and in an executable graph). The model is runtime/graph/graph_model.h.
#include <cuda.h>

#include "runtime/cudadrv/driver_graph.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverGraphExec;
using gpusim::cudadrv::DriverGraphNode;
using gpusim::cudadrv::DriverState;
using gpusim::cudadrv::graph_call;
using gpusim::cudadrv::graph_errors;
using gpusim::cudadrv::graphs;
using gpusim::cudadrv::typed_node;

namespace {

// Sets the event of an event record or wait node of the given type (in a graph or an executable graph).
void set_event(DriverState& s, DriverGraphNode& n, int type, CUevent event) {
  if (n.type != type) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the node is not an event node of that kind"};
  gpusim::cudadrv::live_event(s, event);
  n.event = event;
}

DriverGraphNode& exec_node(DriverState& s, CUgraphExec exec, CUgraphNode node) {
  auto& model = graphs(s);
  DriverGraphExec& e = model.exec_of(exec);
  auto it = e.index_of.find(&model.node_of(node));
  if (it == e.index_of.end())
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the node is not a node of the graph the executable graph was instantiated from"};
  return e.nodes[it->second];
}

}  // namespace

extern "C" {

CUresult cuGraphRemoveDependencies_v2(CUgraph graph, const CUgraphNode* from, const CUgraphNode* to,
                                      const CUgraphEdgeData*, size_t n) {
  return graph_call("cuGraphRemoveDependencies", [&](DriverState& s) {
    auto& model = graphs(s);
    model.remove_edges(model.graph_of(graph), reinterpret_cast<const void* const*>(from),
                       reinterpret_cast<const void* const*>(to), n);
  });
}
#undef cuGraphRemoveDependencies
CUresult cuGraphRemoveDependencies(CUgraph graph, const CUgraphNode* from, const CUgraphNode* to, size_t n) {
  return cuGraphRemoveDependencies_v2(graph, from, to, nullptr, n);
}

CUresult cuGraphNodeGetDependentNodes_v2(CUgraphNode node, CUgraphNode* dependents, CUgraphEdgeData* edge_data,
                                         size_t* count) {
  return graph_call("cuGraphNodeGetDependentNodes", [&](DriverState& s) {
    const auto list = gpusim::graph::Registry<DriverGraphNode>::dependents(graphs(s).node_of(node));
    gpusim::graph::copy_out(dependents, count, list);
    if (dependents && edge_data)
      for (size_t i = 0; i < *count; ++i) edge_data[i] = {};
  });
}
#undef cuGraphNodeGetDependentNodes
CUresult cuGraphNodeGetDependentNodes(CUgraphNode node, CUgraphNode* dependents, size_t* count) {
  return cuGraphNodeGetDependentNodes_v2(node, dependents, nullptr, count);
}

CUresult cuGraphMemcpyNodeSetParams(CUgraphNode node, const CUDA_MEMCPY3D* copy) {
  return graph_call("cuGraphMemcpyNodeSetParams", [&](DriverState& s) {
    DriverGraphNode& n = typed_node(s, node, gpusim::graph::kMemcpyNode, "memcpy");
    if (!copy) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams is null"};
    n.copy = gpusim::cudadrv::memcpy_node(*copy).copy;
  });
}

CUresult cuGraphMemsetNodeSetParams(CUgraphNode node, const CUDA_MEMSET_NODE_PARAMS* p) {
  return graph_call("cuGraphMemsetNodeSetParams", [&](DriverState& s) {
    DriverGraphNode& n = typed_node(s, node, gpusim::graph::kMemsetNode, "memset");
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams is null"};
    DriverGraphNode fresh = gpusim::cudadrv::memset_node(p->dst, p->pitch, p->value, p->elementSize, p->width, p->height);
    fresh.graph = n.graph;
    fresh.deps = n.deps;
    n = std::move(fresh);
  });
}

CUresult cuGraphHostNodeSetParams(CUgraphNode node, const CUDA_HOST_NODE_PARAMS* p) {
  return graph_call("cuGraphHostNodeSetParams", [&](DriverState& s) {
    DriverGraphNode& n = typed_node(s, node, gpusim::graph::kHostNode, "host");
    if (!p || !p->fn) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams or its fn is null"};
    n.host_fn = p->fn;
    n.user_data = p->userData;
  });
}

namespace {

// The event of an event record or wait node of the given type.
void read_event(DriverState& s, CUgraphNode node, int type, const char* what, CUevent* event) {
  const DriverGraphNode& n = typed_node(s, node, type, what);
  if (!event) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "event_out is null"};
  *event = n.event;
}

}  // namespace

CUresult cuGraphEventRecordNodeGetEvent(CUgraphNode node, CUevent* event) {
  return graph_call("cuGraphEventRecordNodeGetEvent",
                    [&](DriverState& s) { read_event(s, node, gpusim::graph::kEventRecordNode, "event record", event); });
}

CUresult cuGraphEventWaitNodeGetEvent(CUgraphNode node, CUevent* event) {
  return graph_call("cuGraphEventWaitNodeGetEvent",
                    [&](DriverState& s) { read_event(s, node, gpusim::graph::kWaitEventNode, "event wait", event); });
}

CUresult cuGraphEventRecordNodeSetEvent(CUgraphNode node, CUevent event) {
  return graph_call("cuGraphEventRecordNodeSetEvent", [&](DriverState& s) {
    set_event(s, graphs(s).node_of(node), gpusim::graph::kEventRecordNode, event);
  });
}

CUresult cuGraphEventWaitNodeSetEvent(CUgraphNode node, CUevent event) {
  return graph_call("cuGraphEventWaitNodeSetEvent", [&](DriverState& s) {
    set_event(s, graphs(s).node_of(node), gpusim::graph::kWaitEventNode, event);
  });
}

CUresult cuGraphExecEventRecordNodeSetEvent(CUgraphExec exec, CUgraphNode node, CUevent event) {
  return graph_call("cuGraphExecEventRecordNodeSetEvent", [&](DriverState& s) {
    set_event(s, exec_node(s, exec, node), gpusim::graph::kEventRecordNode, event);
  });
}

CUresult cuGraphExecEventWaitNodeSetEvent(CUgraphExec exec, CUgraphNode node, CUevent event) {
  return graph_call("cuGraphExecEventWaitNodeSetEvent", [&](DriverState& s) {
    set_event(s, exec_node(s, exec, node), gpusim::graph::kWaitEventNode, event);
  });
}

}  // extern "C"
