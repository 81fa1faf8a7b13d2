// The FlashAttention-3-style forward pass of workloads/kernels/hopper_attention.cu (its comment
// describes the kernel: warp-specialised TMA producer, mbarrier ring, wgmma consumers with an
// online softmax) as an ordinary nvcc program, O = softmax(Q K^T / sqrt(D)) V for bf16 Q, K, V of
// shape [batch*heads, L, D], with tensor maps from the driver API's cuTensorMapEncodeTiled.
//
// usage: hopper_attention [HEAD_DIM=64|128] [SEQ_LEN (multiple of 128)] [BATCH_HEADS]
// The result is compared with a double-precision softmax attention on the same bf16 inputs.
#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../../workloads/kernels/hopper_attention.cu"
#include "check.cuh"

using hopper_attention::kBlockM;
using hopper_attention::kThreads;

namespace {

float to_float(__nv_bfloat16 b) {
  uint16_t bits;
  std::memcpy(&bits, &b, 2);
  const uint32_t f = uint32_t(bits) << 16;
  float r;
  std::memcpy(&r, &f, 4);
  return r;
}

// Deterministic values in [-1, 1), rounded to bf16; `floats` gets the rounded values.
std::vector<__nv_bfloat16> random_bf16(size_t n, uint32_t seed, std::vector<float>& floats) {
  std::vector<__nv_bfloat16> v(n);
  floats.resize(n);
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    v[i] = __float2bfloat16(float(x >> 8) / float(1u << 23) - 1.0f);
    floats[i] = to_float(v[i]);
  }
  return v;
}

void encode(CUtensorMap* map, void* ptr, int rows, int d) {
  const cuuint64_t dims[2] = {cuuint64_t(d), cuuint64_t(rows)}, strides[1] = {cuuint64_t(d) * 2};
  const cuuint32_t box[2] = {64, 64}, unit[2] = {1, 1};
  const CUresult r = cuTensorMapEncodeTiled(map, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 2, ptr, dims, strides, box, unit,
                                            CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
                                            CU_TENSOR_MAP_L2_PROMOTION_NONE, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS) {
    std::fprintf(stderr, "hopper_attention: cuTensorMapEncodeTiled failed: %d\n", int(r));
    std::exit(2);
  }
}

template <int D, typename Kernel>
void launch(Kernel kernel, const CUtensorMap& q, const CUtensorMap& k, const CUtensorMap& v, float* out, int seq_len,
            int bh) {
  const int smem = hopper_attention::shared_bytes<D>();
  CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  const float scale_log2 = float(1.0 / std::sqrt(double(D)) * M_LOG2E);
  kernel<<<dim3(seq_len / kBlockM, bh), kThreads, smem>>>(q, k, v, out, seq_len, scale_log2);
  CHECK(cudaGetLastError());
}

}  // namespace

int main(int argc, char** argv) {
  const int d = argc > 1 ? std::atoi(argv[1]) : 64;
  const int seq_len = argc > 2 ? std::atoi(argv[2]) : 256;
  const int bh = argc > 3 ? std::atoi(argv[3]) : 2;
  if (d != 64 && d != 128) {
    std::fprintf(stderr, "hopper_attention: head dim %d is not supported (64 or 128)\n", d);
    return 2;
  }
  if (seq_len <= 0 || seq_len % kBlockM != 0) {
    std::fprintf(stderr, "hopper_attention: sequence length %d is not a positive multiple of the %d-row query block\n",
                 seq_len, kBlockM);
    return 2;
  }
  if (bh <= 0 || bh > 65535) {
    std::fprintf(stderr, "hopper_attention: batch*heads %d is outside 1..65535 (the grid's y dimension)\n", bh);
    return 2;
  }
  const size_t n = size_t(bh) * seq_len * d;
  std::vector<float> qf, kf, vf;
  const auto q = random_bf16(n, 1, qf), k = random_bf16(n, 2, kf), v = random_bf16(n, 3, vf);
  __nv_bfloat16 *dq, *dk, *dv;
  float* dout;
  for (auto [dev, host] : {std::pair{&dq, &q}, std::pair{&dk, &k}, std::pair{&dv, &v}}) {
    CHECK(cudaMalloc(dev, n * 2));
    CHECK(cudaMemcpy(*dev, host->data(), n * 2, cudaMemcpyHostToDevice));
  }
  CHECK(cudaMalloc(&dout, n * sizeof(float)));
  CUtensorMap map_q, map_k, map_v;
  encode(&map_q, dq, bh * seq_len, d);
  encode(&map_k, dk, bh * seq_len, d);
  encode(&map_v, dv, bh * seq_len, d);
  if (d == 64) launch<64>(hopper_attention_d64, map_q, map_k, map_v, dout, seq_len, bh);
  else launch<128>(hopper_attention_d128, map_q, map_k, map_v, dout, seq_len, bh);
  std::vector<float> out(n);
  CHECK(cudaMemcpy(out.data(), dout, n * sizeof(float), cudaMemcpyDeviceToHost));

  // Reference: double-precision softmax attention on the bf16-rounded inputs. The kernel rounds
  // each probability p (<= 1) to bf16 before P V, a relative error of at most 2^-9, so
  // |O - O_ref| <= 2^-9 * sum_j p_j |v_j| / sum_j p_j <= 2^-9 max|v| = 2^-9 here (|v| < 1); the
  // f32 accumulation and ex2 approximation add orders of magnitude less. Tolerance: 2^-8.
  const double tolerance = 1.0 / 256;
  double worst = 0;
  std::vector<double> p(seq_len);
  for (int h = 0; h < bh; ++h)
    for (int i = 0; i < seq_len; ++i) {
      const float* qi = &qf[(size_t(h) * seq_len + i) * d];
      double mx = -1e300, sum = 0;
      for (int j = 0; j < seq_len; ++j) {
        const float* kj = &kf[(size_t(h) * seq_len + j) * d];
        double s = 0;
        for (int c = 0; c < d; ++c) s += double(qi[c]) * kj[c];
        p[j] = s / std::sqrt(double(d));
        mx = std::max(mx, p[j]);
      }
      for (int j = 0; j < seq_len; ++j) sum += p[j] = std::exp(p[j] - mx);
      for (int c = 0; c < d; ++c) {
        double want = 0;
        for (int j = 0; j < seq_len; ++j) want += p[j] * vf[(size_t(h) * seq_len + j) * d + c];
        want /= sum;
        const double got = out[(size_t(h) * seq_len + i) * d + c], err = std::fabs(got - want);
        worst = std::max(worst, err);
        if (!(err <= tolerance)) {
          std::fprintf(stderr, "O[bh %d][row %d][col %d] = %.6f, expected %.6f (tolerance %.6f)\n", h, i, c, got, want,
                       tolerance);
          return 1;
        }
      }
    }
  std::printf("hopper_attention D=%d L=%d BH=%d (TMA + wgmma, online softmax): OK (max error %.2e)\n", d, seq_len, bh,
              worst);
  return 0;
}
