#include "sim/launch_progress.h"

namespace gpusim::sim {

namespace {

// Simulated cycles between looks at the host clock: a clock read costs tens of nanoseconds, a
// simulated cycle of a full GPU tens of microseconds.
constexpr uint64_t kCyclesPerLook = 256;

}  // namespace

LaunchProgressLine::LaunchProgressLine(GpuModel& model, std::string kernel, uint64_t ctas, std::FILE* out,
                                       std::chrono::milliseconds first_after, std::chrono::milliseconds every)
    : kernel_(std::move(kernel)), ctas_(ctas), line_(out, first_after, every) {
  if (model.progress_probe()) return;
  model_ = &model;
  model.set_progress_probe(this, kCyclesPerLook);
}

LaunchProgressLine::~LaunchProgressLine() {
  if (model_) model_->set_progress_probe(nullptr, 1);
}

std::string LaunchProgressLine::format(const std::string& kernel, uint64_t cycles, uint64_t warp_instructions,
                                       uint64_t started_ctas, uint64_t ctas, double seconds) {
  const double rate = seconds > 0 ? double(warp_instructions) / seconds : 0.0;
  return "gpusim: " + kernel + "  cycle " + with_commas(cycles) + "  " + millions(double(warp_instructions)) +
         " warp-inst  " + std::to_string(started_ctas) + "/" + std::to_string(ctas) + " CTAs started  " +
         millions(rate) + " warp-inst/s  " + std::to_string(static_cast<uint64_t>(seconds)) + " s";
}

void LaunchProgressLine::on_progress(uint64_t launch_cycles, uint64_t warp_instructions) {
  const auto now = StatusLine::Clock::now();
  if (!line_.due(now)) return;
  line_.show(format(kernel_, launch_cycles, warp_instructions, model_->dispatched_ctas(), ctas_, line_.seconds_at(now)));
}

}  // namespace gpusim::sim
