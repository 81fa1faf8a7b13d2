#include "validation/timed_launch_device.h"

#include <algorithm>
#include <stdexcept>

namespace gpusim::validation {

TimedLaunchDevice::TimedLaunchDevice(runtime::Device& inner, const TimedLaunchOptions& options)
    : inner_(inner), options_(options) {
  if (options_.warmup < 0 || options_.repetitions < 1)
    throw std::invalid_argument("timed launches need warm-up >= 0 and repetitions >= 1");
  if (options_.flush_bytes > 0) flush_buffer_ = inner_.alloc(options_.flush_bytes);
}

TimedLaunchDevice::~TimedLaunchDevice() {
  if (!flush_buffer_) return;
  try {
    inner_.free(flush_buffer_);
  } catch (...) {  // a lost CUDA context refuses every call; nothing to free then
  }
}

runtime::LaunchStats TimedLaunchDevice::launch(runtime::ModuleHandle module, const std::string& kernel,
                                               const runtime::LaunchConfig& cfg, const runtime::KernelArgs& args) {
  samples_.clear();
  runtime::LaunchStats first;
  for (int i = 0; i < options_.warmup + options_.repetitions; ++i) {
    // A different byte each time, so no level of the memory system can skip the writes.
    if (flush_buffer_) inner_.memset(flush_buffer_, (flush_value_++ & 0x7f) + 1, options_.flush_bytes);
    runtime::LaunchStats s = inner_.launch(module, kernel, cfg, args);
    if (i < options_.warmup) continue;
    if (samples_.empty()) first = s;
    samples_.push_back(s.seconds);
  }
  first.seconds = median(samples_);
  return first;
}

double median(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("median of no values");
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

}  // namespace gpusim::validation
