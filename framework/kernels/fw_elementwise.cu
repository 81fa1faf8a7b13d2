// Element-wise framework kernels: one thread per element, grid rounded up, tail guarded.
// Each formula matches framework/cpu_backend.cpp's apply_unary/apply_binary so that the
// verifier can compare them (bit-exactly for +,-,*,/,sqrt; within a few ulp for expf, logf,
// tanhf and powf, which CUDA documents as 1-2 ulp accurate).

#define FW_UNARY(name, expr)                                                             \
  extern "C" __global__ void name(const float* in, float* out, unsigned n, float p) {    \
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;                                  \
    if (i < n) {                                                                         \
      float x = in[i];                                                                   \
      out[i] = (expr);                                                                   \
    }                                                                                    \
  }

#define FW_BINARY(name, expr)                                                            \
  extern "C" __global__ void name(const float* a, const float* b, float* out, unsigned n) { \
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;                                  \
    if (i < n) {                                                                         \
      float x = a[i], y = b[i];                                                          \
      out[i] = (expr);                                                                   \
    }                                                                                    \
  }

FW_UNARY(fw_neg, -x)
FW_UNARY(fw_exp, expf(x))
FW_UNARY(fw_log, logf(x))
FW_UNARY(fw_relu, x > 0.0f ? x : 0.0f)
FW_UNARY(fw_tanh, tanhf(x))
FW_UNARY(fw_sigmoid, 1.0f / (1.0f + expf(-x)))
FW_UNARY(fw_sqrt, sqrtf(x))
FW_UNARY(fw_square, x * x)
FW_UNARY(fw_pow, powf(x, p))
FW_UNARY(fw_add_scalar, x + p)
FW_UNARY(fw_mul_scalar, x * p)
FW_UNARY(fw_step, x > 0.0f ? 1.0f : 0.0f)

FW_BINARY(fw_add, x + y)
FW_BINARY(fw_sub, x - y)
FW_BINARY(fw_mul, x * y)
FW_BINARY(fw_div, x / y)
FW_BINARY(fw_equal, x == y ? 1.0f : 0.0f)

extern "C" __global__ void fw_fill(float* out, unsigned n, float value) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = value;
}
