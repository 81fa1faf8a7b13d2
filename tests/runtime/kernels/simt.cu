// Kernels exercising SIMT divergence and reconvergence, calls, barriers and warp collectives.
// Compiled to ../../fixtures/runtime_simt.ptx (here: nvcc -ptx -arch=compute_80 -o ../../fixtures/runtime_simt.ptx simt.cu).

extern "C" __global__ void nested_if(int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  int v;
  if (i % 2 == 0) {
    if (i % 4 == 0) v = i * 3;
    else v = i + 100;
  } else {
    if (i % 3 == 0) v = -i;
    else if (i % 5 == 0) v = i * i;
    else v = 7;
  }
  out[i] = v + 1;
}

extern "C" __global__ void loop_break(int* out, int* trips, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  int acc = 0, k = 0;
  for (; k < 1000; ++k) {
    acc += (k ^ i) & 7;
    if (acc > i) break;
    if ((k & 3) == 3) continue;
    acc += 1;
  }
  out[i] = acc;
  trips[i] = k;
}

extern "C" __global__ void early_exit(int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i % 3 == 0) return;
  if (i >= n) return;
  out[i] = i * 2;
}

__device__ __noinline__ int collatz_steps(int x) {
  int steps = 0;
  while (x != 1) {
    if (x & 1) x = 3 * x + 1;
    else x >>= 1;
    if (++steps > 500) return -1;
  }
  return steps;
}

__device__ __noinline__ int factorial(int x) { return x <= 1 ? 1 : x * factorial(x - 1); }

extern "C" __global__ void calls(int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  int r = 0;
  if (i & 1) r = collatz_steps(i + 1);
  else r = factorial(i % 10) + 1000000;
  out[i] = r;
}

extern "C" __global__ void divergent_shuffle(int* out) {
  int lane = threadIdx.x & 31;
  int v = lane * 10 + blockIdx.x;
  if (lane < 16) {
    v += __shfl_down_sync(0x0000ffffu, v, 1, 16);
  } else {
    v += __shfl_xor_sync(0xffff0000u, v, 2);
    unsigned b = __ballot_sync(0xffff0000u, v & 4);
    v += __popc(b);
  }
  int total = __shfl_sync(0xffffffffu, v, 31);
  out[blockIdx.x * blockDim.x + threadIdx.x] = v * 1000 + (total & 0xff);
}

extern "C" __global__ void reverse_block(const int* in, int* out, int n) {
  __shared__ int buf[256];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  buf[threadIdx.x] = i < n ? in[i] : 0;
  __syncthreads();
  int j = blockDim.x - 1 - threadIdx.x;
  int src = blockIdx.x * blockDim.x + j;
  if (i < n && src < n) out[i] = buf[threadIdx.x] * 0 + buf[j];
}

// Warps that return before the barrier do not hold it up (PTX ISA: exited threads release it).
extern "C" __global__ void barrier_after_exit(int* out) {
  __shared__ int s[64];
  if (threadIdx.x >= 64) return;
  s[threadIdx.x] = threadIdx.x;
  __syncthreads();
  out[threadIdx.x] = s[63 - threadIdx.x];
}

// Named barriers with a thread count that can never be reached.
extern "C" __global__ void barrier_deadlock(int* out) {
  asm volatile("bar.sync 1, 128;");
  out[threadIdx.x] = 1;
}

// Half of each warp waits at barrier 0, the other half at barrier 1: each barrier waits for every
// thread of the CTA, so neither can complete. (Half a warp skipping a barrier and exiting is no
// fault: exited threads do not hold a barrier up, as after an early return.)
extern "C" __global__ void divergent_barrier(int* out) {
  if (threadIdx.x & 1) asm volatile("bar.sync 0;");
  else asm volatile("bar.sync 1;");
  out[threadIdx.x] = 1;
}

// Lanes that return early while the rest of their warp reaches a barrier: nvcc merges the early
// return's store into the tail the others reach after the barrier, so the barrier runs while the
// returning lanes still wait at that tail (they must run and exit first).
extern "C" __global__ void early_return_before_barrier(int* out, int n) {
  if ((int)threadIdx.x < n) {
    out[threadIdx.x] = 7;
    return;
  }
  __syncthreads();
  out[threadIdx.x] = 1;
}

extern "C" __global__ void block_count(int* out) {
  int t = threadIdx.x;
  int c = __syncthreads_count(t % 3 == 0);
  int a = __syncthreads_and(t < 1000);
  int o = __syncthreads_or(t == 5);
  out[t] = c * 100 + a * 10 + o;
}

extern "C" __global__ void clock_monotonic(long long* out) {
  long long a = clock64();
  long long b = clock64();
  out[threadIdx.x] = b - a;
}

extern "C" __global__ void spin_forever(int* flag) {
  while (*(volatile int*)flag == 0) {
  }
}
