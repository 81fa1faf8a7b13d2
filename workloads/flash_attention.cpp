// flash_attention: O = softmax(Q K^T / sqrt(D)) V for bf16 Q, K, V of shape [batch*heads, L, D]
// (f32 O) with the FlashAttention-3-style sm_90a kernel of workloads/kernels/hopper_attention.cu:
// a TMA producer warpgroup fills a 2-stage mbarrier ring with K/V tiles, two consumer warpgroups
// run wgmma for Q K^T and P V around an online softmax. Checked against a double-precision
// softmax attention on the same bf16-rounded inputs.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "workloads/families.h"
#include "workloads/half.h"
#include "workloads/input_gen.h"
#include "workloads/tensor_map_arg.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

// The kernel's shape (hopper_attention.cu's constants): 128 query rows per CTA (two consumer
// warpgroups of 64), 64-key tiles, 64 x 64 TMA boxes, a 2-stage K/V ring, 384 threads.
constexpr uint64_t kBlockM = 128, kBox = 64;
constexpr uint32_t kThreads = 384, kStages = 2, kConsumers = 2;
constexpr uint32_t kChunkBytes = kBox * kBox * 2;
constexpr uint32_t kAlignSlack = 1024;  // the kernel aligns its buffers to 1 KiB

uint32_t shared_bytes(uint64_t head_dim) {
  return kAlignSlack + kChunkBytes * uint32_t(head_dim / kBox) * (kConsumers + 2 * kStages);
}

// Reference output and per-element error bound. The kernel rounds each probability p <= 1 to
// bf16 before P V (relative error <= 2^-9), so |O - O_ref| <= 2^-9 * sum_j p_j |v_j| / sum_j p_j;
// the bound is twice that, plus 2^-16 for the f32 score and accumulation error (scores are sums
// of D <= 128 products of magnitude < 1, so their f32 error is below 2^-15 in the exponent's
// argument, scaled by 1/sqrt(D), and ex2.approx's relative error is 2^-22).
struct AttentionReference {
  std::vector<double> out, bound;
};

AttentionReference attention_reference(const std::vector<double>& q, const std::vector<double>& k,
                                       const std::vector<double>& v, uint64_t heads, uint64_t len, uint64_t dim) {
  AttentionReference r;
  r.out.resize(heads * len * dim);
  r.bound.resize(r.out.size());
  std::vector<double> p(len);
  const double scale = 1.0 / std::sqrt(double(dim));
  for (uint64_t h = 0; h < heads; ++h)
    for (uint64_t i = 0; i < len; ++i) {
      const double* qi = &q[(h * len + i) * dim];
      double max_score = -INFINITY, sum = 0;
      for (uint64_t j = 0; j < len; ++j) {
        const double* kj = &k[(h * len + j) * dim];
        double s = 0;
        for (uint64_t c = 0; c < dim; ++c) s += qi[c] * kj[c];
        p[j] = s * scale;
        max_score = std::max(max_score, p[j]);
      }
      for (uint64_t j = 0; j < len; ++j) sum += p[j] = std::exp(p[j] - max_score);
      for (uint64_t c = 0; c < dim; ++c) {
        double o = 0, magnitude = 0;
        for (uint64_t j = 0; j < len; ++j) {
          const double vj = v[(h * len + j) * dim + c];
          o += p[j] * vj;
          magnitude += p[j] * std::fabs(vj);
        }
        r.out[(h * len + i) * dim + c] = o / sum;
        r.bound[(h * len + i) * dim + c] = 2.0 * std::ldexp(magnitude / sum, -9) + std::ldexp(1.0, -16);
      }
    }
  return r;
}

class FlashAttention final : public Workload {
 public:
  std::string name() const override { return "flash_attention"; }
  std::string description() const override {
    return "Hopper FlashAttention-3-style forward: bf16 Q, K, V, f32 O; a TMA producer warpgroup fills a 2-stage "
           "mbarrier ring with K/V tiles, two consumer warpgroups run wgmma for QK^T and PV around an online "
           "softmax (sm_90a)";
  }
  std::string size_help() const override {
    return "BHxLxD: batch*heads, sequence length (a multiple of 128), head dim (64 or 128) (default 1x256x64)";
  }
  std::vector<uint64_t> default_size() const override { return {1, 256, 64}; }
  unsigned required_sm() const override { return 90; }

  WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const override {
    require_architecture(*this, dev);
    const std::vector<uint64_t> size = resolve_size(*this, params, 3);
    const uint64_t heads = size[0], len = size[1], dim = size[2];
    if (dim != 64 && dim != 128)
      throw std::invalid_argument(name() + ": head dim " + std::to_string(dim) + " is not supported (64 or 128), got " +
                                  format_size(size));
    if (len % kBlockM)
      throw std::invalid_argument(name() + ": sequence length " + std::to_string(len) +
                                  " is not a multiple of the 128-row query block, got " + format_size(size));
    if (heads > 65535) throw std::invalid_argument(name() + ": batch*heads exceeds the grid's y limit (65535)");
    require_arrays_fit(*this, size, {{"Q", {heads, len, dim}, 2}, {"K", {heads, len, dim}, 2},
                                     {"V", {heads, len, dim}, 2}, {"O", {heads, len, dim}}});
    if (heads * len > (uint64_t(1) << 31))
      throw std::invalid_argument(name() + ": batch*heads*L must fit the kernel's 32-bit TMA row coordinates");

    InputGenerator gen(params.seed);
    auto fill = [&](std::vector<uint16_t>& bits, std::vector<double>& values) {
      bits.resize(heads * len * dim);
      values.resize(bits.size());
      for (size_t i = 0; i < bits.size(); ++i) {
        bits[i] = float_to_bf16_bits(gen.uniform(-1.0f, 1.0f));
        values[i] = bf16_bits_to_float(bits[i]);  // the reference uses exactly the device's inputs
      }
    };
    std::vector<uint16_t> q_bits, k_bits, v_bits;
    std::vector<double> q, k, v;
    fill(q_bits, q);
    fill(k_bits, k);
    fill(v_bits, v);

    DeviceBuffer dq(dev, q_bits), dk(dev, k_bits), dv(dev, v_bits), dout(dev, heads * len * dim * sizeof(float));
    // Each tensor as [BH * L rows, D] (D contiguous); one box is 64 rows x 64 head-dim columns,
    // 128 bytes wide, which the 128B swizzle lays out the way the kernel's wgmma descriptors read.
    auto map = [&](const DeviceBuffer& b, const char* what) {
      return tensor_map_arg(dev, b.ptr(), {TensorElement::BF16, {dim, heads * len}, {uint32_t(kBox), uint32_t(kBox)}, 128},
                            name() + ": " + what);
    };
    const runtime::ModuleHandle module = load_embedded_module(dev, "hopper_attention");
    runtime::LaunchConfig cfg{{ceil_div(len, kBlockM), static_cast<uint32_t>(heads), 1}, {kThreads, 1, 1}};
    cfg.dynamic_shared_bytes = shared_bytes(dim);
    const float scale_log2 = float(1.0 / std::sqrt(double(dim)) * M_LOG2E);
    const runtime::KernelArgs args{map(dq, "Q"),
                                   map(dk, "K"),
                                   map(dv, "V"),
                                   runtime::KernelArg::of(dout.ptr()),
                                   runtime::KernelArg::of(static_cast<int32_t>(len)),
                                   runtime::KernelArg::of(scale_log2)};
    WorkloadResult result;
    result.launches.push_back(
        dev.launch(module, dim == 64 ? "hopper_attention_d64" : "hopper_attention_d128", cfg, args));

    const AttentionReference ref = attention_reference(q, k, v, heads, len, dim);
    record_check(result, check_within(dout.download<float>(), ref.out, ref.bound,
                                      "|error| <= 2^-8 * sum p|v| / sum p + 2^-16 (bf16 P)"));
    return result;
  }
};

}  // namespace

std::unique_ptr<Workload> make_flash_attention_workload() { return std::make_unique<FlashAttention>(); }

}  // namespace gpusim::workloads
