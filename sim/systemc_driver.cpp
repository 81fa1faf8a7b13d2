#include "sim/systemc_driver.h"

#include "sim/clock_schedule.h"
#include "sim/output_file.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include <systemc>

namespace gpusim::sim {

namespace {

// Core, L2 and DRAM clock edges driven by one SystemC method with dynamic sensitivity: while a
// launch runs it wakes at the earliest pending edge and ticks every domain whose edge is due, in a
// fixed order (core, L2, DRAM; sim/clock_schedule.h, shared with the stepper); otherwise it waits
// for the next launch's start event.
//
// One method rather than one per domain: SystemC runs processes that wake at the same time in an
// order that depends on the kernel's history, so with three methods two identical launches in one
// process could see coincident edges in different orders and differ by a few cycles (seen when a
// second simulated device repeated a first one's copy kernel). With one method the order is
// part of the model.
class GpuClocks : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(GpuClocks);
  explicit GpuClocks(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    SC_METHOD(step);
    sensitive << start_;
    dont_initialize();
  }

  void start(GpuModel* model, const isa::LaunchState* launch) {
    launch_ = launch;
    schedule_.emplace(model->config());
    schedule_->start(now_ps());  // every domain's first edge is the launch's start
    model_ = model;
    error_ = nullptr;
    start_.notify(sc_core::SC_ZERO_TIME);
  }
  std::exception_ptr error() const { return error_; }

 private:
  static uint64_t now_ps() {
    return sc_core::sc_time_stamp().value() / (sc_core::sc_time(1, sc_core::SC_PS).value());
  }

  void step() {
    if (!model_) {
      next_trigger(start_);
      return;
    }
    const uint64_t now = now_ps();
    try {
      if (schedule_->next_edge_ps() != now)
        throw std::logic_error("SystemC clock driver: woke at " + std::to_string(now) + " ps, the next edge is at " +
                               std::to_string(schedule_->next_edge_ps()) + " ps");
      schedule_->tick_next(*model_, *launch_);
    } catch (...) {
      error_ = std::current_exception();
      model_ = nullptr;
      next_trigger(start_);
      return;
    }
    if (model_->finished()) {
      model_ = nullptr;
      next_trigger(start_);
      return;
    }
    next_trigger(sc_core::sc_time(static_cast<double>(schedule_->next_edge_ps() - now), sc_core::SC_PS));
  }

  sc_core::sc_event start_;
  GpuModel* model_ = nullptr;
  const isa::LaunchState* launch_ = nullptr;
  std::exception_ptr error_;
  std::optional<ClockSchedule> schedule_;
};

// The SystemC kernel is process-wide (see the header); so is the module that drives it and the
// waveform file that must be declared before it elaborates.
struct DriverState {
  GpuClocks* clocks = nullptr;
  sc_core::sc_trace_file* vcd = nullptr;
};
DriverState& driver() {
  static DriverState state;
  return state;
}

GpuClocks& clocks() {
  DriverState& d = driver();
  if (!d.clocks) d.clocks = [] {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    // A second copy of gpusim in the process (the simulated libcuda.so.1 loaded by gpusim itself)
    // shares libsystemc, whose one simulation cannot take new modules once it has run.
    if (sc_core::sc_find_object("gpusim_clocks"))
      throw std::runtime_error(
          "another copy of gpusim's timing model already drives SystemC in this process (e.g. the simulated "
          "libcuda.so.1 with GPUSIM_MODE=timing inside gpusim); SystemC allows one per process: run one of "
          "them in functional mode");
    auto* c = new GpuClocks("gpusim_clocks");
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // finish elaboration once
    return c;
  }();
  return *d.clocks;
}

}  // namespace

LaunchTiming run_timed_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources) {
  GpuClocks& c = clocks();
  model.begin_launch(&launch, resources);
  c.start(&model, &launch);
  sc_core::sc_start();  // returns when no clock is re-triggered: the launch has drained
  if (c.error()) {
    model.end_launch();
    std::rethrow_exception(c.error());
  }
  return model.end_launch();
}

void open_vcd(const std::string& path, VcdTracer& tracer) {
  DriverState& d = driver();
  const std::string ext = ".vcd";
  if (path.size() <= ext.size() || path.compare(path.size() - ext.size(), ext.size(), ext) != 0)
    throw std::runtime_error("--vcd '" + path + "': the file name must end in .vcd");
  if (d.vcd) throw std::runtime_error("--vcd '" + path + "': a waveform file is already open in this process");
  if (d.clocks || sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    throw std::runtime_error("--vcd '" + path + "': SystemC has already started in this process; waveforms must be "
                             "set up before the first timed launch");
  // SystemC writes the file through its own FILE* and never reports a write error, so a file that
  // cannot take even one byte (a full disk) is refused here, before the run.
  write_file_completely(path, "\n");
  d.vcd = sc_core::sc_create_vcd_trace_file(path.substr(0, path.size() - ext.size()).c_str());
  // SystemC reports the unit change as an informational message on stdout; gpusim's output stays its own.
  const sc_core::sc_actions info = sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  d.vcd->set_time_unit(1, sc_core::SC_PS);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, info);
  tracer.declare(d.vcd);
}

void close_vcd() {
  DriverState& d = driver();
  if (!d.vcd) return;
  sc_core::sc_close_vcd_trace_file(d.vcd);
  d.vcd = nullptr;
}

}  // namespace gpusim::sim

// libsystemc's own main() calls sc_main; gpusim has its own main() and drives SystemC through
// sc_start, but the shared library still needs the symbol to link.
extern "C" int sc_main(int, char**) { return 0; }
