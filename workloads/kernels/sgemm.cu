// Single-precision C = A * B with A MxK, B KxN, C MxN, all row-major.
// naive: one thread per C element, operands straight from global memory.
// tiled: 16x16 blocks stage 16x16 tiles of A and B in shared memory; out-of-range tile
// elements are zero-filled so M, N, K need not be multiples of 16.
#define TILE 16

extern "C" __global__ void sgemm_naive(const float* a, const float* b, float* c, int m, int n, int k) {
  int row = blockIdx.y * blockDim.y + threadIdx.y;
  int col = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= m || col >= n) return;
  float acc = 0.0f;
  for (int p = 0; p < k; ++p) acc += a[row * k + p] * b[p * n + col];
  c[row * n + col] = acc;
}

// blockDim must be (TILE, TILE).
extern "C" __global__ void sgemm_tiled(const float* a, const float* b, float* c, int m, int n, int k) {
  __shared__ float as[TILE][TILE];
  __shared__ float bs[TILE][TILE];
  int tx = threadIdx.x, ty = threadIdx.y;
  int row = blockIdx.y * TILE + ty;
  int col = blockIdx.x * TILE + tx;
  float acc = 0.0f;
  for (int k0 = 0; k0 < k; k0 += TILE) {
    int a_col = k0 + tx, b_row = k0 + ty;
    as[ty][tx] = (row < m && a_col < k) ? a[row * k + a_col] : 0.0f;
    bs[ty][tx] = (b_row < k && col < n) ? b[b_row * n + col] : 0.0f;
    __syncthreads();
#pragma unroll
    for (int p = 0; p < TILE; ++p) acc += as[ty][p] * bs[p][tx];
    __syncthreads();
  }
  if (row < m && col < n) c[row * n + col] = acc;
}
