// wmma_gemm: C (float) = A (half) * B (half) on TensorCores via WMMA m16n16k16.
#include <string>

#include "workloads/families.h"
#include "workloads/half.h"
#include "workloads/input_gen.h"
#include "workloads/reference.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

constexpr uint64_t kFragment = 16;                   // m16n16k16
constexpr uint32_t kWarpsX = 2, kWarpsY = 2;         // warps per block (one 16x16 tile each)
constexpr int kInputSteps = 64;                      // inputs are j / 64 with |j| <= 64
constexpr uint64_t kExactMaxK = 4096;                // see the tolerance comment in run()

class WmmaGemm final : public Workload {
 public:
  std::string name() const override { return "wmma_gemm"; }
  std::string description() const override {
    return "TensorCore GEMM: half A, B, float C, WMMA 16x16x16 fragments, one warp per C tile";
  }
  std::string size_help() const override { return "MxNxK, each a multiple of 16 (default 256x256x256)"; }
  std::vector<uint64_t> default_size() const override { return {256, 256, 256}; }

  WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const override {
    const std::vector<uint64_t> size = resolve_size(*this, params, 3);
    const uint64_t m = size[0], n = size[1], k = size[2];
    if (m % kFragment || n % kFragment || k % kFragment)
      throw std::invalid_argument(name() + ": M, N and K must be multiples of 16, got " + format_size(size));
    require_arrays_fit(*this, size, {{"A", {m, k}}, {"B", {k, n}}, {"C", {m, n}}});
    const uint32_t grid_y = ceil_div(m / kFragment, kWarpsY);
    if (grid_y > 65535) throw std::invalid_argument(name() + ": M exceeds the grid's y limit");

    InputGenerator gen(params.seed);
    std::vector<uint16_t> a_bits(m * k), b_bits(k * n);
    std::vector<double> a(m * k), b(k * n);
    auto fill = [&](std::vector<uint16_t>& bits, std::vector<double>& values) {
      for (size_t i = 0; i < bits.size(); ++i) {
        bits[i] = float_to_half_bits(gen.small_integer(kInputSteps) / kInputSteps);
        values[i] = half_bits_to_float(bits[i]);  // the reference uses exactly the device's inputs
      }
    };
    fill(a_bits, a);
    fill(b_bits, b);

    DeviceBuffer da(dev, a_bits), db(dev, b_bits), dc(dev, m * n * sizeof(float));
    const runtime::ModuleHandle module = load_embedded_module(dev, "wmma_gemm");
    const runtime::LaunchConfig cfg{{ceil_div(n / kFragment, kWarpsX), grid_y, 1}, {32 * kWarpsX, kWarpsY, 1}};
    WorkloadResult result;
    result.launches.push_back(dev.launch(module, "wmma_gemm", cfg,
                                         runtime::args(da.ptr(), db.ptr(), dc.ptr(), static_cast<int32_t>(m),
                                                       static_cast<int32_t>(n), static_cast<int32_t>(k))));

    // Inputs are multiples of 2^-6 with magnitude <= 1, so every product is a multiple of 2^-12
    // and every partial sum is a multiple of 2^-12 below K in magnitude: for K <= 4096 that fits
    // float's 24-bit significand, so the result is exact whatever order or internal precision
    // the TensorCore accumulates with. Larger K falls back to 2 * gamma_K * sum|a*b| (twice the
    // usual bound, allowing truncating accumulation).
    const GemmReference ref = gemm_reference(a, b, m, n, k);
    const std::vector<float> got = dc.download<float>();
    record_check(result, check_tensor_gemm(got, ref.c, ref.abs_products, k, kExactMaxK));
    return result;
  }
};

}  // namespace

std::unique_ptr<Workload> make_wmma_gemm_workload() { return std::make_unique<WmmaGemm>(); }

}  // namespace gpusim::workloads
