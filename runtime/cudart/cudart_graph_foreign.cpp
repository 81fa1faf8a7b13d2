// Finding libcuda's graph entry points for the runtime's queries on its handles
// (cudart_graph_foreign.h).
#include "runtime/cudart/cudart_graph_foreign.h"

#include <dlfcn.h>

#include <mutex>

#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {

void* driver_graph_entry(const void* graph, const char* name) {
  if (!driver_graph_owner(graph, false)) return nullptr;
  // libcuda shares this library's streams (it found this library first), so the process's cu*
  // symbols are gpusim's libcuda's.
  return dlsym(RTLD_DEFAULT, name);
}

bool& forwarding_node_query() {
  thread_local bool forwarding = false;
  return forwarding;
}

void* driver_node_entry(const void* node, const char* name) {
  if (!node || forwarding_node_query()) return nullptr;
  {
    Context& ctx = context();
    std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
    if (!ctx.driver_captures) return nullptr;  // libcuda not loaded (or not sharing): the runtime's own answer
    if (graph_state(ctx).node_owner.count(static_cast<const GraphNode*>(node))) return nullptr;
  }
  return dlsym(RTLD_DEFAULT, name);
}

}  // namespace gpusim::cudart
