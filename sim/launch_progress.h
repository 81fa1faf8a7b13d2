// A status line on the terminal while a long timed launch runs, so that a user simulating their
// own large kernel sees it advance instead of a silent process:
//   gpusim: sgemm_tiled  cycle 182,000  9.8M warp-inst  600/1024 CTAs started  0.61M warp-inst/s  16 s
// It appears after two seconds of host time, is rewritten in place about once a second, and is
// erased when the launch ends, so a short launch prints nothing and a finished one leaves only
// the usual report. It watches the model through GpuModel::ProgressProbe (a read-only hook per
// window of simulated cycles): it never changes the simulation, so results stay deterministic.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "sim/gpu_model.h"
#include "sim/status_line.h"

namespace gpusim::sim {

class LaunchProgressLine final : public GpuModel::ProgressProbe {
 public:
  // Attaches to `model` for the next launch (none is attached when a sampler already watches it).
  // The delays are the defaults above except in tests.
  LaunchProgressLine(GpuModel& model, std::string kernel, uint64_t ctas, std::FILE* out,
                     std::chrono::milliseconds first_after = std::chrono::seconds(2),
                     std::chrono::milliseconds every = std::chrono::seconds(1));
  bool attached() const { return model_ != nullptr; }
  ~LaunchProgressLine();  // detaches and erases the line
  LaunchProgressLine(const LaunchProgressLine&) = delete;
  LaunchProgressLine& operator=(const LaunchProgressLine&) = delete;

  void on_progress(uint64_t launch_cycles, uint64_t warp_instructions) override;

  // The line's text (without the carriage return), for tests.
  static std::string format(const std::string& kernel, uint64_t cycles, uint64_t warp_instructions,
                            uint64_t started_ctas, uint64_t ctas, double seconds);

 private:
  GpuModel* model_ = nullptr;  // null when not attached
  std::string kernel_;
  uint64_t ctas_ = 0;
  StatusLine line_;
};

}  // namespace gpusim::sim
