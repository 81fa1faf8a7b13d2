// Graph node parameter access after a graph is built (memcpy, memset, host, event, mem alloc/free
// nodes; executable graphs' copies), edges and clones, enabling nodes, kernel node attributes and
// graph memory attributes. Every value is checked against a host computation or another API's
// independent answer, and every bad input against CUDA's error code. (User objects and the small
// queries: runtime_user_objects.cu.)
#include "graph_test_helpers.cuh"
// ---- memcpy, memset and host nodes of a graph ----
static int host_calls[2];
static void count_call(void* which) { ++host_calls[*static_cast<int*>(which)]; }

static void memcpy_memset_host_nodes(int* d) {
  std::vector<int> h1(N), h2(N);
  for (int i = 0; i < N; ++i) h1[i] = i, h2[i] = 3 * i + 7;
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphNode_t copy, set, host, empty;
  CHECK(cudaGraphAddMemcpyNode1D(&copy, g, nullptr, 0, d, h1.data(), N * sizeof(int), cudaMemcpyHostToDevice));
  cudaMemcpy3DParms cp{};
  CHECK(cudaGraphMemcpyNodeGetParams(copy, &cp));
  EXPECT(cp.dstPtr.ptr == d && cp.srcPtr.ptr == h1.data() && cp.kind == cudaMemcpyHostToDevice);
  EXPECT(cp.extent.width == N * sizeof(int) && cp.extent.height == 1 && cp.extent.depth == 1);
  // The 1-D form now copies h2.
  CHECK(cudaGraphMemcpyNodeSetParams1D(copy, d, h2.data(), N * sizeof(int), cudaMemcpyHostToDevice));
  CHECK(cudaGraphMemcpyNodeGetParams(copy, &cp));
  EXPECT(cp.srcPtr.ptr == h2.data());
  run(g);
  EXPECT(read(d) == h2);
  // A 2-D copy: 4 rows of 10 ints from a host block of rows 16 ints apart into rows 32 ints apart.
  std::vector<int> src(4 * 16);
  for (int i = 0; i < 4 * 16; ++i) src[i] = 1000 + i;
  cudaMemcpy3DParms p2{};
  p2.srcPtr = make_cudaPitchedPtr(src.data(), 16 * sizeof(int), 10 * sizeof(int), 4);
  p2.dstPtr = make_cudaPitchedPtr(d, 32 * sizeof(int), 10 * sizeof(int), 4);
  p2.extent = make_cudaExtent(10 * sizeof(int), 4, 1);
  p2.kind = cudaMemcpyHostToDevice;
  CHECK(cudaGraphMemcpyNodeSetParams(copy, &p2));
  CHECK(cudaGraphMemcpyNodeGetParams(copy, &cp));
  EXPECT(cp.srcPtr.pitch == 16 * sizeof(int) && cp.dstPtr.pitch == 32 * sizeof(int) && cp.extent.height == 4);
  CHECK(cudaMemset(d, 0, N * sizeof(int)));
  run(g);
  std::vector<int> want(N, 0);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 10; ++x) want[y * 32 + x] = src[y * 16 + x];
  EXPECT(read(d) == want);

  // Memset: 0x01010101 bytes, then 32-bit elements of 0x00000005 over the first 100 ints.
  cudaMemsetParams ms{};
  ms.dst = d;
  ms.value = 1;
  ms.elementSize = 1;
  ms.width = N * sizeof(int);
  ms.height = 1;
  CHECK(cudaGraphAddMemsetNode(&set, g, &copy, 1, &ms));
  cudaMemsetParams got{};
  CHECK(cudaGraphMemsetNodeGetParams(set, &got));
  EXPECT(got.dst == d && got.value == 1 && got.elementSize == 1 && got.width == N * sizeof(int) && got.height == 1);
  ms.value = 5;
  ms.elementSize = 4;
  ms.width = 100;
  CHECK(cudaGraphMemsetNodeSetParams(set, &ms));
  CHECK(cudaGraphMemsetNodeGetParams(set, &got));
  EXPECT(got.value == 5 && got.elementSize == 4 && got.width == 100);
  run(g);
  for (int i = 0; i < 100; ++i) want[i] = 5;
  EXPECT(read(d) == want);

  // Host node: the function and its argument change.
  static int which0 = 0, which1 = 1;
  cudaHostNodeParams hp{count_call, &which0};
  CHECK(cudaGraphAddHostNode(&host, g, &set, 1, &hp));
  run(g);
  EXPECT(host_calls[0] == 1 && host_calls[1] == 0);
  hp.userData = &which1;
  CHECK(cudaGraphHostNodeSetParams(host, &hp));
  cudaHostNodeParams hq{};
  CHECK(cudaGraphHostNodeGetParams(host, &hq));
  EXPECT(hq.fn == count_call && hq.userData == &which1);
  run(g);
  EXPECT(host_calls[0] == 1 && host_calls[1] == 1);

  // Errors: wrong node types, null parameters, bad kinds and element sizes.
  CHECK(cudaGraphAddEmptyNode(&empty, g, nullptr, 0));
  EXPECT_CODE(cudaGraphMemcpyNodeGetParams(empty, &cp), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemcpyNodeGetParams(copy, nullptr), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemcpyNodeSetParams(copy, nullptr), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemcpyNodeSetParams1D(set, d, h1.data(), 4, cudaMemcpyHostToDevice), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemcpyNodeSetParams1D(copy, d, h1.data(), 4, static_cast<cudaMemcpyKind>(9)),
              cudaErrorInvalidMemcpyDirection);
  EXPECT_CODE(cudaGraphMemsetNodeGetParams(copy, &got), cudaErrorInvalidValue);
  ms.elementSize = 3;
  EXPECT_CODE(cudaGraphMemsetNodeSetParams(set, &ms), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemsetNodeSetParams(set, nullptr), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphHostNodeSetParams(copy, &hp), cudaErrorInvalidValue);
  hp.fn = nullptr;
  EXPECT_CODE(cudaGraphHostNodeSetParams(host, &hp), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemcpyNodeGetParams(nullptr, &cp), cudaErrorInvalidValue);
  CHECK(cudaGraphDestroy(g));
}

// ---- an executable graph's memcpy node, and event nodes ----
static void exec_memcpy_and_events(int* d, int* d2) {
  std::vector<int> h(N), out(N, -1), out2(N, -1);
  for (int i = 0; i < N; ++i) h[i] = 5 * i - 3;
  CHECK(cudaMemcpy(d2, h.data(), N * sizeof(int), cudaMemcpyHostToDevice));
  CHECK(cudaMemset(d, 0, N * sizeof(int)));
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphNode_t copy, rec, wait;
  cudaMemcpy3DParms p{};
  p.srcPtr = make_cudaPitchedPtr(d, N * sizeof(int), N * sizeof(int), 1);
  p.dstPtr = make_cudaPitchedPtr(out.data(), N * sizeof(int), N * sizeof(int), 1);
  p.extent = make_cudaExtent(N * sizeof(int), 1, 1);
  p.kind = cudaMemcpyDeviceToHost;
  CHECK(cudaGraphAddMemcpyNode(&copy, g, nullptr, 0, &p));
  cudaEvent_t e1, e2, e3, gone;
  CHECK(cudaEventCreate(&e1));
  CHECK(cudaEventCreate(&e2));
  CHECK(cudaEventCreate(&e3));
  CHECK(cudaEventCreate(&gone));
  CHECK(cudaEventDestroy(gone));
  CHECK(cudaGraphAddEventRecordNode(&rec, g, &copy, 1, e1));
  CHECK(cudaGraphAddEventWaitNode(&wait, g, &rec, 1, e1));
  cudaEvent_t ev = nullptr;
  CHECK(cudaGraphEventRecordNodeGetEvent(rec, &ev));
  EXPECT(ev == e1);
  CHECK(cudaGraphEventRecordNodeSetEvent(rec, e2));
  CHECK(cudaGraphEventRecordNodeGetEvent(rec, &ev));
  EXPECT(ev == e2);
  CHECK(cudaGraphEventWaitNodeGetEvent(wait, &ev));
  EXPECT(ev == e1);
  CHECK(cudaGraphEventWaitNodeSetEvent(wait, e2));
  CHECK(cudaGraphEventWaitNodeGetEvent(wait, &ev));
  EXPECT(ev == e2);
  EXPECT_CODE(cudaGraphEventRecordNodeGetEvent(wait, &ev), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphEventWaitNodeGetEvent(rec, &ev), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphEventRecordNodeGetEvent(rec, nullptr), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphEventRecordNodeSetEvent(rec, gone), cudaErrorInvalidResourceHandle);
  EXPECT_CODE(cudaGraphEventWaitNodeSetEvent(copy, e1), cudaErrorInvalidValue);

  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  // The executable graph's copy now copies d2 into out2 and records e3; the graph keeps its own.
  p.srcPtr.ptr = d2;
  p.dstPtr.ptr = out2.data();
  CHECK(cudaGraphExecMemcpyNodeSetParams(exec, copy, &p));
  CHECK(cudaGraphExecEventRecordNodeSetEvent(exec, rec, e3));
  CHECK(cudaGraphExecEventWaitNodeSetEvent(exec, wait, e3));
  float ms = 0;
  EXPECT_CODE(cudaEventElapsedTime(&ms, e3, e3), cudaErrorInvalidResourceHandle);  // never recorded yet
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  CHECK(cudaEventElapsedTime(&ms, e3, e3));  // the launch recorded e3
  EXPECT(ms == 0.0f);
  EXPECT(out2 == h);
  EXPECT(out == std::vector<int>(N, -1));  // the graph's own parameters were not run
  CHECK(cudaGraphEventRecordNodeGetEvent(rec, &ev));
  EXPECT(ev == e2);
  // The 1-D executable form, back to d -> out.
  CHECK(cudaGraphExecMemcpyNodeSetParams1D(exec, copy, out.data(), d, N * sizeof(int), cudaMemcpyDeviceToHost));
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  EXPECT(out == std::vector<int>(N, 0));
  // Errors: another memory mapping (device <-> host swapped), an empty copy, wrong node types.
  cudaMemcpy3DParms swapped = p;
  swapped.srcPtr.ptr = h.data();
  swapped.dstPtr.ptr = d2;
  swapped.kind = cudaMemcpyHostToDevice;
  EXPECT_CODE(cudaGraphExecMemcpyNodeSetParams(exec, copy, &swapped), cudaErrorInvalidValue);
  cudaMemcpy3DParms empty = p;
  empty.extent = make_cudaExtent(0, 1, 1);
  EXPECT_CODE(cudaGraphExecMemcpyNodeSetParams(exec, copy, &empty), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphExecMemcpyNodeSetParams(exec, rec, &p), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphExecMemcpyNodeSetParams(exec, copy, nullptr), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphExecEventRecordNodeSetEvent(exec, wait, e1), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphExecEventWaitNodeSetEvent(exec, wait, gone), cudaErrorInvalidResourceHandle);
  cudaGraph_t other;
  cudaGraphNode_t stranger;
  CHECK(cudaGraphCreate(&other, 0));
  CHECK(cudaGraphAddEventRecordNode(&stranger, other, nullptr, 0, e1));
  EXPECT_CODE(cudaGraphExecEventRecordNodeSetEvent(exec, stranger, e1), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphExecEventRecordNodeSetEvent(nullptr, rec, e1), cudaErrorInvalidValue);
  CHECK(cudaGraphDestroy(other));
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(g));
  for (cudaEvent_t e : {e1, e2, e3}) CHECK(cudaEventDestroy(e));
}

// ---- edges, clones, enabled nodes ----
static void topology_and_enabled(int* d) {
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaMemsetParams ms{};
  ms.dst = d;
  ms.value = 0;
  ms.elementSize = 4;
  ms.width = N;
  ms.height = 1;
  cudaGraphNode_t a, b, c, host;
  CHECK(cudaGraphAddMemsetNode(&a, g, nullptr, 0, &ms));
  b = add_kernel_node(g, d, 1, &a, 1);
  c = add_kernel_node(g, d, 10, &a, 1);
  cudaHostNodeParams hp{count_call, &host_calls[0]};
  static int which0 = 0;
  hp.userData = &which0;
  CHECK(cudaGraphAddHostNode(&host, g, &b, 1, &hp));
  size_t count = 0;
  CHECK(cudaGraphNodeGetDependentNodes(a, nullptr, nullptr, &count));
  EXPECT(count == 2);
  cudaGraphNode_t deps[4] = {};
  cudaGraphEdgeData data[4];
  std::memset(data, 0xff, sizeof data);
  count = 4;
  CHECK(cudaGraphNodeGetDependentNodes(a, deps, data, &count));
  EXPECT(count == 2 && deps[0] == b && deps[1] == c);  // creation order
  EXPECT(data[0].type == cudaGraphDependencyTypeDefault && data[0].from_port == 0 && data[1].to_port == 0);
  count = 1;
  CHECK(cudaGraphNodeGetDependentNodes(a, deps, nullptr, &count));
  EXPECT(count == 1 && deps[0] == b);
  EXPECT_CODE(cudaGraphNodeGetDependentNodes(a, deps, nullptr, nullptr), cudaErrorInvalidValue);

  // Clone, then find each node's counterpart.
  cudaGraph_t clone;
  CHECK(cudaGraphClone(&clone, g));
  size_t n = 0;
  CHECK(cudaGraphGetNodes(clone, nullptr, &n));
  EXPECT(n == 4);
  std::vector<cudaGraphNode_t> cloned(n);
  CHECK(cudaGraphGetNodes(clone, cloned.data(), &n));
  const cudaGraphNode_t originals[] = {a, b, c, host};
  for (int i = 0; i < 4; ++i) {
    cudaGraphNode_t found = nullptr;
    CHECK(cudaGraphNodeFindInClone(&found, originals[i], clone));
    EXPECT(found == cloned[i] && found != originals[i]);
  }
  cudaGraphNode_t found;
  EXPECT_CODE(cudaGraphNodeFindInClone(&found, cloned[0], g), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphNodeFindInClone(&found, a, g), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphNodeFindInClone(nullptr, a, clone), cudaErrorInvalidValue);
  cudaGraphNode_t late;
  CHECK(cudaGraphAddEmptyNode(&late, clone, nullptr, 0));
  EXPECT_CODE(cudaGraphNodeFindInClone(&found, late, g), cudaErrorInvalidValue);

  // Remove a -> c in the original: c becomes a root; the clone keeps its edge.
  CHECK(cudaGraphRemoveDependencies(g, &a, &c, nullptr, 1));
  count = 4;
  CHECK(cudaGraphNodeGetDependentNodes(a, deps, nullptr, &count));
  EXPECT(count == 1 && deps[0] == b);
  CHECK(cudaGraphNodeGetDependencies(c, nullptr, nullptr, &count));
  EXPECT(count == 0);
  CHECK(cudaGraphNodeGetDependentNodes(cloned[0], nullptr, nullptr, &count));
  EXPECT(count == 2);
  EXPECT_CODE(cudaGraphRemoveDependencies(g, &a, &c, nullptr, 1), cudaErrorInvalidValue);  // gone already
  EXPECT_CODE(cudaGraphRemoveDependencies(g, &a, &cloned[2], nullptr, 1), cudaErrorInvalidValue);
  cudaGraphEdgeData port{};
  port.from_port = 1;
  EXPECT_CODE(cudaGraphRemoveDependencies(g, &a, &b, &port, 1), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphRemoveDependencies(g, nullptr, nullptr, nullptr, 1), cudaErrorInvalidValue);
  CHECK(cudaGraphAddDependencies(g, &a, &c, nullptr, 1));  // back, so c runs after the memset

  // Disable the +10 kernel: launches add 1 until it is enabled again.
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  unsigned enabled = 7;
  CHECK(cudaGraphNodeGetEnabled(exec, c, &enabled));
  EXPECT(enabled == 1);
  CHECK(cudaGraphNodeSetEnabled(exec, c, 0));
  CHECK(cudaGraphNodeGetEnabled(exec, c, &enabled));
  EXPECT(enabled == 0);
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  EXPECT(read(d) == std::vector<int>(N, 1));
  // The memset disabled too: the next launch adds 1 to what is there.
  CHECK(cudaGraphNodeSetEnabled(exec, a, 0));
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  EXPECT(read(d) == std::vector<int>(N, 2));
  CHECK(cudaGraphNodeSetEnabled(exec, a, 1));
  CHECK(cudaGraphNodeSetEnabled(exec, c, 5));  // any non-zero enables
  CHECK(cudaGraphNodeGetEnabled(exec, c, &enabled));
  EXPECT(enabled == 1);
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  EXPECT(read(d) == std::vector<int>(N, 11));
  EXPECT_CODE(cudaGraphNodeSetEnabled(exec, host, 0), cudaErrorInvalidValue);  // host nodes cannot be disabled
  EXPECT_CODE(cudaGraphNodeGetEnabled(exec, host, &enabled), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphNodeGetEnabled(exec, c, nullptr), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphNodeSetEnabled(exec, cloned[1], 0), cudaErrorInvalidValue);  // not of the instantiated graph
  EXPECT_CODE(cudaGraphNodeSetEnabled(nullptr, c, 0), cudaErrorInvalidValue);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(clone));
  CHECK(cudaGraphDestroy(g));
}

// ---- kernel node attributes ----
static void kernel_attributes(int* d) {
  CHECK(cudaMemset(d, 0, N * sizeof(int)));
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphNode_t k1 = add_kernel_node(g, d, 2);
  cudaGraphNode_t k2 = add_kernel_node(g, d, 3, &k1, 1);
  cudaGraphNode_t empty;
  CHECK(cudaGraphAddEmptyNode(&empty, g, nullptr, 0));
  cudaKernelNodeAttrValue v{}, got{};
  CHECK(cudaGraphKernelNodeGetAttribute(k1, cudaLaunchAttributePriority, &got));
  EXPECT(got.priority == 0);
  CHECK(cudaGraphKernelNodeGetAttribute(k1, cudaLaunchAttributeClusterDimension, &got));
  EXPECT(got.clusterDim.x == 1 && got.clusterDim.y == 1 && got.clusterDim.z == 1);
  v.priority = 3;
  CHECK(cudaGraphKernelNodeSetAttribute(k1, cudaLaunchAttributePriority, &v));
  v = {};
  v.accessPolicyWindow.base_ptr = d;
  v.accessPolicyWindow.num_bytes = 1024;
  v.accessPolicyWindow.hitRatio = 0.5f;
  v.accessPolicyWindow.hitProp = cudaAccessPropertyPersisting;
  v.accessPolicyWindow.missProp = cudaAccessPropertyStreaming;
  CHECK(cudaGraphKernelNodeSetAttribute(k1, cudaLaunchAttributeAccessPolicyWindow, &v));
  v = {};
  v.clusterDim.x = 2;
  v.clusterDim.y = 1;
  v.clusterDim.z = 1;
  CHECK(cudaGraphKernelNodeSetAttribute(k1, cudaLaunchAttributeClusterDimension, &v));
  CHECK(cudaGraphKernelNodeGetAttribute(k1, cudaLaunchAttributePriority, &got));
  EXPECT(got.priority == 3);
  CHECK(cudaGraphKernelNodeGetAttribute(k1, cudaLaunchAttributeAccessPolicyWindow, &got));
  EXPECT(got.accessPolicyWindow.base_ptr == d && got.accessPolicyWindow.num_bytes == 1024 &&
         got.accessPolicyWindow.hitRatio == 0.5f && got.accessPolicyWindow.hitProp == cudaAccessPropertyPersisting);
  CHECK(cudaGraphKernelNodeGetAttribute(k1, cudaLaunchAttributeClusterDimension, &got));
  EXPECT(got.clusterDim.x == 2 && got.clusterDim.y == 1 && got.clusterDim.z == 1);
  // Kernel parameters change; the attributes stay.
  int n = N, add = 4;
  void* args[] = {&d, &n, &add};
  cudaKernelNodeParams kp{};
  kp.func = reinterpret_cast<void*>(add_kernel);
  kp.gridDim = dim3(N / 64);
  kp.blockDim = dim3(64);
  kp.kernelParams = args;
  CHECK(cudaGraphKernelNodeSetParams(k1, &kp));
  CHECK(cudaGraphKernelNodeGetAttribute(k1, cudaLaunchAttributePriority, &got));
  EXPECT(got.priority == 3);
  CHECK(cudaGraphKernelNodeGetAttribute(k1, cudaLaunchAttributeClusterDimension, &got));
  EXPECT(got.clusterDim.x == 2);
  // Copy to k2.
  CHECK(cudaGraphKernelNodeCopyAttributes(k2, k1));
  CHECK(cudaGraphKernelNodeGetAttribute(k2, cudaLaunchAttributePriority, &got));
  EXPECT(got.priority == 3);
  CHECK(cudaGraphKernelNodeGetAttribute(k2, cudaLaunchAttributeClusterDimension, &got));
  EXPECT(got.clusterDim.x == 2);
  run(g);  // clusters of 2 CTAs: the kernels run as before
  EXPECT(read(d) == std::vector<int>(N, 7));
  // Errors.
  EXPECT_CODE(cudaGraphKernelNodeGetAttribute(empty, cudaLaunchAttributePriority, &got), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphKernelNodeSetAttribute(k1, cudaLaunchAttributeProgrammaticStreamSerialization, &v), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphKernelNodeSetAttribute(k1, cudaLaunchAttributePriority, nullptr), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphKernelNodeGetAttribute(k1, cudaLaunchAttributePriority, nullptr), cudaErrorInvalidValue);
  v = {};
  v.clusterDim.x = 0;
  v.clusterDim.y = 1;
  v.clusterDim.z = 1;
  EXPECT_CODE(cudaGraphKernelNodeSetAttribute(k1, cudaLaunchAttributeClusterDimension, &v), cudaErrorInvalidValue);
  v.clusterDim.x = 3;  // the grid of 4 CTAs is no whole number of clusters of 3
  EXPECT_CODE(cudaGraphKernelNodeSetAttribute(k1, cudaLaunchAttributeClusterDimension, &v), cudaErrorInvalidValue);
  v = {};
  v.accessPolicyWindow.hitRatio = 2.0f;
  EXPECT_CODE(cudaGraphKernelNodeSetAttribute(k1, cudaLaunchAttributeAccessPolicyWindow, &v), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphKernelNodeCopyAttributes(empty, k1), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphKernelNodeCopyAttributes(k1, nullptr), cudaErrorInvalidValue);
  // A cluster of 16 CTAs without cudaFuncAttributeNonPortableClusterSizeAllowed: the launch refuses it.
  cudaGraph_t big;
  CHECK(cudaGraphCreate(&big, 0));
  cudaGraphNode_t k16 = add_kernel_node(big, d, 1, nullptr, 0, 16);
  v = {};
  v.clusterDim.x = 16;
  v.clusterDim.y = 1;
  v.clusterDim.z = 1;
  CHECK(cudaGraphKernelNodeSetAttribute(k16, cudaLaunchAttributeClusterDimension, &v));
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, big, 0));
  EXPECT_CODE(cudaGraphLaunch(exec, 0), cudaErrorInvalidClusterSize);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(big));
  CHECK(cudaGraphDestroy(g));
}

// ---- mem alloc / free nodes and the device's graph memory ----
static void graph_memory() {
  unsigned long long base = 1, value = 0;
  CHECK(cudaDeviceGetGraphMemAttribute(0, cudaGraphMemAttrUsedMemCurrent, &base));
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaMemAllocNodeParams ap{};
  ap.poolProps.allocType = cudaMemAllocationTypePinned;
  ap.poolProps.location.type = cudaMemLocationTypeDevice;
  ap.poolProps.location.id = 0;
  ap.bytesize = 4096;
  cudaGraphNode_t alloc, free_node;
  CHECK(cudaGraphAddMemAllocNode(&alloc, g, nullptr, 0, &ap));
  CHECK(cudaGraphAddMemFreeNode(&free_node, g, &alloc, 1, ap.dptr));
  cudaMemAllocNodeParams got{};
  CHECK(cudaGraphMemAllocNodeGetParams(alloc, &got));
  EXPECT(got.bytesize == 4096 && got.dptr == ap.dptr && got.poolProps.location.type == cudaMemLocationTypeDevice &&
         got.poolProps.location.id == 0 && got.poolProps.allocType == cudaMemAllocationTypePinned);
  void* freed = nullptr;
  CHECK(cudaGraphMemFreeNodeGetParams(free_node, &freed));
  EXPECT(freed == ap.dptr);
  EXPECT_CODE(cudaGraphMemAllocNodeGetParams(free_node, &got), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemFreeNodeGetParams(alloc, &freed), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemAllocNodeGetParams(alloc, nullptr), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphMemFreeNodeGetParams(free_node, nullptr), cudaErrorInvalidValue);

  CHECK(cudaDeviceGetGraphMemAttribute(0, cudaGraphMemAttrUsedMemCurrent, &value));
  EXPECT(value == base + 4096);
  CHECK(cudaDeviceGetGraphMemAttribute(0, cudaGraphMemAttrReservedMemCurrent, &value));
  EXPECT(value == base + 4096);
  CHECK(cudaDeviceGetGraphMemAttribute(0, cudaGraphMemAttrUsedMemHigh, &value));
  EXPECT(value >= base + 4096);
  run(g);
  CHECK(cudaGraphDestroy(g));
  CHECK(cudaDeviceGetGraphMemAttribute(0, cudaGraphMemAttrUsedMemCurrent, &value));
  EXPECT(value == base);
  CHECK(cudaDeviceGetGraphMemAttribute(0, cudaGraphMemAttrReservedMemHigh, &value));
  EXPECT(value >= base + 4096);
  unsigned long long zero = 0, one = 1;
  CHECK(cudaDeviceSetGraphMemAttribute(0, cudaGraphMemAttrUsedMemHigh, &zero));
  CHECK(cudaDeviceGetGraphMemAttribute(0, cudaGraphMemAttrUsedMemHigh, &value));
  EXPECT(value == base);  // the watermark starts again from what graphs hold now
  CHECK(cudaDeviceGraphMemTrim(0));
  EXPECT_CODE(cudaDeviceSetGraphMemAttribute(0, cudaGraphMemAttrUsedMemHigh, &one), cudaErrorInvalidValue);
  EXPECT_CODE(cudaDeviceSetGraphMemAttribute(0, cudaGraphMemAttrUsedMemCurrent, &zero), cudaErrorInvalidValue);
  EXPECT_CODE(cudaDeviceGetGraphMemAttribute(1, cudaGraphMemAttrUsedMemCurrent, &value), cudaErrorInvalidDevice);
  EXPECT_CODE(cudaDeviceGetGraphMemAttribute(0, cudaGraphMemAttrUsedMemCurrent, nullptr), cudaErrorInvalidValue);
  EXPECT_CODE(cudaDeviceGetGraphMemAttribute(0, static_cast<cudaGraphMemAttributeType>(9), &value), cudaErrorInvalidValue);
  EXPECT_CODE(cudaDeviceGraphMemTrim(1), cudaErrorInvalidDevice);
}

int main() {
  int *d, *d2;
  CHECK(cudaMalloc(&d, N * sizeof(int)));
  CHECK(cudaMalloc(&d2, N * sizeof(int)));
  memcpy_memset_host_nodes(d);
  exec_memcpy_and_events(d, d2);
  topology_and_enabled(d);
  kernel_attributes(d);
  graph_memory();
  CHECK(cudaFree(d));
  CHECK(cudaFree(d2));
  CHECK(cudaGetLastError());
  std::printf("OK\n");
  return 0;
}
