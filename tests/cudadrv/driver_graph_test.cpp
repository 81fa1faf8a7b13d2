// Driver-API graphs and stream capture called through dlopen: CUDA's error codes for bad
// arguments and misuse (never a crash), a captured launch whose result the CPU checks, and
// cuGetProcAddress handing out the graph calls' current signatures. The CUDA program
// tests/cuda_programs/driver_graphs.cu checks captured and hand-built graphs element by element.
#include <cstdint>
#include <cstring>
#include <vector>

#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

#define ENTRY(fn) GPUSIM_DRIVER_SYMBOL(fn)

class DriverGraphs : public DriverTest {
 protected:
  CUgraph graph = nullptr;
  void SetUp() override {
    DriverTest::SetUp();
    ASSERT_CU_OK(ENTRY(cuGraphCreate)(&graph, 0));
  }
  void TearDown() override {
    if (graph) {
      EXPECT_CU(CUDA_SUCCESS, ENTRY(cuGraphDestroy)(graph));
    }
    DriverTest::TearDown();
  }
  CUgraphNode empty(const CUgraphNode* deps = nullptr, size_t n = 0) {
    CUgraphNode node = nullptr;
    EXPECT_CU(CUDA_SUCCESS, ENTRY(cuGraphAddEmptyNode)(&node, graph, deps, n));
    return node;
  }
};

TEST_F(DriverGraphs, CreateAndDestroyRejectBadHandles) {
  CUgraph other = nullptr;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphCreate)(nullptr, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphCreate)(&other, 1));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphDestroy)(nullptr));
  int garbage = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphDestroy)(reinterpret_cast<CUgraph>(&garbage)));
  ASSERT_CU_OK(ENTRY(cuGraphCreate)(&other, 0));
  ASSERT_CU_OK(ENTRY(cuGraphDestroy)(other));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphDestroy)(other));  // twice
}

TEST_F(DriverGraphs, NodesCheckTheirDependenciesAndParameters) {
  CUgraphNode a = empty();
  CUgraphNode node = nullptr;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddEmptyNode)(nullptr, graph, nullptr, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddEmptyNode)(&node, graph, nullptr, 1));
  const CUgraphNode twice[] = {a, a};
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddEmptyNode)(&node, graph, twice, 2));
  CUgraph other = nullptr;
  ASSERT_CU_OK(ENTRY(cuGraphCreate)(&other, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddEmptyNode)(&node, other, &a, 1));  // a node of another graph
  ASSERT_CU_OK(ENTRY(cuGraphDestroy)(other));

  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddKernelNode)(&node, graph, nullptr, 0, nullptr));
  CUDA_KERNEL_NODE_PARAMS kp = {};
  int garbage = 0;
  kp.func = reinterpret_cast<CUfunction>(&garbage);
  kp.gridDimX = kp.gridDimY = kp.gridDimZ = kp.blockDimX = kp.blockDimY = kp.blockDimZ = 1;
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, ENTRY(cuGraphAddKernelNode)(&node, graph, nullptr, 0, &kp));
  kp.func = function("vecadd");
  kp.blockDimX = 4096;  // over the block limit
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddKernelNode)(&node, graph, nullptr, 0, &kp));
  kp.blockDimX = 32;  // no kernelParams for a kernel that takes four
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddKernelNode)(&node, graph, nullptr, 0, &kp));

  CUDA_MEMSET_NODE_PARAMS ms = {};
  ms.dst = alloc(64);
  ms.elementSize = 3;
  ms.width = 4;
  ms.height = 1;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddMemsetNode)(&node, graph, nullptr, 0, &ms, context));
  CUDA_MEMCPY3D cp = {};
  cp.srcMemoryType = CU_MEMORYTYPE_ARRAY;
  cp.dstMemoryType = CU_MEMORYTYPE_DEVICE;
  EXPECT_CU(CUDA_ERROR_NOT_SUPPORTED, ENTRY(cuGraphAddMemcpyNode)(&node, graph, nullptr, 0, &cp, context));
  CUDA_HOST_NODE_PARAMS hp = {};
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddHostNode)(&node, graph, nullptr, 0, &hp));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, ENTRY(cuGraphAddEventRecordNode)(&node, graph, nullptr, 0, nullptr));

  CUgraphNodeType type;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphNodeGetType)(a, nullptr));
  ASSERT_CU_OK(ENTRY(cuGraphNodeGetType)(a, &type));
  EXPECT_EQ(type, CU_GRAPH_NODE_TYPE_EMPTY);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphKernelNodeGetParams)(a, &kp));  // not a kernel node
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphGetNodes)(graph, nullptr, nullptr));
}

TEST_F(DriverGraphs, EdgesAreCheckedAndCyclesFailInstantiation) {
  CUgraphNode a = empty(), b = empty();
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddDependencies)(graph, &a, &a, nullptr, 1));  // to itself
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddDependencies)(graph, nullptr, &a, nullptr, 1));
  ASSERT_CU_OK(ENTRY(cuGraphAddDependencies)(graph, &a, &b, nullptr, 1));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphAddDependencies)(graph, &a, &b, nullptr, 1));  // exists
  ASSERT_CU_OK(ENTRY(cuGraphAddDependencies)(graph, &b, &a, nullptr, 1));
  CUgraphExec exec = nullptr;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphInstantiate)(&exec, graph, 0));  // a cycle
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphInstantiate)(nullptr, graph, 0));
  ASSERT_CU_OK(ENTRY(cuGraphDestroyNode)(a));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphNodeGetType)(a, nullptr));
  ASSERT_CU_OK(ENTRY(cuGraphInstantiate)(&exec, graph, 0));
  ASSERT_CU_OK(ENTRY(cuGraphLaunch)(exec, nullptr));
  ASSERT_CU_OK(ENTRY(cuGraphExecDestroy)(exec));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, ENTRY(cuGraphExecDestroy)(exec));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, ENTRY(cuGraphLaunch)(exec, nullptr));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphLaunch)(nullptr, nullptr));
}

TEST_F(DriverGraphs, CaptureRejectsMisuse) {
  CUstream s = nullptr;
  ASSERT_CU_OK(cu.cuStreamCreate(&s, 0));
  CUgraph captured = nullptr;
  EXPECT_CU(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, ENTRY(cuStreamBeginCapture)(nullptr, CU_STREAM_CAPTURE_MODE_GLOBAL));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuStreamBeginCapture)(s, static_cast<CUstreamCaptureMode>(7)));
  EXPECT_CU(CUDA_ERROR_ILLEGAL_STATE, ENTRY(cuStreamEndCapture)(s, &captured));
  ASSERT_CU_OK(ENTRY(cuStreamBeginCapture)(s, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
  EXPECT_CU(CUDA_ERROR_ILLEGAL_STATE, ENTRY(cuStreamBeginCapture)(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuStreamEndCapture)(s, nullptr));
  EXPECT_CU(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cu.cuCtxSynchronize());
  EXPECT_CU(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, ENTRY(cuStreamEndCapture)(s, &captured));
  EXPECT_EQ(captured, nullptr);
  // Stream callbacks cannot be captured (cuLaunchHostFunc can): refused, never run.
  int callback_runs = 0;
  ASSERT_CU_OK(ENTRY(cuStreamBeginCapture)(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  EXPECT_CU(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED,
            ENTRY(cuStreamAddCallback)(s, [](CUstream, CUresult, void* n) { ++*static_cast<int*>(n); }, &callback_runs, 0));
  EXPECT_CU(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, ENTRY(cuStreamEndCapture)(s, &captured));
  EXPECT_EQ(callback_runs, 0);
  ASSERT_CU_OK(ENTRY(cuStreamAddCallback)(s, [](CUstream, CUresult, void* n) { ++*static_cast<int*>(n); }, &callback_runs, 0));
  EXPECT_EQ(callback_runs, 1);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuThreadExchangeStreamCaptureMode)(nullptr));
  CUstreamCaptureMode bad = static_cast<CUstreamCaptureMode>(9);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuThreadExchangeStreamCaptureMode)(&bad));
  CUstreamCaptureStatus status;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuStreamIsCapturing)(s, nullptr));
  ASSERT_CU_OK(ENTRY(cuStreamIsCapturing)(s, &status));
  EXPECT_EQ(status, CU_STREAM_CAPTURE_STATUS_NONE);
  ASSERT_CU_OK(cu.cuStreamDestroy(s));
}

TEST_F(DriverGraphs, EditsAfterBuildingAreChecked) {
  CUgraphNode a = empty(), b = empty(&a, 1), c = empty(&a, 1);
  CUgraphNode found[4];
  size_t count = 4;
  ASSERT_CU_OK(ENTRY(cuGraphNodeGetDependentNodes)(a, found, nullptr, &count));
  ASSERT_EQ(count, 2u);
  EXPECT_EQ(found[0], b);
  EXPECT_EQ(found[1], c);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphRemoveDependencies)(graph, &b, &c, nullptr, 1));  // no such edge
  ASSERT_CU_OK(ENTRY(cuGraphRemoveDependencies)(graph, &a, &c, nullptr, 1));
  count = 4;
  ASSERT_CU_OK(ENTRY(cuGraphNodeGetDependentNodes)(a, found, nullptr, &count));
  EXPECT_EQ(count, 1u);

  CUDA_MEMSET_NODE_PARAMS ms = {};
  ms.dst = alloc(64);
  ms.elementSize = 4;
  ms.width = 16;
  ms.height = 1;
  ms.value = 7;
  CUgraphNode memset = nullptr;
  ASSERT_CU_OK(ENTRY(cuGraphAddMemsetNode)(&memset, graph, &b, 1, &ms, context));
  ms.value = 9;
  ms.width = 8;
  ASSERT_CU_OK(ENTRY(cuGraphMemsetNodeSetParams)(memset, &ms));
  CUDA_MEMSET_NODE_PARAMS got = {};
  ASSERT_CU_OK(ENTRY(cuGraphMemsetNodeGetParams)(memset, &got));
  EXPECT_EQ(got.value, 9u);
  EXPECT_EQ(got.width, 8u);
  ms.elementSize = 8;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphMemsetNodeSetParams)(memset, &ms));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphMemsetNodeSetParams)(a, &got));  // not a memset node

  CUevent first = nullptr, second = nullptr, out = nullptr;
  ASSERT_CU_OK(cu.cuEventCreate(&first, 0));
  ASSERT_CU_OK(cu.cuEventCreate(&second, 0));
  CUgraphNode record = nullptr;
  ASSERT_CU_OK(ENTRY(cuGraphAddEventRecordNode)(&record, graph, &memset, 1, first));
  ASSERT_CU_OK(ENTRY(cuGraphEventRecordNodeSetEvent)(record, second));
  ASSERT_CU_OK(ENTRY(cuGraphEventRecordNodeGetEvent)(record, &out));
  EXPECT_EQ(out, second);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuGraphEventWaitNodeGetEvent)(record, &out));  // a record node
  CUgraphExec exec = nullptr;
  ASSERT_CU_OK(ENTRY(cuGraphInstantiate)(&exec, graph, 0));
  ASSERT_CU_OK(ENTRY(cuGraphExecEventRecordNodeSetEvent)(exec, record, first));
  ASSERT_CU_OK(cu.cuMemsetD32(ms.dst, 0xffffffffu, 16));
  ASSERT_CU_OK(ENTRY(cuGraphLaunch)(exec, nullptr));
  ASSERT_CU_OK(cu.cuEventSynchronize(first));  // recorded by the launch
  std::vector<uint32_t> words(16);
  ASSERT_CU_OK(cu.cuMemcpyDtoH(words.data(), ms.dst, 64));
  for (int i = 0; i < 16; ++i) EXPECT_EQ(words[i], i < 8 ? 9u : 0xffffffffu) << i;  // the node's new width
  ASSERT_CU_OK(ENTRY(cuGraphExecDestroy)(exec));
  ASSERT_CU_OK(cu.cuEventDestroy(first));
  ASSERT_CU_OK(cu.cuEventDestroy(second));
}

// Destroying a capturing stream abandons its capture: no capture is left to forbid a
// synchronisation, and a new stream (perhaps at the same address) is not capturing.
TEST_F(DriverGraphs, DestroyingTheCapturingStreamAbandonsTheCapture) {
  CUstream s = nullptr;
  ASSERT_CU_OK(cu.cuStreamCreate(&s, 0));
  ASSERT_CU_OK(ENTRY(cuStreamBeginCapture)(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  ASSERT_CU_OK(cu.cuStreamDestroy(s));
  ASSERT_CU_OK(cu.cuCtxSynchronize());
  ASSERT_CU_OK(cu.cuStreamCreate(&s, 0));
  CUstreamCaptureStatus status;
  ASSERT_CU_OK(ENTRY(cuStreamIsCapturing)(s, &status));
  EXPECT_EQ(status, CU_STREAM_CAPTURE_STATUS_NONE);
  ASSERT_CU_OK(cu.cuStreamDestroy(s));
}

// A captured vecadd runs only when the graph is launched, and then gives the CPU's sums.
TEST_F(DriverGraphs, CapturedLaunchRunsAtGraphLaunch) {
  const unsigned n = 300;
  std::vector<float> x(n), y(n), out(n, 0.0f);
  for (unsigned i = 0; i < n; ++i) x[i] = i * 0.25f, y[i] = 7.0f - i;
  CUdeviceptr dx = alloc(n * 4), dy = alloc(n * 4), dz = alloc(n * 4);
  ASSERT_CU_OK(cu.cuMemcpyHtoD(dx, x.data(), n * 4));
  ASSERT_CU_OK(cu.cuMemcpyHtoD(dy, y.data(), n * 4));
  ASSERT_CU_OK(cu.cuMemsetD32(dz, 0, n));
  CUstream s = nullptr;
  ASSERT_CU_OK(cu.cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
  unsigned count = n;
  void* args[] = {&dx, &dy, &dz, &count};
  CUgraph captured = nullptr;
  ASSERT_CU_OK(ENTRY(cuStreamBeginCapture)(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  ASSERT_CU_OK(cu.cuLaunchKernel(function("vecadd"), (n + 127) / 128, 1, 1, 128, 1, 1, 0, s, args, nullptr));
  ASSERT_CU_OK(ENTRY(cuStreamEndCapture)(s, &captured));
  ASSERT_CU_OK(cu.cuMemcpyDtoH(out.data(), dz, n * 4));
  for (unsigned i = 0; i < n; ++i) ASSERT_EQ(out[i], 0.0f) << i;  // not run by the capture
  CUgraphExec exec = nullptr;
  ASSERT_CU_OK(ENTRY(cuGraphInstantiateWithFlags)(&exec, captured, 0));
  ASSERT_CU_OK(ENTRY(cuGraphLaunch)(exec, s));
  ASSERT_CU_OK(cu.cuMemcpyDtoH(out.data(), dz, n * 4));
  for (unsigned i = 0; i < n; ++i) ASSERT_EQ(out[i], x[i] + y[i]) << i;
  ASSERT_CU_OK(ENTRY(cuGraphExecDestroy)(exec));
  ASSERT_CU_OK(ENTRY(cuGraphDestroy)(captured));
  ASSERT_CU_OK(cu.cuStreamDestroy(s));
}

// cuMemAllocAsync on a capturing stream is a mem-alloc node whose memory exists from the call on
// (the captured work uses it), cuMemFreeAsync a mem-free node; each graph launch computes through
// that memory, and the graph keeps it until it is destroyed.
TEST_F(DriverGraphs, StreamOrderedAllocationInCaptureBecomesAllocAndFreeNodes) {
  const unsigned n = 260;
  std::vector<float> x(n), y(n), out(n, -1.0f);
  for (unsigned i = 0; i < n; ++i) x[i] = i * 0.5f, y[i] = 3.0f - i;
  CUdeviceptr dx = alloc(n * 4), dz = alloc(n * 4);
  ASSERT_CU_OK(cu.cuMemcpyHtoD(dx, x.data(), n * 4));
  CUstream s = nullptr;
  ASSERT_CU_OK(cu.cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
  CUgraph captured = nullptr;
  ASSERT_CU_OK(ENTRY(cuStreamBeginCapture)(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CUdeviceptr tmp = 0;
  ASSERT_CU_OK(ENTRY(cuMemAllocAsync)(&tmp, n * 4, s));
  ASSERT_NE(tmp, 0u);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAllocAsync)(&tmp, 0, s));  // 0 bytes: refused, capture intact
  ASSERT_CU_OK(ENTRY(cuMemcpyHtoDAsync)(tmp, y.data(), n * 4, s));
  unsigned count = n;
  void* args[] = {&dx, &tmp, &dz, &count};
  ASSERT_CU_OK(cu.cuLaunchKernel(function("vecadd"), (n + 127) / 128, 1, 1, 128, 1, 1, 0, s, args, nullptr));
  ASSERT_CU_OK(ENTRY(cuMemFreeAsync)(tmp, s));
  ASSERT_CU_OK(ENTRY(cuStreamEndCapture)(s, &captured));
  size_t nodes = 0;
  ASSERT_CU_OK(ENTRY(cuGraphGetNodes)(captured, nullptr, &nodes));
  ASSERT_EQ(nodes, 4u);
  std::vector<CUgraphNode> list(nodes);
  ASSERT_CU_OK(ENTRY(cuGraphGetNodes)(captured, list.data(), &nodes));
  std::vector<CUgraphNodeType> types(nodes);
  for (size_t i = 0; i < nodes; ++i) ASSERT_CU_OK(ENTRY(cuGraphNodeGetType)(list[i], &types[i]));
  EXPECT_EQ(types, (std::vector<CUgraphNodeType>{CU_GRAPH_NODE_TYPE_MEM_ALLOC, CU_GRAPH_NODE_TYPE_MEMCPY,
                                                 CU_GRAPH_NODE_TYPE_KERNEL, CU_GRAPH_NODE_TYPE_MEM_FREE}));
  CUgraphExec exec = nullptr;
  ASSERT_CU_OK(ENTRY(cuGraphInstantiateWithFlags)(&exec, captured, 0));
  for (int launch = 0; launch < 2; ++launch) {
    for (unsigned i = 0; i < n; ++i) y[i] = float(launch * 10) - i;  // read by the copy node at each launch
    ASSERT_CU_OK(ENTRY(cuGraphLaunch)(exec, s));
    ASSERT_CU_OK(cu.cuMemcpyDtoH(out.data(), dz, n * 4));
    for (unsigned i = 0; i < n; ++i) ASSERT_EQ(out[i], x[i] + y[i]) << launch << " " << i;
  }
  ASSERT_CU_OK(ENTRY(cuMemFreeAsync)(tmp, s));  // outside the capture: the graph's memory stays the graph's
  ASSERT_CU_OK(ENTRY(cuGraphLaunch)(exec, s));
  ASSERT_CU_OK(ENTRY(cuGraphExecDestroy)(exec));
  ASSERT_CU_OK(ENTRY(cuGraphDestroy)(captured));
  ASSERT_CU_OK(cu.cuStreamDestroy(s));
}

// cuGraphLaunch into a capturing stream is a child graph node: the outer graph's launches run the
// inner executable graph's work where the node stands.
TEST_F(DriverGraphs, GraphLaunchIntoACaptureBecomesAChildGraphNode) {
  const unsigned n = 200;
  std::vector<float> x(n), y(n), out(n, -1.0f);
  for (unsigned i = 0; i < n; ++i) x[i] = 1.5f * i, y[i] = 2.0f;
  CUdeviceptr dx = alloc(n * 4), dy = alloc(n * 4), dz = alloc(n * 4);
  ASSERT_CU_OK(cu.cuMemcpyHtoD(dy, y.data(), n * 4));
  CUstream s = nullptr;
  ASSERT_CU_OK(cu.cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
  unsigned count = n;
  void* args[] = {&dx, &dy, &dz, &count};
  CUgraph inner = nullptr, outer = nullptr;
  ASSERT_CU_OK(ENTRY(cuStreamBeginCapture)(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  ASSERT_CU_OK(cu.cuLaunchKernel(function("vecadd"), (n + 127) / 128, 1, 1, 128, 1, 1, 0, s, args, nullptr));
  ASSERT_CU_OK(ENTRY(cuStreamEndCapture)(s, &inner));
  CUgraphExec inner_exec = nullptr, outer_exec = nullptr;
  ASSERT_CU_OK(ENTRY(cuGraphInstantiateWithFlags)(&inner_exec, inner, 0));
  ASSERT_CU_OK(ENTRY(cuStreamBeginCapture)(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  ASSERT_CU_OK(ENTRY(cuMemcpyHtoDAsync)(dx, x.data(), n * 4, s));
  ASSERT_CU_OK(ENTRY(cuGraphLaunch)(inner_exec, s));
  ASSERT_CU_OK(ENTRY(cuMemcpyDtoHAsync)(out.data(), dz, n * 4, s));
  ASSERT_CU_OK(ENTRY(cuStreamEndCapture)(s, &outer));
  for (float v : out) ASSERT_EQ(v, -1.0f);  // nothing ran during the capture
  size_t nodes = 0;
  ASSERT_CU_OK(ENTRY(cuGraphGetNodes)(outer, nullptr, &nodes));
  ASSERT_EQ(nodes, 3u);
  std::vector<CUgraphNode> list(nodes);
  ASSERT_CU_OK(ENTRY(cuGraphGetNodes)(outer, list.data(), &nodes));
  CUgraphNodeType type;
  ASSERT_CU_OK(ENTRY(cuGraphNodeGetType)(list[1], &type));
  EXPECT_EQ(type, CU_GRAPH_NODE_TYPE_GRAPH);
  ASSERT_CU_OK(ENTRY(cuGraphInstantiateWithFlags)(&outer_exec, outer, 0));
  ASSERT_CU_OK(ENTRY(cuGraphExecDestroy)(inner_exec));  // the child node holds its own copy
  for (int launch = 0; launch < 2; ++launch) {
    for (unsigned i = 0; i < n; ++i) x[i] = float(launch) - 0.5f * i;
    ASSERT_CU_OK(ENTRY(cuGraphLaunch)(outer_exec, s));
    for (unsigned i = 0; i < n; ++i) ASSERT_EQ(out[i], x[i] + y[i]) << launch << " " << i;
  }
  ASSERT_CU_OK(ENTRY(cuGraphExecDestroy)(outer_exec));
  ASSERT_CU_OK(ENTRY(cuGraphDestroy)(outer));
  ASSERT_CU_OK(ENTRY(cuGraphDestroy)(inner));
  ASSERT_CU_OK(cu.cuStreamDestroy(s));
}

TEST_F(DriverGraphs, ProcAddressGivesTheCurrentGraphSignatures) {
  void* fn = nullptr;
  CUdriverProcAddressQueryResult found;
  ASSERT_CU_OK(cu.cuGetProcAddress("cuGraphInstantiate", &fn, 12000, CU_GET_PROC_ADDRESS_DEFAULT, &found));
  EXPECT_EQ(fn, reinterpret_cast<void*>(ENTRY(cuGraphInstantiateWithFlags)));
  ASSERT_CU_OK(cu.cuGetProcAddress("cuGraphAddKernelNode", &fn, 12000, CU_GET_PROC_ADDRESS_DEFAULT, &found));
  EXPECT_EQ(fn, reinterpret_cast<void*>(ENTRY(cuGraphAddKernelNode)));
  ASSERT_CU_OK(cu.cuGetProcAddress("cuStreamBeginCapture", &fn, 12000, CU_GET_PROC_ADDRESS_DEFAULT, &found));
  EXPECT_EQ(fn, reinterpret_cast<void*>(ENTRY(cuStreamBeginCapture)));
}

}  // namespace
