#include "validation/timed_launch_device.h"

#include <algorithm>
#include <stdexcept>

#include "workloads/workload_support.h"

namespace gpusim::validation {

TimedLaunchDevice::TimedLaunchDevice(runtime::Device& inner, const TimedLaunchOptions& options)
    : ForwardingDevice(inner), options_(options) {
  if (options_.warmup < 0 || options_.repetitions < 1)
    throw std::invalid_argument("timed launches need warm-up >= 0 and repetitions >= 1");
  if (options_.flush_bytes == 0) return;
  options_.flush_bytes = (options_.flush_bytes + 15) / 16 * 16;
  flush_buffer_ = inner.alloc(options_.flush_bytes);
  flush_sink_ = inner.alloc(4);
  inner.memset(flush_buffer_, 0, options_.flush_bytes);
  probe_module_ = workloads::load_embedded_module(inner, "gpu_probe");
}

void TimedLaunchDevice::flush_l2() {
  const uint64_t words = options_.flush_bytes / 16;
  const uint32_t threads = 256;
  const uint32_t blocks = uint32_t(std::min<uint64_t>((words + threads - 1) / threads, 4096));
  const uint32_t never = 1;  // the zeroed buffer XORs to 0
  inner().launch(probe_module_, "probe_flush_read", {{blocks, 1, 1}, {threads, 1, 1}, 0},
                runtime::args(flush_buffer_, words, never, flush_sink_));
}

TimedLaunchDevice::~TimedLaunchDevice() {
  if (!flush_buffer_) return;
  try {
    inner().free(flush_buffer_);
    inner().free(flush_sink_);
  } catch (...) {  // a lost CUDA context refuses every call; nothing to free then
  }
}

runtime::LaunchStats TimedLaunchDevice::launch(runtime::ModuleHandle module, const std::string& kernel,
                                               const runtime::LaunchConfig& cfg, const runtime::KernelArgs& args) {
  samples_.clear();
  runtime::LaunchStats first;
  for (int i = 0; i < options_.warmup + options_.repetitions; ++i) {
    if (flush_buffer_) flush_l2();
    runtime::LaunchStats s = inner().launch(module, kernel, cfg, args);
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
