// sgemm_naive / sgemm_tiled: C = A * B in single precision, any M, N, K.
#include <string>

#include "workloads/families.h"
#include "workloads/input_gen.h"
#include "workloads/reference.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

constexpr uint32_t kTile = 16;  // TILE in sgemm.cu; both kernels use 16x16 blocks

class Sgemm final : public Workload {
 public:
  explicit Sgemm(bool tiled) : tiled_(tiled) {}

  std::string name() const override { return tiled_ ? "sgemm_tiled" : "sgemm_naive"; }
  std::string description() const override {
    return tiled_ ? "float GEMM C=A*B with 16x16 shared-memory tiles"
                  : "float GEMM C=A*B, one thread per output, operands from global memory";
  }
  std::string size_help() const override { return "MxNxK (default 256x256x256)"; }
  std::vector<uint64_t> default_size() const override { return {256, 256, 256}; }

  WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const override {
    const std::vector<uint64_t> size = resolve_size(*this, params, 3);
    const uint64_t m = size[0], n = size[1], k = size[2];
    require_arrays_fit(*this, size, {{"A", {m, k}}, {"B", {k, n}}, {"C", {m, n}}});
    if (ceil_div(m, kTile) > 65535) throw std::invalid_argument(name() + ": M exceeds the grid's y limit");
    InputGenerator gen(params.seed);
    const std::vector<float> a = gen.uniform_vector(m * k, -1.0f, 1.0f);
    const std::vector<float> b = gen.uniform_vector(k * n, -1.0f, 1.0f);

    DeviceBuffer da(dev, a), db(dev, b), dc(dev, m * n * sizeof(float));
    const runtime::ModuleHandle module = load_embedded_module(dev, "sgemm");
    const runtime::LaunchConfig cfg{{ceil_div(n, kTile), ceil_div(m, kTile), 1}, {kTile, kTile, 1}};
    WorkloadResult result;
    result.launches.push_back(dev.launch(module, name(), cfg,
                                         runtime::args(da.ptr(), db.ptr(), dc.ptr(), static_cast<int32_t>(m),
                                                       static_cast<int32_t>(n), static_cast<int32_t>(k))));

    // A K-term float dot product (fma or mul+add, any order) is within gamma_K * sum|a*b| of
    // the exact value; the double reference is exact to far below that.
    const GemmReference ref = gemm_reference(to_double(a), to_double(b), m, n, k);
    std::vector<double> bound(ref.abs_products.size());
    const double gamma = float_gamma(static_cast<double>(k));
    for (size_t i = 0; i < bound.size(); ++i) bound[i] = gamma * ref.abs_products[i];
    record_check(result, check_within(dc.download<float>(), ref.c, bound, "|error| <= gamma_K * sum|a*b|"));
    return result;
  }

 private:
  bool tiled_;
};

}  // namespace

std::unique_ptr<Workload> make_sgemm_workload(bool tiled) { return std::make_unique<Sgemm>(tiled); }

}  // namespace gpusim::workloads
