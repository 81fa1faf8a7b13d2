// CUDA calls from inside host functions and stream callbacks, which CUDA forbids: each call made
// there returns cudaErrorNotPermitted (a synchronisation would otherwise wait for the callback
// itself), the enqueuing thread's last error is untouched, and the program carries on. Error
// names and strings, which touch no device, stay usable inside.
#include <cstring>
#include <vector>
#include "check.cuh"

__global__ void add(int* p, int n, int v) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] += v;
}

struct Seen {
  cudaStream_t stream = nullptr;
  int* device = nullptr;
  std::vector<cudaError_t> results;
  bool name_ok = false;
};

static void CUDART_CB calls_cuda(void* user) {
  Seen& s = *static_cast<Seen*>(user);
  void* p = nullptr;
  s.results.push_back(cudaMalloc(&p, 256));
  s.results.push_back(cudaStreamSynchronize(s.stream));
  s.results.push_back(cudaDeviceSynchronize());
  s.results.push_back(cudaMemsetAsync(s.device, 0, 16, s.stream));
  s.name_ok = std::strcmp(cudaGetErrorName(cudaErrorNotPermitted), "cudaErrorNotPermitted") == 0;
}

static void CUDART_CB callback_calls_cuda(cudaStream_t stream, cudaError_t status, void* user) {
  Seen& s = *static_cast<Seen*>(user);
  int host = 0;
  s.results.push_back(status);
  s.results.push_back(cudaMemcpy(&host, s.device, sizeof host, cudaMemcpyDeviceToHost));
}

int main() {
  const int n = 1024;
  Seen seen;
  CHECK(cudaStreamCreate(&seen.stream));
  CHECK(cudaMalloc(&seen.device, n * sizeof(int)));
  CHECK(cudaMemsetAsync(seen.device, 0, n * sizeof(int), seen.stream));
  add<<<n / 256, 256, 0, seen.stream>>>(seen.device, n, 3);
  CHECK(cudaLaunchHostFunc(seen.stream, calls_cuda, &seen));
  CHECK(cudaStreamAddCallback(seen.stream, callback_calls_cuda, &seen, 0));
  add<<<n / 256, 256, 0, seen.stream>>>(seen.device, n, 4);
  CHECK(cudaStreamSynchronize(seen.stream));
  EXPECT(cudaGetLastError() == cudaSuccess);  // the callbacks' errors were theirs
  EXPECT(seen.results.size() == 6);
  for (int i : {0, 1, 2, 3, 5}) EXPECT(seen.results[i] == cudaErrorNotPermitted);
  EXPECT(seen.results[4] == cudaSuccess);  // the status the callback was given
  EXPECT(seen.name_ok);

  // A graph's host node is under the same rule.
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  seen.results.clear();
  CHECK(cudaStreamBeginCapture(seen.stream, cudaStreamCaptureModeGlobal));
  add<<<n / 256, 256, 0, seen.stream>>>(seen.device, n, 10);
  CHECK(cudaLaunchHostFunc(seen.stream, calls_cuda, &seen));
  CHECK(cudaStreamEndCapture(seen.stream, &graph));
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  CHECK(cudaGraphLaunch(exec, seen.stream));
  CHECK(cudaStreamSynchronize(seen.stream));
  EXPECT(seen.results.size() == 4);
  for (cudaError_t e : seen.results) EXPECT(e == cudaErrorNotPermitted);

  // Nothing the callbacks tried happened, and the device still works.
  std::vector<int> h(n);
  CHECK(cudaMemcpy(h.data(), seen.device, n * sizeof(int), cudaMemcpyDeviceToHost));
  for (int v : h) EXPECT(v == 3 + 4 + 10);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(graph));
  CHECK(cudaStreamDestroy(seen.stream));
  CHECK(cudaFree(seen.device));
  std::printf("host_callbacks: OK\n");
  return 0;
}
