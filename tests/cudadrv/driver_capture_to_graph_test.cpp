// cuStreamBeginCaptureToGraph through dlopen (libcuda alone): the captured work joins the given
// graph after the given nodes, the capture ends into that same graph, and bad arguments get
// CUDA's codes. Expected nodes and edges are the ones the test adds; memory against host values.
#include <cstdint>
#include <vector>

#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

#define ENTRY(fn) GPUSIM_DRIVER_SYMBOL(fn)

class DriverCaptureToGraph : public DriverTest {
 protected:
  static constexpr size_t kWords = 256;
  CUgraph graph = nullptr;
  CUstream stream = nullptr;
  CUdeviceptr buf = 0;
  CUgraphNode fill = nullptr;  // a hand-added memset of every word to 1

  void SetUp() override {
    DriverTest::SetUp();
    ASSERT_CU_OK(ENTRY(cuGraphCreate)(&graph, 0));
    ASSERT_CU_OK(ENTRY(cuStreamCreate)(&stream, CU_STREAM_NON_BLOCKING));
    ASSERT_CU_OK(ENTRY(cuMemAlloc)(&buf, kWords * 4));
    CUDA_MEMSET_NODE_PARAMS ms{};
    ms.dst = buf;
    ms.value = 1;
    ms.elementSize = 4;
    ms.width = kWords;
    ms.height = 1;
    ASSERT_CU_OK(ENTRY(cuGraphAddMemsetNode)(&fill, graph, nullptr, 0, &ms, context));
  }
  void TearDown() override {
    EXPECT_CU(CUDA_SUCCESS, ENTRY(cuGraphDestroy)(graph));
    EXPECT_CU(CUDA_SUCCESS, ENTRY(cuStreamDestroy)(stream));
    EXPECT_CU(CUDA_SUCCESS, ENTRY(cuMemFree)(buf));
    DriverTest::TearDown();
  }
};

TEST_F(DriverCaptureToGraph, CapturedWorkFollowsTheGivenNodesInTheGivenGraph) {
  ASSERT_CU_OK(ENTRY(cuStreamBeginCaptureToGraph)(stream, graph, &fill, nullptr, 1, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CUstreamCaptureStatus status = CU_STREAM_CAPTURE_STATUS_NONE;
  ASSERT_CU_OK(ENTRY(cuStreamIsCapturing)(stream, &status));
  EXPECT_EQ(status, CU_STREAM_CAPTURE_STATUS_ACTIVE);
  ASSERT_CU_OK(ENTRY(cuMemsetD32Async)(buf, 2, kWords / 2, stream));  // the first half becomes 2
  CUgraph ended = nullptr;
  ASSERT_CU_OK(ENTRY(cuStreamEndCapture)(stream, &ended));
  EXPECT_EQ(ended, graph);

  size_t count = 0;
  ASSERT_CU_OK(ENTRY(cuGraphGetNodes)(graph, nullptr, &count));
  ASSERT_EQ(count, 2u);
  CUgraphNode roots[2] = {};
  count = 2;
  ASSERT_CU_OK(ENTRY(cuGraphGetRootNodes)(graph, roots, &count));
  ASSERT_EQ(count, 1u);
  EXPECT_EQ(roots[0], fill);
  CUgraphNode from[2] = {}, to[2] = {};
  count = 2;
  ASSERT_CU_OK(ENTRY(cuGraphGetEdges)(graph, from, to, nullptr, &count));
  ASSERT_EQ(count, 1u);
  EXPECT_EQ(from[0], fill);
  CUgraphNodeType type = CU_GRAPH_NODE_TYPE_EMPTY;
  ASSERT_CU_OK(ENTRY(cuGraphNodeGetType)(to[0], &type));
  EXPECT_EQ(type, CU_GRAPH_NODE_TYPE_MEMSET);

  CUgraphExec exec = nullptr;
  ASSERT_CU_OK(ENTRY(cuGraphInstantiateWithFlags)(&exec, graph, 0));
  ASSERT_CU_OK(ENTRY(cuGraphLaunch)(exec, stream));
  ASSERT_CU_OK(ENTRY(cuStreamSynchronize)(stream));
  std::vector<uint32_t> host(kWords);
  ASSERT_CU_OK(ENTRY(cuMemcpyDtoH)(host.data(), buf, kWords * 4));
  for (size_t i = 0; i < kWords; ++i) EXPECT_EQ(host[i], i < kWords / 2 ? 2u : 1u) << "word " << i;
  ASSERT_CU_OK(ENTRY(cuGraphExecDestroy)(exec));
}

TEST_F(DriverCaptureToGraph, BadGraphsDependenciesAndEdgeDataAreRefused) {
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE,
            ENTRY(cuStreamBeginCaptureToGraph)(stream, nullptr, nullptr, nullptr, 0, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CUgraph other = nullptr;
  ASSERT_CU_OK(ENTRY(cuGraphCreate)(&other, 0));
  // A node of another graph is no dependency here.
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE,
            ENTRY(cuStreamBeginCaptureToGraph)(stream, other, &fill, nullptr, 1, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CUgraphEdgeData port{};
  port.from_port = 1;  // a programmatic port
  EXPECT_CU(CUDA_ERROR_NOT_SUPPORTED,
            ENTRY(cuStreamBeginCaptureToGraph)(stream, graph, &fill, &port, 1, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CUstreamCaptureStatus status = CU_STREAM_CAPTURE_STATUS_ACTIVE;
  ASSERT_CU_OK(ENTRY(cuStreamIsCapturing)(stream, &status));
  EXPECT_EQ(status, CU_STREAM_CAPTURE_STATUS_NONE);  // none of the refusals began a capture

  // One capture at a time adds to a graph.
  CUstream second = nullptr;
  ASSERT_CU_OK(ENTRY(cuStreamCreate)(&second, CU_STREAM_NON_BLOCKING));
  ASSERT_CU_OK(ENTRY(cuStreamBeginCaptureToGraph)(stream, graph, nullptr, nullptr, 0, CU_STREAM_CAPTURE_MODE_RELAXED));
  EXPECT_CU(CUDA_ERROR_ILLEGAL_STATE,
            ENTRY(cuStreamBeginCaptureToGraph)(second, graph, nullptr, nullptr, 0, CU_STREAM_CAPTURE_MODE_RELAXED));
  CUgraph ended = nullptr;
  ASSERT_CU_OK(ENTRY(cuStreamEndCapture)(stream, &ended));
  EXPECT_EQ(ended, graph);
  ASSERT_CU_OK(ENTRY(cuStreamDestroy)(second));
  ASSERT_CU_OK(ENTRY(cuGraphDestroy)(other));
}

}  // namespace
