// Driver API executable graphs: instantiation (a topological order of copies of the nodes, by the
// shared model in runtime/graph/graph_model.h), launch (the nodes run in that order, each as the
// equivalent stream call runs it: a graph's kernels are timed and listed as ordinary launches),
// parameter updates and cuGraphExecUpdate.
#include <cuda.h>

#include <cstring>

#include "runtime/cudadrv/driver_graph.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverGraph;
using gpusim::cudadrv::DriverGraphExec;
using gpusim::cudadrv::DriverGraphNode;
using gpusim::cudadrv::DriverState;
using gpusim::cudadrv::graph_call;
using gpusim::cudadrv::graph_errors;
using gpusim::cudadrv::graphs;

namespace {

void instantiate(DriverState& s, CUgraphExec* out, CUgraph graph, unsigned long long flags) {
  if (!out) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "phGraphExec is null"};
  gpusim::cudadrv::usable_context(s);
  auto& model = graphs(s);
  DriverGraph& g = model.graph_of(graph);
  *out = reinterpret_cast<CUgraphExec>(model.keep(gpusim::graph::instantiate(g, flags, [](DriverGraphNode&) {})));
}

// The executable graph's copy of `node` (a node of the graph it was instantiated from).
DriverGraphNode& exec_node(DriverState& s, CUgraphExec exec, CUgraphNode node, int type) {
  auto& model = graphs(s);
  DriverGraphExec& e = model.exec_of(exec);
  DriverGraphNode& n = model.node_of(node);
  auto it = e.index_of.find(&n);
  if (it == e.index_of.end())
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the node is not a node of the graph the executable graph was instantiated from"};
  DriverGraphNode& target = e.nodes[it->second];
  if (target.type != type) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the node is of another type"};
  return target;
}

// The context of a kernel node's function (null when its module was unloaded since).
CUctx_st* live_owner(DriverState& s, CUfunc_st* f) { return s.functions.count(f) ? f->module->context : nullptr; }

}  // namespace

namespace gpusim::cudadrv {

// Runs one node now, as the stream call it stands for (host nodes run outside the lock: cuGraphLaunch).
void run_graph_node(DriverState& s, DriverGraphNode& n, const std::string& stream) {
  if (n.foreign) {  // libcudart's work, captured into this graph (graph_capture.cpp)
    try {
      n.foreign->run();
    } catch (const graph::ForeignFailure& e) {
      throw DriverFailure{CUDA_ERROR_LAUNCH_FAILED, std::string("work issued through the runtime API: ") + e.what()};
    }
    return;
  }
  switch (n.type) {
    case gpusim::graph::kKernelNode: {
      gpusim::cudadrv::usable_context(s);
      CUfunc_st& f = gpusim::cudadrv::live_function(s, n.function);  // its module may be unloaded since
      gpusim::runtime::LaunchConfig cfg;
      cfg.grid = n.grid;
      cfg.block = n.block;
      cfg.dynamic_shared_bytes = n.shared_bytes;
      cfg.cooperative = n.cooperative;
      cfg.cluster = n.cluster;
      cfg.stream = stream;
      gpusim::cudadrv::run_launch(s, *f.module->context, f, cfg, n.args);
      break;
    }
    case gpusim::graph::kMemcpyNode:
      gpusim::cudadrv::memcpy_3d(s, n.copy);
      break;
    case gpusim::graph::kMemsetNode:
      for (size_t y = 0; y < n.height; ++y)  // the value's low bytes are the element (little-endian host)
        gpusim::cudadrv::fill_pieces(s, n.dst + y * n.pitch, &n.value, n.element_size, n.width);
      break;
    case gpusim::graph::kEventRecordNode: {
      CUevent_st* e = s.streams_table->event(n.event);
      if (!e) throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, "an event record node's event was destroyed"};
      e->recorded = true;
      e->seconds = event_clock(s, e->context ? *e->context : usable_context(s));
      break;
    }
    default:  // empty and event wait: ordering only (earlier work is complete in the simulator)
      break;
  }
}

void append_runnable(std::vector<DriverGraphNode>& out, const DriverGraphNode& n) {
  if (n.type == graph::kChildGraphNode && n.child_nodes && !n.foreign) {
    for (const DriverGraphNode& c : *n.child_nodes) append_runnable(out, c);
    return;
  }
  out.push_back(n);
}

}  // namespace gpusim::cudadrv

namespace {

CUresult launch(const char* call, CUgraphExec exec, CUstream stream) {
  // A copy of the nodes: a host function may destroy or update the executable graph meanwhile.
  std::vector<DriverGraphNode> nodes;
  std::string stream_label;
  CUresult r = graph_call(call, [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    DriverGraphExec& e = graphs(s).exec_of(exec);
    gpusim::cudadrv::live_stream(s, stream);
    stream_label = s.streams_table->label(stream);
    if (gpusim::cudadrv::capture_target(s, stream)) {
      // Into a capturing stream the launch becomes a child graph node of the capture, as in CUDA:
      // the executable graph's nodes, in their order, as they are now.
      DriverGraphNode child;
      child.type = gpusim::graph::kChildGraphNode;
      child.child_nodes = std::make_shared<const std::vector<DriverGraphNode>>(e.nodes);
      gpusim::cudadrv::record_if_capturing(s, stream, std::move(child));
      return;
    }
    for (const DriverGraphNode& n : e.nodes) gpusim::cudadrv::append_runnable(nodes, n);
  });
  // The nodes run in the instantiation order (a valid schedule: every node after its
  // dependencies); streams are idle in the simulator, so the stream's earlier work is complete.
  for (DriverGraphNode& n : nodes) {
    if (r != CUDA_SUCCESS) break;
    if (n.type == gpusim::graph::kHostNode) {
      // Outside the lock, as cuLaunchHostFunc runs it (libcudart's, with libcudart's lock).
      if (!n.foreign) {
        n.host_fn(n.user_data);
        continue;
      }
      try {
        n.foreign->run();  // takes libcudart's lock itself
      } catch (const gpusim::graph::ForeignFailure& e) {
        gpusim::cudadrv::report(std::string(call) + ": a host function issued through the runtime API: " + e.what());
        r = CUDA_ERROR_LAUNCH_FAILED;
      }
      continue;
    }
    r = api_call(call, [&](DriverState& s) {
      gpusim::cudadrv::run_graph_node(s, n, stream_label);
      return CUDA_SUCCESS;
    });
  }
  return r;
}

}  // namespace

extern "C" {

CUresult cuGraphInstantiateWithFlags(CUgraphExec* exec, CUgraph graph, unsigned long long flags) {
  if (auto* runtime_side = gpusim::cudadrv::runtime_graph_owner(graph, false))  // libcudart's graph
    return static_cast<CUresult>(runtime_side->instantiate(reinterpret_cast<void**>(exec), graph, flags));
  return graph_call("cuGraphInstantiate", [&](DriverState& s) { instantiate(s, exec, graph, flags); });
}

// The CUDA 11 form, with an error node and a log buffer.
CUresult cuGraphInstantiate_v2(CUgraphExec* exec, CUgraph graph, CUgraphNode* error_node, char* log, size_t log_size) {
  if (error_node) *error_node = nullptr;
  if (log && log_size) log[0] = '\0';
  return cuGraphInstantiateWithFlags(exec, graph, 0);
}
#undef cuGraphInstantiate
CUresult cuGraphInstantiate(CUgraphExec* exec, CUgraph graph, CUgraphNode* error_node, char* log, size_t log_size) {
  return cuGraphInstantiate_v2(exec, graph, error_node, log, log_size);
}

CUresult cuGraphInstantiateWithParams(CUgraphExec* exec, CUgraph graph, CUDA_GRAPH_INSTANTIATE_PARAMS* p) {
  return graph_call("cuGraphInstantiateWithParams", [&](DriverState& s) {
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "instantiateParams is null"};
    p->result_out = CUDA_GRAPH_INSTANTIATE_ERROR;
    p->hErrNode_out = nullptr;
    instantiate(s, exec, graph, p->flags);
    p->result_out = CUDA_GRAPH_INSTANTIATE_SUCCESS;
  });
}

CUresult cuGraphExecDestroy(CUgraphExec exec) {
  if (auto* runtime_side = gpusim::cudadrv::runtime_graph_owner(exec, true))
    return static_cast<CUresult>(runtime_side->destroy_exec(exec));
  return graph_call("cuGraphExecDestroy", [&](DriverState& s) { graphs(s).destroy(graphs(s).exec_of(exec)); });
}

CUresult cuGraphExecGetFlags(CUgraphExec exec, cuuint64_t* flags) {
  return graph_call("cuGraphExecGetFlags", [&](DriverState& s) {
    DriverGraphExec& e = graphs(s).exec_of(exec);
    if (!flags) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags is null"};
    *flags = e.flags;
  });
}

CUresult cuGraphLaunch(CUgraphExec exec, CUstream stream) {
  if (auto* runtime_side = gpusim::cudadrv::runtime_graph_owner(exec, true))
    return static_cast<CUresult>(runtime_side->launch(exec, stream));
  return launch("cuGraphLaunch", exec, stream);
}

// Nothing to upload: the executable graph is ready to run.
CUresult cuGraphUpload(CUgraphExec exec, CUstream stream) {
  return graph_call("cuGraphUpload", [&](DriverState& s) {
    graphs(s).exec_of(exec);
    gpusim::cudadrv::live_stream(s, stream);
  });
}

CUresult cuGraphExecKernelNodeSetParams_v2(CUgraphExec exec, CUgraphNode node, const CUDA_KERNEL_NODE_PARAMS* p) {
  return graph_call("cuGraphExecKernelNodeSetParams", [&](DriverState& s) {
    DriverGraphNode& target = exec_node(s, exec, node, gpusim::graph::kKernelNode);
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams is null"};
    CUfunction function = p->func ? p->func : reinterpret_cast<CUfunction>(p->kern);
    CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
    if (live_owner(s, target.function) != f.module->context)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the new function belongs to another context than the node's"};
    DriverGraphNode fresh = gpusim::cudadrv::kernel_node(s, f, {p->gridDimX, p->gridDimY, p->gridDimZ},
                                                         {p->blockDimX, p->blockDimY, p->blockDimZ}, p->sharedMemBytes,
                                                         p->kernelParams, p->extra);
    fresh.cooperative = target.cooperative;
    fresh.cluster = target.cluster;
    gpusim::graph::replace_params(target, std::move(fresh));
  });
}
#undef cuGraphExecKernelNodeSetParams
CUresult cuGraphExecKernelNodeSetParams(CUgraphExec exec, CUgraphNode node, const CUDA_KERNEL_NODE_PARAMS_v1* p) {
  CUDA_KERNEL_NODE_PARAMS wide{};
  if (p) std::memcpy(&wide, p, sizeof *p);
  return cuGraphExecKernelNodeSetParams_v2(exec, node, p ? &wide : nullptr);
}

CUresult cuGraphExecMemcpyNodeSetParams(CUgraphExec exec, CUgraphNode node, const CUDA_MEMCPY3D* copy, CUcontext) {
  return graph_call("cuGraphExecMemcpyNodeSetParams", [&](DriverState& s) {
    DriverGraphNode& target = exec_node(s, exec, node, gpusim::graph::kMemcpyNode);
    if (!copy) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "copyParams is null"};
    gpusim::graph::replace_params(target, gpusim::cudadrv::memcpy_node(*copy));
  });
}

CUresult cuGraphExecMemsetNodeSetParams(CUgraphExec exec, CUgraphNode node, const CUDA_MEMSET_NODE_PARAMS* p, CUcontext) {
  return graph_call("cuGraphExecMemsetNodeSetParams", [&](DriverState& s) {
    DriverGraphNode& target = exec_node(s, exec, node, gpusim::graph::kMemsetNode);
    if (!p) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "memsetParams is null"};
    gpusim::graph::replace_params(
        target, gpusim::cudadrv::memset_node(p->dst, p->pitch, p->value, p->elementSize, p->width, p->height));
  });
}

CUresult cuGraphExecHostNodeSetParams(CUgraphExec exec, CUgraphNode node, const CUDA_HOST_NODE_PARAMS* p) {
  return graph_call("cuGraphExecHostNodeSetParams", [&](DriverState& s) {
    DriverGraphNode& target = exec_node(s, exec, node, gpusim::graph::kHostNode);
    if (!p || !p->fn) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "nodeParams or its fn is null"};
    target.host_fn = p->fn;
    target.user_data = p->userData;
  });
}

CUresult cuGraphExecUpdate_v2(CUgraphExec exec, CUgraph graph, CUgraphExecUpdateResultInfo* info) {
  CUgraphExecUpdateResult result = CU_GRAPH_EXEC_UPDATE_ERROR;
  const DriverGraphNode* where = nullptr;
  const CUresult status = graph_call("cuGraphExecUpdate", [&](DriverState& s) {
    auto& model = graphs(s);
    DriverGraphExec& e = model.exec_of(exec);
    DriverGraph& g = model.graph_of(graph);
    const gpusim::graph::UpdateResult problem = gpusim::graph::update_problem(e, g, &where);
    result = static_cast<CUgraphExecUpdateResult>(problem);
    if (result != CU_GRAPH_EXEC_UPDATE_SUCCESS)
      throw DriverFailure{CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE, gpusim::graph::update_problem_text(problem)};
    gpusim::graph::apply_update(e, g, [](DriverGraphNode&) {});
  });
  if (info) {
    *info = {};
    info->result = result;
    info->errorNode = reinterpret_cast<CUgraphNode>(const_cast<DriverGraphNode*>(where));
  }
  return status;
}
#undef cuGraphExecUpdate
CUresult cuGraphExecUpdate(CUgraphExec exec, CUgraph graph, CUgraphNode* error_node, CUgraphExecUpdateResult* result) {
  CUgraphExecUpdateResultInfo info{};
  const CUresult r = cuGraphExecUpdate_v2(exec, graph, &info);
  if (error_node) *error_node = info.errorNode;
  if (result) *result = info.result;
  return r;
}

}  // extern "C"
