// Stream-ordered allocation during stream capture: cuMemAllocAsync / cuMemAllocFromPoolAsync on a
// capturing stream become mem-alloc nodes and cuMemFreeAsync a mem-free node, as in CUDA (and as
// libcudart does for cudaMallocAsync). An alloc node's memory is allocated when the node is made,
// at the address the call returns (programs use it in the captured work that follows), and lives
// as long as a graph or executable graph holds the node; a free node only orders. In a stream
// libcudart captures, the node joins libcudart's graph (runtime/graph/capture_bridge.h).
#include <cuda.h>

#include "runtime/cudadrv/driver_graph.h"

namespace gpusim::cudadrv {

GraphAllocation::~GraphAllocation() {
  // The driver's state is never destroyed, so its device outlives every graph. No lock: the
  // last holder (a graph destroyed by either library) already holds what it needs.
  try {
    driver_state().device->free(ptr);
  } catch (...) {
    // The device refused (the memory went with a reset); nothing to give back.
  }
}

bool capture_alloc(DriverState& s, CUstream stream, size_t bytes, CUdeviceptr* ptr) {
  if (!capture_target(s, stream)) return false;
  if (!ptr) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "dptr is null"};
  if (bytes == 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "a graph allocation of 0 bytes"};
  DriverGraphNode node;
  node.type = graph::kMemAllocNode;
  node.allocation = std::make_shared<GraphAllocation>();
  node.allocation->ptr = s.device->alloc(bytes);
  node.allocation->bytes = bytes;
  const CUdeviceptr address = node.allocation->ptr;
  record_if_capturing(s, stream, std::move(node));
  *ptr = address;
  return true;
}

bool capture_free(DriverState& s, CUstream stream, CUdeviceptr ptr) {
  if (!capture_target(s, stream)) return false;
  DriverGraphNode node;
  node.type = graph::kMemFreeNode;
  node.dst = ptr;  // the memory freed (ordering only: the graph keeps its own allocations)
  record_if_capturing(s, stream, std::move(node));
  return true;
}

bool is_graph_allocation(DriverState& s, CUdeviceptr ptr) {
  if (!s.graph_model) return false;
  for (DriverGraph* g : graphs(s).graphs)
    for (auto& n : g->nodes)
      if (n->allocation && n->allocation->ptr == ptr) return true;
  return false;
}

}  // namespace gpusim::cudadrv
