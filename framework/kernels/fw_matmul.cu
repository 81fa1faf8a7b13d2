// C[m,n] = A[m,k] B[k,n], row-major. 16x16 output tiles per CTA; each k-step stages a 16x16
// tile of A and of B in shared memory so every global value is loaded once per CTA instead of
// 16 times. Out-of-range tile entries are zero, so the tail needs no special inner loop. Each
// output accumulates its k products in ascending order (with fma), like the CPU reference.
#define FW_TILE 16

extern "C" __global__ void fw_matmul(const float* a, const float* b, float* c, unsigned m, unsigned k,
                                     unsigned n) {
  __shared__ float a_tile[FW_TILE][FW_TILE];
  __shared__ float b_tile[FW_TILE][FW_TILE];
  unsigned tx = threadIdx.x, ty = threadIdx.y;
  unsigned row = blockIdx.y * FW_TILE + ty;
  unsigned col = blockIdx.x * FW_TILE + tx;
  float acc = 0.0f;
  for (unsigned k0 = 0; k0 < k; k0 += FW_TILE) {
    a_tile[ty][tx] = (row < m && k0 + tx < k) ? a[row * k + k0 + tx] : 0.0f;
    b_tile[ty][tx] = (k0 + ty < k && col < n) ? b[(k0 + ty) * n + col] : 0.0f;
    __syncthreads();
    unsigned steps = k - k0 < FW_TILE ? k - k0 : FW_TILE;
    for (unsigned kk = 0; kk < steps; ++kk) acc += a_tile[ty][kk] * b_tile[kk][tx];
    __syncthreads();
  }
  if (row < m && col < n) c[row * n + col] = acc;
}
