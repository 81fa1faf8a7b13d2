// Executable graphs: instantiation (a topological order of copies of the nodes), launch (the nodes
// run in that order, each as the equivalent stream call would run it: a graph's kernels are timed
// and listed as ordinary launches), parameter updates and cudaGraphExecUpdate.
#include <cuda_runtime_api.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "runtime/cudart/cudart_graph.h"
#include "runtime/cudart/cudart_memory.h"

namespace gpusim::cudart {

GraphNode& exec_copy(Context& ctx, cudaGraphExec_t exec, cudaGraphNode_t node) {
  GraphExecRecord& e = exec_of(ctx, exec);
  GraphNode& n = node_of(ctx, node);
  auto it = e.index_of.find(&n);
  if (it == e.index_of.end())
    throw ApiError(cudaErrorInvalidValue, "the node is not a node of the graph the executable graph was instantiated from");
  return e.nodes[it->second];
}

GraphNode& exec_copy(Context& ctx, cudaGraphExec_t exec, cudaGraphNode_t node, cudaGraphNodeType type) {
  GraphNode& target = exec_copy(ctx, exec, node);
  if (target.type != type)
    throw ApiError(cudaErrorInvalidValue, std::string("the node is a ") + node_type_name(target.type) + " node, not a " +
                                              node_type_name(type) + " node");
  return target;
}

namespace {

void run_memset(Context& ctx, GraphNode& n) {
  const size_t row = n.width * n.element_size;
  std::vector<unsigned char> pattern;
  if (n.element_size != 1) {
    pattern.resize(row);
    for (size_t i = 0; i < n.width; ++i) std::memcpy(&pattern[i * n.element_size], &n.value, n.element_size);
  }
  for (size_t y = 0; y < n.height; ++y) {
    char* dst = static_cast<char*>(n.dst) + y * n.dst_pitch;
    if (n.element_size == 1) {
      set_memory(ctx, dst, static_cast<int>(n.value & 0xff), row);
      continue;
    }
    if (!is_device_side(ctx, dst)) throw ApiError(cudaErrorInvalidValue, "memset node writes to memory that is not device memory");
    ctx.device().copy_to_device(reinterpret_cast<runtime::DevPtr>(dst), pattern.data(), row);
    ctx.advance_if_timing(ctx.dram_seconds(row), "memset node " + std::to_string(row) + " bytes");
  }
}

// CUDA allows one executable graph at a time of a graph that allocates memory (its allocations
// have one address each, handed out by whichever executable runs).
void check_one_executable_of_allocating_graph(Context& ctx, const GraphRecord& g) {
  for (auto& n : g.nodes) {
    if (!n->allocation) continue;
    for (GraphExecRecord* other : graph_state(ctx).execs)
      for (const GraphNode& m : other->nodes)
        if (m.allocation == n->allocation)
          throw ApiError(cudaErrorInvalidValue,
                         "the graph has memory allocation nodes and an executable graph of it exists already; CUDA allows "
                         "one at a time (destroy the other with cudaGraphExecDestroy first)");
  }
}

// Before a launch: an allocation the previous launch handed out and nothing has freed since makes
// the launch fail (CUDA's cudaErrorInvalidValue), unless the executable frees it itself
// (cudaGraphInstantiateFlagAutoFreeOnLaunch). Returns the allocations this launch hands out.
std::vector<GraphAllocation*> allocations_handed_out(const GraphExecRecord& e) {
  std::vector<GraphAllocation*> out;
  for (const GraphNode& n : e.nodes) {
    if (n.type != cudaGraphNodeTypeMemAlloc || !n.allocation) continue;
    bool freed_in_graph = false;
    for (const GraphNode& m : e.nodes) freed_in_graph = freed_in_graph || (m.type == cudaGraphNodeTypeMemFree && m.free_ptr == n.allocation->ptr);
    if (freed_in_graph) continue;
    if (n.allocation->outstanding && !(e.flags & cudaGraphInstantiateFlagAutoFreeOnLaunch)) {
      char where[32];
      std::snprintf(where, sizeof where, "%p", n.allocation->ptr);
      throw ApiError(cudaErrorInvalidValue,
                     std::string("the graph's allocation at ") + where + " (" + std::to_string(n.allocation->bytes) +
                         " bytes) from its previous launch has not been freed: free it (cudaFreeAsync, cudaFree or a "
                         "free node) before launching again, or instantiate with cudaGraphInstantiateFlagAutoFreeOnLaunch");
    }
    out.push_back(n.allocation.get());
  }
  return out;
}

GraphExecRecord* instantiate(Context& ctx, cudaGraphExec_t* out, cudaGraph_t graph, unsigned long long flags) {
  if (!out) throw ApiError(cudaErrorInvalidValue, "null result pointer");
  GraphRecord& g = graph_of(ctx, graph);
  check_conditional_bodies(g);
  check_one_executable_of_allocating_graph(ctx, g);
  // The executable graph is a snapshot: its child graph nodes get their own child graphs.
  GraphExecRecord* rec = graph_state(ctx).keep(gpusim::graph::instantiate(g, flags, [&](GraphNode& n) { copy_child_graphs(ctx, n); }));
  copy_user_refs(graph_state(ctx), &g, rec);  // the executable graph holds references of its own (CUDA's rule)
  *out = reinterpret_cast<cudaGraphExec_t>(rec);
  return rec;
}

using graph::replace_params;


}  // namespace

void run_node(Context& ctx, GraphNode& n) {
  if (!n.enabled) return;  // cudaGraphNodeSetEnabled: a disabled node is an empty node until enabled again
  if (n.foreign) {  // libcuda's work, captured into this graph (cudart_capture.cpp)
    try {
      n.foreign->run();
    } catch (const graph::ForeignFailure& e) {
      throw ApiError(cudaErrorLaunchFailure, std::string("work issued through the driver API: ") + e.what());
    }
    return;
  }
  switch (n.type) {
    case cudaGraphNodeTypeKernel:
      ctx.launch(ctx.kernel(n.func), n.grid, n.block, n.shared, n.pointers(), n.cooperative, n.cluster);
      break;
    case cudaGraphNodeTypeMemcpy:
      for (size_t z = 0; z < n.depth; ++z)
        for (size_t y = 0; y < n.height; ++y)
          copy_memory(ctx, static_cast<char*>(n.dst) + (z * n.dst_rows + y) * n.dst_pitch,
                      static_cast<const char*>(n.src) + (z * n.src_rows + y) * n.src_pitch, n.width,
                      static_cast<cudaMemcpyKind>(n.kind));
      break;
    case cudaGraphNodeTypeMemset:
      run_memset(ctx, n);
      break;
    case cudaGraphNodeTypeHost: {
      HostCallbackScope scope;
      n.host_fn(n.user_data);
      break;
    }
    case cudaGraphNodeTypeEventRecord:
      if (CUevent_st* rec = ctx.stream_table.event(n.event)) {
        rec->captured = false;
        rec->recorded = true;
        rec->seconds = ctx.now();
      }
      break;
    case cudaGraphNodeTypeGraph:  // the child graph's nodes, in its own order, where the node stands
      run_graph_nodes(ctx, *n.child);
      break;
    case cudaGraphNodeTypeConditional:
      run_conditional(ctx, n);
      break;
    case cudaGraphNodeTypeMemFree:  // the memory stays the graph's; its launch's use of it ends
      if (GraphAllocation* a = graph_allocation_at(ctx, n.free_ptr)) a->outstanding = false;
      break;
    default:  // empty, event wait, mem alloc: ordering only (the memory is the node's own)
      break;
  }
}

void run_graph_nodes(Context& ctx, GraphRecord& g) {
  for (size_t i : topological_order(g)) run_node(ctx, *g.nodes[i]);
}

}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long flags) {
  if (auto* driver = driver_graph_owner(graph, false))  // libcuda's graph (driver capture ended here)
    return set_last_error(static_cast<cudaError_t>(driver->instantiate(reinterpret_cast<void**>(exec), graph, flags)));
  return api("cudaGraphInstantiate", [&](Context& ctx) { instantiate(ctx, exec, graph, flags); });
}

cudaError_t cudaGraphInstantiateWithFlags(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long flags) {
  if (auto* driver = driver_graph_owner(graph, false))
    return set_last_error(static_cast<cudaError_t>(driver->instantiate(reinterpret_cast<void**>(exec), graph, flags)));
  return api("cudaGraphInstantiateWithFlags", [&](Context& ctx) { instantiate(ctx, exec, graph, flags); });
}

cudaError_t cudaGraphInstantiateWithParams(cudaGraphExec_t* exec, cudaGraph_t graph, cudaGraphInstantiateParams* p) {
  return api("cudaGraphInstantiateWithParams", [&](Context& ctx) {
    if (!p) throw ApiError(cudaErrorInvalidValue, "null instantiate parameters");
    try {
      instantiate(ctx, exec, graph, p->flags);
      p->result_out = cudaGraphInstantiateSuccess;
    } catch (...) {
      p->result_out = cudaGraphInstantiateError;
      throw;
    }
  });
}
cudaError_t cudaGraphInstantiateWithParams_ptsz(cudaGraphExec_t* exec, cudaGraph_t graph, cudaGraphInstantiateParams* p) {
  return cudaGraphInstantiateWithParams(exec, graph, p);
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  if (auto* driver = driver_graph_owner(exec, true)) return set_last_error(static_cast<cudaError_t>(driver->destroy_exec(exec)));
  return api("cudaGraphExecDestroy", [&](Context& ctx) {
    GraphExecRecord& e = exec_of(ctx, exec);
    graph_state(ctx).destroy(e);
  });
}

cudaError_t cudaGraphExecGetFlags(cudaGraphExec_t exec, unsigned long long* flags) {
  return api("cudaGraphExecGetFlags", [&](Context& ctx) {
    GraphExecRecord& e = exec_of(ctx, exec);
    if (!flags) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *flags = e.flags;
  });
}

// The graph's nodes run now, in the instantiation order (streams are always idle in the simulator,
// so the stream's earlier work is complete). No launch overhead is added for the graph itself.
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  if (auto* driver = driver_graph_owner(exec, true)) return set_last_error(static_cast<cudaError_t>(driver->launch(exec, stream)));
  return api("cudaGraphLaunch", [&](Context& ctx) {
    GraphExecRecord& e = exec_of(ctx, exec);
    check_stream_handle(ctx, stream);
    // Into a capturing stream the launch becomes a child graph node of the capture, as in CUDA.
    GraphNode as_child;
    as_child.type = cudaGraphNodeTypeGraph;
    if (capture_target(ctx, stream)) as_child.child = owned_graph_of_exec(ctx, e);
    if (record_if_capturing(ctx, stream, std::move(as_child))) return;
    const std::vector<GraphAllocation*> handed_out = allocations_handed_out(e);
    assign_default_conditions(ctx, e);
    for (GraphAllocation* a : handed_out) a->outstanding = true;
    const IssuingStream on(ctx, stream);
    for (GraphNode& n : e.nodes) run_node(ctx, n);
  });
}
cudaError_t cudaGraphLaunch_ptsz(cudaGraphExec_t exec, cudaStream_t stream) { return cudaGraphLaunch(exec, stream); }

// Nothing to upload: the executable graph is ready to run.
cudaError_t cudaGraphUpload(cudaGraphExec_t exec, cudaStream_t stream) {
  return api("cudaGraphUpload", [&](Context& ctx) {
    exec_of(ctx, exec);
    check_stream_handle(ctx, stream);
  });
}
cudaError_t cudaGraphUpload_ptsz(cudaGraphExec_t exec, cudaStream_t stream) { return cudaGraphUpload(exec, stream); }

cudaError_t cudaGraphExecKernelNodeSetParams(cudaGraphExec_t exec, cudaGraphNode_t node, const cudaKernelNodeParams* p) {
  return api("cudaGraphExecKernelNodeSetParams", [&](Context& ctx) {
    GraphNode& target = exec_copy(ctx, exec, node, cudaGraphNodeTypeKernel);
    if (!p) throw ApiError(cudaErrorInvalidValue, "null kernel parameters");
    if (p->extra) throw ApiError(cudaErrorNotSupported, "kernel arguments in the 'extra' format are not supported by gpusim");
    GraphNode fresh = kernel_node(ctx, p->func, p->gridDim, p->blockDim, p->sharedMemBytes, p->kernelParams,
                                  target.cooperative, target.cluster);
    fresh.attributes = target.attributes;  // the node's launch attributes and enabled state stay
    fresh.enabled = target.enabled;
    replace_params(target, std::move(fresh));
  });
}

cudaError_t cudaGraphExecHostNodeSetParams(cudaGraphExec_t exec, cudaGraphNode_t node, const cudaHostNodeParams* p) {
  return api("cudaGraphExecHostNodeSetParams", [&](Context& ctx) {
    GraphNode& target = exec_copy(ctx, exec, node, cudaGraphNodeTypeHost);
    if (!p || !p->fn) throw ApiError(cudaErrorInvalidValue, "null host function");
    target.host_fn = p->fn;
    target.user_data = p->userData;
  });
}

cudaError_t cudaGraphExecMemcpyNodeSetParams1D(cudaGraphExec_t exec, cudaGraphNode_t node, void* dst, const void* src,
                                               size_t count, cudaMemcpyKind kind) {
  return api("cudaGraphExecMemcpyNodeSetParams1D", [&](Context& ctx) {
    GraphNode& target = exec_copy(ctx, exec, node, cudaGraphNodeTypeMemcpy);
    if (target.height != 1 || target.depth != 1) throw ApiError(cudaErrorInvalidValue, "the node is not a 1-D copy");
    target.dst = dst;
    target.src = src;
    target.width = target.dst_pitch = target.src_pitch = count;
    target.kind = gpusim::runtime::raw_enum_value(kind);
  });
}

cudaError_t cudaGraphExecMemsetNodeSetParams(cudaGraphExec_t exec, cudaGraphNode_t node, const cudaMemsetParams* p) {
  return api("cudaGraphExecMemsetNodeSetParams", [&](Context& ctx) {
    GraphNode& target = exec_copy(ctx, exec, node, cudaGraphNodeTypeMemset);
    if (!p || (p->elementSize != 1 && p->elementSize != 2 && p->elementSize != 4))
      throw ApiError(cudaErrorInvalidValue, "null memset parameters or an element size other than 1, 2, 4");
    target.dst = p->dst;
    target.dst_pitch = p->pitch;
    target.value = p->value;
    target.element_size = p->elementSize;
    target.width = p->width;
    target.height = p->height ? p->height : 1;
  });
}

cudaError_t cudaGraphExecUpdate(cudaGraphExec_t exec, cudaGraph_t graph, cudaGraphExecUpdateResultInfo* info) {
  cudaGraphExecUpdateResult result = cudaGraphExecUpdateError;
  const GraphNode* where = nullptr;
  const cudaError_t status = api("cudaGraphExecUpdate", [&](Context& ctx) {
    GraphExecRecord& e = exec_of(ctx, exec);
    GraphRecord& g = graph_of(ctx, graph);
    const gpusim::graph::UpdateResult problem = gpusim::graph::update_problem(e, g, &where);
    result = static_cast<cudaGraphExecUpdateResult>(problem);
    if (result != cudaGraphExecUpdateSuccess)
      throw ApiError(cudaErrorGraphExecUpdateFailure, gpusim::graph::update_problem_text(problem));
    gpusim::graph::apply_update(e, g, [&](GraphNode& n) { copy_child_graphs(ctx, n); });
    replace_user_refs(graph_state(ctx), &g, &e);  // the new source graph's references replace the old ones
  });
  if (info) {
    *info = {};
    info->result = result;
    info->errorNode = reinterpret_cast<cudaGraphNode_t>(const_cast<GraphNode*>(where));
  }
  return status;
}

}  // extern "C"
