// Conditional graph nodes (CUDA 12.4+): a WHILE loop a kernel ends with cudaGraphSetConditional,
// IF with an ELSE body, SWITCH, nesting, a conditional node added to a stream capture (the way
// NVIDIA's graphConditionalNodes sample builds one), the handle's default value and CUDA's rules.
// Every result is compared with what the host computes the graph must do.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "check.cuh"

// One iteration of a loop: halves every element (rounding up) and keeps looping while any is > 1.
__global__ void halve_until_one(int* data, int n, int* iterations, cudaGraphConditionalHandle loop) {
  __shared__ int any_above;
  if (threadIdx.x == 0) any_above = 0;
  __syncthreads();
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    data[i] = (data[i] + 1) / 2;
    if (data[i] > 1) any_above = 1;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    ++*iterations;
    cudaGraphSetConditional(loop, any_above);
  }
}

__global__ void set_condition(cudaGraphConditionalHandle h, const int* value) { cudaGraphSetConditional(h, *value); }
__global__ void mark(int* slots, int slot) { slots[slot] += 1; }
__global__ void count_down(int* counter, cudaGraphConditionalHandle h) {
  const int left = --*counter;
  cudaGraphSetConditional(h, left > 0);
}

cudaGraphNode_t add_kernel(cudaGraph_t g, const cudaGraphNode_t* deps, size_t n, void* func, void** args) {
  cudaKernelNodeParams k = {};
  k.func = func;
  k.gridDim = dim3(1);
  k.blockDim = dim3(1);
  k.kernelParams = args;
  cudaGraphNode_t node;
  CHECK(cudaGraphAddKernelNode(&node, g, deps, n, &k));
  return node;
}

cudaGraphNode_t add_conditional(cudaGraph_t g, const cudaGraphNode_t* deps, size_t n, cudaGraphConditionalHandle h,
                                cudaGraphConditionalNodeType type, unsigned size, cudaGraph_t* bodies) {
  cudaGraphNodeParams p = {};
  p.type = cudaGraphNodeTypeConditional;
  p.conditional.handle = h;
  p.conditional.type = type;
  p.conditional.size = size;
  cudaGraphNode_t node;
  CHECK(cudaGraphAddNode(&node, g, deps, nullptr, n, &p));
  for (unsigned i = 0; i < size; ++i) bodies[i] = p.conditional.phGraph_out[i];
  return node;
}

std::vector<int> read(const int* d, int n) {
  std::vector<int> h(n);
  CHECK(cudaMemcpy(h.data(), d, n * sizeof(int), cudaMemcpyDeviceToHost));
  return h;
}

// WHILE: the body runs until the kernel clears the condition; the handle's default (1, assigned at
// every launch) starts each launch's loop.
void while_loop() {
  const int n = 300;
  std::vector<int> h(n);
  int expected_iterations = 0;
  for (int i = 0; i < n; ++i) h[i] = 1 + (i * 37) % 1000;
  for (int v : h) {  // iterations until every element is 1 (at least one pass)
    int it = 0, x = v;
    do {
      x = (x + 1) / 2;
      ++it;
    } while (x > 1);
    if (it > expected_iterations) expected_iterations = it;
  }
  int *data, *iterations;
  CHECK(cudaMalloc(&data, n * sizeof(int)));
  CHECK(cudaMalloc(&iterations, sizeof(int)));
  CHECK(cudaMemcpy(data, h.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  CHECK(cudaMemset(iterations, 0, sizeof(int)));

  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphConditionalHandle loop;
  CHECK(cudaGraphConditionalHandleCreate(&loop, g, 1, cudaGraphCondAssignDefault));
  cudaGraph_t body;
  add_conditional(g, nullptr, 0, loop, cudaGraphCondTypeWhile, 1, &body);
  int count = n;
  void* args[] = {&data, &count, &iterations, &loop};
  cudaKernelNodeParams k = {};
  k.func = reinterpret_cast<void*>(halve_until_one);
  k.gridDim = dim3(1);
  k.blockDim = dim3(128);
  k.kernelParams = args;
  cudaGraphNode_t step;
  CHECK(cudaGraphAddKernelNode(&step, body, nullptr, 0, &k));
  cudaGraphNodeType type;
  cudaGraphNode_t nodes[1];
  size_t count_nodes = 1;
  CHECK(cudaGraphGetNodes(g, nodes, &count_nodes));
  CHECK(cudaGraphNodeGetType(nodes[0], &type));
  EXPECT(count_nodes == 1 && type == cudaGraphNodeTypeConditional);

  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  EXPECT(read(iterations, 1)[0] == expected_iterations);
  for (int v : read(data, n)) EXPECT(v == 1);
  // Launched again, the default (1) starts the loop once more: one pass finds every element at 1.
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  EXPECT(read(iterations, 1)[0] == expected_iterations + 1);
  std::printf("WHILE: %d iterations, then 1 more at the second launch\n", expected_iterations);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(g));
  CHECK(cudaFree(data));
  CHECK(cudaFree(iterations));
}

// IF with an ELSE body, and SWITCH: an upstream kernel sets the condition from device memory.
void if_else_and_switch(int* slots, int* value) {
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphConditionalHandle choice, which;
  CHECK(cudaGraphConditionalHandleCreate(&choice, g, 0, 0));
  CHECK(cudaGraphConditionalHandleCreate(&which, g, 0, 0));
  void* set_args[] = {&choice, &value};
  cudaGraphNode_t set = add_kernel(g, nullptr, 0, reinterpret_cast<void*>(set_condition), set_args);
  cudaGraph_t branches[2];
  cudaGraphNode_t branch = add_conditional(g, &set, 1, choice, cudaGraphCondTypeIf, 2, branches);
  int s0 = 0, s1 = 1;
  void* then_args[] = {&slots, &s0};
  void* else_args[] = {&slots, &s1};
  add_kernel(branches[0], nullptr, 0, reinterpret_cast<void*>(mark), then_args);
  add_kernel(branches[1], nullptr, 0, reinterpret_cast<void*>(mark), else_args);
  void* set_which[] = {&which, &value};
  cudaGraphNode_t set2 = add_kernel(g, &branch, 1, reinterpret_cast<void*>(set_condition), set_which);
  cudaGraph_t cases[3];
  add_conditional(g, &set2, 1, which, cudaGraphCondTypeSwitch, 3, cases);
  int slot_of_case[3] = {2, 3, 4};
  void* case_args[3][2] = {{&slots, &slot_of_case[0]}, {&slots, &slot_of_case[1]}, {&slots, &slot_of_case[2]}};
  for (int c = 0; c < 3; ++c) add_kernel(cases[c], nullptr, 0, reinterpret_cast<void*>(mark), case_args[c]);

  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  const int values[] = {0, 1, 2, 7};  // 7: no SWITCH body matches
  std::vector<int> expected(5, 0);
  for (int v : values) {
    CHECK(cudaMemcpy(value, &v, sizeof v, cudaMemcpyHostToDevice));
    CHECK(cudaGraphLaunch(exec, 0));
    ++expected[v != 0 ? 0 : 1];
    if (v < 3) ++expected[2 + v];
  }
  CHECK(cudaDeviceSynchronize());
  EXPECT(read(slots, 5) == expected);
  std::printf("IF/ELSE and SWITCH: %d %d %d %d %d\n", expected[0], expected[1], expected[2], expected[3], expected[4]);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(g));
}

// A WHILE node whose body holds an IF node (nested conditionals), both driven by one counter.
void nested(int* slots, int* counter) {
  CHECK(cudaMemset(slots, 0, 5 * sizeof(int)));
  const int start = 5;
  CHECK(cudaMemcpy(counter, &start, sizeof start, cudaMemcpyHostToDevice));
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphConditionalHandle loop, inner;
  CHECK(cudaGraphConditionalHandleCreate(&loop, g, 1, cudaGraphCondAssignDefault));
  CHECK(cudaGraphConditionalHandleCreate(&inner, g, 1, 0));  // stays 1: the IF body always runs
  cudaGraph_t body, then_body;
  add_conditional(g, nullptr, 0, loop, cudaGraphCondTypeWhile, 1, &body);
  void* down_args[] = {&counter, &loop};
  cudaGraphNode_t down = add_kernel(body, nullptr, 0, reinterpret_cast<void*>(count_down), down_args);
  add_conditional(body, &down, 1, inner, cudaGraphCondTypeIf, 1, &then_body);
  int slot = 0;
  void* mark_args[] = {&slots, &slot};
  add_kernel(then_body, nullptr, 0, reinterpret_cast<void*>(mark), mark_args);
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaDeviceSynchronize());
  EXPECT(read(slots, 1)[0] == start);
  EXPECT(read(counter, 1)[0] == 0);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(g));
}

// The capture way (NVIDIA's graphConditionalNodes sample): the node is added to the graph being
// captured, its body captured from another stream, and the capture continues after the node.
void captured(int* slots, int* counter) {
  CHECK(cudaMemset(slots, 0, 5 * sizeof(int)));
  const int start = 4;
  CHECK(cudaMemcpy(counter, &start, sizeof start, cudaMemcpyHostToDevice));
  cudaStream_t s, body_stream;
  CHECK(cudaStreamCreate(&s));
  CHECK(cudaStreamCreate(&body_stream));
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  cudaStreamCaptureStatus status;
  cudaGraph_t g;
  const cudaGraphNode_t* deps = nullptr;
  size_t ndeps = 0;
  CHECK(cudaStreamGetCaptureInfo(s, &status, nullptr, &g, &deps, nullptr, &ndeps));
  cudaGraphConditionalHandle loop;
  CHECK(cudaGraphConditionalHandleCreate(&loop, g, 0, 0));
  set_condition<<<1, 1, 0, s>>>(loop, counter);  // counter != 0: enter the loop
  CHECK(cudaStreamGetCaptureInfo(s, &status, nullptr, &g, &deps, nullptr, &ndeps));
  cudaGraph_t body;
  cudaGraphNode_t node = add_conditional(g, deps, ndeps, loop, cudaGraphCondTypeWhile, 1, &body);
  CHECK(cudaStreamUpdateCaptureDependencies(s, &node, nullptr, 1, cudaStreamSetCaptureDependencies));
  CHECK(cudaStreamBeginCaptureToGraph(body_stream, body, nullptr, nullptr, 0, cudaStreamCaptureModeRelaxed));
  mark<<<1, 1, 0, body_stream>>>(slots, 1);
  count_down<<<1, 1, 0, body_stream>>>(counter, loop);
  CHECK(cudaStreamEndCapture(body_stream, nullptr));
  mark<<<1, 1, 0, s>>>(slots, 2);  // after the loop
  cudaGraph_t captured_graph;
  CHECK(cudaStreamEndCapture(s, &captured_graph));
  EXPECT(captured_graph == g);
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, captured_graph, 0));
  CHECK(cudaGraphLaunch(exec, s));
  CHECK(cudaStreamSynchronize(s));
  const std::vector<int> got = read(slots, 3);
  EXPECT(got[1] == start && got[2] == 1);
  std::printf("captured WHILE: %d iterations\n", got[1]);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(captured_graph));
  CHECK(cudaStreamDestroy(s));
  CHECK(cudaStreamDestroy(body_stream));
}

// CUDA's rules: handles, sizes and flags checked; bodies hold only device work; such a graph is
// neither cloned nor a child graph; a WHILE body that cannot end the loop is an error, not a hang.
void rules(int* slots) {
  cudaGraph_t g, other;
  CHECK(cudaGraphCreate(&g, 0));
  CHECK(cudaGraphCreate(&other, 0));
  cudaGraphConditionalHandle h;
  EXPECT(cudaGraphConditionalHandleCreate(&h, g, 0, 2) == cudaErrorInvalidValue);
  CHECK(cudaGraphConditionalHandleCreate(&h, g, 1, 0));
  cudaGraphNodeParams p = {};
  p.type = cudaGraphNodeTypeConditional;
  p.conditional.handle = h + 64;  // not a handle
  p.conditional.type = cudaGraphCondTypeIf;
  p.conditional.size = 1;
  cudaGraphNode_t node;
  EXPECT(cudaGraphAddNode(&node, g, nullptr, nullptr, 0, &p) == cudaErrorInvalidValue);
  p.conditional.handle = h;
  p.conditional.type = cudaGraphCondTypeWhile;
  p.conditional.size = 2;
  EXPECT(cudaGraphAddNode(&node, g, nullptr, nullptr, 0, &p) == cudaErrorInvalidValue);
  cudaGetLastError();

  cudaGraph_t body;
  add_conditional(g, nullptr, 0, h, cudaGraphCondTypeWhile, 1, &body);
  cudaGraph_t clone;
  EXPECT(cudaGraphClone(&clone, g) == cudaErrorNotSupported);
  cudaGraphNode_t child;
  EXPECT(cudaGraphAddChildGraphNode(&child, other, nullptr, 0, g) == cudaErrorInvalidValue);
  cudaGraphDestroy(body);  // owned by the node: refused
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);

  // An empty WHILE body with the condition 1: the launch fails instead of looping forever.
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  EXPECT(cudaGraphLaunch(exec, 0) == cudaErrorInvalidValue);
  cudaGetLastError();
  CHECK(cudaGraphExecDestroy(exec));

  // A host node in a body: instantiation refuses it.
  cudaHostNodeParams host = {};
  host.fn = [](void*) {};
  cudaGraphNode_t host_node;
  CHECK(cudaGraphAddHostNode(&host_node, body, nullptr, 0, &host));
  EXPECT(cudaGraphInstantiate(&exec, g, 0) == cudaErrorNotSupported);
  cudaGetLastError();
  CHECK(cudaGraphDestroy(g));
  CHECK(cudaGraphDestroy(other));
  (void)slots;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "badhandle") == 0) {  // a device pointer is no handle: a kernel fault
    int* not_a_handle;
    CHECK(cudaMalloc(&not_a_handle, 64));
    CHECK(cudaMemset(not_a_handle, 0, 64));
    set_condition<<<1, 1>>>(reinterpret_cast<cudaGraphConditionalHandle>(not_a_handle), not_a_handle);
    std::printf("badhandle: %s\n", cudaGetErrorName(cudaDeviceSynchronize()));
    return 0;
  }
  while_loop();
  int *slots, *scratch;
  CHECK(cudaMalloc(&slots, 5 * sizeof(int)));
  CHECK(cudaMalloc(&scratch, sizeof(int)));
  CHECK(cudaMemset(slots, 0, 5 * sizeof(int)));
  if_else_and_switch(slots, scratch);
  nested(slots, scratch);
  captured(slots, scratch);
  rules(slots);
  CHECK(cudaFree(slots));
  CHECK(cudaFree(scratch));
  std::printf("graph_conditional: OK\n");
  return 0;
}
