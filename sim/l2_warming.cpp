#include "sim/l2_warming.h"

#include <algorithm>

#include "sim/sampled_detail.h"

namespace gpusim::sim {

namespace {

// Merges a warp's lane accesses to one line (32 lanes of 4 bytes: one call instead of 32) before
// they reach the L2's tags.
class L2Warmer : public isa::GlobalAccessSink {
 public:
  L2Warmer(GpuModel& model, uint64_t line_bytes) : model_(model), line_bytes_(line_bytes) {}
  ~L2Warmer() override = default;
  void on_global_access(uint64_t address, uint32_t bytes, bool write) override {
    const uint64_t first = address / line_bytes_, last = (address + (bytes ? bytes : 1) - 1) / line_bytes_;
    if (first == last && first == line_ && write == write_ && pending_) {
      lo_ = std::min(lo_, address), hi_ = std::max(hi_, address + bytes);
      return;
    }
    flush();
    pending_ = true, line_ = first, write_ = write, lo_ = address, hi_ = address + (bytes ? bytes : 1);
    if (first != last) flush();  // an access across lines is placed at once
  }
  void flush() {
    if (pending_) replaced_ += model_.warm_l2(lo_, uint32_t(hi_ - lo_), write_);
    pending_ = false;
  }
  uint64_t replaced() const { return replaced_; }

 private:
  GpuModel& model_;
  uint64_t line_bytes_;
  bool pending_ = false, write_ = false;
  uint64_t line_ = 0, lo_ = 0, hi_ = 0, replaced_ = 0;
};

}  // namespace

L2Warming warm_l2_with_ctas(GpuModel& model, isa::LaunchState& launch, const isa::FunctionalLimits& limits,
                            uint64_t first, uint64_t end) {
  L2Warming w;
  w.first_cta = first, w.end_cta = end;
  L2Warmer warmer(model, uint64_t(model.config().l2_line_bytes));
  const uint64_t before = launch.warp_instructions;
  const double t0 = process_cpu_seconds();
  isa::run_ctas_functional(launch, limits, first, end, nullptr, &warmer);
  warmer.flush();
  w.cpu_seconds = process_cpu_seconds() - t0;
  w.warp_instructions = launch.warp_instructions - before;
  w.replaced_lines = warmer.replaced();
  return w;
}

}  // namespace gpusim::sim
