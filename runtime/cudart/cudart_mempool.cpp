// Stream-ordered allocation: cudaMallocAsync/cudaFreeAsync and memory pools. A pool hands out
// device allocations and keeps freed blocks for reuse; at synchronisation points (and
// cudaMemPoolTrimTo) it gives cached memory above its release threshold back to the device, as
// CUDA's pools do. Streams are always idle in the simulator, so a block freed on one stream may be
// reused by any later allocation. During stream capture, cudaMallocAsync and cudaFreeAsync become
// mem-alloc and mem-free graph nodes (cudart_graph.h: the node's memory lives with the graph).
#include <cuda_runtime_api.h>

#include "runtime/cudart/cudart_graph.h"
#include "runtime/raw_enum.h"

namespace gpusim::cudart {

namespace {

MemPoolRecord& pool_of(Context& ctx, cudaMemPool_t pool) {
  GraphState& st = graph_state(ctx);
  auto* rec = reinterpret_cast<MemPoolRecord*>(pool);
  if (!pool) throw ApiError(cudaErrorInvalidValue, "null memory pool");
  if (rec != &st.default_pool && !st.pools.count(rec)) throw ApiError(cudaErrorInvalidValue, "unknown or destroyed memory pool");
  return *rec;
}

cudaMemPool_t handle(MemPoolRecord& pool) { return reinterpret_cast<cudaMemPool_t>(&pool); }

void check_device(int device) {
  if (device != 0) throw ApiError(cudaErrorInvalidDevice, "device " + std::to_string(device) + " (the simulator has one device, 0)");
}

void release_to(Context& ctx, MemPoolRecord& pool, uint64_t keep) {
  while (pool.reserved > keep && !pool.cached.empty()) {
    auto it = std::prev(pool.cached.end());  // the largest block first: fewest calls to reach `keep`
    ctx.device().free(reinterpret_cast<runtime::DevPtr>(it->second));
    ctx.note_device_bytes(-static_cast<int64_t>(it->first));
    pool.reserved -= it->first;
    pool.cached.erase(it);
  }
}

void* allocate(Context& ctx, MemPoolRecord& pool, size_t size) {
  GraphState& st = graph_state(ctx);
  void* ptr = nullptr;
  size_t bytes = size;
  auto fit = pool.cached.lower_bound(size);
  if (fit != pool.cached.end() && fit->first <= 2 * size) {  // reuse a block that wastes at most half
    bytes = fit->first;
    ptr = fit->second;
    pool.cached.erase(fit);
  } else {
    ptr = reinterpret_cast<void*>(ctx.device().alloc(size));
    ctx.note_device_bytes(static_cast<int64_t>(size));
    pool.reserved += size;
    pool.reserved_high = std::max(pool.reserved_high, pool.reserved);
  }
  pool.live[ptr] = bytes;
  pool.used += bytes;
  pool.used_high = std::max(pool.used_high, pool.used);
  st.pool_of[ptr] = &pool;
  return ptr;
}

// An alloc node's memory: allocated now, at a fixed address, owned by the graph and its executables.
GraphNode alloc_node(Context& ctx, size_t size) {
  if (size == 0) throw ApiError(cudaErrorInvalidValue, "a graph allocation of 0 bytes");
  GraphNode node;
  node.type = cudaGraphNodeTypeMemAlloc;
  node.allocation = std::make_shared<GraphAllocation>();
  node.allocation->ptr = reinterpret_cast<void*>(ctx.device().alloc(size));
  node.allocation->bytes = size;
  ctx.note_device_bytes(static_cast<int64_t>(size));
  // The high watermark cudaDeviceGetGraphMemAttribute reports (the new memory is in no graph yet).
  GraphState& st = graph_state(ctx);
  st.graph_memory_high = std::max(st.graph_memory_high, graph_memory_in_use(ctx) + size);
  return node;
}


void malloc_async(Context& ctx, void** ptr, size_t size, MemPoolRecord& pool, cudaStream_t stream) {
  if (!ptr) throw ApiError(cudaErrorInvalidValue, "null result pointer");
  check_stream_handle(ctx, stream);
  if (is_capturing(ctx, stream)) {
    GraphNode node = alloc_node(ctx, size);
    void* p = node.allocation->ptr;
    if (record_if_capturing(ctx, stream, std::move(node))) *ptr = p;
    return;
  }
  *ptr = size ? allocate(ctx, pool, size) : nullptr;
}

}  // namespace

GraphAllocation* graph_allocation_at(Context& ctx, const void* ptr) {
  if (!ctx.graph_state || !ptr) return nullptr;
  GraphState& st = *ctx.graph_state;
  for (GraphRecord* g : st.graphs)
    for (auto& n : g->nodes)
      if (n->allocation && n->allocation->ptr == ptr) return n->allocation.get();
  for (GraphExecRecord* e : st.execs)  // a graph destroyed after instantiation leaves its memory to the executables
    for (GraphNode& n : e->nodes)
      if (n.allocation && n.allocation->ptr == ptr) return n.allocation.get();
  return nullptr;
}

void release_pool_memory(Context& ctx) {
  if (!ctx.graph_state) return;
  GraphState& st = *ctx.graph_state;
  release_to(ctx, st.default_pool, st.default_pool.release_threshold);
  for (MemPoolRecord* p : st.pools) release_to(ctx, *p, p->release_threshold);
}

}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaMallocAsync(void** ptr, size_t size, cudaStream_t stream) {
  return api("cudaMallocAsync", [&](Context& ctx) {
    GraphState& st = graph_state(ctx);
    malloc_async(ctx, ptr, size, st.current_pool ? *st.current_pool : st.default_pool, stream);
  });
}
cudaError_t cudaMallocAsync_ptsz(void** ptr, size_t size, cudaStream_t stream) { return cudaMallocAsync(ptr, size, stream); }

cudaError_t cudaMallocFromPoolAsync(void** ptr, size_t size, cudaMemPool_t pool, cudaStream_t stream) {
  return api("cudaMallocFromPoolAsync", [&](Context& ctx) { malloc_async(ctx, ptr, size, pool_of(ctx, pool), stream); });
}
cudaError_t cudaMallocFromPoolAsync_ptsz(void** ptr, size_t size, cudaMemPool_t pool, cudaStream_t stream) {
  return cudaMallocFromPoolAsync(ptr, size, pool, stream);
}

cudaError_t cudaFreeAsync(void* ptr, cudaStream_t stream) {
  return api("cudaFreeAsync", [&](Context& ctx) {
    check_stream_handle(ctx, stream);
    if (!ptr) return;
    GraphState& st = graph_state(ctx);
    if (is_capturing(ctx, stream)) {
      GraphNode node;
      node.type = cudaGraphNodeTypeMemFree;
      node.free_ptr = ptr;
      record_if_capturing(ctx, stream, std::move(node));
      return;
    }
    auto owner = st.pool_of.find(ptr);
    if (owner != st.pool_of.end()) {
      MemPoolRecord& pool = *owner->second;
      const size_t bytes = pool.live.at(ptr);
      pool.live.erase(ptr);
      pool.used -= bytes;
      pool.cached.emplace(bytes, ptr);
      st.pool_of.erase(owner);
      return;
    }
    if (GraphAllocation* a = graph_allocation_at(ctx, ptr)) {  // graph memory: the graph keeps it
      a->outstanding = false;
      return;
    }
    const auto region = ctx.device().allocation_at(reinterpret_cast<gpusim::runtime::DevPtr>(ptr));
    if (!region || region->host_mapped || region->base != reinterpret_cast<gpusim::runtime::DevPtr>(ptr))
      throw ApiError(cudaErrorInvalidValue, "the pointer is not the start of a device allocation");
    ctx.device().free(reinterpret_cast<gpusim::runtime::DevPtr>(ptr));  // cudaMalloc'd memory, or from a destroyed pool
    ctx.note_device_bytes(-static_cast<int64_t>(region->size));
  });
}
cudaError_t cudaFreeAsync_ptsz(void* ptr, cudaStream_t stream) { return cudaFreeAsync(ptr, stream); }

cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t* pool, int device) {
  return api("cudaDeviceGetDefaultMemPool", [&](Context& ctx) {
    if (!pool) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    check_device(device);
    *pool = handle(graph_state(ctx).default_pool);
  });
}

cudaError_t cudaDeviceGetMemPool(cudaMemPool_t* pool, int device) {
  return api("cudaDeviceGetMemPool", [&](Context& ctx) {
    if (!pool) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    check_device(device);
    GraphState& st = graph_state(ctx);
    *pool = handle(st.current_pool ? *st.current_pool : st.default_pool);
  });
}

cudaError_t cudaDeviceSetMemPool(int device, cudaMemPool_t pool) {
  return api("cudaDeviceSetMemPool", [&](Context& ctx) {
    check_device(device);
    MemPoolRecord& p = pool_of(ctx, pool);
    GraphState& st = graph_state(ctx);
    st.current_pool = &p == &st.default_pool ? nullptr : &p;
  });
}

// CUDA 13's location-based names for the device's pools: a device location is the device
// calls above; pools of host memory (cudaMemLocationTypeHost*) are not simulated.
static int pool_device(const cudaMemLocation* location, cudaMemAllocationType type, const char* call) {
  if (!location) throw ApiError(cudaErrorInvalidValue, std::string(call) + ": null location");
  if (gpusim::runtime::raw_enum_value(type) != cudaMemAllocationTypePinned)
    throw ApiError(cudaErrorInvalidValue, std::string(call) + ": type must be cudaMemAllocationTypePinned");
  if (gpusim::runtime::raw_enum_value(location->type) != cudaMemLocationTypeDevice)
    throw ApiError(cudaErrorNotSupported, std::string(call) + ": only device memory pools are simulated (location type " +
                                              std::to_string(gpusim::runtime::raw_enum_value(location->type)) + ")");
  check_device(location->id);
  return location->id;
}

cudaError_t cudaMemGetDefaultMemPool(cudaMemPool_t* pool, struct cudaMemLocation* location, enum cudaMemAllocationType type) {
  return api("cudaMemGetDefaultMemPool", [&](Context& ctx) {
    if (!pool) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    pool_device(location, type, "cudaMemGetDefaultMemPool");
    *pool = handle(graph_state(ctx).default_pool);
  });
}

cudaError_t cudaMemGetMemPool(cudaMemPool_t* pool, struct cudaMemLocation* location, enum cudaMemAllocationType type) {
  return api("cudaMemGetMemPool", [&](Context& ctx) {
    if (!pool) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    pool_device(location, type, "cudaMemGetMemPool");
    GraphState& st = graph_state(ctx);
    *pool = handle(st.current_pool ? *st.current_pool : st.default_pool);
  });
}

cudaError_t cudaMemSetMemPool(struct cudaMemLocation* location, enum cudaMemAllocationType type, cudaMemPool_t pool) {
  return api("cudaMemSetMemPool", [&](Context& ctx) {
    pool_device(location, type, "cudaMemSetMemPool");
    MemPoolRecord& p = pool_of(ctx, pool);
    GraphState& st = graph_state(ctx);
    st.current_pool = &p == &st.default_pool ? nullptr : &p;
  });
}

cudaError_t cudaMemPoolCreate(cudaMemPool_t* pool, const cudaMemPoolProps* props) {
  return api("cudaMemPoolCreate", [&](Context& ctx) {
    if (!pool || !props) throw ApiError(cudaErrorInvalidValue, "null result pointer or properties");
    if (props->allocType != cudaMemAllocationTypePinned)
      throw ApiError(cudaErrorInvalidValue, "allocType must be cudaMemAllocationTypePinned");
    if (props->location.type != cudaMemLocationTypeDevice || props->location.id != 0)
      throw ApiError(cudaErrorInvalidValue, "the pool's location must be device 0 (the simulated device)");
    auto* rec = new MemPoolRecord;
    graph_state(ctx).pools.insert(rec);
    *pool = handle(*rec);
  });
}

cudaError_t cudaMemPoolDestroy(cudaMemPool_t pool) {
  return api("cudaMemPoolDestroy", [&](Context& ctx) {
    MemPoolRecord& p = pool_of(ctx, pool);
    GraphState& st = graph_state(ctx);
    if (&p == &st.default_pool) throw ApiError(cudaErrorInvalidValue, "the default memory pool cannot be destroyed");
    release_to(ctx, p, 0);
    for (auto& [ptr, bytes] : p.live) st.pool_of.erase(ptr);  // still usable; cudaFreeAsync frees them directly
    if (st.current_pool == &p) st.current_pool = nullptr;
    st.pools.erase(&p);
    delete &p;
  });
}

cudaError_t cudaMemPoolTrimTo(cudaMemPool_t pool, size_t keep) {
  return api("cudaMemPoolTrimTo", [&](Context& ctx) { release_to(ctx, pool_of(ctx, pool), keep); });
}

cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t pool, cudaMemPoolAttr attr, void* value) {
  return api("cudaMemPoolSetAttribute", [&](Context& ctx) {
    MemPoolRecord& p = pool_of(ctx, pool);
    if (!value) throw ApiError(cudaErrorInvalidValue, "null value pointer");
    const auto u64 = *static_cast<const uint64_t*>(value);
    const int flag = *static_cast<const int*>(value);
    switch (gpusim::runtime::raw_enum_value(attr)) {
      case cudaMemPoolReuseFollowEventDependencies: p.reuse_follow_events = flag; break;
      case cudaMemPoolReuseAllowOpportunistic: p.reuse_opportunistic = flag; break;
      case cudaMemPoolReuseAllowInternalDependencies: p.reuse_internal = flag; break;
      case cudaMemPoolAttrReleaseThreshold: p.release_threshold = u64; break;
      case cudaMemPoolAttrReservedMemHigh:
        if (u64 != 0) throw ApiError(cudaErrorInvalidValue, "the high watermark can only be reset (to 0)");
        p.reserved_high = p.reserved;
        break;
      case cudaMemPoolAttrUsedMemHigh:
        if (u64 != 0) throw ApiError(cudaErrorInvalidValue, "the high watermark can only be reset (to 0)");
        p.used_high = p.used;
        break;
      default:
        throw ApiError(cudaErrorInvalidValue, "attribute " + std::to_string(gpusim::runtime::raw_enum_value(attr)) + " cannot be set");
    }
  });
}

cudaError_t cudaMemPoolGetAttribute(cudaMemPool_t pool, cudaMemPoolAttr attr, void* value) {
  return api("cudaMemPoolGetAttribute", [&](Context& ctx) {
    MemPoolRecord& p = pool_of(ctx, pool);
    if (!value) throw ApiError(cudaErrorInvalidValue, "null value pointer");
    auto* u64 = static_cast<uint64_t*>(value);
    auto* flag = static_cast<int*>(value);
    switch (gpusim::runtime::raw_enum_value(attr)) {
      case cudaMemPoolReuseFollowEventDependencies: *flag = p.reuse_follow_events; break;
      case cudaMemPoolReuseAllowOpportunistic: *flag = p.reuse_opportunistic; break;
      case cudaMemPoolReuseAllowInternalDependencies: *flag = p.reuse_internal; break;
      case cudaMemPoolAttrReleaseThreshold: *u64 = p.release_threshold; break;
      case cudaMemPoolAttrReservedMemCurrent: *u64 = p.reserved; break;
      case cudaMemPoolAttrReservedMemHigh: *u64 = p.reserved_high; break;
      case cudaMemPoolAttrUsedMemCurrent: *u64 = p.used; break;
      case cudaMemPoolAttrUsedMemHigh: *u64 = p.used_high; break;
      default: throw ApiError(cudaErrorInvalidValue, "attribute " + std::to_string(gpusim::runtime::raw_enum_value(attr)) + " is not a cudaMemPoolAttr");
    }
  });
}

// One device, always reachable read-write from itself.
cudaError_t cudaMemPoolSetAccess(cudaMemPool_t pool, const cudaMemAccessDesc* descs, size_t count) {
  return api("cudaMemPoolSetAccess", [&](Context& ctx) {
    pool_of(ctx, pool);
    if (count && !descs) throw ApiError(cudaErrorInvalidValue, "null access descriptors");
    for (size_t i = 0; i < count; ++i)
      if (descs[i].location.type != cudaMemLocationTypeDevice || descs[i].location.id != 0)
        throw ApiError(cudaErrorInvalidDevice, "access descriptor " + std::to_string(i) + " names a device other than 0");
  });
}

cudaError_t cudaGraphAddMemAllocNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n,
                                     cudaMemAllocNodeParams* params) {
  return api("cudaGraphAddMemAllocNode", [&](Context& ctx) {
    if (!node || !params) throw ApiError(cudaErrorInvalidValue, "null result pointer or parameters");
    GraphRecord& g = graph_of(ctx, graph);
    auto list = dependency_list(ctx, g, deps, n);
    GraphNode proto = alloc_node(ctx, params->bytesize);
    params->dptr = proto.allocation->ptr;
    GraphNode* added = graph_state(ctx).add(g, std::move(proto), list);
    *node = reinterpret_cast<cudaGraphNode_t>(added);
  });
}

cudaError_t cudaGraphAddMemFreeNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* deps, size_t n,
                                    void* dptr) {
  return api("cudaGraphAddMemFreeNode", [&](Context& ctx) {
    if (!node || !dptr) throw ApiError(cudaErrorInvalidValue, "null result pointer or address");
    GraphRecord& g = graph_of(ctx, graph);
    auto list = dependency_list(ctx, g, deps, n);
    GraphNode proto;
    proto.type = cudaGraphNodeTypeMemFree;
    proto.free_ptr = dptr;
    GraphNode* added = graph_state(ctx).add(g, std::move(proto), list);
    *node = reinterpret_cast<cudaGraphNode_t>(added);
  });
}

}  // extern "C"
