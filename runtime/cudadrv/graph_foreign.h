// The driver's graph queries on libcudart's graphs and nodes (a graph made with cudaGraphCreate
// or captured with cudaStreamBeginCapture, its nodes): as on NVIDIA's stack, where a CUgraph IS a
// cudaGraph_t, cuGraphGetNodes & co. answer for them. The driver hands such a handle to gpusim's
// libcudart entry point of the same query; the two APIs number the answers alike (node types,
// error codes) and lay out the structures alike (edge data, host node parameters).
#pragma once

namespace gpusim::cudadrv {

// libcudart's entry point `name` (its exported symbol) when `graph` is a graph of gpusim's
// libcudart, whose streams this library shares; otherwise null.
void* runtime_graph_entry(const void* graph, const char* name);
// Likewise for a node handle this library does not know, with libcudart's streams shared
// (libcudart answers cudaErrorInvalidValue for one it does not know either).
void* runtime_node_entry(const void* node, const char* name);

// Whether this thread is in a node query this library handed to libcudart: a node neither library
// knows comes back here, and is then answered here (invalid value) instead of going round again.
bool& forwarding_node_query();  // for gpusim::graph::forward_node_query (runtime/graph/foreign_query.h)

}  // namespace gpusim::cudadrv
