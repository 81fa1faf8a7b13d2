// The profiling side of a timed SimDevice: the Perfetto timeline (sim::TraceWriter), the per-line
// source counters (sim::SourceCounters) and the VCD waveforms (sim::VcdTracer), all watching the
// model through one fan-out observer that is attached once, when the device is made, so that
// choosing which launches to profile never rebuilds the model (which would drop its cache state).
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "isa/ir.h"
#include "runtime/sim_device.h"
#include "sim/gpu_model.h"
#include "sim/observer_fanout.h"
#include "sim/source_counters.h"
#include "sim/trace_writer.h"
#include "sim/vcd_tracer.h"

namespace gpusim::runtime {

// What LaunchProfiler's constructor checks, without opening a file: the --trace-kernel spec,
// --trace-sms/--trace-cycles against `config`, --vcd-sm. `gpusim exec` checks its options so
// before the program runs (a device that cannot start fails every CUDA call of a program that
// may not check them). Throws runtime::Error naming the option.
void check_profiling_options(const SimProfilingOptions& options, const sim::GpuConfig& config);

class LaunchProfiler {
 public:
  // Checks the options and opens the trace and waveform files. Throws runtime::Error naming the
  // option and what is wrong with it.
  LaunchProfiler(const SimProfilingOptions& options, const sim::GpuConfig& config);
  ~LaunchProfiler();  // finishes the trace file, closes the waveform file
  LaunchProfiler(const LaunchProfiler&) = delete;
  LaunchProfiler& operator=(const LaunchProfiler&) = delete;

  sim::SimObserver* observer() { return &fanout_; }

  // Before a launch starting at `cycle`: whether it is selected (--trace-kernel), and if so the
  // observers for it are attached.
  void begin(const isa::Module& module, const std::string& kernel, uint64_t cycle, const std::string& stream = "");
  // After the launch: detaches, adds the "source" object to `report` and the top lines to `text`.
  void end(uint64_t end_cycle, nlohmann::json& report, std::string& text);
  // After a fault: detaches without reporting.
  void abort(uint64_t cycle);
  // Host work on the simulated timeline between launches (sim::TraceWriter::idle).
  void idle(uint64_t cycle, uint64_t cycles, const std::string& what) {
    if (trace_) trace_->idle(cycle, cycles, what);
  }

  // Writes the end of the trace file; throws runtime::Error when it could not be written, or when
  // --trace-kernel selected no launch (naming the kernels that ran).
  void finish();

 private:
  bool selected(const std::string& kernel);

  SimProfilingOptions options_;
  sim::ObserverFanout fanout_;
  std::unique_ptr<sim::TraceWriter> trace_;
  std::unique_ptr<sim::VcdTracer> vcd_;
  std::unique_ptr<sim::SourceCounters> counters_;
  std::string select_name_;
  int64_t select_index_ = -1;                 // -1: every launch of select_name_
  std::map<std::string, int64_t> launches_;   // launches seen per kernel name
  int64_t matching_launches_ = 0;             // launches whose kernel select_name_ names
  bool selected_any_ = false;
  bool window_note_given_ = false;
  bool active_ = false;
};

}  // namespace gpusim::runtime
