// SimDevice: the Device API over the simulator. Modules are parsed once at load; each launch
// builds a LaunchState (parameter buffer packed per the kernel's .param layout) and runs it.
#include "runtime/sim_device.h"
#include "runtime/diagnostic_stream.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "isa/call_graph.h"
#include "isa/functional_executor.h"
#include "isa/hex_text.h"
#include "isa/load_hoisting.h"
#include "isa/repeat_watch.h"
#include "isa/shared_race_check.h"
#include "runtime/address_description.h"
#include "runtime/child_grids.h"
#include "runtime/cluster_launch.h"
#include "runtime/cuda_answers.h"
#include "runtime/device_memory.h"
#include "runtime/interrupt_signals.h"
#include "runtime/launch_checks.h"
#include "runtime/ptxas_info.h"
#include "runtime/resource_limits.h"
#include "runtime/sim_device_services.h"
#include "runtime/sim_loaded_module.h"
#include "runtime/sim_profiling.h"
#include "runtime/sim_tensor_map.h"
#include "sim/config_fingerprint.h"
#include "sim/gpu_config.h"
#include "isa/kernel_names.h"
#include "sim/gpu_model.h"
#include "sim/interrupt_flag.h"
#include "sim/functional_progress_line.h"
#include "sim/launch_progress.h"
#include "sim/occupancy.h"
#include "sim/sampled_launch.h"
#include "sim/systemc_driver.h"
#include "sim/timing_report.h"

namespace gpusim::runtime {

namespace {

// Bytes of the per-launch grid-barrier workspace of a cooperative launch: nvcc 13's
// grid_group::sync counts arrivals in the 32-bit word at offset 4.
constexpr uint64_t kGridWorkspaceBytes = 16;

class SimDevice final : public Device {
 public:
  explicit SimDevice(const SimDeviceOptions& options)
      : options_(options), pool_(options.threads), services_(memory_, options.printf_sink, options.assert_sink) {
    try {
      config_ = sim::load_gpu_config(options.config_path, options.overrides);
      config_fingerprint_ = sim::config_fingerprint(config_);  // once: every launch's statistics carry it
      if (!options.config_path.empty()) config_file_ = std::filesystem::absolute(options.config_path).string();
    } catch (const std::exception& e) {
      throw Error(e.what());
    }
    if (options.sample && options.mode != SimMode::Timing)
      throw Error("sampled simulation (--sample, GPUSIM_SAMPLE=1) predicts time: it needs timing mode");
    if (options.sample && options.profiling.any())
      throw Error("sampled simulation (--sample, GPUSIM_SAMPLE=1) cannot be combined with --trace, --vcd or "
                  "--source-report: those watch every CTA on the timing model");
    if (options.exit_on_interrupt) install_interrupt_handlers(InterruptAction::ExitProcess, options.interrupt_results);
    if (options.mode == SimMode::Timing) new_model();
    if (options.profiling.any()) {
      if (!model_)
        throw Error("--trace, --vcd and --source-report (GPUSIM_TRACE, GPUSIM_VCD, GPUSIM_SOURCE_REPORT) watch the "
                    "timing model: use timing mode (--mode timing, GPUSIM_MODE=timing)");
      profiler_ = std::make_unique<LaunchProfiler>(options.profiling, config_);
      model_->add_observer(profiler_->observer());
    }
    const DeviceMemoryCapacity capacity = device_memory_capacity(config_);
    memory_.set_capacity(capacity.bytes, capacity.source);
  }
  // The managed variables' host pages go with the device (as a GPU's do with its context).
  ~SimDevice() override {
    for (const auto& m : modules_)
      if (m && m->managed.address) munmap(m->managed.address, m->managed.span);
    for (const HostMappedRange& r : unloaded_managed_) munmap(r.address, r.span);
  }


  void finish_profiling() {
    if (profiler_) profiler_->finish();
  }

  std::string describe_miss(DevPtr addr) const { return memory_.describe_miss(addr); }

  std::string name() const override {
    return std::string(model_ ? "sim (timing) " : "sim (functional) ") + config_.name;
  }

  DevPtr alloc(size_t bytes) override {
    try {
      return memory_.allocate(bytes);
    } catch (const DeviceOutOfMemory& e) {
      throw OutOfMemory(e.what());
    }
  }
  void free(DevPtr ptr) override {
    if (services_.owns(ptr))
      throw Error("free of device address " + isa::hex_text(ptr) + ": the block was allocated by device-side malloc in a kernel; only device-side free can release it");
    guarded([&] { memory_.release(ptr); });
  }
  void copy_to_device(DevPtr dst, const void* src, size_t bytes) override {
    guarded([&] { memory_.copy_in(dst, src, bytes); });
    leave_in_l2(dst, bytes, true);
  }
  void copy_to_host(void* dst, DevPtr src, size_t bytes) override {
    guarded([&] { memory_.copy_out(dst, src, bytes); });
    leave_in_l2(src, bytes, false);
  }
  void memset(DevPtr dst, int value, size_t bytes) override {
    guarded([&] { memory_.fill(dst, value, bytes); });
    leave_in_l2(dst, bytes, true);
  }
  void synchronize() override {}

  DeviceProperties properties() const override { return properties_from_config(config_); }
  void copy_device_to_device(DevPtr dst, DevPtr src, size_t bytes) override {
    guarded([&] { memory_.copy_within(dst, src, bytes); });
    leave_in_l2(src, bytes, false);
    leave_in_l2(dst, bytes, true);
  }
  void map_host_memory(void* host, size_t bytes, HostMapping how = HostMapping::Owned) override {
    guarded([&] { memory_.map_host(host, bytes, how); });
  }
  void unmap_host_memory(void* host) override { guarded([&] { memory_.unmap_host(host); }); }
  uint64_t module_variable_bytes() const override {
    uint64_t bytes = 0;
    for (const auto& m : modules_) {
      if (!m) continue;
      for (const DevPtr p : {m->globals, m->const_mirror})
        if (p)
          if (const auto r = memory_.region_at(p)) bytes += r->size;
    }
    return bytes;
  }
  std::optional<AllocationInfo> allocation_at(DevPtr addr) const override {
    const auto r = memory_.region_at(addr);
    if (!r) return std::nullopt;
    AllocationInfo info{r->base, r->size, r->host_mapped};
    for (const auto& m : modules_)
      info.managed_variables |= m && r->host_mapped && m->managed.address && r->base == reinterpret_cast<DevPtr>(m->managed.address);
    return info;
  }

  void cap_registers(ModuleHandle handle, unsigned max_registers) override {
    LoadedModule& m = module_at(handle, "cap_registers");
    m.max_registers = max_registers;
    for (isa::Function& f : m.module.functions)  // counts timing mode took at load (ensure_ptxas caps later ones)
      if (f.ptxas_registers > max_registers) f.ptxas_registers = max_registers;
  }

  KernelInfo kernel_info(ModuleHandle handle, const std::string& kernel, bool with_registers) override {
    LoadedModule& lm = module_at(handle, kernel);
    const isa::Function& fn = entry_named(lm, kernel);
    if (with_registers) {
      try {
        ensure_ptxas(lm);
      } catch (const Error&) {
        // ptxas rejected PTX the simulator accepts: the register count stays unknown (0).
      }
    }
    KernelInfo info;
    info.name = fn.name;
    for (uint32_t id : fn.params) {
      info.param_sizes.push_back(static_cast<uint32_t>(lm.module.symbols[id].size));
      info.param_offsets.push_back(static_cast<uint32_t>(lm.module.symbols[id].offset));
    }
    info.static_shared_bytes = static_cast<uint32_t>(fn.static_shared_bytes);
    info.local_bytes_per_thread = static_cast<uint32_t>(fn.local_bytes);
    info.registers_per_thread = fn.ptxas_registers;
    info.max_threads_per_block = fn.max_threads_per_block;
    auto it = lm.ptxas.find(fn.name);
    if (it != lm.ptxas.end()) info.local_bytes_per_thread = std::max(info.local_bytes_per_thread, it->second.stack_bytes);
    info.ptx_version = ptx_target_arch(lm.module.target);
    info.required_cluster = {fn.required_cluster[0], fn.required_cluster[1], fn.required_cluster[2]};
    info.explicit_cluster = fn.explicit_cluster;
    return info;
  }

  SymbolInfo symbol(ModuleHandle handle, const std::string& symbol_name) override {
    LoadedModule& lm = module_at(handle, symbol_name);
    const isa::Symbol& s = module_symbol(lm, symbol_name);
    SymbolInfo info;
    info.size = s.size;
    info.constant = s.space == isa::StateSpace::Const;
    info.address = info.constant ? const_mirror(lm) + s.offset : global_address(lm, s);
    info.managed = s.placed_address != 0;
    return info;
  }
  void write_symbol(ModuleHandle handle, const std::string& symbol_name, size_t offset, const void* src, size_t bytes) override {
    LoadedModule& lm = module_at(handle, symbol_name);
    const isa::Symbol& s = symbol_range(lm, symbol_name, offset, bytes);
    if (s.space == isa::StateSpace::Const && lm.const_mirror)
      copy_to_device(lm.const_mirror + s.offset + offset, src, bytes);
    else if (s.space == isa::StateSpace::Const)
      std::memcpy(lm.const_bank.data() + s.offset + offset, src, bytes);
    else
      copy_to_device(global_address(lm, s) + offset, src, bytes);
  }
  void read_symbol(ModuleHandle handle, const std::string& symbol_name, size_t offset, void* dst, size_t bytes) override {
    LoadedModule& lm = module_at(handle, symbol_name);
    const isa::Symbol& s = symbol_range(lm, symbol_name, offset, bytes);
    if (s.space == isa::StateSpace::Const && lm.const_mirror)
      copy_to_host(dst, lm.const_mirror + s.offset + offset, bytes);
    else if (s.space == isa::StateSpace::Const)
      std::memcpy(dst, lm.const_bank.data() + s.offset + offset, bytes);
    else
      copy_to_host(dst, global_address(lm, s) + offset, bytes);
  }
  void set_limit(DeviceLimit limit, uint64_t value) override {
    // A GPU backs the stack of every thread it can hold at once; a size whose backing cannot fit
    // in the device's memory is cudaErrorMemoryAllocation there, not a limit taken and never used.
    if (limit == DeviceLimit::StackSize) {
      const uint64_t threads = uint64_t(config_.num_sms) * uint64_t(config_.max_threads_per_sm);
      const uint64_t capacity = memory_.capacity();
      if (capacity && value > capacity / threads)
        throw OutOfMemory("a stack of " + std::to_string(value) + " bytes per thread for the " + std::to_string(threads) +
                          " threads the GPU holds at once needs more than its " + std::to_string(capacity >> 20) +
                          " MiB of memory (at most " + std::to_string(capacity / threads) + " bytes per thread)");
    }
    services_.set_limit(limit, value);
  }
  uint64_t get_limit(DeviceLimit limit) override { return services_.get_limit(limit); }
  KernelArg encode_tensor_map_tiled(const TiledTensorMapSpec& spec) override { return encode_sim_tensor_map(spec); }

  ModuleHandle load_ptx(const std::string& source_name, const std::string& ptx) override {
    std::unique_ptr<LoadedModule> m;
    try {
      m = load_module(*this, memory_, source_name, ptx, next_managed_address_);
    } catch (const DeviceOutOfMemory& e) {  // its __device__ variables: out of memory, not bad PTX
      throw OutOfMemory(e.what());
    }
    if (model_) {
      // The hardware runs ptxas's schedule, not PTX order (isa/load_hoisting.h).
      if (config_.hoist_loads)
        for (isa::Function& f : m->module.functions) isa::hoist_independent_loads(f);
      // Occupancy needs the real register count, which only ptxas knows.
      ensure_ptxas(*m);
    } else if (options_.check_ptx_with_ptxas) {
      ensure_ptxas(*m);
    }
    modules_.push_back(std::move(m));
    return static_cast<ModuleHandle>(modules_.size() - 1);
  }

  // The slot stays (handles are indices) but holds nothing: the memory of the module's variables
  // goes back to the allocator, so load/unload loops do not run out of device memory.
  void unload_module(ModuleHandle handle) override {
    LoadedModule& m = module_at(handle, "unload");
    guarded([&] {
      if (m.globals) memory_.release(m.globals);
      if (m.const_mirror) memory_.release(m.const_mirror);
    });
    // __managed__ variables stay mapped (host code may still hold their addresses) until the device goes.
    if (m.managed.address) unloaded_managed_.push_back(m.managed);
    modules_[static_cast<size_t>(handle)].reset();
  }

  LaunchStats launch(ModuleHandle handle, const std::string& kernel, const LaunchConfig& cfg,
                     const KernelArgs& args) override {
    const LaunchInProgress running;  // an interrupt's watcher thread leaves the exit to this launch
    if (const int signal = sim::interrupt_signal()) interrupted(kernel, signal);
    LoadedModule& lm = module_at(handle, kernel);
    const isa::Function* fn = &entry_named(lm, kernel);
    check_launch(config_, *fn, cfg);
    // The program may have unmapped or protected memory it registered since the last launch: the
    // kernel must fault on it rather than the simulator's process.
    memory_.check_registered_ranges();
    memory_.take_refusal();
    try {
      const Dim3& g = cfg.grid;
      const Dim3& b = cfg.block;
      require_launch_work(estimated_warp_instructions(*fn, cfg),
                          "launch of '" + isa::demangled_kernel_name(kernel) + "' (grid " + std::to_string(g.x) + "x" +
                              std::to_string(g.y) + "x" + std::to_string(g.z) + ", block " + std::to_string(b.x) + "x" +
                              std::to_string(b.y) + "x" + std::to_string(b.z) + ", estimated from its " +
                              std::to_string(fn->code.size()) +
                              " PTX instructions per thread; threads that exit early run fewer)");
    } catch (const ResourceLimitError& e) {
      throw LaunchBudgetExceeded(e.what());
    }
    // The grid, then the grids it launches from the device (dynamic parallelism).
    isa::CdpEnvironment env;
    env.pending_limit = services_.get_limit(DeviceLimit::DevRuntimePendingLaunchCount);
    env.check = [this](const isa::Function& child, Dim3 grid, Dim3 block, uint32_t shared, int*) {
      try {
        check_launch(config_, child, LaunchConfig{grid, block, shared});
        return std::string();
      } catch (const Error& e) {
        return std::string(e.what());
      }
    };
    env.allocate = [this](uint64_t bytes) -> uint64_t {
      try {
        return memory_.allocate(bytes);
      } catch (const std::exception&) {
        return 0;
      }
    };
    env.release = [this](uint64_t addr) { memory_.release(addr); };
    const DeviceProperties props = properties();
    env.attribute = [props](int attribute, int* value) {
      const std::optional<int> v = cuda_device_attribute(props, attribute);
      if (v) *value = *v;
      return v.has_value();
    };
    const GridRunner run = [&](const isa::Function& kernel_fn, const LaunchConfig& grid_cfg, std::vector<uint8_t> params,
                               isa::DeviceLaunchQueue& queue) {
      services_.set_launch_queue(&queue);
      struct Clear {
        SimDeviceServices& s;
        ~Clear() { s.set_launch_queue(nullptr); }
      } clear{services_};
      return run_grid(lm, kernel_fn, grid_cfg, std::move(params));
    };
    const auto diagnostic = [this](const std::string& line) {
      if (options_.assert_sink) options_.assert_sink("gpusim: " + line + "\n");
      else std::fprintf(diagnostic_stream(), "gpusim: %s\n", line.c_str());
    };
    return run_grid_tree(env, lm.module, *fn, cfg, pack_params(lm.module, *fn, args), run, diagnostic);
  }

 private:
  // One grid on the functional executor or the timing model, with its statistics.
  LaunchStats run_grid(LoadedModule& lm, const isa::Function& kernel_fn, const LaunchConfig& cfg,
                       std::vector<uint8_t> params) {
    const isa::Function* fn = &kernel_fn;
    const std::string& kernel = fn->name;
    isa::LaunchState ls;
    ls.module = &lm.module;
    ls.kernel = fn;
    ls.grid = cfg.grid;
    ls.block = cfg.block;
    ls.dynamic_shared_bytes = cfg.dynamic_shared_bytes;
    ls.dynamic_shared_base = (fn->static_shared_bytes + 15) / 16 * 16;
    // Code that reads %reserved_smem_offset_* (cooperative groups' large tiles) gets the 1 KB an
    // sm_80+ driver reserves per CTA (its PTX needs sm_80 whatever the configuration says).
    for (const isa::Function& f : lm.module.functions)
      if (f.reads_reserved_shared)
        ls.reserved_shared_bytes = uint32_t(std::max(config_.shared_reserved_per_block_bytes, 1024));
    ls.params = std::move(params);
    ls.global = &memory_;
    ls.module_global_base = lm.globals;
    if (lm.const_mirror) copy_to_host(lm.const_bank.data(), lm.const_mirror, lm.const_bank.size());
    ls.const_bank = &lm.const_bank;
    ls.nsmid = static_cast<uint32_t>(config_.num_sms);
    ls.clock_mhz = static_cast<uint32_t>(config_.core_clock_mhz);  // %globaltimer in ns
    ls.clock_offset = idle_cycles_;
    ls.max_warp_instructions = options_.max_warp_instructions;
    ls.repeat_check_after = options_.repeat_check_after;
    ls.services = &services_;
    ls.max_call_depth = isa::call_depth_for_stack(services_.get_limit(DeviceLimit::StackSize));
    // Recursion or calls through pointers: the frames must fit cudaLimitStackSize, as on a GPU
    // (isa/call_graph.h); any other kernel gets the stack its deepest call chain needs.
    auto unbounded = lm.unbounded_call_depth.find(fn);
    if (unbounded == lm.unbounded_call_depth.end())
      unbounded = lm.unbounded_call_depth.emplace(fn, isa::call_depth_unbounded(lm.module, *fn)).first;
    if (unbounded->second) {
      ls.stack_limit_bytes = services_.get_limit(DeviceLimit::StackSize);
      // ptxas' frame sizes (what its functions spill and save) bound the depth as on a GPU; an
      // outside user's recursion 63 deep ran here in 1 KiB where ptxas' 48-byte frames need 3 KiB.
      // Without ptxas (or where it refuses the PTX) the .local-based estimate stands.
      try {
        ensure_ptxas(lm);
      } catch (const Error&) {
      }
    }
    ls.cluster = launch_cluster_shape(*fn, cfg);
    ls.explicit_cluster = ls.cluster.count() > 1 || fn->explicit_cluster;
    // The grid barrier's workspace (cooperative_groups::grid_group::sync counts arrivals in
    // it), zeroed per launch as the CUDA driver does; freed when the launch ends.
    struct Workspace {
      DeviceMemory& memory;
      DevPtr ptr = 0;
      ~Workspace() { if (ptr) memory.release(ptr); }
    } workspace{memory_};
    if (cfg.cooperative) {
      workspace.ptr = memory_.allocate(kGridWorkspaceBytes);
      memory_.fill(workspace.ptr, 0, kGridWorkspaceBytes);
      ls.cooperative = true;
      ls.grid_workspace = workspace.ptr;
    }

    // How many CTAs of this launch the simulated GPU holds at once (threads, warps, CTA slots and
    // shared memory per SM; registers where ptxas gave them): the functional executor runs no more
    // together, so CTAs that wait for ones that could not be resident deadlock in both modes.
    const sim::Occupancy occupancy =
        sim::compute_occupancy(config_, {int(cfg.block.count()), int(fn->ptxas_registers), int(fn->static_shared_bytes),
                                         int(cfg.dynamic_shared_bytes)});
    const uint64_t device_holds = uint64_t(config_.num_sms) * uint64_t(std::max(occupancy.ctas_per_sm, 0));

    if (options_.race_check) ls.race_check = std::make_shared<isa::SharedRaceCheck>(ls);
    LaunchStats stats;
    stats.kernel = kernel;
    const uint64_t launch_index = launches_of_kernel_[kernel]++;  // for the race report
    stats.ctas = cfg.grid.count();
    const auto t0 = std::chrono::steady_clock::now();
    try {
      if (model_) {
        sim::KernelResources res;
        res.threads_per_block = static_cast<int>(cfg.block.count());
        res.registers_per_thread = static_cast<int>(fn->ptxas_registers);
        res.static_shared_bytes = static_cast<int>(fn->static_shared_bytes);
        res.dynamic_shared_bytes = static_cast<int>(cfg.dynamic_shared_bytes);
        if (options_.cold_l2_per_launch && !model_->flush_l2()) {  // a fresh model has an empty L2 too
          new_model();
          if (profiler_) model_->add_observer(profiler_->observer());
        }
        const uint64_t start_cycle = model_->core_cycle();
        if (profiler_) profiler_->begin(lm.module, kernel, start_cycle, cfg.stream);
        std::optional<sim::SampledTiming> sampled;
        if (options_.sample) {
          const isa::FunctionalLimits limits = functional_limits(device_holds);
          sim::SamplingOptions sampling;
          sampling.windows_for_short_grids = options_.sample_windows;
          sampling.shadow.enabled = options_.sample_shadow;
          sampling.warm_l2 = options_.sample_l2_warming;
          sampled = sim::run_sampled_launch(*model_, sampler_, ls, res, limits, sampling);
        }
        std::optional<sim::LaunchProgressLine> progress;
        if (options_.progress_line && !sampled && !options_.timed_launch_runner)
          progress.emplace(*model_, kernel, cfg.grid.count(), stderr);
        const sim::LaunchTiming t = sampled                      ? sampled->timing
                                     : options_.timed_launch_runner ? options_.timed_launch_runner(*model_, ls, res)
                                                                    : sim::run_timed_launch(*model_, ls, res);
        progress.reset();  // the line goes before anything else is printed
        stats.cycles = t.cycles;
        stats.seconds = t.seconds;
        stats.launch_seconds = t.launch_path_seconds;
        nlohmann::json report = sim::timing_to_json(config_, config_fingerprint_, kernel, t);
        // Where the configuration came from, so that gpusim report / roofline can draw its roofs
        // (tools/report/run_configuration.h).
        report["config_file"] = config_file_;
        report["config_overrides"] = options_.overrides;
        if (sampled) report["sampling"] = sim::sampling_to_json(*sampled);
        stats.report_text = sim::timing_summary(config_, kernel, t);
        if (sampled) {
          stats.sampling_text = sim::describe_sampling(*sampled);
          stats.report_text += "    (" + stats.sampling_text + ")\n";
        }
        if (profiler_) profiler_->end(start_cycle + t.cycles, report, stats.report_text);
        stats.report_json = report.dump();
        if (!fn->ptxas_registers) stats.report_text += "    (registers per thread unknown: ptxas not found)\n";
        if (!lm.ptxas_note.empty()) stats.report_text += "    (" + lm.ptxas_note + ")\n";
      } else {
        isa::FunctionalLimits limits = functional_limits(device_holds);
        std::optional<sim::FunctionalProgressLine> progress;  // erased before a fault is reported
        if (options_.progress_line) {
          progress.emplace(kernel, cfg.grid.count(), stderr);
          limits.progress = &*progress;
        }
        isa::run_grid_functional(ls, limits, &pool_);
      }
    } catch (const isa::ExecError& e) {
      services_.flush();  // output printed before the fault still appears, as on a GPU
      // A fault leaves CTAs resident in the timing model; the device (like a GPU after its
      // context is reset) continues with a fresh one.
      if (model_) {
        if (profiler_) profiler_->abort(model_->core_cycle());
        new_model();
        if (profiler_) model_->add_observer(profiler_->observer());
      }
      say_races(ls, launch_index);  // races before the fault are reported too (the CTAs handed theirs over above)
      std::string report = std::string("kernel fault: ") + e.what();
      if (const std::string refusal = memory_.take_refusal(); !refusal.empty()) report += " (" + refusal + ")";
      // A runaway past the budget is a guess: a kernel that is only long needs a larger budget,
      // not a fix. A proven endless loop (isa/repeat_watch.h) is not.
      const char* host_wait = "a kernel that waits for host memory the host writes after the launch cannot finish "
                              "under gpusim, which runs each launch to its end inside the launching call";
      if (dynamic_cast<const isa::EndlessLoopError*>(&e)) {
        if (device_holds && cfg.grid.count() > device_holds)
          report += " (the grid's " + std::to_string(cfg.grid.count()) + " CTAs do not fit on the GPU at once: it holds " +
                    std::to_string(device_holds) + " of this kernel, " + std::to_string(occupancy.ctas_per_sm) +
                    " per SM (limited by " + sim::limiter_name(occupancy.limiter) + ") x " +
                    std::to_string(config_.num_sms) +
                    " SMs; a CTA that waits for one that has not started waits for ever, as on a GPU)";
        // Only a program with host memory mapped for its kernels can have them wait on the host.
        if (memory_.has_host_mappings()) report += std::string(" (") + host_wait + ")";
      }
      else if (e.kind() == isa::FaultKind::Runaway)
        report += std::string(" (if it is only long: raise the budget with --max-warp-instructions N, or "
                              "GPUSIM_MAX_WARP_INSTRUCTIONS=N for a program using the simulator's CUDA libraries; ") +
                  host_wait + ")";
      throw KernelFault(report, e.kind());
    } catch (const sim::LaunchInterrupted& e) {
      services_.flush();
      // The trace closes this launch's slice where it stopped; the resident CTAs go with the model.
      if (model_) {
        if (profiler_) profiler_->abort(model_->core_cycle());
        new_model();
        if (profiler_) model_->add_observer(profiler_->observer());
      }
      interrupted(kernel, e.signal());
    } catch (const std::runtime_error& e) {
      services_.flush();
      if (profiler_ && model_) profiler_->abort(model_->core_cycle());
      throw Error(e.what());
    }
    services_.flush();
    stats.race_hazards = say_races(ls, launch_index);
    stats.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stats.warp_instructions = ls.warp_instructions;
    stats.thread_instructions = ls.thread_instructions;
    return stats;
  }

  // The launch's race report (--racecheck) through the sink; returns the racing accesses found.
  uint64_t say_races(const isa::LaunchState& ls, uint64_t launch_index) const {
    if (!ls.race_check) return 0;
    const std::string text = ls.race_check->report(launch_index);
    if (!text.empty()) {
      if (options_.race_sink) options_.race_sink(text);
      else std::fputs(text.c_str(), diagnostic_stream()), std::fflush(diagnostic_stream());
    }
    return ls.race_check->hazards();
  }

  // After SIGINT/SIGTERM (runtime/interrupt_signals.h): inside a CUDA program, exit so that the
  // libraries' exit handlers write the files; in the gpusim CLI, let the command write them.
  [[noreturn]] void interrupted(const std::string& kernel, int signal) {
    if (options_.exit_on_interrupt && interrupt_exits_process())  // returns if another thread exits
      exit_interrupted(signal, "launch of '" + isa::demangled_kernel_name(kernel) + "'");
    throw Interrupted("launch of '" + kernel + "' " + interrupted_message(signal), signal);
  }

  void new_model() {
    model_ = std::make_unique<sim::GpuModel>(config_);
    model_->set_worker_pool(&pool_);
    model_->set_staged_commit(options_.staged_commit);
    if (options_.model_observer) model_->add_observer(options_.model_observer);
  }

  template <typename F>
  static void guarded(F&& f) {
    try {
      f();
    } catch (const DeviceOutOfMemory& e) {
      throw OutOfMemory(e.what());
    } catch (const std::exception& e) {
      throw Error(e.what());
    }
  }

  LoadedModule& module_at(ModuleHandle handle, const std::string& what) const {
    if (handle < 0 || static_cast<size_t>(handle) >= modules_.size())
      throw Error("'" + what + "': invalid module handle " + std::to_string(handle));
    if (!modules_[static_cast<size_t>(handle)])
      throw Error("'" + what + "': its module (handle " + std::to_string(handle) + ") was unloaded");
    return *modules_[static_cast<size_t>(handle)];
  }

  // The device copy of a module's constant bank (LoadedModule::const_mirror), made on first use.
  DevPtr const_mirror(LoadedModule& lm) {
    if (!lm.const_mirror && !lm.const_bank.empty()) {
      lm.const_mirror = memory_.allocate(lm.const_bank.size(), DeviceMemory::Placement::ModuleData);
      memory_.copy_in(lm.const_mirror, lm.const_bank.data(), lm.const_bank.size());
    }
    return lm.const_mirror;
  }

  // The functional executor's limits: the budget and loop watch chosen, and as many CTAs and
  // threads running at once as the simulated GPU holds of the kernel (`device_holds` CTAs; 0: not
  // known), no more: a grid sized by the occupancy API to be fully resident, waiting on itself
  // through a software grid barrier, fits (1,056 CTAs on the H100-like chip), and one whose CTAs
  // wait for CTAs the GPU could not hold at the same time deadlocks as it would on the GPU
  // (functional mode used to let up to 1,024 run together whatever the chip held).
  isa::FunctionalLimits functional_limits(uint64_t device_holds) const {
    isa::FunctionalLimits limits;
    limits.max_warp_instructions = options_.max_warp_instructions;
    limits.repeat_check_after = options_.repeat_check_after;
    limits.poll = sim::throw_if_interrupted;  // Ctrl-C stops a long functional launch too
    limits.max_resident_ctas =
        device_holds ? device_holds : uint64_t(config_.num_sms) * uint64_t(config_.max_ctas_per_sm);
    limits.max_resident_threads = uint64_t(config_.num_sms) * uint64_t(config_.max_threads_per_sm);
    return limits;
  }

  void ensure_ptxas(LoadedModule& m) { ensure_ptxas_figures(m, config_.sm_arch); }

  // SimDeviceOptions::copies_fill_l2: the bytes a copy wrote (dirty) or read are placed in the L2
  // as if accessed just now, in address order, so the copy's end stays where a larger copy
  // outgrows the L2; only that end (the L2's size) is placed. Device memory only: a mapped host
  // range is no L2 line.
  void leave_in_l2(DevPtr addr, size_t bytes, bool write) {
    if (!model_ || !options_.copies_fill_l2 || bytes == 0) return;
    const std::optional<DeviceMemory::Region> region = memory_.region_at(addr);
    if (!region || region->host_mapped) return;
    const uint64_t l2 = uint64_t(config_.l2_size_kib) << 10;
    uint64_t from = bytes > l2 ? addr + bytes - l2 : addr;
    const uint64_t end = addr + bytes;
    while (from < end) {
      const uint32_t chunk = uint32_t(std::min<uint64_t>(end - from, uint64_t(1) << 30));
      model_->warm_l2(from, chunk, write);
      from += chunk;
    }
  }

  void pass_idle_time(double seconds, const std::string& what) override {
    if (!model_ || !(seconds > 0)) return;  // functional mode: no simulated clock
    idle_seconds_ += seconds;
    // Rounded from the running total, so many small copies add up to what they take together.
    const auto total = static_cast<uint64_t>(std::llround(idle_seconds_ * config_.core_clock_mhz * 1e6));
    const uint64_t cycles = total - idle_cycles_;
    idle_cycles_ = total;
    if (profiler_) profiler_->idle(model_->core_cycle(), cycles, what);
  }

  SimDeviceOptions options_;
  sim::GpuConfig config_;
  std::string config_fingerprint_;  // sim/config_fingerprint.h
  std::string config_file_;         // the INI file's absolute path; "" = the embedded default
  std::unique_ptr<LaunchProfiler> profiler_;  // --trace / --source-report / --vcd; before model_, which points to it
  sim::WaveSampler sampler_;                  // --sample; before model_, which points to it during a launch
  isa::WorkerPool pool_;                      // host threads for both modes; before model_, which points to it
  std::unique_ptr<sim::GpuModel> model_;  // timing mode only
  DeviceMemory memory_;
  SimDeviceServices services_;  // after memory_: its heap lives there
  std::vector<std::unique_ptr<LoadedModule>> modules_;  // null: unloaded
  std::vector<HostMappedRange> unloaded_managed_;
  // Where the next module's __managed__ variables go: host addresses apart from both CUDA
  // libraries' own host-mapped ranges (runtime/cudart, runtime/cudadrv).
  uint64_t next_managed_address_ = 0x0000'5000'0000'0000ull;
  double idle_seconds_ = 0;   // the timeline's time outside kernels so far (pass_idle_time)
  std::map<std::string, uint64_t> launches_of_kernel_;  // host launches so far, by kernel (race reports)
  uint64_t idle_cycles_ = 0;  // the same in core cycles: what the clock registers add
};

}  // namespace

std::unique_ptr<Device> make_sim_device(const SimDeviceOptions& options) {
  return std::make_unique<SimDevice>(options);
}

std::string describe_unallocated_address(const Device& device, DevPtr addr) {
  if (const auto* sim = dynamic_cast<const SimDevice*>(&device)) return sim->describe_miss(addr);
  return "";
}

void finish_profiling(Device& device) {
  if (auto* sim = dynamic_cast<SimDevice*>(&device)) sim->finish_profiling();
}

}  // namespace gpusim::runtime
