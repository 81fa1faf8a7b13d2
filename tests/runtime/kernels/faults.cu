// Kernels that fault on purpose (compiled to ../../fixtures/runtime_faults.ptx).
extern "C" __global__ void write_past_end(float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n + 3) out[i] = 1.0f;  // 3 elements too many
}
extern "C" __global__ void misaligned_load(const char* p, int* out) {
  out[threadIdx.x] = *reinterpret_cast<const int*>(p + 1 + 4 * threadIdx.x);
}
extern "C" __global__ void null_store(int* p) { p[threadIdx.x] = 5; }
extern "C" __global__ void shared_overflow(int* out, int idx) {
  __shared__ int s[32];
  s[threadIdx.x] = 1;
  __syncthreads();
  out[threadIdx.x] = s[idx + threadIdx.x];
}
extern "C" __global__ void trapper(int* out) {
  if (threadIdx.x == 7) __trap();
  out[threadIdx.x] = 1;
}
extern "C" __global__ void big_shared(int* out) {
  extern __shared__ int dyn[];
  dyn[threadIdx.x] = threadIdx.x;
  __syncthreads();
  out[threadIdx.x] = dyn[blockDim.x - 1 - threadIdx.x];
}
extern "C" __global__ void params(char a, short b, int c, long long d, float e, double f, int* out) {
  out[0] = a; out[1] = b; out[2] = c; out[3] = (int)(d >> 32); out[4] = (int)d;
  out[5] = (int)(e * 100); out[6] = (int)(f * 1000);
}
