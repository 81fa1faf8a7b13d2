// Warp collectives called on different sides of a branch (legal since sm_70: the lanes named in
// the membermask meet even when they execute different __syncwarp / __shfl_sync / __ballot_sync
// calls). Every result is checked against values worked out on the CPU; a collective whose
// partners can never arrive must end the kernel with an error, not hang the program.
#include <cstdio>

#include "check.cuh"

constexpr unsigned kFull = 0xffffffffu;

// Two halves exchange through shared memory, each side with its own __syncwarp.
__global__ void exchange_halves(int* out) {
  __shared__ int buf[64];
  const int lane = threadIdx.x & 31;
  const int base = threadIdx.x & ~31;
  if (lane < 16) {
    buf[threadIdx.x] = lane * 10 + 1;
    __syncwarp();
    out[threadIdx.x] = buf[base + lane + 16];
  } else {
    buf[threadIdx.x] = lane * 100 + 2;
    __syncwarp();
    out[threadIdx.x] = buf[base + lane - 16];
  }
}

// Four paths (lane % 4); each publishes, syncs, then reads the next path's value. The else-most
// path starts with its __syncwarp, so it waits there before it has run anything.
__global__ void four_paths(const int* in, int* out) {
  __shared__ int buf[32];
  const int lane = threadIdx.x;
  const int v = in[lane];
  int r;
  switch (lane & 3) {
    case 0: buf[lane] = v + 1; __syncwarp(); r = buf[lane ^ 1]; break;
    case 1: buf[lane] = v * 2; __syncwarp(); r = buf[lane ^ 3]; break;
    case 2: buf[lane] = v - 7; __syncwarp(); r = buf[lane ^ 2]; break;
    default: __syncwarp(); r = buf[lane - 1]; buf[lane] = 0; break;
  }
  out[lane] = r;
}

// Shuffles, ballots and reductions whose operands differ between the two sides.
__global__ void data_collectives(const int* in, int* shfl_out, unsigned* ballot_out, int* sum_out) {
  const int lane = threadIdx.x;
  const int x = in[lane];
  int s;
  unsigned b;
  int t;
  if (lane & 1) {
    s = __shfl_xor_sync(kFull, x * 3, 1);
    b = __ballot_sync(kFull, x > 50);
    t = __reduce_add_sync(kFull, x);
  } else {
    s = __shfl_xor_sync(kFull, x + 1000, 1);
    b = __ballot_sync(kFull, (x & 1) == 0);
    t = __reduce_add_sync(kFull, -x);
  }
  shfl_out[lane] = s;
  ballot_out[lane] = b;
  sum_out[lane] = t;
}

// The lanes below 8 sync alone first (a partial mask inside one path), then with the rest.
__global__ void partial_then_full(int* out) {
  __shared__ int buf[32];
  const int lane = threadIdx.x;
  buf[lane] = lane;
  if (lane < 8) {
    buf[lane] += 100;
    __syncwarp(0xffu);
    const int neighbour = buf[(lane + 1) & 7];
    __syncwarp(kFull);
    out[lane] = neighbour + buf[lane + 8];
  } else {
    buf[lane] += 1000;
    __syncwarp(kFull);
    out[lane] = buf[lane - 8];
  }
}

// The other half waits at __syncthreads: the __syncwarp can never complete.
__global__ void never_meets(int* out) {
  if (threadIdx.x < 16) {
    __syncwarp();
    out[threadIdx.x] = 1;
  } else {
    __syncthreads();
    out[threadIdx.x] = 2;
  }
}

// `if (i >= n) return;` before __syncthreads with n not a multiple of 32: nvcc merges the
// returning lanes' store into the tail the others reach after the barrier, so those lanes wait
// there while the rest of their warp reaches the barrier; they must run and exit first (a barrier
// waits for non-exited threads only). Was a "divergent warp" barrier fault.
__global__ void early_return_then_barrier(int* out, int n) {
  __shared__ int s[64];
  const int i = threadIdx.x;
  if (i >= n) {
    out[i] = -1;
    return;
  }
  s[i] = i * 3;
  __syncthreads();
  out[i] = s[(i + 1) % n];
}

int main() {
  int *d_in, *d_out, *d_shfl, *d_sum;
  unsigned* d_ballot;
  CHECK(cudaMalloc(&d_in, 32 * sizeof(int)));
  CHECK(cudaMalloc(&d_out, 64 * sizeof(int)));
  CHECK(cudaMalloc(&d_shfl, 32 * sizeof(int)));
  CHECK(cudaMalloc(&d_sum, 32 * sizeof(int)));
  CHECK(cudaMalloc(&d_ballot, 32 * sizeof(unsigned)));
  int in[32];
  for (int i = 0; i < 32; ++i) in[i] = (i * 37 + 11) % 97;
  CHECK(cudaMemcpy(d_in, in, sizeof in, cudaMemcpyHostToDevice));

  int out[64];
  exchange_halves<<<1, 64>>>(d_out);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(out, d_out, sizeof out, cudaMemcpyDeviceToHost));
  for (int t = 0; t < 64; ++t) {
    const int lane = t & 31;
    EXPECT(out[t] == (lane < 16 ? (lane + 16) * 100 + 2 : (lane - 16) * 10 + 1));
  }

  four_paths<<<1, 32>>>(d_in, d_out);
  CHECK(cudaMemcpy(out, d_out, 32 * sizeof(int), cudaMemcpyDeviceToHost));
  int published[32];
  for (int l = 0; l < 32; ++l) {
    const int c = l & 3;
    published[l] = c == 0 ? in[l] + 1 : c == 1 ? in[l] * 2 : c == 2 ? in[l] - 7 : -1;
  }
  for (int l = 0; l < 32; ++l) {
    const int c = l & 3;
    const int from = c == 0 ? l ^ 1 : c == 1 ? l ^ 3 : c == 2 ? l ^ 2 : l - 1;
    EXPECT(published[from] != -1);
    EXPECT(out[l] == published[from]);
  }

  data_collectives<<<1, 32>>>(d_in, d_shfl, d_ballot, d_sum);
  int shfl[32], sum[32];
  unsigned ballot[32];
  CHECK(cudaMemcpy(shfl, d_shfl, sizeof shfl, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(ballot, d_ballot, sizeof ballot, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(sum, d_sum, sizeof sum, cudaMemcpyDeviceToHost));
  unsigned want_ballot = 0;
  int want_sum = 0;
  for (int l = 0; l < 32; ++l) {
    want_ballot |= unsigned((l & 1) ? in[l] > 50 : (in[l] & 1) == 0) << l;
    want_sum += (l & 1) ? in[l] : -in[l];
  }
  for (int l = 0; l < 32; ++l) {
    const int src = l ^ 1;
    EXPECT(shfl[l] == ((src & 1) ? in[src] * 3 : in[src] + 1000));
    EXPECT(ballot[l] == want_ballot);
    EXPECT(sum[l] == want_sum);
  }

  partial_then_full<<<1, 32>>>(d_out);
  CHECK(cudaMemcpy(out, d_out, 32 * sizeof(int), cudaMemcpyDeviceToHost));
  for (int l = 0; l < 32; ++l) {
    if (l < 8) EXPECT(out[l] == ((l + 1) & 7) + 100 + (l + 8) + 1000);
    else EXPECT(out[l] == (l - 8) + (l - 8 < 8 ? 100 : 1000));
  }

  for (int n : {40, 16, 63}) {
    early_return_then_barrier<<<1, 64>>>(d_out, n);
    CHECK(cudaMemcpy(out, d_out, sizeof out, cudaMemcpyDeviceToHost));
    for (int t = 0; t < 64; ++t) EXPECT(out[t] == (t < n ? ((t + 1) % n) * 3 : -1));
  }

  never_meets<<<1, 32>>>(d_out);
  const cudaError_t err = cudaDeviceSynchronize();
  EXPECT(err != cudaSuccess);
  std::printf("divergent collectives: OK (a collective that can never meet: %s)\n", cudaGetErrorName(err));
  return 0;
}
