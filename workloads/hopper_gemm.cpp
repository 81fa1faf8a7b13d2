// hopper_gemm: C (f32) = A (bf16) * B (bf16) with the warp-specialised sm_90a kernel of
// workloads/kernels/hopper_gemm.cu (TMA producer warpgroup, mbarrier ring, wgmma consumers).
// B is given as N x K (K contiguous, like A), the layout both TMA and wgmma read K-major.
// hopper_gemm_cluster: the same GEMM with 2-CTA clusters that share each B slice through TMA
// multicast (workloads/kernels/hopper_gemm_cluster.cu); same inputs, reference and check.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "workloads/families.h"
#include "workloads/half.h"
#include "workloads/input_gen.h"
#include "workloads/reference.h"
#include "workloads/tensor_map_arg.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

// The kernel's tile shape and ring (hopper_gemm.cu's constants).
constexpr uint64_t kTileM = 128, kTileN = 256, kTileK = 64;
constexpr uint32_t kStages = 4, kThreads = 384;                        // producer + 2 consumer warpgroups
constexpr uint32_t kRingBytes = kStages * (kTileM + kTileN) * kTileK * 2;
constexpr uint32_t kAlignSlack = 1024;                                  // the kernel aligns the ring to 1 KiB
constexpr int kInputSteps = 64;                                         // inputs are j / 64 with |j| <= 64
constexpr uint64_t kExactMaxK = 4096;                                   // see the tolerance comment in run()

class HopperGemm final : public Workload {
 public:
  // cluster_ctas: 1 (hopper_gemm_ws) or 2 (hopper_gemm_cluster_ws, B multicast over the cluster).
  explicit HopperGemm(uint32_t cluster_ctas) : cluster_ctas_(cluster_ctas) {}
  std::string name() const override { return cluster_ctas_ == 1 ? "hopper_gemm" : "hopper_gemm_cluster"; }
  std::string description() const override {
    if (cluster_ctas_ > 1)
      return "hopper_gemm with 2-CTA thread-block clusters: the CTAs of a cluster compute vertically adjacent "
             "128 x 256 tiles, each loads its own A slice and multicasts half of the shared B slice into both "
             "(cp.async.bulk.tensor .multicast::cluster), so B is read from the L2 once per cluster (sm_90a)";
    return "Hopper warp-specialised GEMM: bf16 A, B, f32 C; persistent CTAs (at most one per SM) walk 128 x 256 tiles "
           "in a grouped order, a TMA producer warpgroup fills a 4-stage mbarrier ring, two consumer warpgroups run "
           "wgmma m64n256k16 (sm_90a)";
  }
  std::string size_help() const override {
    return "MxNxK, M a multiple of " + std::to_string(kTileM * cluster_ctas_) +
           ", N of 256, K of 64 (default 256x256x256)";
  }
  std::vector<uint64_t> default_size() const override { return {256, 256, 256}; }
  unsigned required_sm() const override { return 90; }

  WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const override {
    require_architecture(*this, dev);
    const std::vector<uint64_t> size = resolve_size(*this, params, 3);
    const uint64_t m = size[0], n = size[1], k = size[2];
    const uint64_t rows = kTileM * cluster_ctas_;  // a cluster's CTAs take adjacent tile rows
    if (m % rows || n % kTileN || k % kTileK)
      throw std::invalid_argument(name() + ": " +
                                  (cluster_ctas_ == 1 ? std::string("M and N must be multiples of the 128 x 256 CTA tile")
                                                      : "M must be a multiple of " + std::to_string(rows) +
                                                            " (a cluster's " + std::to_string(cluster_ctas_) +
                                                            " 128-row tiles) and N of the 256-column tile") +
                                  " and K of the 64-wide K slice, got " + format_size(size));
    require_arrays_fit(*this, size, {{"A", {m, k}, 2}, {"B", {n, k}, 2}, {"C", {m, n}}});
    if ((m / kTileM) * (n / kTileN) > (uint64_t(1) << 31) || m > (uint64_t(1) << 31) || k > (uint64_t(1) << 31) ||
        n > (uint64_t(1) << 31))
      throw std::invalid_argument(name() + ": M, N, K and the tile count must fit the kernel's 32-bit int parameters");

    InputGenerator gen(params.seed);
    auto fill = [&](uint64_t count, std::vector<uint16_t>& bits, std::vector<double>& values) {
      bits.resize(count);
      values.resize(count);
      for (uint64_t i = 0; i < count; ++i) {
        bits[i] = float_to_bf16_bits(gen.small_integer(kInputSteps) / kInputSteps);
        values[i] = bf16_bits_to_float(bits[i]);  // the reference uses exactly the device's inputs
      }
    };
    std::vector<uint16_t> a_bits, b_bits;
    std::vector<double> a, b_nk;
    fill(m * k, a_bits, a);
    fill(n * k, b_bits, b_nk);

    DeviceBuffer da(dev, a_bits), db(dev, b_bits), dc(dev, m * n * sizeof(float));
    // Dimension 0 is K (contiguous), dimension 1 the rows; one box is a 64 x 128 (A) or 64 x 256
    // (B) tile, 128 bytes wide, which the 128B swizzle lays out the way the kernel's wgmma descriptors read it.
    // With clusters each CTA loads 256 / cluster_ctas rows of B (its share of the multicast).
    const runtime::KernelArg map_a = tensor_map_arg(dev, da.ptr(), {TensorElement::BF16, {k, m}, {kTileK, kTileM}, 128},
                                                    name() + ": A");
    const uint32_t b_box_rows = uint32_t(kTileN / cluster_ctas_);
    const runtime::KernelArg map_b = tensor_map_arg(dev, db.ptr(), {TensorElement::BF16, {k, n}, {kTileK, b_box_rows}, 128},
                                                    name() + ": B");
    const bool clustered = cluster_ctas_ > 1;
    const runtime::ModuleHandle module = load_embedded_module(dev, clustered ? "hopper_gemm_cluster" : "hopper_gemm");
    // Persistent CTAs: one per SM at most (the kernel fits one per SM), each looping over tiles;
    // clustered, whole clusters (the kernel's __cluster_dims__), each looping over tile groups.
    const uint64_t groups = (m / rows) * (n / kTileN);
    const uint64_t sms = uint64_t(std::max(1, dev.properties().sm_count));
    const uint64_t clusters = std::max<uint64_t>(1, std::min(groups, sms / cluster_ctas_));
    runtime::LaunchConfig cfg{{uint32_t(clusters * cluster_ctas_), 1, 1}, {kThreads, 1, 1}};
    cfg.dynamic_shared_bytes = kRingBytes + kAlignSlack;
    const runtime::KernelArgs args{map_a, map_b, runtime::KernelArg::of(dc.ptr()),
                                   runtime::KernelArg::of(static_cast<int32_t>(m)),
                                   runtime::KernelArg::of(static_cast<int32_t>(n)),
                                   runtime::KernelArg::of(static_cast<int32_t>(k))};
    WorkloadResult result;
    result.launches.push_back(dev.launch(module, clustered ? "hopper_gemm_cluster_ws" : "hopper_gemm_ws", cfg, args));

    // Inputs are multiples of 2^-6 with magnitude <= 1, so every product is a multiple of 2^-12
    // and every partial sum a multiple of 2^-12 below K in magnitude: for K <= 4096 it fits the
    // f32 accumulator's 24-bit significand, so the result is exact in any accumulation order
    // (wgmma's K steps, the tile order) and at any internal precision. Larger K falls back to
    // 2 * gamma_K * sum|a*b| (twice the usual bound, allowing truncating accumulation).
    std::vector<double> b_kn(k * n);
    for (uint64_t j = 0; j < n; ++j)
      for (uint64_t p = 0; p < k; ++p) b_kn[p * n + j] = b_nk[j * k + p];
    const GemmReference ref = gemm_reference(a, b_kn, m, n, k);
    const std::vector<float> got = dc.download<float>();
    record_check(result, check_tensor_gemm(got, ref.c, ref.abs_products, k, kExactMaxK));
    return result;
  }

 private:
  uint32_t cluster_ctas_;
};

}  // namespace

std::unique_ptr<Workload> make_hopper_gemm_workload() { return std::make_unique<HopperGemm>(1); }
std::unique_ptr<Workload> make_hopper_gemm_cluster_workload() { return std::make_unique<HopperGemm>(2); }

}  // namespace gpusim::workloads
