#include "sim/functional_progress_line.h"

namespace gpusim::sim {

FunctionalProgressLine::FunctionalProgressLine(std::string kernel, uint64_t ctas, std::FILE* out,
                                               std::chrono::milliseconds first_after, std::chrono::milliseconds every)
    : kernel_(std::move(kernel)), ctas_(ctas), line_(out, first_after, every) {}

std::string FunctionalProgressLine::format(const std::string& kernel, uint64_t warp_instructions,
                                           uint64_t finished_ctas, uint64_t ctas, double seconds) {
  const double rate = seconds > 0 ? double(warp_instructions) / seconds : 0.0;
  return "gpusim: " + kernel + "  functional  " + millions(double(warp_instructions)) + " warp-inst  " +
         std::to_string(finished_ctas) + "/" + std::to_string(ctas) + " CTAs done  " + millions(rate) +
         " warp-inst/s  " + std::to_string(static_cast<uint64_t>(seconds)) + " s";
}

void FunctionalProgressLine::on_round(uint64_t warp_instructions, bool cta_finished) {
  // Relaxed: the counts only feed the line, and a round a few microseconds late changes nothing.
  const uint64_t total = warp_instructions_.fetch_add(warp_instructions, std::memory_order_relaxed) + warp_instructions;
  if (cta_finished) finished_ctas_.fetch_add(1, std::memory_order_relaxed);
  const auto now = StatusLine::Clock::now();
  if (!line_.due(now)) return;
  line_.show(format(kernel_, total, finished_ctas_.load(std::memory_order_relaxed), ctas_, line_.seconds_at(now)));
}

}  // namespace gpusim::sim
