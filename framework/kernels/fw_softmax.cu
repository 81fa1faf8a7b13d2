// Row-wise log-softmax and softmax cross-entropy: one thread per row (rows are short: class
// counts). The row maximum is subtracted before expf so large logits cannot overflow.
__device__ float fw_row_logsumexp(const float* row, unsigned cols) {
  float mx = row[0];
  for (unsigned c = 1; c < cols; ++c) mx = fmaxf(mx, row[c]);
  float sum = 0.0f;
  for (unsigned c = 0; c < cols; ++c) sum += expf(row[c] - mx);
  return mx + logf(sum);
}

extern "C" __global__ void fw_log_softmax(const float* in, float* out, unsigned rows, unsigned cols) {
  unsigned r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  const float* row = in + r * cols;
  float lse = fw_row_logsumexp(row, cols);
  for (unsigned c = 0; c < cols; ++c) out[r * cols + c] = row[c] - lse;
}

// out[r] = logsumexp(logits[r]) - logits[r][labels[r]].
extern "C" __global__ void fw_cross_entropy_rows(const float* logits, const int* labels, float* out, unsigned rows,
                                                 unsigned cols) {
  unsigned r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  const float* row = logits + r * cols;
  out[r] = fw_row_logsumexp(row, cols) - row[labels[r]];
}
