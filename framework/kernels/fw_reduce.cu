// Reductions of the middle axis of an [outer, len, inner] view: one thread per output element,
// summing in ascending order exactly as the CPU reference does (so sums match bit for bit).
extern "C" __global__ void fw_reduce_sum(const float* in, float* out, unsigned outer, unsigned len,
                                         unsigned inner) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= outer * inner) return;
  const float* src = in + (i / inner) * len * inner + i % inner;
  float acc = 0.0f;
  for (unsigned l = 0; l < len; ++l) acc += src[l * inner];
  out[i] = acc;
}

extern "C" __global__ void fw_reduce_max(const float* in, float* out, unsigned outer, unsigned len,
                                         unsigned inner) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= outer * inner) return;
  const float* src = in + (i / inner) * len * inner + i % inner;
  float best = -__int_as_float(0x7f800000);  // -infinity
  for (unsigned l = 0; l < len; ++l) best = fmaxf(best, src[l * inner]);
  out[i] = best;
}
