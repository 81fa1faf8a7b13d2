// Misuse of graphs and stream capture gets CUDA's error codes (each also printed by gpusim with
// the call's name), and forbidden calls invalidate the capture as on a GPU.
#include "check.cuh"

__global__ void inc(int* p) { ++p[threadIdx.x]; }

#define EXPECT_ERR(call, code)                                                                  \
  do {                                                                                          \
    cudaError_t e_ = (call);                                                                    \
    if (e_ != (code)) {                                                                         \
      std::fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, #call,   \
                   cudaGetErrorName(e_), #code);                                                \
      std::exit(1);                                                                             \
    }                                                                                           \
    cudaGetLastError();                                                                         \
  } while (0)

int main() {
  int* d;
  CHECK(cudaMalloc(&d, 64 * sizeof(int)));
  CHECK(cudaMemset(d, 0, 64 * sizeof(int)));
  cudaStream_t s, t;
  CHECK(cudaStreamCreate(&s));
  CHECK(cudaStreamCreate(&t));
  cudaGraph_t g = nullptr, g2 = nullptr;
  cudaGraphNode_t a, b;

  // Graph objects.
  EXPECT_ERR(cudaGraphAddEmptyNode(&a, nullptr, nullptr, 0), cudaErrorInvalidValue);
  EXPECT_ERR(cudaGraphCreate(nullptr, 0), cudaErrorInvalidValue);
  CHECK(cudaGraphCreate(&g, 0));
  CHECK(cudaGraphCreate(&g2, 0));
  CHECK(cudaGraphAddEmptyNode(&a, g, nullptr, 0));
  CHECK(cudaGraphAddEmptyNode(&b, g2, nullptr, 0));
  cudaGraphNode_t c;
  EXPECT_ERR(cudaGraphAddEmptyNode(&c, g, &b, 1), cudaErrorInvalidValue);       // b is g2's
  EXPECT_ERR(cudaGraphAddDependencies(g, &a, &b, nullptr, 1), cudaErrorInvalidValue);
  cudaMemsetParams ms = {};
  ms.dst = d;
  ms.elementSize = 3;
  ms.width = 4;
  ms.height = 1;
  EXPECT_ERR(cudaGraphAddMemsetNode(&c, g, nullptr, 0, &ms), cudaErrorInvalidValue);
  cudaKernelNodeParams kp = {};
  kp.func = reinterpret_cast<void*>(inc);
  kp.gridDim = dim3(1);
  kp.blockDim = dim3(4096);  // more threads than a block may have
  void* args[] = {&d};
  kp.kernelParams = args;
  EXPECT_ERR(cudaGraphAddKernelNode(&c, g, nullptr, 0, &kp), cudaErrorInvalidConfiguration);
  // A cycle cannot be instantiated.
  CHECK(cudaGraphAddEmptyNode(&c, g, &a, 1));
  CHECK(cudaGraphAddDependencies(g, &c, &a, nullptr, 1));
  cudaGraphExec_t exec;
  EXPECT_ERR(cudaGraphInstantiate(&exec, g, 0), cudaErrorInvalidValue);
  // A destroyed executable graph or graph is rejected.
  CHECK(cudaGraphInstantiate(&exec, g2, 0));
  CHECK(cudaGraphExecDestroy(exec));
  EXPECT_ERR(cudaGraphLaunch(exec, s), cudaErrorInvalidResourceHandle);
  EXPECT_ERR(cudaGraphExecDestroy(exec), cudaErrorInvalidResourceHandle);
  CHECK(cudaGraphDestroy(g2));
  EXPECT_ERR(cudaGraphDestroy(g2), cudaErrorInvalidValue);
  EXPECT_ERR(cudaGraphAddEmptyNode(&c, g2, nullptr, 0), cudaErrorInvalidValue);
  CHECK(cudaGraphDestroy(g));

  // Capture misuse.
  cudaGraph_t captured = nullptr;
  EXPECT_ERR(cudaStreamBeginCapture(0, cudaStreamCaptureModeGlobal), cudaErrorStreamCaptureUnsupported);
  EXPECT_ERR(cudaStreamEndCapture(s, &captured), cudaErrorIllegalState);
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  EXPECT_ERR(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal), cudaErrorIllegalState);
  inc<<<1, 64, 0, s>>>(d);
  int* more;
  EXPECT_ERR(cudaMalloc(&more, 16), cudaErrorStreamCaptureUnsupported);  // invalidates the capture
  cudaStreamCaptureStatus status;
  CHECK(cudaStreamIsCapturing(s, &status));
  EXPECT(status == cudaStreamCaptureStatusInvalidated);
  EXPECT_ERR(cudaMemsetAsync(d, 0, 4, s), cudaErrorStreamCaptureInvalidated);
  EXPECT_ERR(cudaStreamEndCapture(s, &captured), cudaErrorStreamCaptureInvalidated);
  EXPECT(captured == nullptr);
  CHECK(cudaStreamIsCapturing(s, &status));
  EXPECT(status == cudaStreamCaptureStatusNone);

  // Synchronising with a capturing stream, and synchronous copies in global mode.
  int host[64];
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  EXPECT_ERR(cudaStreamSynchronize(s), cudaErrorStreamCaptureUnsupported);
  EXPECT_ERR(cudaStreamEndCapture(s, &captured), cudaErrorStreamCaptureInvalidated);
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
  EXPECT_ERR(cudaMemcpy(host, d, sizeof host, cudaMemcpyDeviceToHost), cudaErrorStreamCaptureUnsupported);
  EXPECT_ERR(cudaStreamEndCapture(s, &captured), cudaErrorStreamCaptureInvalidated);
  // Stream callbacks cannot be captured (cudaLaunchHostFunc can): refused, never run.
  int callback_runs = 0;
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  EXPECT_ERR(cudaStreamAddCallback(s, [](cudaStream_t, cudaError_t, void* n) { ++*static_cast<int*>(n); },
                                   &callback_runs, 0),
             cudaErrorStreamCaptureUnsupported);
  EXPECT_ERR(cudaStreamEndCapture(s, &captured), cudaErrorStreamCaptureInvalidated);
  EXPECT(callback_runs == 0);

  // In relaxed mode (for the capture, or for the thread) the calls are allowed.
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed));
  CHECK(cudaMalloc(&more, 16));
  CHECK(cudaFree(more));
  CHECK(cudaStreamEndCapture(s, &captured));
  CHECK(cudaGraphDestroy(captured));
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  cudaStreamCaptureMode mode = cudaStreamCaptureModeRelaxed;
  CHECK(cudaThreadExchangeStreamCaptureMode(&mode));
  EXPECT(mode == cudaStreamCaptureModeGlobal);
  CHECK(cudaMalloc(&more, 16));
  CHECK(cudaThreadExchangeStreamCaptureMode(&mode));
  inc<<<1, 64, 0, s>>>(d);
  CHECK(cudaStreamEndCapture(s, &captured));
  size_t count = 0;
  CHECK(cudaGraphGetNodes(captured, nullptr, &count));
  EXPECT(count == 1);
  CHECK(cudaGraphDestroy(captured));

  // A stream forked from the capture that does not rejoin, and ending on the wrong stream.
  cudaEvent_t e;
  CHECK(cudaEventCreate(&e));
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  CHECK(cudaEventRecord(e, s));
  CHECK(cudaStreamWaitEvent(t, e, 0));
  inc<<<1, 64, 0, t>>>(d);
  EXPECT_ERR(cudaStreamEndCapture(t, &captured), cudaErrorStreamCaptureUnmatched);
  EXPECT_ERR(cudaStreamEndCapture(s, &captured), cudaErrorStreamCaptureInvalidated);
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  CHECK(cudaEventRecord(e, s));
  CHECK(cudaStreamWaitEvent(t, e, 0));
  inc<<<1, 64, 0, t>>>(d);
  EXPECT_ERR(cudaStreamEndCapture(s, &captured), cudaErrorStreamCaptureUnjoined);
  CHECK(cudaStreamIsCapturing(t, &status));
  EXPECT(status == cudaStreamCaptureStatusNone);

  // Work on the legacy stream while a blocking stream captures would join it implicitly.
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeRelaxed));
  EXPECT_ERR(cudaMemsetAsync(d, 0, 4, 0), cudaErrorStreamCaptureImplicit);
  EXPECT_ERR(cudaStreamEndCapture(s, &captured), cudaErrorStreamCaptureInvalidated);

  // None of the captured kernels ran.
  CHECK(cudaMemcpy(host, d, sizeof host, cudaMemcpyDeviceToHost));
  for (int i = 0; i < 64; ++i) EXPECT(host[i] == 0);
  std::printf("graph_errors: OK\n");
  return 0;
}
