// Stream-ordered allocation: cudaMallocAsync/cudaFreeAsync in a loop (results checked against the
// CPU), the default pool's attributes (release threshold, reuse of freed blocks, watermarks,
// trimming), a created pool, and cudaMallocAsync captured into a graph (alloc and free nodes);
// the device says it supports pools.
#include <cstdint>
#include <vector>
#include "check.cuh"

__global__ void iota_times(int* p, int k, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] = i * k;
}

__global__ void add_into(int* out, const int* in, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] += in[i];
}

static uint64_t attr(cudaMemPool_t pool, cudaMemPoolAttr a) {
  uint64_t v = 0;
  CHECK(cudaMemPoolGetAttribute(pool, a, &v));
  return v;
}

int main() {
  const int n = 2048, block = 256, grid = n / block;
  const size_t bytes = n * sizeof(int);
  // What the cuda-samples check before using pools (they skip the program when it is 0).
  int pools = 0, handle_types = -1;
  CHECK(cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, 0));
  CHECK(cudaDeviceGetAttribute(&handle_types, cudaDevAttrMemoryPoolSupportedHandleTypes, 0));
  EXPECT(pools == 1 && handle_types == cudaMemHandleTypeNone);
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  EXPECT(prop.memoryPoolsSupported == 1);
  cudaStream_t s;
  CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  int* sum;
  CHECK(cudaMalloc(&sum, bytes));
  CHECK(cudaMemsetAsync(sum, 0, bytes, s));

  cudaMemPool_t pool;
  CHECK(cudaDeviceGetDefaultMemPool(&pool, 0));
  uint64_t threshold = UINT64_MAX;  // keep freed memory for reuse across synchronisations
  CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold));
  const int rounds = 6;
  for (int k = 1; k <= rounds; ++k) {
    int* tmp;
    CHECK(cudaMallocAsync(&tmp, bytes, s));
    iota_times<<<grid, block, 0, s>>>(tmp, k, n);
    add_into<<<grid, block, 0, s>>>(sum, tmp, n);
    CHECK(cudaFreeAsync(tmp, s));
    CHECK(cudaStreamSynchronize(s));
  }
  std::vector<int> h(n);
  CHECK(cudaMemcpy(h.data(), sum, bytes, cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == i * rounds * (rounds + 1) / 2);
  // One block served every round: reserved once, reused, now cached and unused.
  EXPECT(attr(pool, cudaMemPoolAttrReservedMemCurrent) == bytes);
  EXPECT(attr(pool, cudaMemPoolAttrUsedMemCurrent) == 0);
  EXPECT(attr(pool, cudaMemPoolAttrUsedMemHigh) == bytes);
  CHECK(cudaMemPoolTrimTo(pool, 0));
  EXPECT(attr(pool, cudaMemPoolAttrReservedMemCurrent) == 0);
  // With the default threshold (0) cached memory goes back at the next synchronisation.
  threshold = 0;
  CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold));
  int *x, *y;
  CHECK(cudaMallocAsync(&x, bytes, s));
  CHECK(cudaMallocAsync(&y, bytes, s));
  EXPECT(attr(pool, cudaMemPoolAttrUsedMemCurrent) == 2 * bytes);
  CHECK(cudaFreeAsync(x, s));
  CHECK(cudaFreeAsync(y, s));
  EXPECT(attr(pool, cudaMemPoolAttrReservedMemCurrent) == 2 * bytes);
  CHECK(cudaStreamSynchronize(s));
  EXPECT(attr(pool, cudaMemPoolAttrReservedMemCurrent) == 0);
  uint64_t zero = 0;
  CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrUsedMemHigh, &zero));
  EXPECT(attr(pool, cudaMemPoolAttrUsedMemHigh) == 0);

  // A pool of the program's own.
  cudaMemPoolProps props = {};
  props.allocType = cudaMemAllocationTypePinned;
  props.location.type = cudaMemLocationTypeDevice;
  props.location.id = 0;
  cudaMemPool_t mine;
  CHECK(cudaMemPoolCreate(&mine, &props));
  int* z;
  CHECK(cudaMallocFromPoolAsync(&z, bytes, mine, s));
  iota_times<<<grid, block, 0, s>>>(z, 3, n);
  CHECK(cudaMemcpyAsync(h.data(), z, bytes, cudaMemcpyDeviceToHost, s));
  CHECK(cudaStreamSynchronize(s));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == 3 * i);
  EXPECT(attr(mine, cudaMemPoolAttrUsedMemCurrent) == bytes);
  EXPECT(attr(pool, cudaMemPoolAttrUsedMemCurrent) == 0);
  CHECK(cudaFreeAsync(z, s));
  CHECK(cudaMemPoolDestroy(mine));
  EXPECT(cudaMemPoolDestroy(pool) == cudaErrorInvalidValue);  // the default pool stays
  cudaGetLastError();

  // Captured: the allocation becomes a node of the graph; each replay uses it.
  CHECK(cudaMemsetAsync(sum, 0, bytes, s));
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  int* scratch;
  CHECK(cudaMallocAsync(&scratch, bytes, s));
  iota_times<<<grid, block, 0, s>>>(scratch, 2, n);
  add_into<<<grid, block, 0, s>>>(sum, scratch, n);
  CHECK(cudaFreeAsync(scratch, s));
  cudaGraph_t graph;
  CHECK(cudaStreamEndCapture(s, &graph));
  cudaGraphNode_t nodes[4];
  size_t count = 4;
  CHECK(cudaGraphGetNodes(graph, nodes, &count));
  cudaGraphNodeType first, last;
  CHECK(cudaGraphNodeGetType(nodes[0], &first));
  CHECK(cudaGraphNodeGetType(nodes[3], &last));
  EXPECT(count == 4 && first == cudaGraphNodeTypeMemAlloc && last == cudaGraphNodeTypeMemFree);
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  CHECK(cudaGraphDestroy(graph));
  const int replays = 3;
  for (int r = 0; r < replays; ++r) CHECK(cudaGraphLaunch(exec, s));
  CHECK(cudaStreamSynchronize(s));
  CHECK(cudaMemcpy(h.data(), sum, bytes, cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == replays * 2 * i);
  CHECK(cudaGraphExecDestroy(exec));
  std::printf("mempool: OK\n");
  return 0;
}
