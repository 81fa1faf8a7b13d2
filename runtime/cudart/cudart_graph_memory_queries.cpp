// The device's graph memory (cudaDeviceGetGraphMemAttribute / SetGraphMemAttribute /
// cudaDeviceGraphMemTrim): the memory mem-alloc nodes hold. In the simulator a node's memory is
// allocated when the node is made and freed when no graph or executable graph holds the node
// (cudart_graph.h, GraphAllocation), so the memory in use and the memory reserved for graphs are
// the same figure, and there is no cache for a trim to give back.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <set>
#include <string>

#include "runtime/cudart/cudart_graph.h"
#include "runtime/raw_enum.h"

namespace gpusim::cudart {

uint64_t graph_memory_in_use(Context& ctx) {
  GraphState& st = graph_state(ctx);
  std::set<const GraphAllocation*> seen;  // a graph and its executable share their nodes' memory
  uint64_t bytes = 0;
  const auto count = [&](const GraphNode& n) {
    if (n.allocation && seen.insert(n.allocation.get()).second) bytes += n.allocation->bytes;
  };
  for (const GraphRecord* g : st.graphs)  // child graphs and conditional bodies are registered too
    for (const auto& n : g->nodes) count(*n);
  for (const GraphExecRecord* e : st.execs)
    for (const GraphNode& n : e->nodes) count(n);
  return bytes;
}

namespace {

void check_device(int device) {
  if (device != 0)
    throw ApiError(cudaErrorInvalidDevice, "device " + std::to_string(device) + " (the simulator has one device, 0)");
}

}  // namespace
}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaDeviceGetGraphMemAttribute(int device, cudaGraphMemAttributeType attr, void* value) {
  return api("cudaDeviceGetGraphMemAttribute", [&](Context& ctx) {
    check_device(device);
    if (!value) throw ApiError(cudaErrorInvalidValue, "null value pointer");
    GraphState& st = graph_state(ctx);
    const uint64_t now = graph_memory_in_use(ctx);
    st.graph_memory_high = std::max(st.graph_memory_high, now);
    switch (gpusim::runtime::raw_enum_value(attr)) {
      case cudaGraphMemAttrUsedMemCurrent:
      case cudaGraphMemAttrReservedMemCurrent: *static_cast<uint64_t*>(value) = now; break;
      case cudaGraphMemAttrUsedMemHigh:
      case cudaGraphMemAttrReservedMemHigh: *static_cast<uint64_t*>(value) = st.graph_memory_high; break;
      default:
        throw ApiError(cudaErrorInvalidValue,
                       "attribute " + std::to_string(gpusim::runtime::raw_enum_value(attr)) + " is not a cudaGraphMemAttributeType");
    }
  });
}

// Only the high watermarks can be set, and only to 0 (CUDA's rule); the watermark then starts
// again from the memory graphs hold now.
cudaError_t cudaDeviceSetGraphMemAttribute(int device, cudaGraphMemAttributeType attr, void* value) {
  return api("cudaDeviceSetGraphMemAttribute", [&](Context& ctx) {
    check_device(device);
    if (!value) throw ApiError(cudaErrorInvalidValue, "null value pointer");
    const int which = gpusim::runtime::raw_enum_value(attr);
    if (which != cudaGraphMemAttrUsedMemHigh && which != cudaGraphMemAttrReservedMemHigh)
      throw ApiError(cudaErrorInvalidValue, "attribute " + std::to_string(which) +
                                                " cannot be set (only cudaGraphMemAttrUsedMemHigh and ReservedMemHigh, to 0)");
    if (*static_cast<const uint64_t*>(value) != 0)
      throw ApiError(cudaErrorInvalidValue, "a high watermark can only be reset to 0");
    graph_state(ctx).graph_memory_high = graph_memory_in_use(ctx);
  });
}

cudaError_t cudaDeviceGraphMemTrim(int device) {
  return api("cudaDeviceGraphMemTrim", [&](Context&) { check_device(device); });
}

}  // extern "C"
