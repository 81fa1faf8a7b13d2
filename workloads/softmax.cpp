// softmax: row-wise softmax of a rows x cols float matrix, one block per row.
#include <cmath>
#include <string>

#include "workloads/families.h"
#include "workloads/input_gen.h"
#include "workloads/reference.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

constexpr uint32_t kBlock = 128;  // a multiple of 32, as softmax_rows requires
constexpr float kInputRange = 8.0f;

class Softmax final : public Workload {
 public:
  std::string name() const override { return "softmax"; }
  std::string description() const override {
    return "row softmax (max-subtract, expf, sum) with shuffle + shared reductions, one block per row";
  }
  std::string size_help() const override { return "ROWSxCOLS (default 512x1024)"; }
  std::vector<uint64_t> default_size() const override { return {512, 1024}; }

  WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const override {
    const std::vector<uint64_t> size = resolve_size(*this, params, 2);
    const uint64_t rows = size[0], cols = size[1];
    require_arrays_fit(*this, size, {{"the input", {rows, cols}}, {"the output", {rows, cols}}});
    if (rows > 0x7fffffffu) throw std::invalid_argument(name() + ": too many rows for the grid");
    const std::vector<float> x = InputGenerator(params.seed).uniform_vector(rows * cols, -kInputRange, kInputRange);

    DeviceBuffer din(dev, x), dout(dev, rows * cols * sizeof(float));
    const runtime::ModuleHandle module = load_embedded_module(dev, "softmax");
    WorkloadResult result;
    result.launches.push_back(
        dev.launch(module, "softmax_rows", {{static_cast<uint32_t>(rows), 1, 1}, {kBlock, 1, 1}},
                   runtime::args(din.ptr(), dout.ptr(), static_cast<int32_t>(rows), static_cast<int32_t>(cols))));

    // Relative bound per element, in units of u = 2^-24, summing the kernel's error sources:
    //  x - max: one rounding of a value below 2*range, so up to 2*range*u absolute error in the
    //  exponent, i.e. relative 2*range*u in exp; expf: <= 2 ulp (CUDA Math API) = 4u;
    //  the sum of positive terms: gamma_d with d = per-thread terms + 5 + 5 tree levels;
    //  1/s (rcp.rn) and the final multiply: u each. Doubled for second-order terms.
    const double depth = std::ceil(static_cast<double>(cols) / kBlock) + 10.0;
    const double relative = 2.0 * ((2.0 * kInputRange + 4.0 + 2.0) * 0x1p-24 + float_gamma(depth));
    const std::vector<double> ref = softmax_reference(x, rows, cols);
    std::vector<double> bound(ref.size());
    // The absolute floor covers results that underflow to float subnormals (e^-16 / cols is far
    // above that, so it never loosens a normal element's check).
    for (size_t i = 0; i < ref.size(); ++i) bound[i] = relative * ref[i] + 0x1p-126;
    record_check(result, check_within(dout.download<float>(), ref, bound, "relative error bound from expf's 2 ulp"));
    return result;
  }
};

}  // namespace

std::unique_ptr<Workload> make_softmax_workload() { return std::make_unique<Softmax>(); }

}  // namespace gpusim::workloads
