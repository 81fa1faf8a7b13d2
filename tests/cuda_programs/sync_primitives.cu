// libcu++ synchronisation beyond libcudacxx.cu: a warp-specialised producer/consumer
// cuda::pipeline (make_pipeline with a producer count), cuda::memcpy_async completing on a
// cuda::barrier, the __pipeline_memcpy_async primitives with 4/8/16-byte copies and zero-fill
// (the zfill argument: cp.async's src-size below its size), cuda::barrier with a completion function, cuda::latch,
// cuda::counting_semaphore and binary_semaphore, cuda::atomic wait/notify and atomic_flag,
// atomic<float>/<double> fetch_add in shared memory, and cuda::atomic_thread_fence at each scope.
// Every result is compared with a CPU computation.
#pragma nv_diag_suppress static_var_with_dynamic_init
#include <cuda/atomic>
#include <cuda/barrier>
#include <cuda/latch>
#include <cuda/pipeline>
#include <cuda/semaphore>
#include <cuda/std/barrier>
#include <cuda_pipeline.h>
#include <cooperative_groups.h>

#include <cstdio>
#include <new>
#include <vector>

#include "check.cuh"
#include "device_vectors.cuh"

namespace cg = cooperative_groups;

// Warp 0 produces (copies chunks of `in` into a ring of stages), warps 1..3 consume (sum them).
constexpr int kStages = 3, kChunk = 96;
__global__ void producer_consumer(const int* in, long long* out, int chunks) {
  __shared__ int ring[kStages][kChunk];
  __shared__ cuda::pipeline_shared_state<cuda::thread_scope_block, kStages> state;
  __shared__ long long sums[96];
  auto block = cg::this_thread_block();
  const bool producer = threadIdx.x < 32;
  auto pipe = cuda::make_pipeline(block, &state, producer ? cuda::pipeline_role::producer : cuda::pipeline_role::consumer);
  if (producer) {
    for (int c = 0; c < chunks; ++c) {
      pipe.producer_acquire();
      for (int i = threadIdx.x; i < kChunk; i += 32)
        cuda::memcpy_async(&ring[c % kStages][i], in + c * kChunk + i, sizeof(int), pipe);
      pipe.producer_commit();
    }
  } else {
    long long acc = 0;
    const int me = threadIdx.x - 32;
    for (int c = 0; c < chunks; ++c) {
      pipe.consumer_wait();
      acc += ring[c % kStages][me] * (c + 1);
      pipe.consumer_release();
    }
    sums[me] = acc;
  }
  block.sync();
  if (!producer) out[blockIdx.x * 96 + threadIdx.x - 32] = sums[threadIdx.x - 32];
}

// cuda::memcpy_async whose completion is tracked by a cuda::barrier (not a pipeline).
__global__ void barrier_copy(const float* in, float* out, int n) {
  extern __shared__ float tile[];
  __shared__ cuda::barrier<cuda::thread_scope_block> bar;
  auto block = cg::this_thread_block();
  if (block.thread_rank() == 0) init(&bar, block.size());
  block.sync();
  cuda::memcpy_async(block, tile, in + blockIdx.x * n, sizeof(float) * n, bar);
  bar.arrive_and_wait();
  for (int i = threadIdx.x; i < n; i += blockDim.x) out[blockIdx.x * n + i] = tile[n - 1 - i] * 2.0f;
}

// The primitive API: cp.async of 4, 8 and 16 bytes, the last with src_size < 16 (zero-filled).
__global__ void primitives(const int* in, int* out) {
  __shared__ __align__(16) int s4[64], s8[128], s16[256];
  const int t = threadIdx.x;
  __pipeline_memcpy_async(&s4[t], &in[t], 4);
  __pipeline_memcpy_async(&s8[2 * t], &in[100 + 2 * t], 8);
  __pipeline_commit();
  // The fourth argument is the zero-fill count: thread t copies 16 - (t % 5) * 4 bytes of its 16
  // (cp.async with src-size 16 - zfill); the rest of its slot must become zero.
  __pipeline_memcpy_async(&s16[4 * t], &in[300 + 4 * t], 16, (t % 5) * 4);
  __pipeline_commit();
  __pipeline_wait_prior(1);  // the first group is complete; the second may not be
  __syncthreads();
  out[t] = s4[63 - t] + s8[2 * t + 1];
  __pipeline_wait_prior(0);
  __syncthreads();
  for (int k = 0; k < 4; ++k) out[64 + 4 * t + k] = s16[4 * t + k];
}

// cuda::barrier with a completion function: after each phase one thread of the barrier runs
// it, before any thread continues.
struct PhaseDone {
  int* phase_log;
  int* counter;
  __device__ void operator()() noexcept { phase_log[*counter] = *counter * 10, ++*counter; }
};
__global__ void barrier_completion(int* phase_log, int* values) {
  __shared__ int counter;
  __shared__ cuda::barrier<cuda::thread_scope_block, PhaseDone> bar;
  __shared__ int data[128];
  auto block = cg::this_thread_block();
  if (block.thread_rank() == 0) counter = 0, init(&bar, block.size(), PhaseDone{phase_log, &counter});
  block.sync();
  data[threadIdx.x] = threadIdx.x;
  for (int phase = 0; phase < 5; ++phase) {
    bar.arrive_and_wait();
    const int v = data[(threadIdx.x + 1) % 128] + counter;  // counter was advanced by the completion
    bar.arrive_and_wait();
    data[threadIdx.x] = v;
  }
  values[threadIdx.x] = data[threadIdx.x];
}

// latch: every thread counts down once; semaphore: at most 3 threads inside at a time.
__global__ void latch_and_semaphore(int* max_inside, int* total, int* order) {
  using Latch = cuda::latch<cuda::thread_scope_block>;
  using Semaphore = cuda::counting_semaphore<cuda::thread_scope_block, 3>;
  using Mutex = cuda::binary_semaphore<cuda::thread_scope_block>;
  // No default constructors: constructed in place in shared memory by one thread.
  __shared__ alignas(Latch) unsigned char latch_mem[sizeof(Latch)];
  __shared__ alignas(Semaphore) unsigned char sem_mem[sizeof(Semaphore)];
  __shared__ alignas(Mutex) unsigned char mutex_mem[sizeof(Mutex)];
  __shared__ int inside, sum, next;
  Latch& latch = *reinterpret_cast<Latch*>(latch_mem);
  Semaphore& sem = *reinterpret_cast<Semaphore*>(sem_mem);
  Mutex& mutex = *reinterpret_cast<Mutex*>(mutex_mem);
  if (threadIdx.x == 0) {
    new (latch_mem) Latch(blockDim.x);
    new (sem_mem) Semaphore(3);
    new (mutex_mem) Mutex(1);
    inside = 0, sum = 0, next = 0;
  }
  __syncthreads();
  latch.count_down();
  latch.wait();
  sem.acquire();
  const int now = atomicAdd(&inside, 1) + 1;
  atomicMax(max_inside, now);
  atomicSub(&inside, 1);
  sem.release();
  mutex.acquire();  // a plain (non-atomic) critical section
  sum += threadIdx.x;
  order[next++] = threadIdx.x;
  mutex.release();
  __syncthreads();
  if (threadIdx.x == 0) *total = sum + next * 1000000;
}

// atomic wait/notify: thread 0 of each block waits until the others have counted to the block
// size; atomic_flag as a try-lock; float and double fetch_add; fences at each scope.
__global__ void wait_notify(int* results, float* fsum, double* dsum) {
  __shared__ cuda::atomic<int, cuda::thread_scope_block> count;
  __shared__ cuda::std::atomic_flag flag;
  __shared__ cuda::atomic<float, cuda::thread_scope_block> f;
  __shared__ int winners;
  if (threadIdx.x == 0) count.store(0), flag.clear(), f.store(0.0f), winners = 0;
  __syncthreads();
  if (threadIdx.x == 0) {
    int seen = count.load();
    while (seen != int(blockDim.x) - 1) {
      count.wait(seen);
      seen = count.load(cuda::std::memory_order_acquire);
    }
    results[blockIdx.x * 2] = seen;
  } else {
    count.fetch_add(1, cuda::std::memory_order_release);
    count.notify_all();
  }
  if (!flag.test_and_set()) atomicAdd(&winners, 1);  // exactly one thread finds it clear
  f.fetch_add(0.25f * threadIdx.x);
  cuda::atomic_ref<double, cuda::thread_scope_device>(*dsum).fetch_add(0.5 * threadIdx.x);
  cuda::atomic_thread_fence(cuda::std::memory_order_seq_cst, cuda::thread_scope_block);
  cuda::atomic_thread_fence(cuda::std::memory_order_acq_rel, cuda::thread_scope_device);
  cuda::atomic_thread_fence(cuda::std::memory_order_release, cuda::thread_scope_system);
  __syncthreads();
  if (threadIdx.x == 0) results[blockIdx.x * 2 + 1] = winners, fsum[blockIdx.x] = f.load();
}


int main() {
  // producer/consumer
  const int chunks = 11, blocks = 2;
  std::vector<int> in(blocks * chunks * kChunk);
  for (size_t i = 0; i < in.size(); ++i) in[i] = int(i % 97) - 40;
  // Both blocks read the same chunks (the kernel indexes `in` by chunk only).
  int* d_in = dev(in);
  long long* d_out = dev(std::vector<long long>(blocks * 96, -1));
  producer_consumer<<<blocks, 128>>>(d_in, d_out, chunks);
  CHECK(cudaGetLastError());
  std::vector<long long> out = host(d_out, blocks * 96);
  for (int b = 0; b < blocks; ++b)
    for (int t = 0; t < 96; ++t) {
      long long want = 0;
      for (int c = 0; c < chunks; ++c) want += (long long)in[c * kChunk + t] * (c + 1);
      EXPECT(out[b * 96 + t] == want);
    }

  const int n = 777;
  std::vector<float> f(3 * n);
  for (int i = 0; i < 3 * n; ++i) f[i] = float(i) * 0.5f - 100;
  float* d_f = dev(f);
  float* d_fo = dev(std::vector<float>(3 * n, 0));
  barrier_copy<<<3, 96, n * sizeof(float)>>>(d_f, d_fo, n);
  CHECK(cudaGetLastError());
  const std::vector<float> fo = host(d_fo, 3 * n);
  for (int b = 0; b < 3; ++b)
    for (int i = 0; i < n; ++i) EXPECT(fo[b * n + i] == f[b * n + n - 1 - i] * 2.0f);

  std::vector<int> pin(600);
  for (int i = 0; i < 600; ++i) pin[i] = i * 3 + 1;
  int* d_pin = dev(pin);
  int* d_pout = dev(std::vector<int>(64 + 256, -1));
  primitives<<<1, 64>>>(d_pin, d_pout);
  CHECK(cudaGetLastError());
  const std::vector<int> pout = host(d_pout, 64 + 256);
  for (int t = 0; t < 64; ++t) {
    EXPECT(pout[t] == pin[63 - t] + pin[100 + 2 * t + 1]);
    for (int k = 0; k < 4; ++k) EXPECT(pout[64 + 4 * t + k] == (k < 4 - t % 5 ? pin[300 + 4 * t + k] : 0));
  }

  int* d_log = dev(std::vector<int>(16, -1));
  int* d_vals = dev(std::vector<int>(128, -1));
  barrier_completion<<<1, 128>>>(d_log, d_vals);
  CHECK(cudaGetLastError());
  const std::vector<int> log = host(d_log, 16), vals = host(d_vals, 128);
  for (int p = 0; p < 16; ++p) EXPECT(log[p] == (p < 10 ? p * 10 : -1));  // 10 phases, one completion each
  std::vector<int> data(128);
  for (int t = 0; t < 128; ++t) data[t] = t;
  for (int phase = 0; phase < 5; ++phase) {
    std::vector<int> next(128);
    for (int t = 0; t < 128; ++t) next[t] = data[(t + 1) % 128] + 2 * phase + 1;  // counter after phase's first wait
    data = next;
  }
  for (int t = 0; t < 128; ++t) EXPECT(vals[t] == data[t]);

  int* d_max = dev(std::vector<int>{0});
  int* d_total = dev(std::vector<int>{0});
  int* d_order = dev(std::vector<int>(200, -1));
  latch_and_semaphore<<<1, 200>>>(d_max, d_total, d_order);
  CHECK(cudaGetLastError());
  const int max_inside = host(d_max, 1)[0], total = host(d_total, 1)[0];
  std::vector<int> order = host(d_order, 200);
  EXPECT(max_inside >= 1 && max_inside <= 3);
  EXPECT(total == 199 * 200 / 2 + 200 * 1000000);
  std::vector<int> seen(200, 0);
  for (int v : order) EXPECT(v >= 0 && v < 200 && !seen[v]++);

  int* d_res = dev(std::vector<int>(8, -1));
  float* d_fsum = dev(std::vector<float>(4, 0));
  double* d_dsum = dev(std::vector<double>{0});
  wait_notify<<<4, 160>>>(d_res, d_fsum, d_dsum);
  CHECK(cudaGetLastError());
  const std::vector<int> res = host(d_res, 8);
  const std::vector<float> fsum = host(d_fsum, 4);
  const double dsum = host(d_dsum, 1)[0];
  for (int b = 0; b < 4; ++b) {
    EXPECT(res[2 * b] == 159);
    EXPECT(res[2 * b + 1] == 1);
    EXPECT(fsum[b] == 0.25f * (159 * 160 / 2));  // multiples of 1/4 below 2^22: exact in any order
  }
  EXPECT(dsum == 4 * 0.5 * (159 * 160 / 2));
  std::printf("sync_primitives: OK\n");
  return 0;
}
