// User objects (cudaUserObjectCreate, cudaUserObjectRetain/Release, cudaGraphRetain/ReleaseUserObject):
// a program's resource whose destructor CUDA runs when the last reference goes, wherever the
// references are: the program's own, a graph's, an executable graph's.
//
// CUDA's rules, as the programming guide's "CUDA User Objects" gives them: a graph's references go
// when the graph is destroyed; a clone (cudaGraphClone, and a child graph node's copy of its graph)
// and an executable graph instantiated from a graph hold references of their own, copies of the
// graph's; cudaGraphExecUpdate replaces the executable graph's references with the new source
// graph's. cudaGraphUserObjectMove hands the program's references to the graph instead of making
// new ones. Graph launches are complete when they return in the simulator, so a reference never
// needs to outlive its owner for a launch still running.
//
// The destructor runs on the calling thread in the call that drops the last reference, inside a
// HostCallbackScope: CUDA forbids CUDA calls in it (cudaErrorNotPermitted, as in a host function).
#include <cuda_runtime_api.h>

#include <climits>
#include <string>

#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {
namespace {

UserObjectRecord& object_of(GraphState& st, cudaUserObject_t handle) {
  if (!handle) throw ApiError(cudaErrorInvalidValue, "null user object");
  auto it = st.user_objects.find(handle);
  if (it == st.user_objects.end()) throw ApiError(cudaErrorInvalidValue, "unknown or destroyed user object (its last reference went)");
  return *it->second;
}

void check_count(unsigned count) {
  if (count == 0 || count > unsigned(INT_MAX))
    throw ApiError(cudaErrorInvalidValue, "reference count " + std::to_string(count) + " (must be 1 to INT_MAX)");
}

// The references graphs and executable graphs hold on `o`; the rest are the program's.
uint64_t held_by_graphs(const GraphState& st, const UserObjectRecord* o) {
  uint64_t held = 0;
  for (const auto& [owner, refs] : st.user_refs)
    if (auto it = refs.find(const_cast<UserObjectRecord*>(o)); it != refs.end()) held += it->second;
  return held;
}

// Drops `count` references; at the last the object goes and its destructor runs.
void release(GraphState& st, UserObjectRecord& o, uint64_t count) {
  o.refs -= count;
  if (o.refs) return;
  const cudaHostFn_t destroy = o.destroy;
  void* const ptr = o.ptr;
  st.user_objects.erase(&o);  // first: the destructor may not reach the object through CUDA any more
  HostCallbackScope scope;
  destroy(ptr);
}

}  // namespace

void copy_user_refs(GraphState& st, const void* from, const void* to) {
  auto it = st.user_refs.find(from);
  if (it == st.user_refs.end()) return;
  const auto refs = it->second;  // a copy: `to` may be inserted into the map below
  for (const auto& [o, n] : refs) {
    o->refs += n;
    st.user_refs[to][o] += n;
  }
}

void drop_user_refs(GraphState& st, const void* owner) {
  auto it = st.user_refs.find(owner);
  if (it == st.user_refs.end()) return;
  const auto refs = std::move(it->second);
  st.user_refs.erase(it);
  for (const auto& [o, n] : refs) release(st, *o, n);
}

void replace_user_refs(GraphState& st, const void* from, const void* to) {
  // The new references first, so that an object both hold never reaches zero in between.
  auto old = st.user_refs.find(to);
  std::map<UserObjectRecord*, uint64_t> previous;
  if (old != st.user_refs.end()) {
    previous = std::move(old->second);
    st.user_refs.erase(old);
  }
  copy_user_refs(st, from, to);
  for (const auto& [o, n] : previous) release(st, *o, n);
}

}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaUserObjectCreate(cudaUserObject_t* object, void* ptr, cudaHostFn_t destroy, unsigned int initial_refcount,
                                 unsigned int flags) {
  return api("cudaUserObjectCreate", [&](Context& ctx) {
    if (!object) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (!destroy) throw ApiError(cudaErrorInvalidValue, "null destructor callback");
    if (flags != cudaUserObjectNoDestructorSync)
      throw ApiError(cudaErrorInvalidValue, "flags " + std::to_string(flags) +
                                                ": CUDA requires cudaUserObjectNoDestructorSync, the only flag it defines");
    check_count(initial_refcount);
    GraphState& st = graph_state(ctx);
    auto rec = std::make_unique<UserObjectRecord>();
    rec->ptr = ptr;
    rec->destroy = destroy;
    rec->refs = initial_refcount;
    *object = reinterpret_cast<cudaUserObject_t>(rec.get());
    st.user_objects[rec.get()] = std::move(rec);
  });
}

cudaError_t cudaUserObjectRetain(cudaUserObject_t object, unsigned int count) {
  return api("cudaUserObjectRetain", [&](Context& ctx) {
    UserObjectRecord& o = object_of(graph_state(ctx), object);
    check_count(count);
    o.refs += count;
  });
}

// The program releases only references it owns: more is CUDA's undefined behaviour, reported here.
cudaError_t cudaUserObjectRelease(cudaUserObject_t object, unsigned int count) {
  return api("cudaUserObjectRelease", [&](Context& ctx) {
    GraphState& st = graph_state(ctx);
    UserObjectRecord& o = object_of(st, object);
    check_count(count);
    const uint64_t own = o.refs - held_by_graphs(st, &o);
    if (count > own)
      throw ApiError(cudaErrorInvalidValue, "releasing " + std::to_string(count) + " references of a user object the program holds " +
                                                std::to_string(own) + " of (graphs hold the other " + std::to_string(o.refs - own) + ")");
    release(st, o, count);
  });
}

cudaError_t cudaGraphRetainUserObject(cudaGraph_t graph, cudaUserObject_t object, unsigned int count, unsigned int flags) {
  return api("cudaGraphRetainUserObject", [&](Context& ctx) {
    GraphState& st = graph_state(ctx);
    GraphRecord& g = graph_of(ctx, graph);
    UserObjectRecord& o = object_of(st, object);
    check_count(count);
    if (flags != 0 && flags != cudaGraphUserObjectMove)
      throw ApiError(cudaErrorInvalidValue, "flags " + std::to_string(flags) + " (0 or cudaGraphUserObjectMove)");
    if (flags == cudaGraphUserObjectMove) {  // the program's references become the graph's
      const uint64_t own = o.refs - held_by_graphs(st, &o);
      if (count > own)
        throw ApiError(cudaErrorInvalidValue, "moving " + std::to_string(count) + " references to the graph: the program holds " +
                                                  std::to_string(own));
    } else {
      o.refs += count;
    }
    st.user_refs[&g][&o] += count;
  });
}

cudaError_t cudaGraphReleaseUserObject(cudaGraph_t graph, cudaUserObject_t object, unsigned int count) {
  return api("cudaGraphReleaseUserObject", [&](Context& ctx) {
    GraphState& st = graph_state(ctx);
    GraphRecord& g = graph_of(ctx, graph);
    UserObjectRecord& o = object_of(st, object);
    check_count(count);
    auto owner = st.user_refs.find(&g);
    const uint64_t held = owner == st.user_refs.end() || !owner->second.count(&o) ? 0 : owner->second[&o];
    if (count > held)
      throw ApiError(cudaErrorInvalidValue, "releasing " + std::to_string(count) + " references the graph holds " +
                                                std::to_string(held) + " of");
    if (held == count) {
      owner->second.erase(&o);
      if (owner->second.empty()) st.user_refs.erase(owner);
    } else {
      owner->second[&o] -= count;
    }
    release(st, o, count);
  });
}

}  // extern "C"
