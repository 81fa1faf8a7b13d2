// The generic graph-node calls of CUDA 12.2+ (cudaGraphAddNode, cudaGraphNodeSetParams,
// cudaGraphExecNodeSetParams): one cudaGraphNodeParams, tagged by node type, in place of the typed
// calls. Each is a thin adapter over the typed call of its node type (cudart_graph.cpp and
// neighbours), so both ways of building a graph make the same nodes and check the same things.
// Every node type's parameters can be changed but memory allocation and free nodes' (CUDA's rule)
// and conditional nodes'.
// Conditional nodes are made here (cudart_graph_conditional.cpp runs them); external-semaphore
// nodes are not modelled: cudaErrorNotSupported, naming them.
#include <cuda_runtime_api.h>

#include <cstring>
#include <string>

#include "runtime/cudart/cudart_graph.h"

using namespace gpusim::cudart;

namespace {

const char* type_name(int type) {
  switch (type) {
    case cudaGraphNodeTypeKernel: return "kernel";
    case cudaGraphNodeTypeMemcpy: return "memcpy";
    case cudaGraphNodeTypeMemset: return "memset";
    case cudaGraphNodeTypeHost: return "host";
    case cudaGraphNodeTypeGraph: return "child graph";
    case cudaGraphNodeTypeEmpty: return "empty";
    case cudaGraphNodeTypeWaitEvent: return "event wait";
    case cudaGraphNodeTypeEventRecord: return "event record";
    case cudaGraphNodeTypeExtSemaphoreSignal: return "external semaphore signal";
    case cudaGraphNodeTypeExtSemaphoreWait: return "external semaphore wait";
    case cudaGraphNodeTypeMemAlloc: return "memory allocation";
    case cudaGraphNodeTypeMemFree: return "memory free";
    case cudaGraphNodeTypeConditional: return "conditional";
    default: return nullptr;
  }
}

// The failure of a generic call before it reaches a typed one: reported as every call's is.
cudaError_t refuse(const char* function, cudaError_t code, const std::string& why) {
  return api(function, [&](Context&) -> void { throw ApiError(code, why); });
}

// What CUDA requires of every generic call: parameters given, the reserved fields zero, a known type.
std::string header_problem(const cudaGraphNodeParams* p) {
  if (!p) return "nodeParams is null";
  if (p->reserved0[0] || p->reserved0[1] || p->reserved0[2] || p->reserved2)
    return "the reserved fields of cudaGraphNodeParams must be zero";
  if (!type_name(p->type)) return "unknown node type " + std::to_string(int(p->type));
  return "";
}

cudaKernelNodeParams kernel_params(const cudaKernelNodeParamsV2& k) {
  cudaKernelNodeParams out{};
  out.func = k.func;
  out.gridDim = k.gridDim;
  out.blockDim = k.blockDim;
  out.sharedMemBytes = k.sharedMemBytes;
  out.kernelParams = k.kernelParams;
  out.extra = k.extra;
  return out;
}

cudaMemsetParams memset_params(const cudaMemsetParamsV2& m) {
  cudaMemsetParams out{};
  out.dst = m.dst;
  out.pitch = m.pitch;
  out.value = m.value;
  out.elementSize = m.elementSize;
  out.width = m.width;
  out.height = m.height;
  return out;
}

cudaHostNodeParams host_params(const cudaHostNodeParamsV2& h) {
  cudaHostNodeParams out{};
  out.fn = h.fn;
  out.userData = h.userData;
  return out;
}

std::string memcpy_problem(const cudaMemcpyNodeParams& m) {
  if (m.flags || m.reserved[0] || m.reserved[1] || m.reserved[2])
    return "cudaMemcpyNodeParams' flags and reserved fields must be zero";
  return "";
}

// Edges carrying data other than the default (programmatic ports) are not modelled.
bool plain_edges(const cudaGraphEdgeData* data, size_t n) {
  if (!data) return true;
  static const cudaGraphEdgeData plain{};
  for (size_t i = 0; i < n; ++i)
    if (std::memcmp(&data[i], &plain, sizeof plain) != 0) return false;
  return true;
}

}  // namespace

extern "C" {

cudaError_t cudaGraphAddNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps,
                             const cudaGraphEdgeData* edge_data, size_t n, cudaGraphNodeParams* p) {
  constexpr const char* kName = "cudaGraphAddNode";
  if (const std::string why = header_problem(p); !why.empty()) return refuse(kName, cudaErrorInvalidValue, why);
  if (!plain_edges(edge_data, n))
    return refuse(kName, cudaErrorNotSupported, "edge data other than the default (programmatic ports) is not supported by gpusim");
  switch (p->type) {
    case cudaGraphNodeTypeKernel: {
      const cudaKernelNodeParams k = kernel_params(p->kernel);
      return cudaGraphAddKernelNode(node, graph, deps, n, &k);
    }
    case cudaGraphNodeTypeMemcpy:
      if (const std::string why = memcpy_problem(p->memcpy); !why.empty()) return refuse(kName, cudaErrorInvalidValue, why);
      return cudaGraphAddMemcpyNode(node, graph, deps, n, &p->memcpy.copyParams);
    case cudaGraphNodeTypeMemset: {
      const cudaMemsetParams m = memset_params(p->memset);
      return cudaGraphAddMemsetNode(node, graph, deps, n, &m);
    }
    case cudaGraphNodeTypeHost: {
      const cudaHostNodeParams h = host_params(p->host);
      return cudaGraphAddHostNode(node, graph, deps, n, &h);
    }
    case cudaGraphNodeTypeGraph:
      if (p->graph.ownership != cudaGraphChildGraphOwnershipClone)
        return refuse(kName, cudaErrorNotSupported,
                      "a child graph node that takes the graph over (cudaGraphChildGraphOwnershipMove) is not supported by "
                      "gpusim; the default, cudaGraphChildGraphOwnershipClone, is");
      return cudaGraphAddChildGraphNode(node, graph, deps, n, p->graph.graph);
    case cudaGraphNodeTypeEmpty: return cudaGraphAddEmptyNode(node, graph, deps, n);
    case cudaGraphNodeTypeWaitEvent: return cudaGraphAddEventWaitNode(node, graph, deps, n, p->eventWait.event);
    case cudaGraphNodeTypeEventRecord: return cudaGraphAddEventRecordNode(node, graph, deps, n, p->eventRecord.event);
    case cudaGraphNodeTypeMemAlloc: {
      cudaMemAllocNodeParams a{};
      a.poolProps = p->alloc.poolProps;
      a.accessDescs = p->alloc.accessDescs;
      a.accessDescCount = p->alloc.accessDescCount;
      a.bytesize = p->alloc.bytesize;
      const cudaError_t e = cudaGraphAddMemAllocNode(node, graph, deps, n, &a);
      if (e == cudaSuccess) p->alloc.dptr = a.dptr;  // an out parameter, as in the typed call
      return e;
    }
    case cudaGraphNodeTypeMemFree: return cudaGraphAddMemFreeNode(node, graph, deps, n, p->free.dptr);
    case cudaGraphNodeTypeConditional:
      return api(kName, [&](Context& ctx) {
        if (!node) throw ApiError(cudaErrorInvalidValue, "null result pointer");
        GraphRecord& g = graph_of(ctx, graph);
        auto list = dependency_list(ctx, g, deps, n);
        GraphNode* added = graph_state(ctx).add(g, conditional_node(ctx, p->conditional), list);
        p->conditional.phGraph_out = added->body_handles.data();  // the bodies, CUDA-owned
        *node = reinterpret_cast<cudaGraphNode_t>(added);
      });
    default:
      return refuse(kName, cudaErrorNotSupported,
                    std::string(type_name(p->type)) + " nodes are not supported by gpusim (docs/CUDA_SUPPORT.md, graphs)");
  }
}

cudaError_t cudaGraphNodeSetParams(cudaGraphNode_t node, cudaGraphNodeParams* p) {
  constexpr const char* kName = "cudaGraphNodeSetParams";
  if (const std::string why = header_problem(p); !why.empty()) return refuse(kName, cudaErrorInvalidValue, why);
  cudaGraphNodeType actual{};
  if (const cudaError_t e = cudaGraphNodeGetType(node, &actual); e != cudaSuccess) return e;
  if (actual != p->type)
    return refuse(kName, cudaErrorInvalidValue,
                  std::string("the node is a ") + (type_name(actual) ? type_name(actual) : "?") + " node, the parameters are for a " +
                      type_name(p->type) + " node");
  switch (p->type) {
    case cudaGraphNodeTypeKernel: {
      const cudaKernelNodeParams k = kernel_params(p->kernel);
      return cudaGraphKernelNodeSetParams(node, &k);
    }
    case cudaGraphNodeTypeMemcpy:
      if (const std::string why = memcpy_problem(p->memcpy); !why.empty()) return refuse(kName, cudaErrorInvalidValue, why);
      return cudaGraphMemcpyNodeSetParams(node, &p->memcpy.copyParams);
    case cudaGraphNodeTypeMemset: {
      const cudaMemsetParams m = memset_params(p->memset);
      return cudaGraphMemsetNodeSetParams(node, &m);
    }
    case cudaGraphNodeTypeHost: {
      const cudaHostNodeParams h = host_params(p->host);
      return cudaGraphHostNodeSetParams(node, &h);
    }
    case cudaGraphNodeTypeWaitEvent: return cudaGraphEventWaitNodeSetEvent(node, p->eventWait.event);
    case cudaGraphNodeTypeEventRecord: return cudaGraphEventRecordNodeSetEvent(node, p->eventRecord.event);
    case cudaGraphNodeTypeEmpty: return cudaSuccess;  // nothing to change
    case cudaGraphNodeTypeGraph:
      if (p->graph.ownership != cudaGraphChildGraphOwnershipClone)
        return refuse(kName, cudaErrorNotSupported, "a child graph node can only take a copy of the graph (cudaGraphChildGraphOwnershipClone) in gpusim");
      return api(kName, [&](Context& ctx) {
        GraphNode& n = node_of(ctx, node);
        n.child = owned_graph_copy(ctx, graph_of(ctx, p->graph.graph));
      });
    case cudaGraphNodeTypeMemAlloc:
    case cudaGraphNodeTypeMemFree:
      return refuse(kName, cudaErrorNotSupported,
                    std::string("a ") + type_name(p->type) + " node's parameters cannot be changed (CUDA does not allow it)");
    default:
      return refuse(kName, cudaErrorNotSupported,
                    std::string("changing a ") + type_name(p->type) + " node's parameters is not supported by gpusim");
  }
}

cudaError_t cudaGraphExecNodeSetParams(cudaGraphExec_t exec, cudaGraphNode_t node, cudaGraphNodeParams* p) {
  constexpr const char* kName = "cudaGraphExecNodeSetParams";
  if (const std::string why = header_problem(p); !why.empty()) return refuse(kName, cudaErrorInvalidValue, why);
  switch (p->type) {
    case cudaGraphNodeTypeKernel: {
      const cudaKernelNodeParams k = kernel_params(p->kernel);
      return cudaGraphExecKernelNodeSetParams(exec, node, &k);
    }
    case cudaGraphNodeTypeHost: {
      const cudaHostNodeParams h = host_params(p->host);
      return cudaGraphExecHostNodeSetParams(exec, node, &h);
    }
    case cudaGraphNodeTypeMemset: {
      const cudaMemsetParams m = memset_params(p->memset);
      return cudaGraphExecMemsetNodeSetParams(exec, node, &m);
    }
    case cudaGraphNodeTypeMemcpy:
      if (const std::string why = memcpy_problem(p->memcpy); !why.empty()) return refuse(kName, cudaErrorInvalidValue, why);
      return cudaGraphExecMemcpyNodeSetParams(exec, node, &p->memcpy.copyParams);
    case cudaGraphNodeTypeWaitEvent: return cudaGraphExecEventWaitNodeSetEvent(exec, node, p->eventWait.event);
    case cudaGraphNodeTypeEventRecord: return cudaGraphExecEventRecordNodeSetEvent(exec, node, p->eventRecord.event);
    case cudaGraphNodeTypeGraph: return cudaGraphExecChildGraphNodeSetParams(exec, node, p->graph.graph);
    case cudaGraphNodeTypeMemAlloc:
    case cudaGraphNodeTypeMemFree:
      return refuse(kName, cudaErrorNotSupported,
                    std::string("an instantiated graph's ") + type_name(p->type) + " node cannot be changed (CUDA does not allow it)");
    default:
      return refuse(kName, cudaErrorNotSupported,
                    std::string("changing an instantiated graph's ") + type_name(p->type) + " node is not supported by gpusim");
  }
}

}  // extern "C"
