// TensorCore GEMM: C (float, MxN, row-major) = A (half, MxK, row-major) * B (half, KxN,
// row-major) with WMMA m16n16k16 fragments and float accumulation. Each warp computes one 16x16
// tile of C; a block holds WARPS_X x WARPS_Y warps. M, N and K must be multiples of 16.
#include <mma.h>
#include <cuda_fp16.h>
using namespace nvcuda;

#define WMMA_DIM 16

extern "C" __global__ void wmma_gemm(const half* a, const half* b, float* c, int m, int n, int k) {
  int warp_x = (blockIdx.x * blockDim.x + threadIdx.x) / 32;  // tile column
  int warp_y = blockIdx.y * blockDim.y + threadIdx.y;         // tile row
  int tile_row = warp_y * WMMA_DIM, tile_col = warp_x * WMMA_DIM;
  if (tile_row >= m || tile_col >= n) return;  // whole warps exit together

  wmma::fragment<wmma::matrix_a, WMMA_DIM, WMMA_DIM, WMMA_DIM, half, wmma::row_major> fa;
  wmma::fragment<wmma::matrix_b, WMMA_DIM, WMMA_DIM, WMMA_DIM, half, wmma::row_major> fb;
  wmma::fragment<wmma::accumulator, WMMA_DIM, WMMA_DIM, WMMA_DIM, float> acc;
  wmma::fill_fragment(acc, 0.0f);
  for (int k0 = 0; k0 < k; k0 += WMMA_DIM) {
    wmma::load_matrix_sync(fa, a + (size_t)tile_row * k + k0, k);
    wmma::load_matrix_sync(fb, b + (size_t)k0 * n + tile_col, n);
    wmma::mma_sync(acc, fa, fb, acc);
  }
  wmma::store_matrix_sync(c + (size_t)tile_row * n + tile_col, acc, n, wmma::mem_row_major);
}
