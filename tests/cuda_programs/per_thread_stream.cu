// Built with `nvcc --default-stream per-thread`: cuda_runtime_api.h then renames the calls to
// their _ptds/_ptsz entry points (cudaMemcpy2D_ptds, cudaLaunchHostFunc_ptsz, ...). Several host
// threads each stage a 2-D tile through pitched memory and a CUDA array on their own default
// stream, add a __constant__ table, and read the result back; every call must resolve to a
// working entry point.
#include <thread>
#include <vector>
#include "check.cuh"

__constant__ int table[8];

__global__ void add_table(int* p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] += table[i % 8];
}

static void CUDART_CB count_host_fn(void* user) { ++*static_cast<int*>(user); }
static void CUDART_CB count_callback(cudaStream_t, cudaError_t status, void* user) {
  if (status == cudaSuccess) ++*static_cast<int*>(user);
}

constexpr int kWidth = 64, kHeight = 4, kN = kWidth * kHeight;

// One thread's work on its per-thread default stream (stream 0 in this build); returns the
// values read back and counts its host functions in `calls`.
static std::vector<int> run_on_default_stream(int id, int& calls) {
  std::vector<int> h(kN, id), back(kN, -1);
  size_t pitch = 0;
  int* pitched = nullptr;
  CHECK(cudaMallocPitch(reinterpret_cast<void**>(&pitched), &pitch, kWidth * sizeof(int), kHeight));
  CHECK(cudaMemset2D(pitched, pitch, 0xff, kWidth * sizeof(int), kHeight));
  CHECK(cudaMemcpy2D(pitched, pitch, h.data(), kWidth * sizeof(int), kWidth * sizeof(int), kHeight, cudaMemcpyHostToDevice));
  // Through a CUDA array and back into linear memory.
  cudaChannelFormatDesc desc = cudaCreateChannelDesc<int>();
  cudaArray_t array = nullptr;
  CHECK(cudaMallocArray(&array, &desc, kWidth, kHeight));
  CHECK(cudaMemcpy2DToArrayAsync(array, 0, 0, pitched, pitch, kWidth * sizeof(int), kHeight, cudaMemcpyDeviceToDevice, 0));
  int* d = nullptr;
  CHECK(cudaMalloc(&d, kN * sizeof(int)));
  CHECK(cudaMemcpy2DFromArray(d, kWidth * sizeof(int), array, 0, 0, kWidth * sizeof(int), kHeight, cudaMemcpyDeviceToDevice));
  add_table<<<kN / 64, 64>>>(d, kN);
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(kN / 64);
  config.blockDim = dim3(64);
  CHECK(cudaLaunchKernelEx(&config, add_table, d, kN));
  CHECK(cudaLaunchHostFunc(0, count_host_fn, &calls));
  CHECK(cudaStreamAddCallback(0, count_callback, &calls, 0));
  CHECK(cudaMemcpy2DAsync(back.data(), kWidth * sizeof(int), d, kWidth * sizeof(int), kWidth * sizeof(int), kHeight,
                          cudaMemcpyDeviceToHost, 0));
  CHECK(cudaStreamSynchronize(0));
  unsigned flags = 1;
  int priority = 1;
  CHECK(cudaStreamGetFlags(0, &flags));
  CHECK(cudaStreamGetPriority(0, &priority));
  EXPECT(flags == 0 && priority == 0);
  CHECK(cudaFreeArray(array));
  CHECK(cudaFree(d));
  CHECK(cudaFree(pitched));
  return back;
}

int main() {
  int values[8];
  for (int i = 0; i < 8; ++i) values[i] = 10 * i;
  CHECK(cudaMemcpyToSymbol(table, values, 4 * sizeof(int)));
  CHECK(cudaMemcpyToSymbolAsync(table, values + 4, 4 * sizeof(int), 4 * sizeof(int), cudaMemcpyHostToDevice, 0));
  int check[8] = {};
  CHECK(cudaMemcpyFromSymbol(check, table, sizeof check));
  for (int i = 0; i < 8; ++i) EXPECT(check[i] == 10 * i);

  const int threads = 4;
  std::vector<std::vector<int>> results(threads);
  std::vector<int> calls(threads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { results[t] = run_on_default_stream(t, calls[t]); });
  for (auto& th : pool) th.join();
  for (int t = 0; t < threads; ++t) {
    EXPECT(calls[t] == 2);
    for (int i = 0; i < kN; ++i) EXPECT(results[t][i] == t + 2 * 10 * (i % 8));
  }
  CHECK(cudaDeviceSynchronize());
  std::printf("per_thread_stream: OK\n");
  return 0;
}
