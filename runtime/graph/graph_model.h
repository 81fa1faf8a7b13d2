// The CUDA graph model both of gpusim's CUDA libraries use (libcudart's cudaGraph*, libcuda's
// cuGraph*): graphs of nodes with dependency edges, executable graphs (instantiation copies the
// nodes in a topological order), cudaGraphExecUpdate's rule, and the registry that checks handles.
// Each library is a thin adapter: it defines its node (what the node runs, in that API's terms),
// turns graph::GraphError into its own error codes, and runs a node when a launch reaches it.
//
// A node type N is a struct with at least:
//   int-like `type`                (CUDA's node type numbering, shared by both APIs: NodeType)
//   Graph<N>* graph                (the graph holding the node; null in an executable graph)
//   std::vector<N*> deps           (the nodes it waits for, in the order they were added)
// Instantiation copies nodes by value, so a node owns copies of what it runs (kernel arguments);
// a node that holds more (libcudart's child graphs) deepens the copy in the `snapshot` hooks.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpusim::graph {

// CUDA's node types (cudaGraphNodeType and CUgraphNodeType number them alike).
enum NodeType : int {
  kKernelNode = 0,
  kMemcpyNode = 1,
  kMemsetNode = 2,
  kHostNode = 3,
  kChildGraphNode = 4,
  kEmptyNode = 5,
  kWaitEventNode = 6,
  kEventRecordNode = 7,
  kMemAllocNode = 10,
  kMemFreeNode = 11,
};

// cudaGraphExecUpdateResult / CUgraphExecUpdateResult (numbered alike).
enum UpdateResult : int {
  kUpdateSuccess = 0,
  kUpdateTopologyChanged = 2,
  kUpdateNodeTypeChanged = 3,
  kUpdateNotSupported = 6,
};

// What went wrong, in API-neutral terms; each library maps it to its own error code.
enum class Failure {
  InvalidValue,
  InvalidHandle,      // an unknown or destroyed executable graph / stream
  NotSupported,
  IllegalState,       // capture begun twice, ended when not capturing
  CaptureUnsupported, // an operation CUDA forbids during capture
  CaptureInvalidated, // the capture failed earlier
  CaptureImplicit,    // the legacy stream would join a capture implicitly
  CaptureUnmatched,   // ended on another stream than it began
  CaptureUnjoined,    // a forked stream did not rejoin
  CaptureIsolation,   // an event of another capture
  CaptureWrongThread,
  UpdateFailure,      // cudaGraphExecUpdate refused
};

class GraphError : public std::runtime_error {
 public:
  GraphError(Failure failure, const std::string& message) : std::runtime_error(message), failure(failure) {}
  Failure failure;
};

[[noreturn]] inline void fail(Failure failure, const std::string& message) { throw GraphError(failure, message); }

template <typename N>
struct Graph {
  std::vector<std::unique_ptr<N>> nodes;  // in creation order (the order GetNodes reports)
  bool owned_by_node = false;             // a child graph node's graph: GraphDestroy refuses it

  N* add(N proto, const std::vector<N*>& deps) {
    proto.graph = this;
    proto.deps = deps;
    nodes.push_back(std::make_unique<N>(std::move(proto)));
    return nodes.back().get();
  }
};

template <typename N>
struct Exec {
  std::vector<N> nodes;                         // copies, in the order a launch runs them
  std::map<const N*, size_t> index_of;          // the graph's node -> its copy (ExecSetParams)
  std::vector<std::vector<size_t>> deps;        // per copy: indices of its dependencies
  std::vector<size_t> creation_order;           // the graph's i-th node -> its copy (ExecUpdate)
  unsigned long long flags = 0;
};

// Kahn's algorithm, always taking the earliest-created ready node: the same graph gives the same
// order every time, so graph launches are as deterministic as the rest of the simulator.
template <typename N>
std::vector<size_t> topological_order(const Graph<N>& g) {
  std::map<const N*, size_t> index;
  for (size_t i = 0; i < g.nodes.size(); ++i) index[g.nodes[i].get()] = i;
  std::vector<bool> done(g.nodes.size(), false);
  std::vector<size_t> order;
  while (order.size() < g.nodes.size()) {
    bool progressed = false;
    for (size_t i = 0; i < g.nodes.size() && !progressed; ++i) {
      if (done[i]) continue;
      bool ready = true;
      for (const N* d : g.nodes[i]->deps) ready = ready && done[index.at(d)];
      if (!ready) continue;
      done[i] = true;
      order.push_back(i);
      progressed = true;
    }
    if (!progressed) fail(Failure::InvalidValue, "the graph has a dependency cycle");
  }
  return order;
}

// An executable graph of copies of g's nodes; `snapshot(node)` makes a copy independent of the
// graph (a child graph node gets its own child graph).
template <typename N, typename Snapshot>
std::unique_ptr<Exec<N>> instantiate(const Graph<N>& g, unsigned long long flags, Snapshot&& snapshot) {
  const auto order = topological_order(g);
  auto exec = std::make_unique<Exec<N>>();
  exec->flags = flags;
  std::map<const N*, size_t> position;
  for (size_t i : order) {
    position[g.nodes[i].get()] = exec->nodes.size();
    exec->nodes.push_back(*g.nodes[i]);
    snapshot(exec->nodes.back());
  }
  for (size_t k = 0; k < order.size(); ++k) {
    std::vector<size_t> deps;
    for (const N* d : exec->nodes[k].deps) deps.push_back(position.at(d));
    exec->deps.push_back(deps);
    exec->nodes[k].deps.clear();  // the copies refer to each other by index (exec->deps)
    exec->nodes[k].graph = nullptr;
  }
  for (auto& n : g.nodes) exec->creation_order.push_back(position.at(n.get()));
  exec->index_of = std::move(position);
  return exec;
}

// Replaces an executable node's parameters, keeping what places it in the executable graph.
template <typename N>
void replace_params(N& target, N fresh) {
  fresh.deps.clear();
  fresh.graph = nullptr;
  target = std::move(fresh);
}

// cudaGraphExecUpdate's rule: the same nodes (by creation order), types and edges; parameters may
// change. Returns why it cannot update, with the node concerned in *where.
template <typename N>
UpdateResult update_problem(const Exec<N>& exec, const Graph<N>& g, const N** where) {
  *where = nullptr;
  if (g.nodes.size() != exec.creation_order.size()) return kUpdateTopologyChanged;
  std::map<const N*, size_t> index;
  for (size_t i = 0; i < g.nodes.size(); ++i) index[g.nodes[i].get()] = exec.creation_order[i];
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const N& n = *g.nodes[i];
    const size_t k = exec.creation_order[i];
    *where = &n;
    if (static_cast<int>(n.type) != static_cast<int>(exec.nodes[k].type)) return kUpdateNodeTypeChanged;
    std::vector<size_t> deps;
    for (const N* d : n.deps) deps.push_back(index.at(d));
    if (deps != exec.deps[k]) return kUpdateTopologyChanged;
    const int t = static_cast<int>(n.type);
    if (t == kMemAllocNode || t == kMemFreeNode) return kUpdateNotSupported;
  }
  *where = nullptr;
  return kUpdateSuccess;
}

// Whether two graphs have the same nodes (types, in creation order) and edges: what CUDA requires
// of the graph that replaces an executable graph's child graph (cudaGraphExecChildGraphNodeSetParams).
template <typename N>
bool same_topology(const Graph<N>& a, const Graph<N>& b) {
  if (a.nodes.size() != b.nodes.size()) return false;
  std::map<const N*, size_t> index_a, index_b;
  for (size_t i = 0; i < a.nodes.size(); ++i) index_a[a.nodes[i].get()] = i, index_b[b.nodes[i].get()] = i;
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const N &x = *a.nodes[i], &y = *b.nodes[i];
    if (static_cast<int>(x.type) != static_cast<int>(y.type)) return false;
    std::vector<size_t> from_a, from_b;  // edges as sets: the order they were added in does not matter
    for (const N* d : x.deps) from_a.push_back(index_a.at(d));
    for (const N* d : y.deps) from_b.push_back(index_b.at(d));
    std::sort(from_a.begin(), from_a.end());
    std::sort(from_b.begin(), from_b.end());
    if (from_a != from_b) return false;
  }
  return true;
}

// Why update_problem refused, for the error message (its result code says the same).
inline const char* update_problem_text(UpdateResult r) {
  switch (r) {
    case kUpdateTopologyChanged: return "the graph differs from the executable graph in its nodes or edges";
    case kUpdateNodeTypeChanged: return "a node of the graph has another type than the executable graph's node";
    case kUpdateNotSupported:
      return "the graph holds memory allocation or free nodes, which an executable graph cannot take in an update "
             "(instantiate the graph again)";
    default: return "the graph cannot update the executable graph";
  }
}

// Applies a checked update: every executable node takes its graph node's parameters.
template <typename N, typename Snapshot>
void apply_update(Exec<N>& exec, const Graph<N>& g, Snapshot&& snapshot) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const size_t k = exec.creation_order[i];
    replace_params(exec.nodes[k], *g.nodes[i]);
    snapshot(exec.nodes[k]);
    exec.index_of[g.nodes[i].get()] = k;
  }
}

// Every handle the library handed out, so that a stale or foreign one is an error, not a crash.
template <typename N>
struct Registry {
  std::set<Graph<N>*> graphs;
  std::set<Exec<N>*> execs;
  std::map<const N*, Graph<N>*> node_owner;  // every live node of every live graph

  Graph<N>& graph_of(const void* handle) {
    if (!handle) fail(Failure::InvalidValue, "null graph");
    auto* g = static_cast<Graph<N>*>(const_cast<void*>(handle));
    if (!graphs.count(g)) fail(Failure::InvalidValue, "unknown or destroyed graph");
    return *g;
  }
  N& node_of(const void* handle) {
    if (!handle) fail(Failure::InvalidValue, "null graph node");
    auto* n = static_cast<N*>(const_cast<void*>(handle));
    if (!node_owner.count(n)) fail(Failure::InvalidValue, "unknown or destroyed graph node");
    return *n;
  }
  Exec<N>& exec_of(const void* handle) {
    if (!handle) fail(Failure::InvalidValue, "null executable graph");
    auto* e = static_cast<Exec<N>*>(const_cast<void*>(handle));
    if (!execs.count(e)) fail(Failure::InvalidHandle, "unknown or destroyed executable graph");
    return *e;
  }

  Graph<N>* create() {
    auto* g = new Graph<N>;
    graphs.insert(g);
    return g;
  }
  N* add(Graph<N>& g, N proto, const std::vector<N*>& deps) {
    N* n = g.add(std::move(proto), deps);
    node_owner[n] = &g;
    return n;
  }
  void forget(Graph<N>* g) {
    for (auto& n : g->nodes) node_owner.erase(n.get());
    graphs.erase(g);
    delete g;
  }
  Exec<N>* keep(std::unique_ptr<Exec<N>> exec) {
    Exec<N>* e = exec.release();
    execs.insert(e);
    return e;
  }
  void destroy(Exec<N>& e) {
    execs.erase(&e);
    delete &e;
  }

  // GraphDestroyNode: the node goes, and with it every edge to or from it.
  void destroy_node(N& n) {
    Graph<N>& g = *n.graph;
    for (auto& other : g.nodes) other->deps.erase(std::remove(other->deps.begin(), other->deps.end(), &n), other->deps.end());
    node_owner.erase(&n);
    g.nodes.erase(std::find_if(g.nodes.begin(), g.nodes.end(), [&](auto& p) { return p.get() == &n; }));
  }

  // The dependency array of an Add*Node call, checked: nodes of `g`, none twice.
  std::vector<N*> dependency_list(Graph<N>& g, const void* const* deps, size_t n) {
    if (n && !deps) fail(Failure::InvalidValue, "null dependency array with a non-zero count");
    std::vector<N*> out;
    for (size_t i = 0; i < n; ++i) {
      N& d = node_of(deps[i]);
      if (d.graph != &g) fail(Failure::InvalidValue, "dependency " + std::to_string(i) + " is a node of another graph");
      if (std::find(out.begin(), out.end(), &d) != out.end())
        fail(Failure::InvalidValue, "dependency " + std::to_string(i) + " is listed twice");
      out.push_back(&d);
    }
    return out;
  }

  // cudaGraphAddDependencies / cuGraphAddDependencies: edge i runs from[i] -> to[i].
  void add_edges(Graph<N>& g, const void* const* from, const void* const* to, size_t n) {
    if (n && (!from || !to)) fail(Failure::InvalidValue, "null node array with a non-zero count");
    for (size_t i = 0; i < n; ++i) {
      N& a = node_of(from[i]);
      N& b = node_of(to[i]);
      if (a.graph != &g || b.graph != &g) fail(Failure::InvalidValue, "edge " + std::to_string(i) + " names a node of another graph");
      if (&a == &b) fail(Failure::InvalidValue, "edge " + std::to_string(i) + " joins a node to itself");
      if (std::find(b.deps.begin(), b.deps.end(), &a) != b.deps.end())
        fail(Failure::InvalidValue, "edge " + std::to_string(i) + " exists already");
      b.deps.push_back(&a);
    }
  }

  // GraphRemoveDependencies: edge i from[i] -> to[i] must exist; all are checked before any goes.
  void remove_edges(Graph<N>& g, const void* const* from, const void* const* to, size_t n) {
    if (n && (!from || !to)) fail(Failure::InvalidValue, "null node array with a non-zero count");
    std::vector<std::pair<N*, N*>> edges;
    for (size_t i = 0; i < n; ++i) {
      N& a = node_of(from[i]);
      N& b = node_of(to[i]);
      if (a.graph != &g || b.graph != &g) fail(Failure::InvalidValue, "edge " + std::to_string(i) + " names a node of another graph");
      if (std::find(b.deps.begin(), b.deps.end(), &a) == b.deps.end())
        fail(Failure::InvalidValue, "edge " + std::to_string(i) + " does not exist");
      edges.emplace_back(&a, &b);
    }
    for (auto& [a, b] : edges) b->deps.erase(std::remove(b->deps.begin(), b->deps.end(), a), b->deps.end());
  }

  // The nodes that depend on `n` (GetDependentNodes), in creation order.
  static std::vector<N*> dependents(const N& n) {
    std::vector<N*> out;
    for (auto& other : n.graph->nodes)
      if (std::find(other->deps.begin(), other->deps.end(), &n) != other->deps.end()) out.push_back(other.get());
    return out;
  }

  // A registered deep copy of g (cudaGraphClone); `snapshot` gives copied nodes their own children.
  template <typename Snapshot>
  Graph<N>* clone(const Graph<N>& g, Snapshot&& snapshot) {
    Graph<N>* copy = create();
    std::map<const N*, N*> to_copy;
    for (const auto& n : g.nodes) {
      N* c = add(*copy, *n, {});
      snapshot(*c);
      to_copy[n.get()] = c;
    }
    for (size_t i = 0; i < g.nodes.size(); ++i)
      for (N* d : g.nodes[i]->deps) copy->nodes[i]->deps.push_back(to_copy.at(d));
    return copy;
  }
};

// The nodes of `g` without dependencies (GetRootNodes) and its edges (GetEdges), in creation order.
template <typename N>
std::vector<N*> root_nodes(const Graph<N>& g) {
  std::vector<N*> roots;
  for (auto& n : g.nodes)
    if (n->deps.empty()) roots.push_back(n.get());
  return roots;
}

template <typename N>
std::vector<std::pair<N*, N*>> edges(const Graph<N>& g) {
  std::vector<std::pair<N*, N*>> out;
  for (auto& n : g.nodes)
    for (N* d : n->deps) out.emplace_back(d, n.get());
  return out;
}

// Copies up to *count handles into `array` (when given) and sets *count as CUDA's Get* calls do.
template <typename Handle, typename N>
void copy_out(Handle* array, size_t* count, const std::vector<N*>& nodes) {
  if (!count) fail(Failure::InvalidValue, "null count pointer");
  if (array)
    for (size_t i = 0; i < std::min(*count, nodes.size()); ++i) array[i] = reinterpret_cast<Handle>(nodes[i]);
  if (!array || *count > nodes.size()) *count = nodes.size();
}

}  // namespace gpusim::graph
