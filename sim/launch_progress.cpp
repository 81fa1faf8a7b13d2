#include "sim/launch_progress.h"

namespace gpusim::sim {

namespace {

// Simulated cycles between looks at the host clock: a clock read costs tens of nanoseconds, a
// simulated cycle of a full GPU tens of microseconds.
constexpr uint64_t kCyclesPerLook = 256;

std::string with_commas(uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string millions(double v) {
  char b[32];
  std::snprintf(b, sizeof b, v >= 10e6 ? "%.0fM" : "%.2fM", v / 1e6);
  return b;
}

}  // namespace

LaunchProgressLine::LaunchProgressLine(GpuModel& model, std::string kernel, uint64_t ctas, std::FILE* out,
                                       std::chrono::milliseconds first_after, std::chrono::milliseconds every)
    : kernel_(std::move(kernel)), ctas_(ctas), out_(out), every_(every) {
  if (model.progress_probe()) return;
  model_ = &model;
  model.set_progress_probe(this, kCyclesPerLook);
  start_ = std::chrono::steady_clock::now();
  next_print_ = start_ + first_after;
}

LaunchProgressLine::~LaunchProgressLine() {
  if (model_) model_->set_progress_probe(nullptr, 1);
  if (printed_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
  }
}

std::string LaunchProgressLine::format(const std::string& kernel, uint64_t cycles, uint64_t warp_instructions,
                                       uint64_t started_ctas, uint64_t ctas, double seconds) {
  const double rate = seconds > 0 ? double(warp_instructions) / seconds : 0.0;
  return "gpusim: " + kernel + "  cycle " + with_commas(cycles) + "  " + millions(double(warp_instructions)) +
         " warp-inst  " + std::to_string(started_ctas) + "/" + std::to_string(ctas) + " CTAs started  " +
         millions(rate) + " warp-inst/s  " + std::to_string(static_cast<uint64_t>(seconds)) + " s";
}

void LaunchProgressLine::on_progress(uint64_t launch_cycles, uint64_t warp_instructions) {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_print_) return;
  next_print_ = now + every_;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const std::string line = format(kernel_, launch_cycles, warp_instructions, model_->dispatched_ctas(), ctas_, seconds);
  std::fprintf(out_, "\r\033[K%s", line.c_str());
  std::fflush(out_);
  printed_ = true;
}

}  // namespace gpusim::sim
