// CUDA graphs in the simulator's runtime: libcudart's adapter over the shared graph model
// (runtime/graph/graph_model.h, stream_capture.h). This header defines the runtime's node (what
// it runs, in runtime API terms) and the state of stream-ordered memory pools (cudart_mempool.cpp).
//
// Each node owns a copy of what it runs (kernel arguments are copied when the node is added or
// captured, as CUDA does), so the program may reuse its argument variables at once. A launch
// runs an executable graph's nodes in its topological order on the calling thread, which is a
// valid CUDA schedule (every node after its dependencies) and is deterministic.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/cudart/cudart_context.h"
#include "runtime/graph/capture_bridge.h"
#include "runtime/graph/graph_model.h"
#include "runtime/graph/stream_capture.h"

namespace gpusim::cudart {

struct GraphNode;
using GraphRecord = graph::Graph<GraphNode>;
using GraphExecRecord = graph::Exec<GraphNode>;
using StreamCapture = graph::StreamCapture<GraphNode>;

// Memory a mem-alloc node hands out: allocated when the node is made (its address is fixed, as the
// program reads it from the node at capture time) and freed when no graph or executable uses it.
struct GraphAllocation {
  void* ptr = nullptr;
  size_t bytes = 0;
  // A launch handed the memory out and no free has taken it back yet (a free node, cudaFreeAsync
  // or cudaFree): CUDA refuses to launch the graph again until one does, unless it was instantiated
  // with cudaGraphInstantiateFlagAutoFreeOnLaunch.
  bool outstanding = false;
  ~GraphAllocation();
};

// The allocation of a mem-alloc node (of a graph or an executable graph) that starts at `ptr`, or null.
GraphAllocation* graph_allocation_at(Context& ctx, const void* ptr);

// A conditional node's condition (cudaGraphConditionalHandleCreate): device memory laid out as
// isa/graph_conditional.h says, whose address is the handle. Held by the graph it was made for
// and by every node (and executable copy) that uses it.
struct ConditionalHandle {
  std::shared_ptr<GraphAllocation> memory;
  const void* graph = nullptr;  // the graph it was made for (GraphRecord*)
  unsigned default_value = 0;
  bool assign_default = false;  // cudaGraphCondAssignDefault: the default at every graph launch
  uint64_t handle() const { return reinterpret_cast<uint64_t>(memory->ptr); }
};

struct GraphNode {
  GraphRecord* graph = nullptr;
  cudaGraphNodeType type = cudaGraphNodeTypeEmpty;
  std::vector<GraphNode*> deps;  // the nodes this one waits for, in the order they were added

  // Kernel: the host stub identifies the kernel; the arguments are owned copies.
  const void* func = nullptr;
  dim3 grid, block;
  size_t shared = 0;
  bool cooperative = false;
  dim3 cluster{1, 1, 1};
  std::vector<std::vector<unsigned char>> args;
  std::vector<void*> arg_pointers;  // kernelParams view of `args` (rebuilt by pointers())
  void** pointers();

  // Memcpy (1-D is one row): `height` rows of `width` bytes, `depth` slices.
  void* dst = nullptr;
  const void* src = nullptr;
  size_t width = 0, height = 1, depth = 1;
  size_t dst_pitch = 0, src_pitch = 0, dst_rows = 0, src_rows = 0;
  int kind = cudaMemcpyDefault;

  // Memset: `height` rows of `width` elements of `element_size` bytes at `dst`, `dst_pitch` apart.
  unsigned value = 0;
  unsigned element_size = 1;

  // Host function.
  cudaHostFn_t host_fn = nullptr;
  void* user_data = nullptr;

  // Event record / wait.
  cudaEvent_t event = nullptr;

  // Mem alloc / free.
  std::shared_ptr<GraphAllocation> allocation;
  void* free_ptr = nullptr;

  // Child graph: the node's own copy of the graph (cudart_graph_child.cpp); a copy of the node
  // shares it until copy_child_graphs gives the copy one of its own.
  std::shared_ptr<GraphRecord> child;

  // Conditional (cudart_graph_conditional.cpp): the condition, IF/WHILE/SWITCH, and the bodies,
  // owned graphs like a child graph; `body_handles` is the array cudaGraphAddNode hands out
  // (phGraph_out), valid as long as the node.
  std::shared_ptr<ConditionalHandle> condition;
  cudaGraphConditionalNodeType conditional_type = cudaGraphCondTypeIf;
  std::vector<std::shared_ptr<GraphRecord>> bodies;
  std::vector<cudaGraph_t> body_handles;

  // cudaGraphNodeSetEnabled (an executable graph's copy): a disabled node runs as an empty node.
  bool enabled = true;
  // cudaGraphClone: the original graph's node this one copies (cudaGraphNodeFindInClone).
  const GraphNode* cloned_from = nullptr;
  // A kernel node's launch attributes (cudaGraphKernelNodeSetAttribute), by cudaLaunchAttributeID;
  // the cooperative flag and the cluster dimension are kept in `cooperative` / `cluster` instead,
  // where the launch reads them (cudart_graph_attributes.cpp).
  std::map<int, cudaLaunchAttributeValue> attributes;

  // Work libcuda issued to a stream this library captures (cuLaunchKernel, cuMemcpyAsync, ...):
  // the node runs it through libcuda (runtime/graph/capture_bridge.h); its fields above are unset.
  std::shared_ptr<const graph::ForeignWork> foreign;
};

struct MemPoolRecord {
  uint64_t release_threshold = 0;
  int reuse_follow_events = 1, reuse_opportunistic = 1, reuse_internal = 1;
  uint64_t reserved = 0, reserved_high = 0, used = 0, used_high = 0;
  std::multimap<size_t, void*> cached;  // freed blocks kept for reuse, by size
  std::map<void*, size_t> live;          // handed-out blocks -> size
};

// A user object (cudaUserObjectCreate, cudart_user_objects.cpp): `refs` counts every reference,
// the program's and those graphs and executable graphs hold; at 0 the destructor runs.
struct UserObjectRecord {
  void* ptr = nullptr;
  cudaHostFn_t destroy = nullptr;
  uint64_t refs = 0;
};
struct GraphState;
// The user object references a graph or executable graph holds (cudart_user_objects.cpp): `to`
// gets a copy of `from`'s (clone, instantiation), `owner`'s go (destruction), or `to`'s are
// replaced by `from`'s (cudaGraphExecUpdate). Dropping the last reference runs the destructor.
void copy_user_refs(GraphState& st, const void* from, const void* to);
void drop_user_refs(GraphState& st, const void* owner);
void replace_user_refs(GraphState& st, const void* from, const void* to);

// Everything graphs, capture and pools keep, owned by the Context (context().graph_state).
// The registry of graph handles and the capture state are the shared model's.
struct GraphState : graph::Registry<GraphNode>, graph::CaptureState<GraphNode> {
  MemPoolRecord default_pool;
  std::set<MemPoolRecord*> pools;       // created pools (the default one is not in it)
  MemPoolRecord* current_pool = nullptr;  // cudaDeviceSetMemPool; null = the default pool
  std::map<void*, MemPoolRecord*> pool_of;  // async allocation -> its pool
  std::map<uint64_t, std::shared_ptr<ConditionalHandle>> conditions;  // live handles -> their condition
  // User objects by handle, and the references each graph or executable graph (by handle) holds.
  std::map<const void*, std::unique_ptr<UserObjectRecord>> user_objects;
  std::map<const void*, std::map<UserObjectRecord*, uint64_t>> user_refs;
  // cudaGraphMemAttrUsedMemHigh / ReservedMemHigh: the most graph memory (mem-alloc nodes) held at once.
  uint64_t graph_memory_high = 0;

  // These hide the shared registry's: a clone's nodes remember their originals and the clone holds
  // copies of the original's user object references; a graph or executable graph that goes drops its.
  template <typename Snapshot>
  GraphRecord* clone(const GraphRecord& g, Snapshot&& snapshot) {
    GraphRecord* copy = graph::Registry<GraphNode>::clone(g, std::forward<Snapshot>(snapshot));
    for (size_t i = 0; i < g.nodes.size(); ++i) copy->nodes[i]->cloned_from = g.nodes[i].get();
    copy_user_refs(*this, &g, copy);
    return copy;
  }
  void forget(GraphRecord* g) {
    drop_user_refs(*this, g);
    graph::Registry<GraphNode>::forget(g);
  }
  void destroy(GraphExecRecord& e) {
    drop_user_refs(*this, &e);
    graph::Registry<GraphNode>::destroy(e);
  }
};

// The bytes mem-alloc nodes of live graphs and executable graphs hold (cudart_graph_memory_queries.cpp).
uint64_t graph_memory_in_use(Context& ctx);

GraphState& graph_state(Context& ctx);

// Lookups that reject unknown handles with CUDA's code and a message naming what was wrong.
GraphRecord& graph_of(Context& ctx, cudaGraph_t g);
GraphNode& node_of(Context& ctx, cudaGraphNode_t n);
GraphExecRecord& exec_of(Context& ctx, cudaGraphExec_t e);
std::vector<GraphNode*> dependency_list(Context& ctx, GraphRecord& g, const cudaGraphNode_t* deps, size_t n);
// The runtime's error for a failure of the shared graph model (cudart_errors.cpp).
cudaError_t graph_failure_code(graph::Failure failure);

// "kernel", "memcpy", ... (DOT output, messages).
const char* node_type_name(cudaGraphNodeType t);
// The executable graph's copy of `node` (a node of the graph it was instantiated from), of any
// type or of `type` (cudaErrorInvalidValue otherwise) (cudart_graph_exec.cpp).
GraphNode& exec_copy(Context& ctx, cudaGraphExec_t exec, cudaGraphNode_t node);
GraphNode& exec_copy(Context& ctx, cudaGraphExec_t exec, cudaGraphNode_t node, cudaGraphNodeType type);
// Node builders from the runtime's parameter structs, checked (cudart_graph.cpp).
GraphNode memset_node(const cudaMemsetParams* p);
GraphNode memcpy1d_node(void* dst, const void* src, size_t count, const cudaMemcpyKind& kind);
GraphNode memcpy3d_node(const cudaMemcpy3DParms* p);
// Builds a kernel node: checks the configuration and copies the arguments (cudart_launch.cpp).
GraphNode kernel_node(Context& ctx, const void* func, dim3 grid, dim3 block, size_t shared, void** args,
                      bool cooperative, dim3 cluster);
// Runs one node now (graph launch).
void run_node(Context& ctx, GraphNode& node);
// Runs a graph's nodes now, in its own topological order (a child graph, a conditional body).
void run_graph_nodes(Context& ctx, GraphRecord& g);
using graph::topological_order;

// Child graphs (cudart_graph_child.cpp): a registered deep copy of `g` owned by the node holding
// it, and the same for every child graph among `node`'s (so a copied node owns its own).
std::shared_ptr<GraphRecord> owned_graph_copy(Context& ctx, const GraphRecord& g);
void copy_child_graphs(Context& ctx, GraphNode& node);
// A new, empty, registered graph owned by the node that holds it (a conditional node's body).
std::shared_ptr<GraphRecord> owned_empty_graph(Context& ctx);
// Conditional nodes (cudart_graph_conditional.cpp): a node from cudaGraphAddNode's parameters
// (creates its bodies), one run, the defaults an executable graph's launch assigns, CUDA's rules
// on what bodies hold (checked at instantiation) and on graphs holding conditional nodes.
GraphNode conditional_node(Context& ctx, const cudaConditionalNodeParams& p);
void run_conditional(Context& ctx, GraphNode& node);
void assign_default_conditions(Context& ctx, GraphExecRecord& exec);
void check_conditional_bodies(const GraphRecord& g);
bool holds_conditional_node(const GraphRecord& g);
// Forgets the handles made for `g` (cudaGraphDestroy); nodes that use them keep their memory.
void forget_conditions_of(Context& ctx, const GraphRecord& g);
// A graph of the executable graph's nodes and edges (a graph launched into a capturing stream).
std::shared_ptr<GraphRecord> owned_graph_of_exec(Context& ctx, const GraphExecRecord& exec);
// A memcpy node between a __device__/__constant__ variable and `other` (cudaGraphAddMemcpyNodeToSymbol,
// captured cudaMemcpyToSymbolAsync).
GraphNode symbol_memcpy_node(Context& ctx, const void* symbol, void* other, size_t count, size_t offset, int kind,
                             bool to_symbol);

// Stream capture hooks for the rest of the runtime (cudart_capture.cpp). record_if_capturing
// returns true when `stream` captures and `node` became a node of its graph (nothing runs);
// it throws cudaErrorStreamCaptureInvalidated after the capture was invalidated, and
// cudaErrorStreamCaptureImplicit for work on the legacy stream while a blocking stream captures.
bool record_if_capturing(Context& ctx, cudaStream_t stream, GraphNode node);
// The same checks without a node: true when work issued to `stream` now would be captured.
bool capture_target(Context& ctx, cudaStream_t stream);
bool is_capturing(Context& ctx, cudaStream_t stream);
// A call CUDA forbids while this thread (or, in global mode, any thread) captures: throws
// cudaErrorStreamCaptureUnsupported and invalidates the captures concerned.
void check_capture_safe(Context& ctx, const char* what);
// Synchronising with or querying a capturing stream is an error that invalidates its capture.
void check_not_capturing(Context& ctx, cudaStream_t stream, const char* what);
bool capture_event_record(Context& ctx, cudaStream_t stream, cudaEvent_t event);
bool capture_event_wait(Context& ctx, cudaStream_t stream, cudaEvent_t event);
// A destroyed stream or event leaves the captures (of both libraries: its handle may be reused).
void forget_capture_stream(Context& ctx, cudaStream_t stream);
void forget_capture_event(Context& ctx, cudaEvent_t event);
// This library's captures as libcuda reaches them (cudart_driver_bridge.cpp).
std::unique_ptr<graph::CaptureBridge> make_capture_bridge();
// The calling thread's stream-capture mode, both APIs' (cudart_capture.cpp).
int& thread_capture_mode();
// libcuda's bridge when `handle` is one of its graphs (executable == false) or executable graphs
// (a capture begun with cuStreamBeginCapture and ended with cudaStreamEndCapture): the runtime's
// graph calls hand such a handle to libcuda. Null otherwise. Call without the lock held.
graph::CaptureBridge* driver_graph_owner(const void* handle, bool executable);

// At a synchronisation point pools give cached memory above their release threshold back
// (cudart_mempool.cpp).
void release_pool_memory(Context& ctx);

}  // namespace gpusim::cudart
