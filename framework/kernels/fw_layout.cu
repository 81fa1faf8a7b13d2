// Layout kernels. fw_strided_copy gathers out[i] = in[sum_d index_d(i) * stride_d]: with zero
// strides it broadcasts, with permuted strides it transposes. `view` holds ndim output sizes
// followed by ndim input strides (in elements); the index is decomposed last axis first.
extern "C" __global__ void fw_strided_copy(const float* in, float* out, const unsigned* view, unsigned ndim,
                                           unsigned n) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  unsigned rest = i, offset = 0;
  for (unsigned d = ndim; d-- > 0;) {
    unsigned size = view[d];
    offset += (rest % size) * view[ndim + d];
    rest /= size;
  }
  out[i] = in[offset];
}

// out[r, c] = (c == labels[r]) for a [rows, cols] matrix.
extern "C" __global__ void fw_one_hot(const int* labels, float* out, unsigned rows, unsigned cols) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= rows * cols) return;
  out[i] = labels[i / cols] == (int)(i % cols) ? 1.0f : 0.0f;
}
