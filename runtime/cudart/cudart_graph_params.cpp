// Reading and changing the parameters of a graph's memcpy, memset, host, event and memory nodes
// (cudaGraph{Memcpy,Memset,Host}Node{Get,Set}Params, cudaGraphMemcpyNodeSetParams{To,From}Symbol,
// cudaGraphEvent{Record,Wait}Node{Get,Set}Event, cudaGraphMem{Alloc,Free}NodeGetParams) and of an
// executable graph's copies of them (cudaGraphExecMemcpyNodeSetParams{,ToSymbol,FromSymbol},
// cudaGraphExecEvent{Record,Wait}NodeSetEvent, cudaGraphExecChildGraphNodeSetParams).
//
// Setting a graph node's parameters builds a fresh node with the same builder the cudaGraphAdd*Node
// call uses (so both check the same things) and keeps what places the node in its graph. The
// executable graph's copy is a separate node (graph_model.h): changing one never changes the other.
#include <cuda_runtime_api.h>

#include <cstdio>
#include <string>

#include "runtime/cudart/cudart_graph.h"
#include "runtime/cudart/cudart_memory.h"
#include "runtime/raw_enum.h"

namespace gpusim::cudart {
namespace {

// The node behind `node`, which must be of `type` (CUDA: cudaErrorInvalidValue otherwise).
GraphNode& typed(Context& ctx, cudaGraphNode_t node, cudaGraphNodeType type) {
  GraphNode& n = node_of(ctx, node);
  if (n.type != type)
    throw ApiError(cudaErrorInvalidValue, std::string("the node is a ") + node_type_name(n.type) + " node, not a " +
                                              node_type_name(type) + " node");
  return n;
}

// Gives graph node `n` the parameters of `fresh`, keeping its place (graph, edges) in the graph.
void set_params(GraphNode& n, GraphNode fresh) {
  fresh.graph = n.graph;
  fresh.deps = n.deps;
  fresh.cloned_from = n.cloned_from;
  n = std::move(fresh);
}

void check_kind(int kind) {
  if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault)
    throw ApiError(cudaErrorInvalidMemcpyDirection, "invalid copy kind " + std::to_string(kind));
}

// A memcpy node's parameters as a 3-D copy. The node keeps addresses with the positions folded in,
// so the copy reads back with zero positions and the same rows, pitches and extent.
cudaMemcpy3DParms memcpy_params(const GraphNode& n) {
  cudaMemcpy3DParms p{};
  p.srcPtr.ptr = const_cast<void*>(n.src);
  p.srcPtr.pitch = n.src_pitch;
  p.srcPtr.xsize = n.width;
  p.srcPtr.ysize = n.src_rows;
  p.dstPtr.ptr = n.dst;
  p.dstPtr.pitch = n.dst_pitch;
  p.dstPtr.xsize = n.width;
  p.dstPtr.ysize = n.dst_rows;
  p.extent.width = n.width;
  p.extent.height = n.height;
  p.extent.depth = n.depth;
  p.kind = static_cast<cudaMemcpyKind>(n.kind);
  return p;
}

void set_event(Context& ctx, GraphNode& n, cudaEvent_t event) {
  if (!ctx.stream_table.event(event)) throw ApiError(cudaErrorInvalidResourceHandle, "unknown or destroyed event");
  n.event = event;
}

void read_event(Context& ctx, cudaGraphNode_t node, cudaGraphNodeType type, cudaEvent_t* out) {
  const GraphNode& n = typed(ctx, node, type);
  if (!out) throw ApiError(cudaErrorInvalidValue, "null result pointer");
  *out = n.event;
}

// CUDA's rules for changing an instantiated memcpy node: not empty, and each side in the same kind
// of memory as before (device-side or host), since the executable graph planned the copy for those.
void change_exec_memcpy(Context& ctx, GraphNode& target, GraphNode fresh) {
  if (fresh.width * fresh.height * fresh.depth == 0)
    throw ApiError(cudaErrorInvalidValue, "an empty copy (an extent of 0): an executable graph's memcpy node cannot become one");
  if (is_device_side(ctx, fresh.dst) != is_device_side(ctx, target.dst) ||
      is_device_side(ctx, fresh.src) != is_device_side(ctx, target.src))
    throw ApiError(cudaErrorInvalidValue,
                   "the new source or destination is in another kind of memory (device or host) than the node's: CUDA "
                   "requires the same mapping (update the graph and instantiate it again)");
  fresh.enabled = target.enabled;  // cudaGraphNodeSetEnabled's state is not a parameter
  gpusim::graph::replace_params(target, std::move(fresh));
}

}  // namespace
}  // namespace gpusim::cudart

using namespace gpusim::cudart;
using gpusim::runtime::raw_enum_value;

extern "C" {

cudaError_t cudaGraphMemcpyNodeGetParams(cudaGraphNode_t node, cudaMemcpy3DParms* p) {
  return api("cudaGraphMemcpyNodeGetParams", [&](Context& ctx) {
    const GraphNode& n = typed(ctx, node, cudaGraphNodeTypeMemcpy);
    if (!p) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *p = memcpy_params(n);
  });
}

cudaError_t cudaGraphMemcpyNodeSetParams(cudaGraphNode_t node, const cudaMemcpy3DParms* p) {
  return api("cudaGraphMemcpyNodeSetParams", [&](Context& ctx) {
    GraphNode& n = typed(ctx, node, cudaGraphNodeTypeMemcpy);
    GraphNode fresh = memcpy3d_node(p);
    check_kind(fresh.kind);
    set_params(n, std::move(fresh));
  });
}

cudaError_t cudaGraphMemcpyNodeSetParams1D(cudaGraphNode_t node, void* dst, const void* src, size_t count,
                                           cudaMemcpyKind kind) {
  return api("cudaGraphMemcpyNodeSetParams1D", [&](Context& ctx) {
    GraphNode& n = typed(ctx, node, cudaGraphNodeTypeMemcpy);
    check_kind(gpusim::runtime::raw_enum_value(kind));
    if (count && (!dst || !src)) throw ApiError(cudaErrorInvalidValue, "null source or destination");
    set_params(n, memcpy1d_node(dst, src, count, kind));
  });
}

cudaError_t cudaGraphMemsetNodeGetParams(cudaGraphNode_t node, cudaMemsetParams* p) {
  return api("cudaGraphMemsetNodeGetParams", [&](Context& ctx) {
    const GraphNode& n = typed(ctx, node, cudaGraphNodeTypeMemset);
    if (!p) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *p = {};
    p->dst = n.dst;
    p->pitch = n.dst_pitch;
    p->value = n.value;
    p->elementSize = n.element_size;
    p->width = n.width;
    p->height = n.height;
  });
}

cudaError_t cudaGraphMemsetNodeSetParams(cudaGraphNode_t node, const cudaMemsetParams* p) {
  return api("cudaGraphMemsetNodeSetParams", [&](Context& ctx) {
    GraphNode& n = typed(ctx, node, cudaGraphNodeTypeMemset);
    set_params(n, memset_node(p));
  });
}

cudaError_t cudaGraphHostNodeSetParams(cudaGraphNode_t node, const cudaHostNodeParams* p) {
  return api("cudaGraphHostNodeSetParams", [&](Context& ctx) {
    GraphNode& n = typed(ctx, node, cudaGraphNodeTypeHost);
    if (!p || !p->fn) throw ApiError(cudaErrorInvalidValue, "null host node parameters or host function");
    n.host_fn = p->fn;
    n.user_data = p->userData;
  });
}

// No CUDA arrays on either side (memcpy3d_node refuses those); change_exec_memcpy's rules.
cudaError_t cudaGraphExecMemcpyNodeSetParams(cudaGraphExec_t exec, cudaGraphNode_t node, const cudaMemcpy3DParms* p) {
  return api("cudaGraphExecMemcpyNodeSetParams", [&](Context& ctx) {
    GraphNode fresh = memcpy3d_node(p);
    check_kind(fresh.kind);
    change_exec_memcpy(ctx, exec_copy(ctx, exec, node, cudaGraphNodeTypeMemcpy), std::move(fresh));
  });
}

// A symbol copy's node is a 1-D copy of the variable's device bytes (symbol_memcpy_node): the
// graph's node takes the new one's parameters, the executable graph's copy under CUDA's rules.
cudaError_t cudaGraphMemcpyNodeSetParamsToSymbol(cudaGraphNode_t node, const void* symbol, const void* src, size_t count,
                                                 size_t offset, cudaMemcpyKind kind) {
  return api("cudaGraphMemcpyNodeSetParamsToSymbol", [&](Context& ctx) {
    GraphNode& n = typed(ctx, node, cudaGraphNodeTypeMemcpy);
    set_params(n, symbol_memcpy_node(ctx, symbol, const_cast<void*>(src), count, offset, raw_enum_value(kind), true));
  });
}

cudaError_t cudaGraphMemcpyNodeSetParamsFromSymbol(cudaGraphNode_t node, void* dst, const void* symbol, size_t count,
                                                   size_t offset, cudaMemcpyKind kind) {
  return api("cudaGraphMemcpyNodeSetParamsFromSymbol", [&](Context& ctx) {
    GraphNode& n = typed(ctx, node, cudaGraphNodeTypeMemcpy);
    set_params(n, symbol_memcpy_node(ctx, symbol, dst, count, offset, raw_enum_value(kind), false));
  });
}

cudaError_t cudaGraphExecMemcpyNodeSetParamsToSymbol(cudaGraphExec_t exec, cudaGraphNode_t node, const void* symbol,
                                                     const void* src, size_t count, size_t offset, cudaMemcpyKind kind) {
  return api("cudaGraphExecMemcpyNodeSetParamsToSymbol", [&](Context& ctx) {
    GraphNode& target = exec_copy(ctx, exec, node, cudaGraphNodeTypeMemcpy);
    change_exec_memcpy(ctx, target,
                       symbol_memcpy_node(ctx, symbol, const_cast<void*>(src), count, offset, raw_enum_value(kind), true));
  });
}

cudaError_t cudaGraphExecMemcpyNodeSetParamsFromSymbol(cudaGraphExec_t exec, cudaGraphNode_t node, void* dst,
                                                       const void* symbol, size_t count, size_t offset, cudaMemcpyKind kind) {
  return api("cudaGraphExecMemcpyNodeSetParamsFromSymbol", [&](Context& ctx) {
    GraphNode& target = exec_copy(ctx, exec, node, cudaGraphNodeTypeMemcpy);
    change_exec_memcpy(ctx, target, symbol_memcpy_node(ctx, symbol, dst, count, offset, raw_enum_value(kind), false));
  });
}

// The executable graph's child graph becomes its own copy of `child`, which must have the same
// nodes and edges as the one it replaces (CUDA's rule; checked one level deep).
cudaError_t cudaGraphExecChildGraphNodeSetParams(cudaGraphExec_t exec, cudaGraphNode_t node, cudaGraph_t child) {
  return api("cudaGraphExecChildGraphNodeSetParams", [&](Context& ctx) {
    GraphNode& target = exec_copy(ctx, exec, node, cudaGraphNodeTypeGraph);
    const GraphRecord& replacement = graph_of(ctx, child);
    if (!target.child || !gpusim::graph::same_topology(*target.child, replacement))
      throw ApiError(cudaErrorInvalidValue,
                     "the new child graph differs from the node's in its nodes or edges: CUDA requires the same topology "
                     "(update the graph and instantiate it again)");
    target.child = owned_graph_copy(ctx, replacement);
  });
}

cudaError_t cudaGraphEventRecordNodeGetEvent(cudaGraphNode_t node, cudaEvent_t* event) {
  return api("cudaGraphEventRecordNodeGetEvent",
             [&](Context& ctx) { read_event(ctx, node, cudaGraphNodeTypeEventRecord, event); });
}

cudaError_t cudaGraphEventWaitNodeGetEvent(cudaGraphNode_t node, cudaEvent_t* event) {
  return api("cudaGraphEventWaitNodeGetEvent", [&](Context& ctx) { read_event(ctx, node, cudaGraphNodeTypeWaitEvent, event); });
}

cudaError_t cudaGraphEventRecordNodeSetEvent(cudaGraphNode_t node, cudaEvent_t event) {
  return api("cudaGraphEventRecordNodeSetEvent",
             [&](Context& ctx) { set_event(ctx, typed(ctx, node, cudaGraphNodeTypeEventRecord), event); });
}

cudaError_t cudaGraphEventWaitNodeSetEvent(cudaGraphNode_t node, cudaEvent_t event) {
  return api("cudaGraphEventWaitNodeSetEvent",
             [&](Context& ctx) { set_event(ctx, typed(ctx, node, cudaGraphNodeTypeWaitEvent), event); });
}

cudaError_t cudaGraphExecEventRecordNodeSetEvent(cudaGraphExec_t exec, cudaGraphNode_t node, cudaEvent_t event) {
  return api("cudaGraphExecEventRecordNodeSetEvent", [&](Context& ctx) {
    set_event(ctx, exec_copy(ctx, exec, node, cudaGraphNodeTypeEventRecord), event);
  });
}

cudaError_t cudaGraphExecEventWaitNodeSetEvent(cudaGraphExec_t exec, cudaGraphNode_t node, cudaEvent_t event) {
  return api("cudaGraphExecEventWaitNodeSetEvent", [&](Context& ctx) {
    set_event(ctx, exec_copy(ctx, exec, node, cudaGraphNodeTypeWaitEvent), event);
  });
}

// The simulator keeps no pool properties or access list for a mem-alloc node: its memory is
// ordinary device memory of device 0, read-write there, which is what the parameters say.
cudaError_t cudaGraphMemAllocNodeGetParams(cudaGraphNode_t node, cudaMemAllocNodeParams* p) {
  return api("cudaGraphMemAllocNodeGetParams", [&](Context& ctx) {
    const GraphNode& n = typed(ctx, node, cudaGraphNodeTypeMemAlloc);
    if (!p) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *p = {};
    p->poolProps.allocType = cudaMemAllocationTypePinned;
    p->poolProps.handleTypes = cudaMemHandleTypeNone;
    p->poolProps.location.type = cudaMemLocationTypeDevice;
    p->poolProps.location.id = 0;
    p->accessDescs = nullptr;
    p->accessDescCount = 0;
    p->bytesize = n.allocation ? n.allocation->bytes : 0;
    p->dptr = n.allocation ? n.allocation->ptr : nullptr;
  });
}

cudaError_t cudaGraphMemFreeNodeGetParams(cudaGraphNode_t node, void* dptr_out) {
  return api("cudaGraphMemFreeNodeGetParams", [&](Context& ctx) {
    const GraphNode& n = typed(ctx, node, cudaGraphNodeTypeMemFree);
    if (!dptr_out) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *static_cast<void**>(dptr_out) = n.free_ptr;
  });
}

}  // extern "C"
