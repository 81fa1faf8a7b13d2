// A Device decorator for timing a real GPU the way the simulator sees a launch: before every
// launch a kernel reads a scratch buffer twice the size of the L2 (gpu_probe.cu,
// probe_flush_read), so each timed launch starts with none of its data in L2 (the simulator starts
// each workload with cold caches, and a host copy leaves data in a real L2) and with no dirty
// lines to write back (a memset flush leaves the L2 full of them, which slowed every small kernel
// on an H200 by ~15 us), and it can repeat each launch (warm-up runs, then timed runs) and
// report the median time. Repeating a launch is only right for kernels whose output does not
// depend on the output buffer's old contents (the microbenchmarks); `gpusim compare` repeats
// whole workload runs instead (validation/gpu_measure.h).
#pragma once

#include <memory>
#include <vector>

#include "runtime/forwarding_device.h"

namespace gpusim::validation {

struct TimedLaunchOptions {
  int warmup = 0;        // untimed launches before the timed ones
  int repetitions = 1;   // timed launches; LaunchStats.seconds is their median
  size_t flush_bytes = 0;  // scratch read before every launch; 0 = no flush
};

class TimedLaunchDevice final : public runtime::ForwardingDevice {
 public:
  // `inner` must outlive this object.
  TimedLaunchDevice(runtime::Device& inner, const TimedLaunchOptions& options);
  ~TimedLaunchDevice() override;

  // Runs the launch warmup + repetitions times (each after a flush); returns the first timed
  // launch's stats with `seconds` replaced by the median. The samples stay in last_samples().
  runtime::LaunchStats launch(runtime::ModuleHandle module, const std::string& kernel,
                              const runtime::LaunchConfig& cfg, const runtime::KernelArgs& args) override;

  const std::vector<double>& last_samples() const { return samples_; }

 private:
  TimedLaunchOptions options_;
  runtime::DevPtr flush_buffer_ = 0, flush_sink_ = 0;
  runtime::ModuleHandle probe_module_ = -1;

  void flush_l2();
  std::vector<double> samples_;
};

// The median of `values` (mean of the middle two for an even count). Throws on empty input.
double median(std::vector<double> values);

}  // namespace gpusim::validation
