// vecadd: c = a + b over n floats.
#include <string>

#include "workloads/families.h"
#include "workloads/input_gen.h"
#include "workloads/reference.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

constexpr uint32_t kBlock = 256;

class VecAdd final : public Workload {
 public:
  std::string name() const override { return "vecadd"; }
  std::string description() const override { return "element-wise c = a + b over float vectors"; }
  std::string size_help() const override { return "N (default 1048576)"; }
  std::vector<uint64_t> default_size() const override { return {1u << 20}; }

  WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const override {
    const uint64_t n = resolve_size(*this, params, 1)[0];
    require_arrays_fit(*this, {n}, {{"a", {n}}, {"b", {n}}, {"c", {n}}});
    InputGenerator gen(params.seed);
    const std::vector<float> a = gen.uniform_vector(n, -1000.0f, 1000.0f);
    const std::vector<float> b = gen.uniform_vector(n, -1000.0f, 1000.0f);

    DeviceBuffer da(dev, a), db(dev, b), dc(dev, n * sizeof(float));
    const runtime::ModuleHandle module = load_embedded_module(dev, "vecadd");
    WorkloadResult result;
    result.launches.push_back(dev.launch(module, "vecadd", {{ceil_div(n, kBlock), 1, 1}, {kBlock, 1, 1}},
                                         runtime::args(da.ptr(), db.ptr(), dc.ptr(), static_cast<int32_t>(n))));

    // Exact: a single IEEE float addition is correctly rounded, so the device must produce the
    // same bits as the host's float addition.
    record_check(result, check_exact(dc.download<float>(), vecadd_reference(a, b)));
    return result;
  }
};

}  // namespace

std::unique_ptr<Workload> make_vecadd_workload() { return std::make_unique<VecAdd>(); }

}  // namespace gpusim::workloads
