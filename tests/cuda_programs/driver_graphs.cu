// Driver-API stream capture and graphs, every result element against host-computed values:
// a captured sequence (copy in, memset, kernels on a forked and rejoined stream, a host function,
// copy out) instantiated once and launched several times over changing input; a diamond built by
// hand (cuGraphAdd*Node, cuGraphAddDependencies) with its structure read back; kernel parameters
// changed on the executable graph and through cuGraphExecUpdate; and CUDA's errors for a launch
// of a destroyed executable graph and for calls CUDA forbids during capture.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "nvrtc_ptx.cuh"

static const char* kSource = R"(
extern "C" __global__ void scale_add(float* v, float a, float b, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] = v[i] * a + b;
}
extern "C" __global__ void add_vec(float* out, const float* x, const float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = x[i] + y[i];
}
extern "C" __global__ void fill_index(float* v, float base, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] = base + i;
}
)";

static void count_call(void* counter) { ++*static_cast<int*>(counter); }

static unsigned bits_of(float f) {
  unsigned u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

#define EXPECT_RESULT(expected, call) EXPECT((call) == (expected))

int main() {
  const auto [dev, ctx] = start_driver();
  (void)dev;
  const std::string ptx = compile_ptx(kSource, "graphs.cu");
  CUmodule mod;
  CU(cuModuleLoadData(&mod, ptx.c_str()));
  CUfunction scale_add, add_vec, fill_index;
  CU(cuModuleGetFunction(&scale_add, mod, "scale_add"));
  CU(cuModuleGetFunction(&add_vec, mod, "add_vec"));
  CU(cuModuleGetFunction(&fill_index, mod, "fill_index"));

  int n = 1000;
  const unsigned blocks = (n + 127) / 128;
  const size_t bytes = n * sizeof(float);
  CUdeviceptr a, b, c;
  CU(cuMemAlloc(&a, bytes));
  CU(cuMemAlloc(&b, bytes));
  CU(cuMemAlloc(&c, bytes));
  std::vector<float> host_in(n), host_out(n, -7.0f);
  int host_calls = 0;

  // 1. Capture: a = in * 3 + 1 on the origin stream; b = 2 * 0.5 + 0.25 on a forked stream that
  // rejoins; c = a + b; a host function; c copied out.
  CUstream s, side;
  CU(cuStreamCreate(&s, CU_STREAM_DEFAULT));
  CU(cuStreamCreate(&side, CU_STREAM_NON_BLOCKING));
  CUevent fork, join;
  CU(cuEventCreate(&fork, CU_EVENT_DISABLE_TIMING));
  CU(cuEventCreate(&join, CU_EVENT_DISABLE_TIMING));
  float three = 3.0f, one = 1.0f, half = 0.5f, quarter = 0.25f;
  void* scale_a[] = {&a, &three, &one, &n};
  void* scale_b[] = {&b, &half, &quarter, &n};
  void* add_c[] = {&c, &a, &b, &n};
  CU(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CUstreamCaptureStatus status = CU_STREAM_CAPTURE_STATUS_NONE;
  CU(cuStreamIsCapturing(s, &status));
  EXPECT(status == CU_STREAM_CAPTURE_STATUS_ACTIVE);
  CU(cuMemcpyHtoDAsync(a, host_in.data(), bytes, s));
  CU(cuMemsetD32Async(b, bits_of(2.0f), n, s));
  CU(cuLaunchKernel(scale_add, blocks, 1, 1, 128, 1, 1, 0, s, scale_a, nullptr));
  CU(cuEventRecord(fork, s));
  CU(cuStreamWaitEvent(side, fork, 0));
  CU(cuStreamIsCapturing(side, &status));
  EXPECT(status == CU_STREAM_CAPTURE_STATUS_ACTIVE);  // the forked stream joined the capture
  CU(cuLaunchKernel(scale_add, blocks, 1, 1, 128, 1, 1, 0, side, scale_b, nullptr));
  CU(cuEventRecord(join, side));
  CU(cuStreamWaitEvent(s, join, 0));
  cuuint64_t capture_id = 0;
  const CUgraphNode* frontier = nullptr;
  size_t frontier_size = 0;
  CU(cuStreamGetCaptureInfo(s, &status, &capture_id, nullptr, &frontier, nullptr, &frontier_size));
  EXPECT(status == CU_STREAM_CAPTURE_STATUS_ACTIVE && capture_id != 0 && frontier_size == 2);  // both branches
  CU(cuLaunchKernel(add_vec, blocks, 1, 1, 128, 1, 1, 0, s, add_c, nullptr));
  CU(cuLaunchHostFunc(s, count_call, &host_calls));
  CU(cuMemcpyDtoHAsync(host_out.data(), c, bytes, s));
  CUgraph captured = nullptr;
  CU(cuStreamEndCapture(s, &captured));
  EXPECT(captured != nullptr);
  EXPECT(host_calls == 0 && host_out[0] == -7.0f);  // nothing ran during the capture
  CU(cuStreamIsCapturing(side, &status));
  EXPECT(status == CU_STREAM_CAPTURE_STATUS_NONE);

  size_t count = 0;
  CU(cuGraphGetNodes(captured, nullptr, &count));
  EXPECT(count == 7);
  std::vector<CUgraphNode> nodes(count);
  CU(cuGraphGetNodes(captured, nodes.data(), &count));
  int kernels = 0, copies = 0, memsets = 0, hosts = 0;
  for (CUgraphNode node : nodes) {
    CUgraphNodeType type;
    CU(cuGraphNodeGetType(node, &type));
    kernels += type == CU_GRAPH_NODE_TYPE_KERNEL;
    copies += type == CU_GRAPH_NODE_TYPE_MEMCPY;
    memsets += type == CU_GRAPH_NODE_TYPE_MEMSET;
    hosts += type == CU_GRAPH_NODE_TYPE_HOST;
  }
  EXPECT(kernels == 3 && copies == 2 && memsets == 1 && hosts == 1);

  CUgraphExec exec;
  CU(cuGraphInstantiate(&exec, captured, 0));
  CU(cuGraphUpload(exec, s));
  for (int launch = 0; launch < 3; ++launch) {
    for (int i = 0; i < n; ++i) host_in[i] = i * 0.5f + launch;  // the copy node reads it at each launch
    CU(cuGraphLaunch(exec, s));
    CU(cuStreamSynchronize(s));
    for (int i = 0; i < n; ++i) EXPECT(host_out[i] == (i * 0.5f + launch) * 3.0f + 1.0f + 1.25f);
    EXPECT(host_calls == launch + 1);
  }
  CU(cuGraphExecDestroy(exec));
  EXPECT_RESULT(CUDA_ERROR_INVALID_HANDLE, cuGraphLaunch(exec, s));  // a destroyed executable graph
  CU(cuGraphDestroy(captured));

  // 2. A diamond by hand: fill (x = base + i) -> {y = x + x, z = copy of x} -> w = y + z.
  CUdeviceptr x = a, y = b, z = c, w;
  CU(cuMemAlloc(&w, bytes));
  CUgraph diamond;
  CU(cuGraphCreate(&diamond, 0));
  float base = 10.0f;
  void* fill_args[] = {&x, &base, &n};
  void* twice_args[] = {&y, &x, &x, &n};
  void* sum_args[] = {&w, &y, &z, &n};
  CUDA_KERNEL_NODE_PARAMS kp = {};
  kp.gridDimX = blocks, kp.gridDimY = kp.gridDimZ = 1;
  kp.blockDimX = 128, kp.blockDimY = kp.blockDimZ = 1;
  kp.func = fill_index;
  kp.kernelParams = fill_args;
  CUgraphNode fill, twice, copy, sum, tail;
  CU(cuGraphAddKernelNode(&fill, diamond, nullptr, 0, &kp));
  base = -99.0f;  // the node copied the arguments when it was made
  kp.func = add_vec;
  kp.kernelParams = twice_args;
  CU(cuGraphAddKernelNode(&twice, diamond, &fill, 1, &kp));
  CUDA_MEMCPY3D cp = {};
  cp.srcMemoryType = cp.dstMemoryType = CU_MEMORYTYPE_DEVICE;
  cp.srcDevice = x;
  cp.dstDevice = z;
  cp.WidthInBytes = bytes;
  cp.Height = cp.Depth = 1;
  CU(cuGraphAddMemcpyNode(&copy, diamond, &fill, 1, &cp, ctx));
  kp.kernelParams = sum_args;
  CU(cuGraphAddKernelNode(&sum, diamond, nullptr, 0, &kp));
  const CUgraphNode from[] = {twice, copy}, to[] = {sum, sum};
  CU(cuGraphAddDependencies(diamond, from, to, nullptr, 2));
  CU(cuGraphAddEmptyNode(&tail, diamond, &sum, 1));
  CU(cuGraphGetRootNodes(diamond, nullptr, &count));
  EXPECT(count == 1);
  CU(cuGraphGetEdges(diamond, nullptr, nullptr, nullptr, &count));
  EXPECT(count == 5);
  CUgraphNode deps[4];
  count = 4;
  CU(cuGraphNodeGetDependencies(sum, deps, nullptr, &count));
  EXPECT(count == 2 && deps[0] == twice && deps[1] == copy);
  CUDA_KERNEL_NODE_PARAMS got = {};
  CU(cuGraphKernelNodeGetParams(fill, &got));
  EXPECT(got.func == fill_index && got.gridDimX == blocks && got.blockDimX == 128);
  EXPECT(*static_cast<float*>(got.kernelParams[1]) == 10.0f);

  std::vector<float> result(n);
  const auto check_diamond = [&](float expected_base) {
    CU(cuMemcpyDtoH(result.data(), w, bytes));
    for (int i = 0; i < n; ++i) EXPECT(result[i] == 3.0f * (expected_base + i));
  };
  CU(cuGraphInstantiate(&exec, diamond, 0));
  CU(cuGraphLaunch(exec, s));
  CU(cuStreamSynchronize(s));
  check_diamond(10.0f);

  // Parameters changed on the executable graph leave the graph's node as it was.
  base = 100.0f;
  kp.func = fill_index;
  kp.kernelParams = fill_args;
  CU(cuGraphExecKernelNodeSetParams(exec, fill, &kp));
  CU(cuGraphLaunch(exec, s));
  CU(cuStreamSynchronize(s));
  check_diamond(100.0f);
  CU(cuGraphKernelNodeGetParams(fill, &got));
  EXPECT(*static_cast<float*>(got.kernelParams[1]) == 10.0f);

  // cuGraphExecUpdate from a clone whose fill node has new parameters (same topology).
  CUgraph clone;
  CU(cuGraphClone(&clone, diamond));
  std::vector<CUgraphNode> clone_nodes(5);
  count = 5;
  CU(cuGraphGetNodes(clone, clone_nodes.data(), &count));
  EXPECT(count == 5);
  base = 50.0f;
  CU(cuGraphKernelNodeSetParams(clone_nodes[0], &kp));
  CUgraphExecUpdateResultInfo info = {};
  CU(cuGraphExecUpdate(exec, clone, &info));
  EXPECT(info.result == CU_GRAPH_EXEC_UPDATE_SUCCESS);
  CU(cuGraphLaunch(exec, s));
  CU(cuStreamSynchronize(s));
  check_diamond(50.0f);
  // A changed topology cannot update.
  CUgraphNode extra;
  CU(cuGraphAddEmptyNode(&extra, clone, nullptr, 0));
  EXPECT_RESULT(CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE, cuGraphExecUpdate(exec, clone, &info));
  EXPECT(info.result == CU_GRAPH_EXEC_UPDATE_ERROR_TOPOLOGY_CHANGED);
  const std::string dot = "/tmp/gpusim_driver_graphs_" + std::to_string(getpid()) + ".dot";
  CU(cuGraphDebugDotPrint(diamond, dot.c_str(), 0));
  FILE* f = std::fopen(dot.c_str(), "r");
  EXPECT(f != nullptr);
  char text[4096] = {};
  if (f) text[std::fread(text, 1, sizeof text - 1, f)] = '\0', std::fclose(f);
  std::remove(dot.c_str());
  EXPECT(std::strstr(text, "fill_index") && std::strstr(text, "n0 -> n1") && std::strstr(text, "n3 -> n4"));
  CU(cuGraphExecDestroy(exec));
  CU(cuGraphDestroy(clone));
  CU(cuGraphDestroy(diamond));

  // 3. Calls CUDA forbids during a capture fail and invalidate it.
  CUdeviceptr scratch = 0;
  CUgraph failed = reinterpret_cast<CUgraph>(1);
  CU(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  EXPECT_RESULT(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuMemAlloc(&scratch, 256));
  CU(cuStreamIsCapturing(s, &status));
  EXPECT(status == CU_STREAM_CAPTURE_STATUS_INVALIDATED);
  EXPECT_RESULT(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuLaunchKernel(scale_add, blocks, 1, 1, 128, 1, 1, 0, s, scale_a, nullptr));
  EXPECT_RESULT(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(s, &failed));
  EXPECT(failed == nullptr);
  CU(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  EXPECT_RESULT(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuStreamSynchronize(s));
  EXPECT_RESULT(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(s, &failed));
  // Work on the legacy stream would join a blocking stream's capture implicitly.
  CU(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  EXPECT_RESULT(CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, cuMemsetD32Async(a, 0, n, nullptr));
  EXPECT_RESULT(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(s, &failed));
  // A forked stream that never rejoins.
  CU(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CU(cuEventRecord(fork, s));
  CU(cuStreamWaitEvent(side, fork, 0));
  CU(cuLaunchKernel(scale_add, blocks, 1, 1, 128, 1, 1, 0, side, scale_b, nullptr));
  EXPECT_RESULT(CUDA_ERROR_STREAM_CAPTURE_UNJOINED, cuStreamEndCapture(s, &failed));
  // Relaxed mode for this thread permits the allocation; the capture stays valid.
  CU(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CUstreamCaptureMode mode = CU_STREAM_CAPTURE_MODE_RELAXED;
  CU(cuThreadExchangeStreamCaptureMode(&mode));
  EXPECT(mode == CU_STREAM_CAPTURE_MODE_GLOBAL);
  CU(cuMemAlloc(&scratch, 256));
  CU(cuThreadExchangeStreamCaptureMode(&mode));
  CU(cuMemsetD32Async(scratch, 0, 64, s));
  CU(cuStreamEndCapture(s, &failed));
  EXPECT(failed != nullptr);
  CU(cuGraphDestroy(failed));
  EXPECT_RESULT(CUDA_ERROR_ILLEGAL_STATE, cuStreamEndCapture(s, &failed));  // not capturing
  EXPECT_RESULT(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuStreamBeginCapture(nullptr, CU_STREAM_CAPTURE_MODE_GLOBAL));

  CU(cuMemFree(scratch));
  CU(cuCtxDestroy(ctx));
  std::printf("driver_graphs: OK\n");
  return 0;
}
