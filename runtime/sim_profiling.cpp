#include "runtime/sim_profiling.h"

#include <stdexcept>

#include "runtime/device.h"
#include "sim/systemc_driver.h"

namespace gpusim::runtime {

LaunchProfiler::LaunchProfiler(const SimProfilingOptions& options, const sim::GpuConfig& config) : options_(options) {
  try {
    if (!options.trace_kernel.empty()) {
      const size_t colon = options.trace_kernel.rfind(':');
      select_name_ = options.trace_kernel.substr(0, colon);
      if (colon != std::string::npos) {
        const std::string k = options.trace_kernel.substr(colon + 1);
        if (k.empty() || k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos)
          throw std::invalid_argument("--trace-kernel '" + options.trace_kernel +
                                      "': expected NAME or NAME:K with K the launch index (from 0)");
        select_index_ = std::stoll(k);
      }
      if (select_name_.empty()) throw std::invalid_argument("--trace-kernel '" + options.trace_kernel + "': no kernel name");
    }
    if (!options.trace_path.empty()) {
      sim::TraceOptions t;
      if (!options.trace_sms.empty()) t.sms = sim::parse_sm_list(options.trace_sms, config.num_sms);
      if (!options.trace_cycles.empty()) sim::parse_cycle_window(options.trace_cycles, &t);
      trace_ = std::make_unique<sim::TraceWriter>(options.trace_path, config, t);
    } else if (!options.trace_sms.empty() || !options.trace_cycles.empty()) {
      throw std::invalid_argument("--trace-sms and --trace-cycles bound a --trace file; give --trace FILE.json too");
    }
    if (!options.vcd_path.empty()) {
      vcd_ = std::make_unique<sim::VcdTracer>(config, options.vcd_sm);
      sim::open_vcd(options.vcd_path, *vcd_);
      fanout_.add(vcd_.get());  // the waveform covers the whole run: SystemC samples every time step anyway
    }
  } catch (const std::exception& e) {
    throw Error(e.what());
  }
}

LaunchProfiler::~LaunchProfiler() {
  try {
    finish();
  } catch (...) {  // reported by an explicit finish(); a destructor must not throw
  }
}

void LaunchProfiler::finish() {
  if (vcd_) {
    sim::close_vcd();
    fanout_.remove(vcd_.get());
  }
  if (!trace_) return;
  try {
    trace_->finish();
  } catch (const std::exception& e) {
    throw Error(e.what());
  }
}

bool LaunchProfiler::selected(const std::string& kernel) {
  const int64_t index = launches_[kernel]++;
  if (select_name_.empty()) return true;
  return kernel == select_name_ && (select_index_ < 0 || index == select_index_);
}

void LaunchProfiler::begin(const isa::Module& module, const std::string& kernel, uint64_t cycle) {
  active_ = selected(kernel);
  if (!active_) return;
  if (trace_) {
    trace_->begin_kernel(kernel, cycle);
    fanout_.add(trace_.get());
  }
  if (options_.source_report > 0) {
    counters_ = std::make_unique<sim::SourceCounters>(module);
    fanout_.add(counters_.get());
  }
}

void LaunchProfiler::end(uint64_t end_cycle, nlohmann::json& report, std::string& text) {
  if (!active_) return;
  active_ = false;
  if (trace_) {
    trace_->end_kernel(end_cycle);
    fanout_.remove(trace_.get());
  }
  if (counters_) {
    fanout_.remove(counters_.get());
    report["source"] = counters_->to_json();
    text += counters_->report(options_.source_report);
    counters_.reset();
  }
}

void LaunchProfiler::abort(uint64_t cycle) {
  nlohmann::json ignored;
  std::string also_ignored;
  end(cycle, ignored, also_ignored);
}

}  // namespace gpusim::runtime
