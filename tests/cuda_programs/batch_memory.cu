// CUDA 12.8/13 batched and location-based memory calls as a program uses them, checked against the
// host: cudaMemcpyBatchAsync (copies of every direction, two attribute runs, the documented
// refusals), cudaMemPrefetchBatchAsync / cudaMemDiscardBatchAsync on managed memory,
// cudaMemGetDefaultMemPool / cudaMemGetMemPool / cudaMemSetMemPool for the device location (host
// pools: cudaErrorNotSupported), cudaDeviceGetHostAtomicCapabilities.
#include <cstdio>
#include <vector>

#include "check.cuh"

__global__ void add_one(int* v, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] += 1;
}

static void expect_error(cudaError_t got, cudaError_t want) {
  EXPECT(got == want);
  EXPECT(cudaGetLastError() == want);  // reported, and not sticky
}

int main() {
  const int n = 1000;
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  std::vector<int> host(n), back(n, -1);
  for (int i = 0; i < n; ++i) host[i] = 3 * i;
  int *a = nullptr, *b = nullptr;
  CHECK(cudaMalloc(&a, n * sizeof(int)));
  CHECK(cudaMalloc(&b, n * sizeof(int)));

  // host -> a, a -> b (device to device), then b -> back after a kernel on b.
  cudaMemcpyAttributes attrs[2] = {};
  attrs[0].srcAccessOrder = cudaMemcpySrcAccessOrderStream;
  attrs[1].srcAccessOrder = cudaMemcpySrcAccessOrderDuringApiCall;
  size_t runs[2] = {0, 1};
  void* dsts[2] = {a, b};
  const void* srcs[2] = {host.data(), a};
  size_t sizes[2] = {n * sizeof(int), n * sizeof(int)};
  CHECK(cudaMemcpyBatchAsync(dsts, srcs, sizes, 2, attrs, runs, 2, stream));
  add_one<<<(n + 255) / 256, 256, 0, stream>>>(b, n);
  void* out_dsts[1] = {back.data()};
  const void* out_srcs[1] = {b};
  CHECK(cudaMemcpyBatchAsync(out_dsts, out_srcs, sizes, 1, attrs, runs, 1, stream));
  CHECK(cudaStreamSynchronize(stream));
  for (int i = 0; i < n; ++i) EXPECT(back[i] == 3 * i + 1);

  // The documented refusals: the legacy NULL stream, runs not starting at 0, a bad access order.
  expect_error(cudaMemcpyBatchAsync(dsts, srcs, sizes, 2, attrs, runs, 2, 0), cudaErrorInvalidValue);
  size_t bad_runs[2] = {1, 1};
  expect_error(cudaMemcpyBatchAsync(dsts, srcs, sizes, 2, attrs, bad_runs, 2, stream), cudaErrorInvalidValue);
  cudaMemcpyAttributes unset[1] = {};
  expect_error(cudaMemcpyBatchAsync(dsts, srcs, sizes, 2, unset, runs, 1, stream), cudaErrorInvalidValue);

  // Prefetch and discard batches: managed memory only.
  int* managed = nullptr;
  CHECK(cudaMallocManaged(&managed, n * sizeof(int)));
  for (int i = 0; i < n; ++i) managed[i] = i;
  void* ptrs[2] = {managed, managed + n / 2};
  size_t halves[2] = {n / 2 * sizeof(int), n / 2 * sizeof(int)};
  cudaMemLocation where[1] = {};
  where[0].type = cudaMemLocationTypeDevice;
  where[0].id = 0;
  size_t loc_runs[1] = {0};
  CHECK(cudaMemPrefetchBatchAsync(ptrs, halves, 2, where, loc_runs, 1, 0, stream));
  CHECK(cudaMemDiscardAndPrefetchBatchAsync(ptrs, halves, 2, where, loc_runs, 1, 0, stream));
  add_one<<<(n + 255) / 256, 256, 0, stream>>>(managed, n);
  CHECK(cudaStreamSynchronize(stream));
  EXPECT(managed[n - 1] == n);  // written after the discard: defined again
  void* not_managed[1] = {a};
  expect_error(cudaMemPrefetchBatchAsync(not_managed, halves, 1, where, loc_runs, 1, 0, stream), cudaErrorInvalidValue);
  expect_error(cudaMemDiscardBatchAsync(not_managed, halves, 1, 0, stream), cudaErrorInvalidValue);

  // Pools by location.
  cudaMemPool_t by_device = nullptr, by_location = nullptr, current = nullptr, mine = nullptr;
  CHECK(cudaDeviceGetDefaultMemPool(&by_device, 0));
  CHECK(cudaMemGetDefaultMemPool(&by_location, where, cudaMemAllocationTypePinned));
  EXPECT(by_device == by_location);
  cudaMemPoolProps props = {};
  props.allocType = cudaMemAllocationTypePinned;
  props.location = where[0];
  CHECK(cudaMemPoolCreate(&mine, &props));
  CHECK(cudaMemSetMemPool(where, cudaMemAllocationTypePinned, mine));
  CHECK(cudaMemGetMemPool(&current, where, cudaMemAllocationTypePinned));
  EXPECT(current == mine);
  CHECK(cudaDeviceGetMemPool(&current, 0));
  EXPECT(current == mine);
  CHECK(cudaMemSetMemPool(where, cudaMemAllocationTypePinned, by_device));
  cudaMemLocation host_location = {};
  host_location.type = cudaMemLocationTypeHost;
  expect_error(cudaMemGetDefaultMemPool(&current, &host_location, cudaMemAllocationTypePinned), cudaErrorNotSupported);
  CHECK(cudaMemPoolDestroy(mine));

  // Host atomics over the link: none natively; an operation outside the enum is refused.
  const cudaAtomicOperation ops[3] = {cudaAtomicOperationIntegerAdd, cudaAtomicOperationCAS, cudaAtomicOperationFloatAdd};
  unsigned caps[3] = {99, 99, 99};
  CHECK(cudaDeviceGetHostAtomicCapabilities(caps, ops, 3, 0));
  EXPECT(caps[0] == 0 && caps[1] == 0 && caps[2] == 0);
  const cudaAtomicOperation bad_op[1] = {cudaAtomicOperation(77)};
  expect_error(cudaDeviceGetHostAtomicCapabilities(caps, bad_op, 1, 0), cudaErrorInvalidValue);
  expect_error(cudaDeviceGetHostAtomicCapabilities(caps, ops, 3, 5), cudaErrorInvalidDevice);

  CHECK(cudaFree(a));
  CHECK(cudaFree(b));
  CHECK(cudaFree(managed));
  CHECK(cudaStreamDestroy(stream));
  std::printf("batch_memory: OK\n");
  return 0;
}
