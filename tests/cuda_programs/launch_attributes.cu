// Launch API variants an outside program uses: cudaLaunchKernel with a void** argument array,
// cudaLaunchKernelEx with programmatic dependent launch (the consumer waits in
// cudaGridDependencySynchronize for the producer's writes), the programmatic and launch-completion
// events (recorded, so other streams can wait on them and time them), a config whose attribute
// array is missing, dynamic shared memory above 48 KiB after cudaFuncSetAttribute, and the
// occupancy template with block-size-dependent shared memory.
#include <vector>
#include "check.cuh"

__global__ void axpy(float a, const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] += a * x[i];
}

__global__ void producer(int* buf, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) buf[i] = 2 * i;
  cudaTriggerProgrammaticLaunchCompletion();
}

__global__ void consumer(const int* buf, int* out, int n) {
  cudaGridDependencySynchronize();  // the producer's writes are visible after this
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = buf[i] + 1;
}

// Reverses 56 KiB of dynamic shared memory per block: over the 48 KiB default limit.
constexpr int kBigShared = 56 * 1024, kBigInts = kBigShared / 4;
__global__ void reverse_in_shared(const int* in, int* out) {
  extern __shared__ int s[];
  for (int i = threadIdx.x; i < kBigInts; i += blockDim.x) s[i] = in[i];
  __syncthreads();
  for (int i = threadIdx.x; i < kBigInts; i += blockDim.x) out[i] = s[kBigInts - 1 - i];
}

static int shared_for_block(int block) { return block * 16; }

int main() {
  const int n = 1000;
  // --- cudaLaunchKernel with the arguments as an array of pointers
  float *x, *y;
  CHECK(cudaMalloc(&x, n * sizeof(float)));
  CHECK(cudaMalloc(&y, n * sizeof(float)));
  std::vector<float> hx(n), hy(n, 1.0f);
  for (int i = 0; i < n; ++i) hx[i] = static_cast<float>(i);
  CHECK(cudaMemcpy(x, hx.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(y, hy.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  float a = 2.0f;
  int count = n;
  void* args[] = {&a, &x, &y, &count};
  CHECK(cudaLaunchKernel(reinterpret_cast<const void*>(axpy), dim3((n + 127) / 128), dim3(128), args, 0, nullptr));
  CHECK(cudaMemcpy(hy.data(), y, n * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(hy[i] == 1.0f + 2.0f * i);

  // --- programmatic dependent launch, with both events
  int *buf, *out;
  CHECK(cudaMalloc(&buf, n * sizeof(int)));
  CHECK(cudaMalloc(&out, n * sizeof(int)));
  cudaStream_t s, other;
  CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  CHECK(cudaStreamCreateWithFlags(&other, cudaStreamNonBlocking));
  cudaEvent_t start, programmatic, completion;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreateWithFlags(&programmatic, cudaEventDisableTiming));
  CHECK(cudaEventCreate(&completion));
  CHECK(cudaEventRecord(start, s));
  producer<<<(n + 127) / 128, 128, 0, s>>>(buf, n);
  cudaLaunchAttribute attrs[3];
  attrs[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attrs[0].val.programmaticStreamSerializationAllowed = 1;
  attrs[1].id = cudaLaunchAttributeProgrammaticEvent;
  attrs[1].val.programmaticEvent.event = programmatic;
  attrs[1].val.programmaticEvent.flags = 0;
  attrs[1].val.programmaticEvent.triggerAtBlockStart = 0;
  attrs[2].id = cudaLaunchAttributeLaunchCompletionEvent;
  attrs[2].val.launchCompletionEvent.event = completion;
  attrs[2].val.launchCompletionEvent.flags = 0;
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3((n + 127) / 128);
  config.blockDim = dim3(128);
  config.stream = s;
  config.attrs = attrs;
  config.numAttrs = 3;
  CHECK(cudaLaunchKernelEx(&config, consumer, const_cast<const int*>(buf), out, n));
  CHECK(cudaStreamWaitEvent(other, programmatic, 0));
  std::vector<int> hout(n);
  CHECK(cudaMemcpyAsync(hout.data(), out, n * sizeof(int), cudaMemcpyDeviceToHost, other));
  CHECK(cudaStreamSynchronize(other));
  for (int i = 0; i < n; ++i) EXPECT(hout[i] == 2 * i + 1);
  EXPECT(cudaEventQuery(programmatic) == cudaSuccess);
  float ms = -1.0f;
  CHECK(cudaEventElapsedTime(&ms, start, completion));  // recorded by the launch
  EXPECT(ms >= 0.0f);
  config.attrs = nullptr;  // numAttrs still 3
  EXPECT(cudaLaunchKernelEx(&config, consumer, const_cast<const int*>(buf), out, n) == cudaErrorInvalidValue);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);

  // --- more than 48 KiB of dynamic shared memory needs the opt-in first
  int optin = 0;
  CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0));
  EXPECT(optin >= kBigShared);
  int *in_big, *out_big;
  CHECK(cudaMalloc(&in_big, kBigShared));
  CHECK(cudaMalloc(&out_big, kBigShared));
  std::vector<int> big(kBigInts);
  for (int i = 0; i < kBigInts; ++i) big[i] = i * 7 - 3;
  CHECK(cudaMemcpy(in_big, big.data(), kBigShared, cudaMemcpyHostToDevice));
  reverse_in_shared<<<1, 256, kBigShared, s>>>(in_big, out_big);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue);  // not opted in: the launch is refused
  CHECK(cudaFuncSetAttribute(reverse_in_shared, cudaFuncAttributeMaxDynamicSharedMemorySize, kBigShared));
  cudaFuncAttributes fa;
  CHECK(cudaFuncGetAttributes(&fa, reverse_in_shared));
  EXPECT(fa.maxDynamicSharedSizeBytes == kBigShared);
  reverse_in_shared<<<1, 256, kBigShared, s>>>(in_big, out_big);
  CHECK(cudaGetLastError());
  std::vector<int> reversed(kBigInts);
  CHECK(cudaMemcpyAsync(reversed.data(), out_big, kBigShared, cudaMemcpyDeviceToHost, s));
  CHECK(cudaStreamSynchronize(s));
  for (int i = 0; i < kBigInts; ++i) EXPECT(reversed[i] == big[kBigInts - 1 - i]);

  // --- occupancy with shared memory growing with the block
  int min_grid = 0, block = 0;
  CHECK(cudaOccupancyMaxPotentialBlockSizeVariableSMem(&min_grid, &block, axpy, shared_for_block, 0));
  EXPECT(block > 0 && block <= 1024 && block % 32 == 0 && min_grid > 0);
  int per_sm = 0;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, axpy, block, shared_for_block(block)));
  EXPECT(per_sm >= 1);

  for (cudaEvent_t e : {start, programmatic, completion}) CHECK(cudaEventDestroy(e));
  CHECK(cudaStreamDestroy(s));
  CHECK(cudaStreamDestroy(other));
  std::printf("launch_attributes: OK\n");
  return 0;
}
