// window_sum_naive / window_sum_shared: out[i] = in[i-2] + ... + in[i+2] (zero outside).
#include <string>

#include "workloads/families.h"
#include "workloads/input_gen.h"
#include "workloads/reference.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

constexpr int kRadius = 2;       // RADIUS in window_sum.cu
constexpr uint32_t kBlock = 256;  // WINDOW_BLOCK in window_sum.cu (sizes the shared tile)

class WindowSum final : public Workload {
 public:
  explicit WindowSum(bool shared_memory) : shared_(shared_memory) {}

  std::string name() const override { return shared_ ? "window_sum_shared" : "window_sum_naive"; }
  std::string description() const override {
    return shared_ ? "1-D window sum (radius 2) from a shared-memory tile with halo"
                   : "1-D window sum (radius 2) reading global memory directly";
  }
  std::string size_help() const override { return "N (default 1048576)"; }
  std::vector<uint64_t> default_size() const override { return {1u << 20}; }

  WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const override {
    const uint64_t n = resolve_size(*this, params, 1)[0];
    require_arrays_fit(*this, {n}, {{"the input", {n}}, {"the output", {n}}});
    // Small integers: every partial sum (at most 5 * 8) is exact in float, so the device must
    // match the reference exactly whatever order it adds in.
    const std::vector<float> in = InputGenerator(params.seed).small_integer_vector(n, 8);

    DeviceBuffer din(dev, in), dout(dev, n * sizeof(float));
    const runtime::ModuleHandle module = load_embedded_module(dev, "window_sum");
    WorkloadResult result;
    result.launches.push_back(dev.launch(module, name(), {{ceil_div(n, kBlock), 1, 1}, {kBlock, 1, 1}},
                                         runtime::args(din.ptr(), dout.ptr(), static_cast<int32_t>(n))));
    record_check(result, check_exact(dout.download<float>(), window_sum_reference(in, kRadius)));
    return result;
  }

 private:
  bool shared_;
};

}  // namespace

std::unique_ptr<Workload> make_window_sum_workload(bool shared_memory) {
  return std::make_unique<WindowSum>(shared_memory);
}

}  // namespace gpusim::workloads
