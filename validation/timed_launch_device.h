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

#include "runtime/device.h"

namespace gpusim::validation {

struct TimedLaunchOptions {
  int warmup = 0;        // untimed launches before the timed ones
  int repetitions = 1;   // timed launches; LaunchStats.seconds is their median
  size_t flush_bytes = 0;  // scratch read before every launch; 0 = no flush
};

class TimedLaunchDevice final : public runtime::Device {
 public:
  // `inner` must outlive this object.
  TimedLaunchDevice(runtime::Device& inner, const TimedLaunchOptions& options);
  ~TimedLaunchDevice() override;

  std::string name() const override { return inner_.name(); }
  runtime::DevPtr alloc(size_t bytes) override { return inner_.alloc(bytes); }
  void free(runtime::DevPtr ptr) override { inner_.free(ptr); }
  void copy_to_device(runtime::DevPtr dst, const void* src, size_t bytes) override {
    inner_.copy_to_device(dst, src, bytes);
  }
  void copy_to_host(void* dst, runtime::DevPtr src, size_t bytes) override { inner_.copy_to_host(dst, src, bytes); }
  void memset(runtime::DevPtr dst, int value, size_t bytes) override { inner_.memset(dst, value, bytes); }
  runtime::ModuleHandle load_ptx(const std::string& source_name, const std::string& ptx) override {
    return inner_.load_ptx(source_name, ptx);
  }
  void synchronize() override { inner_.synchronize(); }
  void set_limit(runtime::DeviceLimit limit, uint64_t value) override { inner_.set_limit(limit, value); }
  uint64_t get_limit(runtime::DeviceLimit limit) override { return inner_.get_limit(limit); }
  runtime::DeviceProperties properties() const override { return inner_.properties(); }
  runtime::KernelArg encode_tensor_map_tiled(const runtime::TiledTensorMapSpec& spec) override {
    return inner_.encode_tensor_map_tiled(spec);
  }

  // Runs the launch warmup + repetitions times (each after a flush); returns the first timed
  // launch's stats with `seconds` replaced by the median. The samples stay in last_samples().
  runtime::LaunchStats launch(runtime::ModuleHandle module, const std::string& kernel,
                              const runtime::LaunchConfig& cfg, const runtime::KernelArgs& args) override;

  const std::vector<double>& last_samples() const { return samples_; }

 private:
  runtime::Device& inner_;
  TimedLaunchOptions options_;
  runtime::DevPtr flush_buffer_ = 0, flush_sink_ = 0;
  runtime::ModuleHandle probe_module_ = -1;

  void flush_l2();
  std::vector<double> samples_;
};

// The median of `values` (mean of the middle two for an even count). Throws on empty input.
double median(std::vector<double> values);

}  // namespace gpusim::validation
