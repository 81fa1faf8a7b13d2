// The runtime's graph queries on libcuda's graphs and nodes (a graph made with cuGraphCreate or
// captured with cuStreamBeginCapture, its nodes): as on NVIDIA's stack, where a cudaGraph_t IS a
// CUgraph, cudaGraphGetNodes & co. answer for them. The runtime hands such a handle to gpusim's
// libcuda entry point of the same query; the two APIs number the answers alike (node types,
// error codes) and lay out the structures alike (edge data, host node parameters).
#pragma once

namespace gpusim::cudart {

// libcuda's entry point `name` (its exported symbol) when `graph` is a graph of gpusim's libcuda
// loaded beside this library; otherwise null.
void* driver_graph_entry(const void* graph, const char* name);
// Likewise for a node handle: a node this library does not know, with libcuda loaded beside it
// (libcuda answers CUDA_ERROR_INVALID_VALUE for one it does not know either).
void* driver_node_entry(const void* node, const char* name);

// Whether this thread is in a node query this library handed to libcuda: a node neither library
// knows comes back here, and is then answered here (invalid value) instead of going round again.
bool& forwarding_node_query();  // for gpusim::graph::forward_node_query (runtime/graph/foreign_query.h)

}  // namespace gpusim::cudart
