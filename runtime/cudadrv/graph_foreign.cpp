// Finding libcudart's graph entry points for the driver's queries on its handles (graph_foreign.h).
#include "runtime/cudadrv/graph_foreign.h"

#include <dlfcn.h>

#include <mutex>

#include "runtime/cudadrv/driver_graph.h"

namespace gpusim::cudadrv {

void* runtime_graph_entry(const void* graph, const char* name) {
  if (!runtime_graph_owner(graph, false)) return nullptr;
  // This library found gpusim's libcudart by its hook and shares its streams: the process's cuda*
  // symbols are that library's.
  return dlsym(RTLD_DEFAULT, name);
}

bool& forwarding_node_query() {
  thread_local bool forwarding = false;
  return forwarding;
}

void* runtime_node_entry(const void* node, const char* name) {
  if (!node || forwarding_node_query()) return nullptr;
  {
    DriverState& s = driver_state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.runtime_captures) return nullptr;  // alone: the driver's own answer
    if (s.graph_model && s.graph_model->node_owner.count(static_cast<const DriverGraphNode*>(node))) return nullptr;
  }
  return dlsym(RTLD_DEFAULT, name);
}

}  // namespace gpusim::cudadrv
