// out (cols x rows) = transpose of in (rows x cols), both row-major, through 32x32 shared tiles.
// Blocks are 32x8 threads; each thread moves 4 elements. The padded tile (TILE+1 columns) puts
// a tile column in 32 different banks; the unpadded one makes the column read a 32-way conflict.
#define TILE 32
#define ROWS_PER_PASS 8

template <int PITCH>
__device__ void transpose_tile(const float* in, float* out, int rows, int cols) {
  __shared__ float tile[TILE][PITCH];
  int x = blockIdx.x * TILE + threadIdx.x;  // input column
  int y0 = blockIdx.y * TILE + threadIdx.y;  // input row
  for (int j = 0; j < TILE; j += ROWS_PER_PASS) {
    int y = y0 + j;
    if (x < cols && y < rows) tile[threadIdx.y + j][threadIdx.x] = in[(size_t)y * cols + x];
  }
  __syncthreads();
  x = blockIdx.y * TILE + threadIdx.x;  // output column = input row
  y0 = blockIdx.x * TILE + threadIdx.y;  // output row = input column
  for (int j = 0; j < TILE; j += ROWS_PER_PASS) {
    int y = y0 + j;
    if (x < rows && y < cols) out[(size_t)y * rows + x] = tile[threadIdx.x][threadIdx.y + j];
  }
}

extern "C" __global__ void transpose_padded(const float* in, float* out, int rows, int cols) {
  transpose_tile<TILE + 1>(in, out, rows, cols);
}

extern "C" __global__ void transpose_unpadded(const float* in, float* out, int rows, int cols) {
  transpose_tile<TILE>(in, out, rows, cols);
}
