#include "runtime/sim_profiling.h"

#include <cstdlib>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "isa/kernel_names.h"
#include "runtime/device.h"
#include "sim/systemc_driver.h"

namespace gpusim::runtime {

namespace {

// --trace-kernel NAME or NAME:K (K: the launch index from 0); K < 0 selects every launch of NAME.
std::pair<std::string, int64_t> parse_trace_kernel(const std::string& spec) {
  // NAME:K when what follows the last single ':' is a number ("ns::k" is a name).
  const size_t colon = spec.rfind(':');
  const bool indexed = colon != std::string::npos && (colon == 0 || spec[colon - 1] != ':');
  std::pair<std::string, int64_t> out{indexed ? spec.substr(0, colon) : spec, -1};
  if (indexed) {
    const std::string k = spec.substr(colon + 1);
    if (k.empty() || k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument("--trace-kernel '" + spec + "': expected NAME or NAME:K with K the launch index (from 0)");
    out.second = std::stoll(k);
  }
  if (out.first.empty()) throw std::invalid_argument("--trace-kernel '" + spec + "': no kernel name");
  return out;
}

sim::TraceOptions trace_options(const SimProfilingOptions& options, const sim::GpuConfig& config) {
  if (options.trace_path.empty() && (!options.trace_sms.empty() || !options.trace_cycles.empty()))
    throw std::invalid_argument("--trace-sms and --trace-cycles bound a --trace file; give --trace FILE.json too");
  sim::TraceOptions t;
  if (!options.trace_sms.empty()) t.sms = sim::parse_sm_list(options.trace_sms, config.num_sms);
  if (!options.trace_cycles.empty()) sim::parse_cycle_window(options.trace_cycles, &t);
  return t;
}

}  // namespace

void check_profiling_options(const SimProfilingOptions& options, const sim::GpuConfig& config) {
  try {
    if (!options.trace_kernel.empty()) parse_trace_kernel(options.trace_kernel);
    trace_options(options, config);
    if (!options.vcd_path.empty()) sim::VcdTracer(config, options.vcd_sm);  // checks the SM; opens nothing
  } catch (const std::exception& e) {
    throw Error(e.what());
  }
}

LaunchProfiler::LaunchProfiler(const SimProfilingOptions& options, const sim::GpuConfig& config) : options_(options) {
  try {
    if (!options.trace_kernel.empty()) std::tie(select_name_, select_index_) = parse_trace_kernel(options.trace_kernel);
    const sim::TraceOptions t = trace_options(options, config);
    if (!options.trace_path.empty()) trace_ = std::make_unique<sim::TraceWriter>(options.trace_path, config, t);
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
  if (trace_) {
    try {
      trace_->finish();
    } catch (const std::exception& e) {
      throw Error(std::string("--trace: ") + e.what());
    }
    const std::string missed = trace_->missed_window_note();
    if (!missed.empty() && !window_note_given_) {
      window_note_given_ = true;  // said once
      throw Error(missed);
    }
  }
  if (!select_name_.empty() && !selected_any_ && !launches_.empty()) {
    std::string ran;
    for (const auto& [kernel, count] : launches_)
      ran += (ran.empty() ? "" : ", ") + isa::qualified_kernel_name(isa::demangled_kernel_name(kernel)) + " x" + std::to_string(count);
    selected_any_ = true;  // said once
    throw Error("--trace-kernel '" + options_.trace_kernel + "' selected no launch (" + std::to_string(matching_launches_) +
                " launch(es) of a kernel of that name; kernels launched: " + ran + ")");
  }
}

bool LaunchProfiler::selected(const std::string& kernel) {
  ++launches_[kernel];
  if (select_name_.empty()) return true;
  // Any name a user gives a kernel by (isa/kernel_names.h); the index counts the launches it names.
  if (isa::kernel_name_match(kernel, select_name_) < 0) return false;
  const int64_t index = matching_launches_++;
  const bool chosen = select_index_ < 0 || index == select_index_;
  selected_any_ = selected_any_ || chosen;
  return chosen;
}

void LaunchProfiler::begin(const isa::Module& module, const std::string& kernel, uint64_t cycle, const std::string& stream) {
  active_ = selected(kernel);
  if (!active_) return;
  if (trace_) {
    trace_->begin_kernel(isa::demangled_kernel_name(kernel), cycle, stream);
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
