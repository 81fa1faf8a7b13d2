#include "runtime/sim_profiling.h"

#include <cxxabi.h>

#include <cstdlib>
#include <stdexcept>

#include "runtime/device.h"
#include "sim/systemc_driver.h"

namespace gpusim::runtime {

namespace {

// "_Z10vector_addPKfS0_Pfi" -> "vector_add(float const*, float const*, float*, int)"; other names as they are.
std::string demangled(const std::string& name) {
  int status = 0;
  char* d = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  std::string out = status == 0 && d ? d : name;
  std::free(d);
  return out;
}

// The function's own name in a demangled signature: "void ns::scale<int>(int*, int)" -> "scale".
std::string base_name(const std::string& signature) {
  std::string name;
  int depth = 0;
  for (char c : signature) {
    if (c == '(' && depth == 0) break;
    if (c == '<') ++depth;
    else if (c == '>') --depth;
    else if (depth == 0) name += c;
  }
  const size_t space = name.rfind(' ');
  if (space != std::string::npos) name.erase(0, space + 1);
  const size_t scope = name.rfind("::");
  if (scope != std::string::npos) name.erase(0, scope + 2);
  return name;
}

}  // namespace

LaunchProfiler::LaunchProfiler(const SimProfilingOptions& options, const sim::GpuConfig& config) : options_(options) {
  try {
    if (!options.trace_kernel.empty()) {
      // NAME:K when what follows the last single ':' is a number ("ns::k" is a name).
      const std::string& spec = options.trace_kernel;
      const size_t colon = spec.rfind(':');
      const bool indexed = colon != std::string::npos && (colon == 0 || spec[colon - 1] != ':');
      select_name_ = indexed ? spec.substr(0, colon) : spec;
      if (indexed) {
        const std::string k = spec.substr(colon + 1);
        if (k.empty() || k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos)
          throw std::invalid_argument("--trace-kernel '" + spec + "': expected NAME or NAME:K with K the launch index (from 0)");
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
  // The PTX (mangled) name, the demangled signature or the plain function name all select it.
  const std::string signature = demangled(kernel);
  const bool named = kernel == select_name_ || signature == select_name_ || base_name(signature) == select_name_;
  return named && (select_index_ < 0 || index == select_index_);
}

void LaunchProfiler::begin(const isa::Module& module, const std::string& kernel, uint64_t cycle) {
  active_ = selected(kernel);
  if (!active_) return;
  if (trace_) {
    trace_->begin_kernel(demangled(kernel), cycle);
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
