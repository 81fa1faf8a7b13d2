// reduce_sum: the sum of N floats by block reduction (shuffle + shared) and atomicAdd.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "workloads/families.h"
#include "workloads/input_gen.h"
#include "workloads/reference.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads {
namespace {

constexpr uint32_t kBlock = 256;
constexpr uint64_t kElementsPerThread = 4;  // grid-stride work per thread before the tree
constexpr uint32_t kMaxBlocks = 1024;
constexpr int kMaxAbsInput = 4;

class ReduceSum final : public Workload {
 public:
  std::string name() const override { return "reduce_sum"; }
  std::string description() const override {
    return "sum of floats: warp shuffles, shared memory across warps, atomicAdd per block";
  }
  std::string size_help() const override { return "N (default 1048576)"; }
  std::vector<uint64_t> default_size() const override { return {1u << 20}; }

  WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const override {
    const uint64_t n = resolve_size(*this, params, 1)[0];
    require_arrays_fit(*this, {n}, {{"the input", {n}}});
    const std::vector<float> in = InputGenerator(params.seed).small_integer_vector(n, kMaxAbsInput);
    const uint32_t blocks = std::min<uint32_t>(kMaxBlocks, ceil_div(n, kBlock * kElementsPerThread));

    DeviceBuffer din(dev, in), dout(dev, sizeof(float));
    dev.memset(dout.ptr(), 0, sizeof(float));
    const runtime::ModuleHandle module = load_embedded_module(dev, "reduction");
    WorkloadResult result;
    result.launches.push_back(dev.launch(module, "reduce_sum", {{blocks, 1, 1}, {kBlock, 1, 1}},
                                         runtime::args(din.ptr(), dout.ptr(), static_cast<int32_t>(n))));

    const SumReference ref = sum_reference(in);
    // Integers of magnitude <= 4: while N * 4 <= 2^24 every partial sum, in whatever order the
    // blocks' atomics land, is an exactly representable integer, so the sum must be exact.
    // Beyond that, fall back to the order-independent bound gamma_N * sum|x|.
    const bool exact = n * kMaxAbsInput <= (uint64_t{1} << 24);
    const double bound = exact ? 0.0 : float_gamma(static_cast<double>(n)) * ref.abs_sum;
    const float got = dout.download<float>()[0];
    const double error = std::fabs(static_cast<double>(got) - ref.sum);
    result.max_abs_error = error;
    result.passed = error <= bound;
    std::ostringstream s;
    s.precision(10);
    s << "device sum " << got << ", reference " << ref.sum << " ("
      << (exact ? "exact: integer inputs" : "bound gamma_N * sum|x| = ") ;
    if (!exact) s << bound;
    s << ")";
    result.detail = s.str();
    return result;
  }
};

}  // namespace

std::unique_ptr<Workload> make_reduce_sum_workload() { return std::make_unique<ReduceSum>(); }

}  // namespace gpusim::workloads
