// A kernel node's launch attributes (cudaGraphKernelNodeGetAttribute / SetAttribute /
// CopyAttributes): the attributes cudaLaunchKernelEx takes, kept with the node.
//
// Two of them change what the simulator runs, so they live where the launch reads them: the
// cooperative flag (GraphNode::cooperative) and the cluster dimension (GraphNode::cluster), both
// checked by the launch as a cudaLaunchKernelEx with those attributes is. The others (priority,
// access policy window, memory sync domains, scheduling preferences, ...) are hints the timing
// model does not use: they are kept and read back as set, so a program that tunes them runs.
#include <cuda_runtime_api.h>

#include <string>

#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {
namespace {

GraphNode& kernel_of(Context& ctx, cudaGraphNode_t node) {
  GraphNode& n = node_of(ctx, node);
  if (n.type != cudaGraphNodeTypeKernel)
    throw ApiError(cudaErrorInvalidValue, std::string("the node is a ") + node_type_name(n.type) + " node, not a kernel node");
  return n;
}

// CUDA's attributes valid for kernel nodes ("valid for graph nodes" in driver_types.h), and the
// shared-memory carve-out preference, a property of the kernel launch as much as of a stream launch.
bool valid_for_kernel_nodes(int id) {
  switch (id) {
    case cudaLaunchAttributeAccessPolicyWindow:
    case cudaLaunchAttributeCooperative:
    case cudaLaunchAttributeClusterDimension:
    case cudaLaunchAttributeClusterSchedulingPolicyPreference:
    case cudaLaunchAttributePriority:
    case cudaLaunchAttributeMemSyncDomainMap:
    case cudaLaunchAttributeMemSyncDomain:
    case cudaLaunchAttributePreferredClusterDimension:
    case cudaLaunchAttributeDeviceUpdatableKernelNode:
    case cudaLaunchAttributePreferredSharedMemoryCarveout:
    case cudaLaunchAttributeNvlinkUtilCentricScheduling:
      return true;
    default:
      return false;
  }
}

int checked_id(cudaKernelNodeAttrID attr) {
  const int id = static_cast<int>(attr);
  if (!valid_for_kernel_nodes(id))
    throw ApiError(cudaErrorInvalidValue, "launch attribute " + std::to_string(id) +
                                              " is not one a kernel node takes (those valid for graph nodes: access policy "
                                              "window, cooperative, cluster dimension, priority, ...)");
  return id;
}

}  // namespace
}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaGraphKernelNodeSetAttribute(cudaGraphNode_t node, cudaKernelNodeAttrID attr, const cudaKernelNodeAttrValue* value) {
  return api("cudaGraphKernelNodeSetAttribute", [&](Context& ctx) {
    GraphNode& n = kernel_of(ctx, node);
    const int id = checked_id(attr);
    if (!value) throw ApiError(cudaErrorInvalidValue, "null attribute value");
    switch (id) {
      case cudaLaunchAttributeCooperative:
        n.cooperative = value->cooperative != 0;
        return;
      case cudaLaunchAttributeClusterDimension: {
        const auto& d = value->clusterDim;
        if (d.x == 0 || d.y == 0 || d.z == 0)
          throw ApiError(cudaErrorInvalidValue, "cluster dimension (" + std::to_string(d.x) + "," + std::to_string(d.y) + "," +
                                                    std::to_string(d.z) + ") has a zero extent");
        if (n.grid.x % d.x || n.grid.y % d.y || n.grid.z % d.z)
          throw ApiError(cudaErrorInvalidValue, "the node's grid (" + std::to_string(n.grid.x) + "," + std::to_string(n.grid.y) +
                                                    "," + std::to_string(n.grid.z) + ") is not a whole number of clusters of (" +
                                                    std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")");
        n.cluster = dim3(d.x, d.y, d.z);  // the launch checks the size against the kernel (portable 8, else 16)
        return;
      }
      case cudaLaunchAttributeMemSyncDomain:
        if (value->memSyncDomain != cudaLaunchMemSyncDomainDefault && value->memSyncDomain != cudaLaunchMemSyncDomainRemote)
          throw ApiError(cudaErrorInvalidValue, "unknown memory sync domain " + std::to_string(int(value->memSyncDomain)));
        break;
      case cudaLaunchAttributeAccessPolicyWindow:
        if (value->accessPolicyWindow.hitRatio < 0.0f || value->accessPolicyWindow.hitRatio > 1.0f)
          throw ApiError(cudaErrorInvalidValue, "access policy window hit ratio outside [0, 1]");
        break;
      default:
        break;
    }
    n.attributes[id] = *value;
  });
}

cudaError_t cudaGraphKernelNodeGetAttribute(cudaGraphNode_t node, cudaKernelNodeAttrID attr, cudaKernelNodeAttrValue* value) {
  return api("cudaGraphKernelNodeGetAttribute", [&](Context& ctx) {
    const GraphNode& n = kernel_of(ctx, node);
    const int id = checked_id(attr);
    if (!value) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *value = {};  // an attribute never set reads as CUDA's default, zero
    if (id == cudaLaunchAttributeCooperative) {
      value->cooperative = n.cooperative ? 1 : 0;
    } else if (id == cudaLaunchAttributeClusterDimension) {
      value->clusterDim.x = n.cluster.x;
      value->clusterDim.y = n.cluster.y;
      value->clusterDim.z = n.cluster.z;
    } else if (auto it = n.attributes.find(id); it != n.attributes.end()) {
      *value = it->second;
    }
  });
}

cudaError_t cudaGraphKernelNodeCopyAttributes(cudaGraphNode_t dst, cudaGraphNode_t src) {
  return api("cudaGraphKernelNodeCopyAttributes", [&](Context& ctx) {
    const GraphNode& from = kernel_of(ctx, src);
    GraphNode& to = kernel_of(ctx, dst);
    to.attributes = from.attributes;
    to.cooperative = from.cooperative;
    to.cluster = from.cluster;
  });
}

}  // extern "C"
