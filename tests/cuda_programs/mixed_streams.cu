// Streams and events shared by the runtime and driver APIs, as on NVIDIA's stack where a
// cudaStream_t IS a CUstream and a cudaEvent_t IS a CUevent: driver calls (cuLaunchKernel of an
// NVRTC kernel, cuMemcpyAsync, cuMemsetD32Async, cuEventRecord, cuStreamWaitEvent) on runtime
// streams and events and runtime calls (<<<>>>, cudaMemcpyAsync, cudaEventRecord,
// cudaStreamSynchronize) on driver ones; stream capture begun in one API receiving work from the
// other (the PyTorch + Triton pattern: cudaStreamBeginCapture, cuLaunchKernel into the capture),
// ended, instantiated and launched through either API, several times over changing input; and the
// errors for a handle destroyed in one API and used in the other; one per-thread capture mode for
// both APIs. Every result element is checked against the host.
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "nvrtc_ptx.cuh"

static const char* kSource = R"(
extern "C" __global__ void square_plus(float* out, const float* in, float c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * in[i] + c;
}
)";

__global__ void scale_add(float* v, const float* w, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] = v[i] * a + w[i];
}

static void count_call(void* counter) { ++*static_cast<int*>(counter); }

static unsigned bits_of(float f) {
  unsigned u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// Every element of `got` against the host's value for index i.
template <typename F>
static void expect_all(const std::vector<float>& got, F&& expected) {
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i] != expected(i)) {
      std::fprintf(stderr, "element %zu: got %g, expected %g\n", i, got[i], expected(i));
      std::exit(1);
    }
}

#define EXPECT_CU(expected, call) EXPECT((call) == (expected))
#define EXPECT_RT(expected, call)                 \
  do {                                            \
    EXPECT((call) == (expected));                 \
    (void)cudaGetLastError(); /* not sticky */    \
  } while (0)

int main() {
  CHECK(cudaFree(nullptr));  // the runtime's primary context; the driver shares it (no cuCtxCreate)
  // Current before cuInit too, as NVIDIA's runtime makes it (libraries ask for it this way).
  CUcontext before_init = nullptr, primary = nullptr;
  CU(cuCtxGetCurrent(&before_init));
  CU(cuInit(0));
  CU(cuDevicePrimaryCtxRetain(&primary, 0));
  EXPECT(before_init != nullptr && before_init == primary);
  CU(cuDevicePrimaryCtxRelease(0));
  const std::string ptx = compile_ptx(kSource, "mixed_streams.cu");
  CUmodule mod;
  CU(cuModuleLoadData(&mod, ptx.c_str()));
  CUfunction square_plus;
  CU(cuModuleGetFunction(&square_plus, mod, "square_plus"));

  int n = 3000;
  const unsigned blocks = (n + 127) / 128;
  const size_t bytes = n * sizeof(float);
  float *x, *y, *z;
  CHECK(cudaMalloc(&x, bytes));
  CHECK(cudaMalloc(&y, bytes));
  CHECK(cudaMalloc(&z, bytes));
  CUdeviceptr dx = reinterpret_cast<CUdeviceptr>(x), dy = reinterpret_cast<CUdeviceptr>(y),
              dz = reinterpret_cast<CUdeviceptr>(z);
  std::vector<float> in(n), out(n);
  for (int i = 0; i < n; ++i) in[i] = float(i % 37) - 18.0f;

  // 1. A runtime stream and event in the driver API: flags, priority and id read back alike;
  // copies, a memset, an NVRTC kernel and an event record on it.
  cudaStream_t rs;
  CHECK(cudaStreamCreateWithPriority(&rs, cudaStreamNonBlocking, -2));
  unsigned flags = 0;
  int priority = 0;
  CU(cuStreamGetFlags(rs, &flags));
  CU(cuStreamGetPriority(rs, &priority));
  EXPECT(flags == CU_STREAM_NON_BLOCKING && priority == -2);
  unsigned long long rt_id = 0, cu_id = 0;
  CHECK(cudaStreamGetId(rs, &rt_id));
  CU(cuStreamGetId(rs, &cu_id));
  EXPECT(rt_id != 0 && rt_id == cu_id);
  CUcontext stream_ctx = nullptr, current = nullptr;
  CU(cuStreamGetCtx(rs, &stream_ctx));
  CU(cuCtxGetCurrent(&current));
  EXPECT(stream_ctx != nullptr && stream_ctx == current);  // the primary context, the runtime's
  cudaEvent_t rt_start, rt_done;
  CHECK(cudaEventCreate(&rt_start));
  CHECK(cudaEventCreate(&rt_done));
  float c = 0.5f;
  void* square_args[] = {&dy, &dx, &c, &n};
  CU(cuEventRecord(rt_start, rs));
  CU(cuMemcpyHtoDAsync(dx, in.data(), bytes, rs));
  CU(cuLaunchKernel(square_plus, blocks, 1, 1, 128, 1, 1, 0, rs, square_args, nullptr));  // y = x*x + 0.5
  CU(cuMemsetD32Async(dz, bits_of(3.0f), n, rs));
  scale_add<<<blocks, 128, 0, rs>>>(z, y, 2.0f, n);  // z = 3*2 + y
  CHECK(cudaGetLastError());
  CU(cuEventRecord(rt_done, rs));
  CU(cuStreamSynchronize(rs));
  CHECK(cudaStreamSynchronize(rs));
  CU(cuEventSynchronize(rt_done));
  EXPECT(cudaEventQuery(rt_done) == cudaSuccess);
  float ms = -1.0f;
  CHECK(cudaEventElapsedTime(&ms, rt_start, rt_done));  // recorded by the driver, read by the runtime
  EXPECT(ms >= 0.0f);
  CHECK(cudaMemcpyAsync(out.data(), z, bytes, cudaMemcpyDeviceToHost, rs));
  CHECK(cudaStreamSynchronize(rs));
  expect_all(out, [&](size_t i) { return 6.0f + (in[i] * in[i] + 0.5f); });

  // 2. A driver stream and event in the runtime API.
  CUstream ds;
  CU(cuStreamCreateWithPriority(&ds, CU_STREAM_DEFAULT, -1));
  CHECK(cudaStreamGetFlags(ds, &flags));
  CHECK(cudaStreamGetPriority(ds, &priority));
  EXPECT(flags == cudaStreamDefault && priority == -1);
  CHECK(cudaStreamGetId(ds, &rt_id));
  CU(cuStreamGetId(ds, &cu_id));
  EXPECT(rt_id != 0 && rt_id == cu_id);
  CUevent cu_done;
  CU(cuEventCreate(&cu_done, CU_EVENT_DEFAULT));
  for (int i = 0; i < n; ++i) in[i] = float(i % 11) * 0.25f;
  CHECK(cudaMemcpyAsync(x, in.data(), bytes, cudaMemcpyHostToDevice, ds));
  CHECK(cudaMemsetAsync(y, 0, bytes, ds));
  scale_add<<<blocks, 128, 0, ds>>>(y, x, 1.0f, n);  // y = x
  CU(cuLaunchKernel(square_plus, blocks, 1, 1, 128, 1, 1, 0, ds, square_args, nullptr));  // y = x*x + 0.5
  CHECK(cudaEventRecord(cu_done, ds));
  CHECK(cudaStreamWaitEvent(rs, cu_done, 0));
  CHECK(cudaEventSynchronize(cu_done));
  CHECK(cudaEventElapsedTime(&ms, rt_done, cu_done));  // a runtime event and a driver event
  EXPECT(ms >= 0.0f);
  CHECK(cudaStreamSynchronize(ds));
  CHECK(cudaMemcpyAsync(out.data(), y, bytes, cudaMemcpyDeviceToHost, ds));
  CHECK(cudaStreamSynchronize(ds));
  expect_all(out, [&](size_t i) { return in[i] * in[i] + 0.5f; });

  // 3. Captured by the runtime, work from both APIs, a driver stream forked in by a runtime
  // event and joined back by a driver event:
  //   rs: copy in (driver) -> y = x*x + c (driver) -> t allocated (driver) -> t = 1 (driver memset) -> fork
  //   ds: t = t * 4 + y (runtime kernel on the driver stream) -> join
  //   rs: host function (driver), copy out (runtime), t freed (driver)
  int host_calls = 0;
  cudaEvent_t fork;
  CUevent join;
  CHECK(cudaEventCreateWithFlags(&fork, cudaEventDisableTiming));
  CU(cuEventCreate(&join, CU_EVENT_DISABLE_TIMING));
  c = -1.0f;  // kernel arguments are copied at capture: later changes to c do not reach the graph
  CHECK(cudaStreamBeginCapture(rs, cudaStreamCaptureModeGlobal));
  CU(cuMemcpyHtoDAsync(dx, in.data(), bytes, rs));
  CU(cuLaunchKernel(square_plus, blocks, 1, 1, 128, 1, 1, 0, rs, square_args, nullptr));
  CUdeviceptr t = 0;
  CU(cuMemAllocAsync(&t, bytes, rs));  // a mem-alloc node of the runtime's graph; t is valid from here on
  EXPECT(t != 0);
  CU(cuMemsetD32Async(t, bits_of(1.0f), n, rs));
  CU(cuEventRecord(fork, rs));
  CU(cuStreamWaitEvent(ds, fork, 0));
  cudaStreamCaptureStatus rt_status = cudaStreamCaptureStatusNone;
  CUstreamCaptureStatus cu_status = CU_STREAM_CAPTURE_STATUS_NONE;
  CHECK(cudaStreamIsCapturing(ds, &rt_status));
  CU(cuStreamIsCapturing(ds, &cu_status));
  EXPECT(rt_status == cudaStreamCaptureStatusActive && cu_status == CU_STREAM_CAPTURE_STATUS_ACTIVE);
  scale_add<<<blocks, 128, 0, ds>>>(reinterpret_cast<float*>(t), y, 4.0f, n);
  CHECK(cudaGetLastError());
  CU(cuEventRecord(join, ds));
  CHECK(cudaStreamWaitEvent(rs, join, 0));
  cuuint64_t cu_capture = 0;
  unsigned long long rt_capture = 0;
  size_t frontier = 0;
  CU(cuStreamGetCaptureInfo(rs, &cu_status, &cu_capture, nullptr, nullptr, nullptr, &frontier));
  CHECK(cudaStreamGetCaptureInfo(rs, &rt_status, &rt_capture, nullptr, nullptr, nullptr, nullptr));
  EXPECT(cu_capture != 0 && cu_capture == rt_capture && frontier == 2);  // both branches, joined
  CU(cuLaunchHostFunc(rs, count_call, &host_calls));
  CHECK(cudaMemcpyAsync(out.data(), reinterpret_cast<void*>(t), bytes, cudaMemcpyDeviceToHost, rs));
  CU(cuMemFreeAsync(t, rs));
  cudaGraph_t graph = nullptr;
  CHECK(cudaStreamEndCapture(rs, &graph));
  EXPECT(graph != nullptr && host_calls == 0);
  CHECK(cudaStreamIsCapturing(ds, &rt_status));
  EXPECT(rt_status == cudaStreamCaptureStatusNone);  // the forked stream left with the capture
  size_t count = 0;
  CHECK(cudaGraphGetNodes(graph, nullptr, &count));
  EXPECT(count == 8);
  std::vector<cudaGraphNode_t> nodes(count);
  CHECK(cudaGraphGetNodes(graph, nodes.data(), &count));
  int kernels = 0, copies = 0, memsets = 0, hosts = 0, allocs = 0, frees = 0;
  for (cudaGraphNode_t node : nodes) {
    cudaGraphNodeType type;
    CHECK(cudaGraphNodeGetType(node, &type));
    kernels += type == cudaGraphNodeTypeKernel;
    copies += type == cudaGraphNodeTypeMemcpy;
    memsets += type == cudaGraphNodeTypeMemset;
    hosts += type == cudaGraphNodeTypeHost;
    allocs += type == cudaGraphNodeTypeMemAlloc;
    frees += type == cudaGraphNodeTypeMemFree;
  }
  EXPECT(kernels == 2 && copies == 2 && memsets == 1 && hosts == 1 && allocs == 1 && frees == 1);
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  for (int launch = 1; launch <= 3; ++launch) {
    for (int i = 0; i < n; ++i) in[i] = float((i * launch) % 29) - 7.0f;  // new input each launch
    std::fill(out.begin(), out.end(), -99.0f);
    CHECK(cudaGraphLaunch(exec, rs));
    CHECK(cudaStreamSynchronize(rs));
    EXPECT(host_calls == launch);
    expect_all(out, [&](size_t i) { return 1.0f * 4.0f + (in[i] * in[i] - 1.0f); });
  }
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(graph));

  // 4. Captured by the driver, work from both APIs (runtime kernels, copies, memsets and a host
  // function into a CUgraph), launched several times with cuGraphLaunch.
  host_calls = 0;
  c = 2.0f;
  CU(cuStreamBeginCapture(ds, CU_STREAM_CAPTURE_MODE_GLOBAL));
  CHECK(cudaMemcpyAsync(x, in.data(), bytes, cudaMemcpyHostToDevice, ds));
  float* u = nullptr;
  CHECK(cudaMallocAsync(&u, bytes, ds));  // a mem-alloc node of the driver's graph
  EXPECT(u != nullptr);
  CHECK(cudaMemsetAsync(u, 0, bytes, ds));
  CU(cuLaunchKernel(square_plus, blocks, 1, 1, 128, 1, 1, 0, ds, square_args, nullptr));  // y = x*x + 2
  scale_add<<<blocks, 128, 0, ds>>>(u, y, 1.0f, n);                                      // u = 0 + y
  float three = 3.0f;
  void* rt_args[] = {&u, &x, &three, &n};
  CHECK(cudaLaunchKernel(reinterpret_cast<const void*>(scale_add), dim3(blocks), dim3(128), rt_args, 0, ds));  // u = 3u + x
  three = 100.0f;  // arguments are copied at capture
  c = 100.0f;
  CHECK(cudaLaunchHostFunc(ds, count_call, &host_calls));
  CU(cuMemcpyDtoHAsync(out.data(), reinterpret_cast<CUdeviceptr>(u), bytes, ds));
  CHECK(cudaFreeAsync(u, ds));
  // Ended, instantiated, launched and destroyed through the runtime API: the graph is libcuda's.
  cudaGraph_t driver_graph = nullptr;
  CHECK(cudaStreamEndCapture(ds, &driver_graph));
  CU(cuGraphGetNodes(driver_graph, nullptr, &count));
  EXPECT(count == 9);
  CHECK(cudaGraphInstantiate(&exec, driver_graph, 0));
  for (int launch = 1; launch <= 3; ++launch) {
    for (int i = 0; i < n; ++i) in[i] = float((i + 5 * launch) % 23) * 0.5f;
    std::fill(out.begin(), out.end(), -99.0f);
    CHECK(cudaGraphLaunch(exec, rs));
    CHECK(cudaStreamSynchronize(rs));
    EXPECT(host_calls == launch);
    expect_all(out, [&](size_t i) { return 3.0f * (in[i] * in[i] + 2.0f) + in[i]; });
  }
  // The driver's executable graph launched into a runtime capture: a child graph node of the
  // runtime's graph, run by each launch of that graph.
  CHECK(cudaStreamBeginCapture(rs, cudaStreamCaptureModeGlobal));
  CHECK(cudaGraphLaunch(exec, rs));
  cudaGraph_t outer = nullptr;
  CHECK(cudaStreamEndCapture(rs, &outer));
  CHECK(cudaGraphGetNodes(outer, nullptr, &count));
  EXPECT(count == 1);
  cudaGraphNode_t child_node;
  CHECK(cudaGraphGetNodes(outer, &child_node, &count));
  cudaGraphNodeType child_type;
  CHECK(cudaGraphNodeGetType(child_node, &child_type));
  EXPECT(child_type == cudaGraphNodeTypeGraph);
  cudaGraphExec_t outer_exec;
  CHECK(cudaGraphInstantiate(&outer_exec, outer, 0));
  for (int launch = 4; launch <= 5; ++launch) {
    for (int i = 0; i < n; ++i) in[i] = float((3 * i + launch) % 19) * 0.25f;
    std::fill(out.begin(), out.end(), -99.0f);
    CHECK(cudaGraphLaunch(outer_exec, rs));
    CHECK(cudaStreamSynchronize(rs));
    EXPECT(host_calls == launch);
    expect_all(out, [&](size_t i) { return 3.0f * (in[i] * in[i] + 2.0f) + in[i]; });
  }
  CHECK(cudaGraphExecDestroy(outer_exec));
  CHECK(cudaGraphDestroy(outer));
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(driver_graph));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cuGraphGetNodes(driver_graph, nullptr, &count));  // destroyed for both

  // A runtime capture ended through the driver API: the graph is libcudart's, and the driver's
  // graph calls take it.
  host_calls = 0;
  CHECK(cudaStreamBeginCapture(rs, cudaStreamCaptureModeThreadLocal));
  CU(cuMemcpyHtoDAsync(dx, in.data(), bytes, rs));
  scale_add<<<blocks, 128, 0, rs>>>(x, x, 2.0f, n);  // x = 3x
  CU(cuLaunchHostFunc(rs, count_call, &host_calls));
  CU(cuMemcpyDtoHAsync(out.data(), dx, bytes, rs));
  CUgraph cu_graph = nullptr;
  CU(cuStreamEndCapture(rs, &cu_graph));
  CHECK(cudaGraphGetNodes(cu_graph, nullptr, &count));
  EXPECT(count == 4);
  CUgraphExec cu_exec;
  CU(cuGraphInstantiate(&cu_exec, cu_graph, 0));
  for (int launch = 1; launch <= 3; ++launch) {
    for (int i = 0; i < n; ++i) in[i] = float(i % 13 - launch);
    CU(cuGraphLaunch(cu_exec, ds));
    CU(cuStreamSynchronize(ds));
    EXPECT(host_calls == launch);
    expect_all(out, [&](size_t i) { return 3.0f * in[i]; });
  }
  CU(cuGraphExecDestroy(cu_exec));
  CU(cuGraphDestroy(cu_graph));

  // 5. Errors across the APIs: a capture's misuse through the other API invalidates it, a stream
  // cannot begin a second capture, and a handle destroyed in one API is stale in the other.
  CHECK(cudaStreamBeginCapture(rs, cudaStreamCaptureModeGlobal));
  EXPECT_CU(CUDA_ERROR_ILLEGAL_STATE, cuStreamBeginCapture(rs, CU_STREAM_CAPTURE_MODE_GLOBAL));
  EXPECT_CU(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuStreamSynchronize(rs));
  EXPECT_CU(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuLaunchKernel(square_plus, blocks, 1, 1, 128, 1, 1, 0, rs, square_args, nullptr));
  EXPECT_RT(cudaErrorStreamCaptureInvalidated, cudaStreamEndCapture(rs, &graph));
  EXPECT(graph == nullptr);
  CU(cuStreamBeginCapture(ds, CU_STREAM_CAPTURE_MODE_GLOBAL));
  void* refused = nullptr;
  EXPECT_RT(cudaErrorStreamCaptureUnsupported, cudaMalloc(&refused, 16));  // synchronous, during a global-mode capture
  EXPECT(refused == nullptr);
  CUgraph refused_graph = nullptr;
  EXPECT_CU(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(ds, &refused_graph));
  EXPECT(refused_graph == nullptr);

  cudaStream_t gone_rt;
  CHECK(cudaStreamCreate(&gone_rt));
  CHECK(cudaStreamDestroy(gone_rt));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cuLaunchKernel(square_plus, blocks, 1, 1, 128, 1, 1, 0, gone_rt, square_args, nullptr));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cuStreamSynchronize(gone_rt));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cuStreamDestroy(gone_rt));
  CUstream gone_cu;
  CU(cuStreamCreate(&gone_cu, CU_STREAM_NON_BLOCKING));
  CU(cuStreamDestroy(gone_cu));
  EXPECT_RT(cudaErrorInvalidResourceHandle, cudaStreamSynchronize(gone_cu));
  EXPECT_RT(cudaErrorInvalidResourceHandle, cudaMemcpyAsync(x, in.data(), bytes, cudaMemcpyHostToDevice, gone_cu));
  EXPECT_RT(cudaErrorInvalidResourceHandle, cudaStreamDestroy(gone_cu));
  cudaEvent_t gone_event;
  CHECK(cudaEventCreate(&gone_event));
  CHECK(cudaEventDestroy(gone_event));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, cuEventRecord(gone_event, ds));
  CUevent gone_cu_event;
  CU(cuEventCreate(&gone_cu_event, CU_EVENT_DEFAULT));
  CU(cuEventDestroy(gone_cu_event));
  EXPECT_RT(cudaErrorInvalidResourceHandle, cudaEventRecord(gone_cu_event, rs));
  EXPECT_RT(cudaErrorInvalidResourceHandle, cudaStreamWaitEvent(rs, gone_cu_event, 0));

  // One stream-capture mode per thread for both APIs, as NVIDIA's: set through one, read back
  // and obeyed by the other.
  {
    cudaStreamCaptureMode rt_mode = cudaStreamCaptureModeRelaxed;
    CHECK(cudaThreadExchangeStreamCaptureMode(&rt_mode));
    EXPECT(rt_mode == cudaStreamCaptureModeGlobal);  // every thread starts in global mode
    CUstreamCaptureMode cu_mode = CU_STREAM_CAPTURE_MODE_THREAD_LOCAL;
    CU(cuThreadExchangeStreamCaptureMode(&cu_mode));
    EXPECT(cu_mode == CU_STREAM_CAPTURE_MODE_RELAXED);  // what the runtime call set
    rt_mode = cudaStreamCaptureModeRelaxed;
    CHECK(cudaThreadExchangeStreamCaptureMode(&rt_mode));
    EXPECT(rt_mode == cudaStreamCaptureModeThreadLocal);  // what the driver call set
    // Relaxed (set through the runtime): a driver allocation during a global capture is allowed.
    CU(cuStreamBeginCapture(rs, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CUdeviceptr scratch = 0;
    CU(cuMemAlloc(&scratch, 256));
    CU(cuMemFree(scratch));
    // Global again (set through the driver): a runtime allocation is refused and ends the capture.
    cu_mode = CU_STREAM_CAPTURE_MODE_GLOBAL;
    CU(cuThreadExchangeStreamCaptureMode(&cu_mode));
    EXPECT(cu_mode == CU_STREAM_CAPTURE_MODE_RELAXED);
    float* refused = nullptr;
    EXPECT_RT(cudaErrorStreamCaptureUnsupported, cudaMalloc(&refused, 256));
    cudaGraph_t invalid = nullptr;
    EXPECT_RT(cudaErrorStreamCaptureInvalidated, cudaStreamEndCapture(rs, &invalid));
    EXPECT(invalid == nullptr);
  }

  // A runtime stream destroyed through the driver API (the same object) is gone for both.
  cudaStream_t shared;
  CHECK(cudaStreamCreate(&shared));
  CU(cuStreamDestroy(shared));
  EXPECT_RT(cudaErrorInvalidResourceHandle, cudaStreamQuery(shared));

  CHECK(cudaEventDestroy(rt_start));
  CU(cuEventDestroy(rt_done));  // a runtime event destroyed through the driver API
  CHECK(cudaEventDestroy(cu_done));  // and the other way round
  CHECK(cudaEventDestroy(fork));
  CU(cuEventDestroy(join));
  CU(cuStreamDestroy(rs));
  CHECK(cudaStreamDestroy(ds));
  CHECK(cudaFree(x));
  CHECK(cudaFree(y));
  CHECK(cudaFree(z));
  std::printf("mixed_streams: OK\n");
  return 0;
}
