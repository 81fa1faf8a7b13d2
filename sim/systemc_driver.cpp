#include "sim/systemc_driver.h"

#include <cstdlib>
#include <exception>

#include <systemc>

namespace gpusim::sim {

namespace {

// Core, L2 and DRAM clock edges as SystemC methods with dynamic sensitivity: while a launch runs
// each re-triggers itself one period later; otherwise it waits for the next launch's start event.
class GpuClocks : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(GpuClocks);
  explicit GpuClocks(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    SC_METHOD(core_edge);
    sensitive << start_;
    dont_initialize();
    SC_METHOD(l2_edge);
    sensitive << start_;
    dont_initialize();
    SC_METHOD(dram_edge);
    sensitive << start_;
    dont_initialize();
  }

  void start(GpuModel* model) {
    const GpuConfig& c = model->config();
    core_period_ = sc_core::sc_time(1e3 / c.core_clock_mhz, sc_core::SC_NS);
    l2_period_ = sc_core::sc_time(1e3 / c.l2_clock_mhz, sc_core::SC_NS);
    dram_period_ = sc_core::sc_time(1e3 / c.dram_clock_mhz, sc_core::SC_NS);
    model_ = model;
    error_ = nullptr;
    start_.notify(sc_core::SC_ZERO_TIME);
  }
  std::exception_ptr error() const { return error_; }

 private:
  uint64_t now_ps() const { return sc_core::sc_time_stamp().value() / (sc_core::sc_time(1, sc_core::SC_PS).value()); }

  // Runs `tick`; decides whether this domain keeps clocking.
  template <typename Tick>
  void edge(const sc_core::sc_time& period, Tick tick) {
    if (!model_) {
      next_trigger(start_);
      return;
    }
    try {
      tick();
    } catch (...) {
      error_ = std::current_exception();
      model_ = nullptr;
      next_trigger(start_);
      return;
    }
    if (model_->finished()) {
      model_ = nullptr;  // every domain stops at its next edge
      next_trigger(start_);
      return;
    }
    next_trigger(period);
  }
  void core_edge() { edge(core_period_, [&] { model_->tick_core(now_ps()); }); }
  void l2_edge() { edge(l2_period_, [&] { model_->tick_l2(now_ps()); }); }
  void dram_edge() { edge(dram_period_, [&] { model_->tick_dram(now_ps()); }); }

  sc_core::sc_event start_;
  GpuModel* model_ = nullptr;
  std::exception_ptr error_;
  sc_core::sc_time core_period_, l2_period_, dram_period_;
};

GpuClocks& clocks() {
  // The SystemC kernel is process-wide (see the header); so is the module that drives it.
  static GpuClocks* instance = [] {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    auto* c = new GpuClocks("gpusim_clocks");
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // finish elaboration once
    return c;
  }();
  return *instance;
}

}  // namespace

LaunchTiming run_timed_launch(GpuModel& model, isa::LaunchState& launch, const KernelResources& resources) {
  GpuClocks& c = clocks();
  model.begin_launch(&launch, resources);
  c.start(&model);
  sc_core::sc_start();  // returns when no clock is re-triggered: the launch has drained
  if (c.error()) {
    model.end_launch();
    std::rethrow_exception(c.error());
  }
  return model.end_launch();
}

}  // namespace gpusim::sim

// libsystemc's own main() calls sc_main; gpusim has its own main() and drives SystemC through
// sc_start, but the shared library still needs the symbol to link.
extern "C" int sc_main(int, char**) { return 0; }
