// transpose_padded / transpose_unpadded: out = in^T through 32x32 shared-memory tiles.
#include <string>

#include "workloads/families.h"
#include "workloads/input_gen.h"
#include "workloads/reference.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

constexpr uint32_t kTile = 32, kRowsPerPass = 8;  // TILE and ROWS_PER_PASS in transpose.cu

class Transpose final : public Workload {
 public:
  explicit Transpose(bool padded) : padded_(padded) {}

  std::string name() const override { return padded_ ? "transpose_padded" : "transpose_unpadded"; }
  std::string description() const override {
    return padded_ ? "matrix transpose via 32x33 shared tiles (padding avoids bank conflicts)"
                   : "matrix transpose via 32x32 shared tiles (32-way bank conflicts on the column read)";
  }
  std::string size_help() const override { return "ROWSxCOLS (default 1024x1024)"; }
  std::vector<uint64_t> default_size() const override { return {1024, 1024}; }

  WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const override {
    const std::vector<uint64_t> size = resolve_size(*this, params, 2);
    const uint64_t rows = size[0], cols = size[1];
    require_arrays_fit(*this, size, {{"the input", {rows, cols}}, {"the output", {rows, cols}}});
    if (ceil_div(rows, kTile) > 65535) throw std::invalid_argument(name() + ": ROWS exceeds the grid's y limit");
    const std::vector<float> in = InputGenerator(params.seed).uniform_vector(rows * cols, -1.0f, 1.0f);

    DeviceBuffer din(dev, in), dout(dev, rows * cols * sizeof(float));
    const runtime::ModuleHandle module = load_embedded_module(dev, "transpose");
    const runtime::LaunchConfig cfg{{ceil_div(cols, kTile), ceil_div(rows, kTile), 1}, {kTile, kRowsPerPass, 1}};
    WorkloadResult result;
    result.launches.push_back(dev.launch(module, name(), cfg,
                                         runtime::args(din.ptr(), dout.ptr(), static_cast<int32_t>(rows),
                                                       static_cast<int32_t>(cols))));
    // Exact: a transpose only moves values.
    record_check(result, check_exact(dout.download<float>(), transpose_reference(in, rows, cols)));
    return result;
  }

 private:
  bool padded_;
};

}  // namespace

std::unique_ptr<Workload> make_transpose_workload(bool padded) { return std::make_unique<Transpose>(padded); }

}  // namespace gpusim::workloads
