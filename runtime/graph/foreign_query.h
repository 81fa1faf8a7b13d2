// The one mechanism by which libcuda and libcudart answer graph queries on each other's handles
// (a CUgraph IS a cudaGraph_t on NVIDIA's stack): each library finds the other's entry point of the
// same query by its exported symbol (runtime/cudadrv/graph_foreign.h, runtime/cudart/
// cudart_graph_foreign.h) and calls it through these helpers.
#pragma once

namespace gpusim::graph {

// The other library's entry point `symbol` (null: not that library's handle) as a typed function.
template <typename Fn>
Fn foreign_entry_as(void* symbol) {
  return reinterpret_cast<Fn>(symbol);
}

// Runs a node query handed to the other library with this library's `forwarding` flag set for its
// duration: a node neither library knows comes back to the first, which then answers it (invalid
// value) instead of sending it round again. The flag is each library's own thread_local.
template <typename Fn, typename... Args>
int forward_node_query(bool& forwarding, Fn entry, Args... args) {
  forwarding = true;
  const int result = entry(args...);
  forwarding = false;
  return result;
}

}  // namespace gpusim::graph
