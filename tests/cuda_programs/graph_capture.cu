// Stream capture across two streams (fork and join through events): copies, kernels, a memset and
// a host callback are captured once, then the graph is replayed with new host input each time and
// every replay is compared with the CPU. The kernel's scalar argument is changed after capture:
// the graph keeps the value it was captured with (CUDA copies arguments at capture).
#include <vector>
#include "check.cuh"

__global__ void scale_add(int* out, const int* in, int factor, int add, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * factor + add;
}

__global__ void combine(int* out, const int* a, const int* b, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] += a[i] - b[i];
}

static int host_calls = 0;
void CUDART_CB count_call(void* user) { host_calls += *static_cast<int*>(user); }

int main() {
  const int n = 1000, block = 128, grid = (n + block - 1) / block;
  int *h_in, *h_out;
  CHECK(cudaMallocHost(&h_in, n * sizeof(int)));
  CHECK(cudaMallocHost(&h_out, n * sizeof(int)));
  int *d_in, *d_a, *d_b, *d_out;
  CHECK(cudaMalloc(&d_in, n * sizeof(int)));
  CHECK(cudaMalloc(&d_a, n * sizeof(int)));
  CHECK(cudaMalloc(&d_b, n * sizeof(int)));
  CHECK(cudaMalloc(&d_out, n * sizeof(int)));
  cudaStream_t s1, s2;
  CHECK(cudaStreamCreateWithFlags(&s1, cudaStreamNonBlocking));
  CHECK(cudaStreamCreateWithFlags(&s2, cudaStreamNonBlocking));
  cudaEvent_t fork, join;
  CHECK(cudaEventCreateWithFlags(&fork, cudaEventDisableTiming));
  CHECK(cudaEventCreateWithFlags(&join, cudaEventDisableTiming));

  for (int i = 0; i < n; ++i) h_in[i] = -7;
  CHECK(cudaMemset(d_out, 0x55, n * sizeof(int)));
  int factor = 3, one = 1;
  CHECK(cudaStreamBeginCapture(s1, cudaStreamCaptureModeGlobal));
  cudaStreamCaptureStatus status;
  CHECK(cudaStreamIsCapturing(s1, &status));
  EXPECT(status == cudaStreamCaptureStatusActive);
  CHECK(cudaStreamIsCapturing(s2, &status));
  EXPECT(status == cudaStreamCaptureStatusNone);
  CHECK(cudaMemcpyAsync(d_in, h_in, n * sizeof(int), cudaMemcpyHostToDevice, s1));
  CHECK(cudaEventRecord(fork, s1));
  CHECK(cudaStreamWaitEvent(s2, fork, 0));  // s2 joins the capture
  CHECK(cudaStreamIsCapturing(s2, &status));
  EXPECT(status == cudaStreamCaptureStatusActive);
  scale_add<<<grid, block, 0, s1>>>(d_a, d_in, factor, 1, n);
  scale_add<<<grid, block, 0, s2>>>(d_b, d_in, 2, 0, n);
  CHECK(cudaMemsetAsync(d_out, 0, n * sizeof(int), s2));
  CHECK(cudaEventRecord(join, s2));
  CHECK(cudaStreamWaitEvent(s1, join, 0));
  combine<<<grid, block, 0, s1>>>(d_out, d_a, d_b, n);
  CHECK(cudaMemcpyAsync(h_out, d_out, n * sizeof(int), cudaMemcpyDeviceToHost, s1));
  CHECK(cudaLaunchHostFunc(s1, count_call, &one));
  unsigned long long id = 0;
  cudaGraph_t capturing_graph = nullptr;
  size_t num_deps = 0;
  const cudaGraphNode_t* deps = nullptr;
  CHECK(cudaStreamGetCaptureInfo(s1, &status, &id, &capturing_graph, &deps, nullptr, &num_deps));
  EXPECT(status == cudaStreamCaptureStatusActive && id != 0 && capturing_graph && num_deps == 1 && deps);
  cudaGraph_t graph;
  CHECK(cudaStreamEndCapture(s1, &graph));
  EXPECT(graph == capturing_graph);
  CHECK(cudaStreamIsCapturing(s2, &status));
  EXPECT(status == cudaStreamCaptureStatusNone);  // the forked stream left the capture too
  factor = 100;                                    // the graph holds the captured value (3)

  // Nothing ran during capture.
  EXPECT(host_calls == 0);
  std::vector<int> probe(n);
  CHECK(cudaMemcpy(probe.data(), d_out, n * sizeof(int), cudaMemcpyDeviceToHost));
  EXPECT(probe[0] == 0x55555555);

  size_t count = 0;
  CHECK(cudaGraphGetNodes(graph, nullptr, &count));
  EXPECT(count == 7);  // copy, 2 kernels, memset, kernel, copy, host (events add edges, not nodes)
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  CHECK(cudaGraphDestroy(graph));  // the executable graph is independent of it

  const int replays = 5;
  for (int r = 0; r < replays; ++r) {
    for (int i = 0; i < n; ++i) h_in[i] = (i * 7 + r * 13) % 101 - 50;
    CHECK(cudaGraphLaunch(exec, s1));
    CHECK(cudaStreamSynchronize(s1));
    for (int i = 0; i < n; ++i) {
      const int a = h_in[i] * 3 + 1, b = h_in[i] * 2;
      EXPECT(h_out[i] == a - b);
    }
  }
  EXPECT(host_calls == replays);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaStreamDestroy(s1));
  CHECK(cudaStreamDestroy(s2));
  std::printf("graph_capture: %d replays OK\n", replays);
  return 0;
}
