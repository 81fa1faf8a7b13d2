// The status line of a long functional-mode launch, as sim/launch_progress.h draws for a timed
// one, so that a kernel that runs for minutes (or loops without end, storing ever new values the
// repeat watch cannot catch, until the instruction budget stops it hours later) is not a silent
// process:
//   gpusim: spin  functional  1234M warp-inst  3/1024 CTAs done  41M warp-inst/s  30 s
// Fed by the functional executor's rounds from any of its threads (isa::FunctionalProgress).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "isa/functional_executor.h"
#include "sim/status_line.h"

namespace gpusim::sim {

class FunctionalProgressLine final : public isa::FunctionalProgress {
 public:
  FunctionalProgressLine(std::string kernel, uint64_t ctas, std::FILE* out,
                         std::chrono::milliseconds first_after = std::chrono::seconds(2),
                         std::chrono::milliseconds every = std::chrono::seconds(1));

  void on_round(uint64_t warp_instructions, bool cta_finished) override;

  // The line's text (without the carriage return), for tests.
  static std::string format(const std::string& kernel, uint64_t warp_instructions, uint64_t finished_ctas,
                            uint64_t ctas, double seconds);

 private:
  std::string kernel_;
  uint64_t ctas_ = 0;
  std::atomic<uint64_t> warp_instructions_{0}, finished_ctas_{0};
  StatusLine line_;  // last: erased before the rest goes
};

}  // namespace gpusim::sim
