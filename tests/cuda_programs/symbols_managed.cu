// Module-scope variables: __device__ with an initializer, __constant__, __managed__, and
// cudaMallocManaged / mapped pinned memory that host and kernels share.
#include "check.cuh"

__device__ int table[4] = {10, 20, 30, 40};
__constant__ float coefficients[3];
__managed__ int counter = 5;
__managed__ double samples[100];
__managed__ int tally;

__global__ void use_symbols(float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = coefficients[0] + coefficients[1] * i + coefficients[2] * table[i % 4];
  if (i == 0) counter += 1;
}

__global__ void bump(int* p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] += i;
}

// Counts the whole values and triples each: the kernel reaches the arrays through its arguments.
__global__ void tally_halves(double* values, int n, int* whole) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  if (values[i] == floor(values[i])) atomicAdd(whole, 1);
  values[i] *= 3.0;
}

int main() {
  const float c[3] = {1.0f, 0.5f, 2.0f};
  CHECK(cudaMemcpyToSymbol(coefficients, c, sizeof c));
  int t[4] = {1, 2, 3, 4};
  CHECK(cudaMemcpyToSymbol(table, t + 1, sizeof(int), sizeof(int)));  // table[1] = 2
  EXPECT(counter == 5);
  counter = 100;
  const int n = 300;
  float* out;
  CHECK(cudaMallocManaged(&out, n * sizeof(float)));
  use_symbols<<<3, 128>>>(out, n);
  CHECK(cudaDeviceSynchronize());
  const int expect_table[4] = {10, 2, 30, 40};
  for (int i = 0; i < n; ++i) EXPECT(out[i] == c[0] + c[1] * i + c[2] * expect_table[i % 4]);
  EXPECT(counter == 101);
  int back[4];
  CHECK(cudaMemcpyFromSymbol(back, table, sizeof back));
  EXPECT(back[0] == 10 && back[1] == 2 && back[3] == 40);
  int* table_ptr = nullptr;
  CHECK(cudaGetSymbolAddress(reinterpret_cast<void**>(&table_ptr), table));
  bump<<<1, 4>>>(table_ptr, 4);
  CHECK(cudaMemcpyFromSymbol(back, table, sizeof back));
  EXPECT(back[0] == 10 && back[1] == 3 && back[2] == 32 && back[3] == 43);
  size_t size = 0;
  CHECK(cudaGetSymbolSize(&size, coefficients));
  EXPECT(size == sizeof c);

  // A __managed__ variable is an ordinary symbol as well (CUDA accepts it in the symbol calls),
  // and host code's address of it is managed memory.
  cudaPointerAttributes managed_attr;
  CHECK(cudaPointerGetAttributes(&managed_attr, &counter));
  EXPECT(managed_attr.type == cudaMemoryTypeManaged);
  CHECK(cudaGetSymbolSize(&size, counter));
  EXPECT(size == sizeof(int));
  const int seven = 7;
  CHECK(cudaMemcpyToSymbol(counter, &seven, sizeof seven));
  EXPECT(counter == 7);
  counter = 9;  // the host's write since: the symbol's value now
  int got = 0;
  CHECK(cudaMemcpyFromSymbol(&got, counter, sizeof got));
  EXPECT(got == 9);
  void* counter_address = nullptr;
  CHECK(cudaGetSymbolAddress(&counter_address, counter));
  EXPECT(counter_address == &counter);  // one address for host and device (unified memory)
  use_symbols<<<1, 1>>>(out, 1);
  CHECK(cudaDeviceSynchronize());
  EXPECT(counter == 10);

  // A __managed__ variable's host address is the device's: passed to kernels (an array by name,
  // a scalar by &), set by cudaMemset and cudaMemcpy, read on the host after a synchronize.
  for (int i = 0; i < 100; ++i) samples[i] = 0.5 * i;
  CHECK(cudaMemset(&tally, 0, sizeof tally));
  tally_halves<<<1, 100>>>(samples, 100, &tally);
  CHECK(cudaDeviceSynchronize());
  EXPECT(tally == 50);  // samples[i] = 0.5 i is whole for the 50 even i
  for (int i = 0; i < 100; ++i) EXPECT(samples[i] == 1.5 * i);
  const int forty_two = 42;
  CHECK(cudaMemcpy(&tally, &forty_two, sizeof tally, cudaMemcpyHostToDevice));
  EXPECT(tally == 42);
  CHECK(cudaPointerGetAttributes(&managed_attr, samples + 50));
  EXPECT(managed_attr.type == cudaMemoryTypeManaged);
  // A graph's symbol copy reaches it too.
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  cudaGraphNode_t copy_node;
  const int ninety = 90;
  CHECK(cudaGraphCreate(&graph, 0));
  CHECK(cudaGraphAddMemcpyNodeToSymbol(&copy_node, graph, nullptr, 0, tally, &ninety, sizeof ninety, 0,
                                       cudaMemcpyHostToDevice));
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaStreamSynchronize(0));
  EXPECT(tally == 90);
  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(graph));

  // Mapped pinned memory: the kernel writes the host's buffer directly.
  int* pinned;
  CHECK(cudaHostAlloc(&pinned, 64 * sizeof(int), cudaHostAllocMapped));
  for (int i = 0; i < 64; ++i) pinned[i] = 1000;
  int* pinned_dev;
  CHECK(cudaHostGetDevicePointer(reinterpret_cast<void**>(&pinned_dev), pinned, 0));
  bump<<<1, 64>>>(pinned_dev, 64);
  CHECK(cudaDeviceSynchronize());
  for (int i = 0; i < 64; ++i) EXPECT(pinned[i] == 1000 + i);
  cudaPointerAttributes attr;
  CHECK(cudaPointerGetAttributes(&attr, out));
  EXPECT(attr.type == cudaMemoryTypeManaged);
  CHECK(cudaPointerGetAttributes(&attr, table_ptr));
  EXPECT(attr.type == cudaMemoryTypeDevice);
  CHECK(cudaFreeHost(pinned));
  CHECK(cudaFree(out));

  // After a device reset the managed variables keep their values and are at once reachable by
  // kernels at the address host code now gives.
  CHECK(cudaDeviceReset());
  EXPECT(tally == 90 && samples[2] == 3.0);
  CHECK(cudaMemset(&tally, 0, sizeof tally));
  tally_halves<<<1, 100>>>(samples, 100, &tally);
  CHECK(cudaDeviceSynchronize());
  EXPECT(tally == 50 && samples[2] == 9.0);
  std::printf("symbols_managed: OK\n");
  return 0;
}
