// Kernels the driver tests load from a fat binary (nvcc -fatbin, PTX only, compressed as nvcc
// 13 does by default): a module-scope __device__ variable with an initializer, read by a kernel.
__device__ int base_value = 40;

extern "C" __global__ void add_base(int* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = base_value + i;
}
