// The whole GPU as plain C++: SMs, memory partitions and the CTA dispatcher, advanced one clock
// edge at a time per domain. The SystemC driver (sim/systemc_driver.h) owns the clocks and calls
// the tick functions; tests may call them directly.
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "isa/launch_state.h"
#include "isa/worker_pool.h"
#include "sim/cluster_tma_barriers.h"
#include "sim/dsmem_network.h"
#include "sim/endless_loop_watch.h"
#include "sim/gpu_config.h"
#include "sim/memory_partitions.h"
#include "sim/observer_fanout.h"
#include "sim/occupancy.h"
#include "sim/phase_times.h"
#include "sim/sm_core.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

// What one timed launch measured.
struct LaunchTiming {
  uint64_t cycles = 0;                 // core cycles from launch to the last CTA retiring
  double seconds = 0.0;                // cycles at the core clock
  // The configured launch path outside the CTAs (launch.*_ns): an event-timed launch of this
  // kernel on the chip takes seconds + launch_path_seconds.
  double launch_path_seconds = 0.0;
  Occupancy occupancy;                 // theoretical, from the kernel's resources
  SmStats sm;                          // summed over SMs
  SmMemStats sm_memory;                // summed over SMs
  MemoryStats memory;
  int sms_used = 0;
};

// Few busy SMs are not worth waking the pool's other threads for.
constexpr size_t kMinSmsForThreads = 4;

class GpuModel {
 public:
  explicit GpuModel(const GpuConfig& config);
  ~GpuModel();

  const GpuConfig& config() const { return config_; }
  // Observers (a stepper, a timeline trace, source counters, a sampler ...): any number may watch
  // one model. Attach and detach between launches. The components hold one plain pointer: null
  // with no observer (an un-observed run makes no virtual call), the observer itself when there
  // is one, the model's fan-out when there are more. Changing that pointer rebuilds the SMs and
  // memory partitions (dropping cache contents), so attach once, before the first launch.
  void add_observer(SimObserver* observer);     // ignored when null or already attached
  void remove_observer(SimObserver* observer);  // ignored when not attached
  size_t observer_count() const { return observers_.size(); }
  // Host threads for the SMs' parallel part of each core cycle (null: the calling thread only).
  // Results are the same for every pool (docs/ARCHITECTURE.md); with an observer attached the
  // SMs tick on the calling thread, so the observer sees its calls one at a time.
  void set_worker_pool(isa::WorkerPool* pool) { pool_ = pool; }
  isa::WorkerPool* worker_pool() const { return pool_; }
  // With a pool, the cycle's serial commit is staged (sim/gpu_model_commit.cpp): most of it runs
  // on the pool's threads and only an ordered remainder on the calling thread. Off: every SM
  // commits in SM order on the calling thread (the reference the staged commit must equal; tests).
  // The environment variable GPUSIM_STAGED_COMMIT=0 turns it off too (to measure the difference).
  void set_staged_commit(bool on) { staged_commit_ = on && staged_commit_allowed_; }

  // Prepares a launch; CTAs are handed to SMs as their slots free up (waves).
  // Throws std::runtime_error when the kernel cannot fit on an SM at all.
  void begin_launch(isa::LaunchState* launch, const KernelResources& resources);
  // Clock edges. Throws isa::ExecError on a kernel fault. `l2_edge_too`: an L2 edge falls at the
  // same time and is ticked as part of this call, as tick_l2(now_ps) right after would (with a
  // pool it overlaps the commit's parallel stage; sim/gpu_model_commit.cpp).
  void tick_core(uint64_t now_ps, bool l2_edge_too = false);
  void tick_l2(uint64_t now_ps);
  void tick_dram(uint64_t now_ps);
  // Every CTA retired and the memory system drained.
  bool finished() const;
  LaunchTiming end_launch();

  uint64_t core_cycle() const { return cycle_; }
  // "; the warps of its lowest resident CTA (x,y,z) are at:" and one line per place (PC, source
  // line, instruction), for a runaway report; "" when no CTA is resident.
  std::string where_warps_are() const;
  // Sampled simulation (sim/sampled_launch.h): the dispatcher hands out only CTAs with a linear
  // id below `limit`; the launch finishes when those have retired. Persists across launches;
  // may be raised while a launch runs (from the retirement listener). UINT64_MAX = no limit.
  void set_cta_limit(uint64_t limit) { cta_limit_ = limit; }
  // Sampled simulation's windows spread over the grid: once the dispatcher has handed out the
  // CTAs below `at`, it jumps to `to` (the CTAs in [at, to) are not dispatched; the sampler runs
  // them functionally). One pending skip; UINT64_MAX = none. Cleared by begin_launch.
  void set_cta_skip(uint64_t at, uint64_t to) { skip_at_ = at, skip_to_ = to; }
  // Scaled-machine proxy (sim/proxy_sampling.h): the next launch's dispatcher starts at linear
  // CTA id `first` instead of 0 (a second, disjoint range of the grid). Consumed by begin_launch.
  void set_cta_start(uint64_t first) { first_cta_ = first; }
  // Shadow SMs (sim/shadow_sms.h): SMs whose CTAs do not run on the SM model but on `shadows`
  // (functionally, feeding their global accesses into this model's L2 and DRAM). The dispatcher
  // hands such an SM's CTAs to `shadows`; after every core edge's commit `shadows` advances them;
  // the launch ends when they are done too. Set before begin_launch; nullptr = none (the default:
  // nothing changes for a run without it).
  struct ShadowSms {
    virtual void begin_launch(MemoryPartitions& memory, isa::LaunchState& launch, const Occupancy& occupancy) = 0;
    virtual bool shadows(size_t sm) const = 0;
    virtual bool can_accept_cta(size_t sm) const = 0;
    virtual void add_cta(size_t sm, std::unique_ptr<isa::CtaState> cta, uint64_t cycle) = 0;
    virtual void tick(uint64_t cycle, uint64_t now_ps) = 0;  // after the commit; may throw isa::ExecError
    virtual bool idle() const = 0;
   protected:
    ~ShadowSms() = default;
  };
  void set_shadow_sms(ShadowSms* shadows) { shadows_ = shadows; }
  // Sampled simulation's wave counting: after every core edge on which CTAs retired, the listener
  // hears the cycle and how many CTAs of the launch have retired so far. Not an observer: an
  // observer switches every component onto its observed path (per-packet and per-issue hooks,
  // 2.6x the CPU time of a run), and this needs only a count. nullptr = none.
  struct CtaRetirementListener {
    virtual void on_ctas_retired(uint64_t cycle, uint64_t retired_so_far) = 0;
   protected:
    ~CtaRetirementListener() = default;
  };
  void set_cta_retirement_listener(CtaRetirementListener* listener) { retirement_listener_ = listener; }
  // Progress-rate sampling (sim/progress_sampling.h): every `interval` core cycles of the launch
  // (counted from its start, at the end of the core edge, after the commit phase), the probe hears
  // the cycles since the launch began and the launch's warp-instructions so far. It may call
  // stop_launch(). Like the retirement listener, not an observer. nullptr = none.
  struct ProgressProbe {
    virtual void on_progress(uint64_t launch_cycles, uint64_t warp_instructions) = 0;
   protected:
    ~ProgressProbe() = default;
  };
  ProgressProbe* progress_probe() const { return progress_probe_; }
  void set_progress_probe(ProgressProbe* probe, uint64_t interval) {
    progress_probe_ = probe, probe_interval_ = interval ? interval : 1;
  }
  // Ends the running launch at the end of this core edge: finished() turns true, nothing more is
  // dispatched. Every issued instruction has executed by then (step_warp runs at issue, global
  // accesses in the commit phase), so the resident CTAs' functional state is complete; take them
  // with take_stopped_ctas() after end_launch. Cleared by begin_launch.
  void stop_launch() { stopped_ = true; }
  bool stopped() const { return stopped_; }
  // CTAs with a linear id below this have been handed to an SM in this launch.
  uint64_t dispatched_ctas() const { return next_cta_; }
  // After a stopped launch's end_launch: the CTAs still resident (in SM order), taken out of the
  // SMs; the SMs and memory partitions are rebuilt (in-flight requests and cache contents dropped)
  // so the next launch starts on an empty machine.
  // `sm_of`, when given, receives each CTA's SM index.
  std::vector<std::unique_ptr<isa::CtaState>> take_stopped_ctas(std::vector<size_t>* sm_of = nullptr);
  // Inspection (the stepper): the SMs, and the cycle of the last core edge's end.
  int sm_count() const { return static_cast<int>(sms_.size()); }
  const SmCore& sm(int index) const { return *sms_.at(static_cast<size_t>(index)); }
  const isa::LaunchState* launch() const { return launch_; }
  CacheLineState l2_line(uint64_t address, int* slice) const { return memory_->l2_line(address, slice); }
  L2LineCounts l2_lines() const { return memory_->l2_lines(); }
  // Functional warming of the L2 between cycles (sim/l2_warming.h; MemoryPartitions::warm_l2).
  uint64_t warm_l2(uint64_t address, uint32_t bytes, bool write) { return memory_->warm_l2(address, bytes, write); }
  // Between launches: the L2 and the DRAM rows start empty, as under Nsight Compute's default
  // `--cache-control all` (the L1s are emptied at every kernel boundary anyway). False, with
  // nothing dropped, while requests are still in flight (after a launch that stopped midway).
  bool flush_l2() {
    if (!memory_->idle()) return false;
    memory_->flush();
    return true;
  }

 private:
  void dispatch_ctas();
  // The serial part of a core cycle after the SMs' ticks (sim/gpu_model_commit.cpp): every busy
  // SM's commit in SM order on this thread, or the same in stages, most of them in parallel.
  // `since`: the phase timer's mark (PhaseTimes::charge).
  void commit_sequential(uint64_t now_ps, bool l2_edge_too, uint64_t& since);
  void commit_staged(uint64_t now_ps, bool l2_edge_too, uint64_t& since);
  void build();
  void attach_effective_observer();
  // Thread-block clusters (sim/gpu_model_clusters.cpp): checks that a cluster fits one GPC,
  // dispatches whole clusters, and frees a cluster once all its CTAs have retired.
  void begin_clusters();
  void dispatch_clusters();
  void launch_cluster(const std::vector<int>& gpc_sms, const std::vector<int>& where);
  void collect_retired_clusters();
  void check_for_endless_loop();  // every resident CTA to loop_watch_ (throws when proven)
  void resident_ctas(std::vector<const isa::CtaState*>& out) const;  // every SM's, SM by SM
  void check_cluster_progress();

  GpuConfig config_;
  ObserverFanout observers_;
  SimObserver* observer_ = nullptr;  // what the components hold (see add_observer)
  isa::WorkerPool* pool_ = nullptr;
  std::vector<size_t> busy_;                 // SMs ticking this cycle, in SM order
  EndlessLoopWatch loop_watch_;              // proves a hung kernel endless (sim/endless_loop_watch.h)
  std::vector<const isa::CtaState*> loop_watch_ctas_;
  std::vector<std::exception_ptr> errors_;   // per entry of busy_: the fault of its tick
  bool staged_commit_allowed_ = true;  // not turned off by the environment
  bool staged_commit_ = true;
  // Staged commit: per entry of busy_, what its SM's tick and local stage report, written by the
  // thread that ran the SM (one cache line each, so threads do not share lines) and read by the
  // calling thread in SM order, so the serial stages need not visit every SM.
  struct alignas(64) SmCycle {
    bool has_write = false;       // SmCore::TickReport::has_write
    const DeferredAccess* accesses = nullptr;  // SmCore::TickReport::accesses
    bool local_work = false;      // SmCore::has_local_commit_work after tick
    bool sent = false;            // SmCore::TickReport::sent
    bool maybe_idle = false;      // no resident CTA after the local stage (idle() decides)
    int retired = 0;              // CTAs the local stage retired
    uint64_t warp_instructions = 0, thread_instructions = 0;
    std::exception_ptr local_error;
  };
  std::vector<SmCycle> sm_cycle_;
  CommitOrder commit_order_;    // which deferred accesses the ordered stage runs (sim/commit_order.h)
  std::vector<int> ordered_upto_;  // per entry of busy_: the ordered stage's sub-cores [0, upto)
  // Each SM's staged packets (their address, fixed once the SM is built), and the ones the
  // staged commit's L2 round reads this cycle, in SM order.
  std::vector<const MemoryPartitions::Staged*> staged_of_sm_, handoff_;
  // The SMs that may be busy next cycle (ascending), known after a staged cycle: an idle SM only
  // becomes busy by a dispatch, so tick_core adds the SMs dispatched to and skips the full scan.
  std::vector<size_t> next_busy_, dispatched_;
  bool next_busy_known_ = false;
  PhaseTimes phase_times_;
  std::unique_ptr<MemoryPartitions> memory_;
  std::vector<std::unique_ptr<SmCore>> sms_;
  ClusterTmaBarriers cluster_tma_;  // bulk copies onto other CTAs' mbarriers (multicast; tma-fidelity)
  DsmemNetwork dsmem_network_{config_};  // cluster peers' receive ports and shared banks (dsmem-fanin)
  isa::LaunchState* launch_ = nullptr;
  Occupancy occupancy_;
  uint64_t next_cta_ = 0, total_ctas_ = 0;
  uint64_t cta_limit_ = UINT64_MAX;
  uint64_t skip_at_ = UINT64_MAX, skip_to_ = 0;  // set_cta_skip
  uint64_t first_cta_ = 0;                        // set_cta_start
  ShadowSms* shadows_ = nullptr;                  // set_shadow_sms
  void apply_cta_skip() {
    if (next_cta_ == skip_at_) next_cta_ = skip_to_, skip_at_ = UINT64_MAX;
  }
  CtaRetirementListener* retirement_listener_ = nullptr;
  ProgressProbe* progress_probe_ = nullptr;
  uint64_t probe_interval_ = 1, next_probe_ = 0;
  bool stopped_ = false;
  uint64_t retired_ctas_ = 0;  // this launch's, counted only while a listener is set
  uint64_t dispatch_end() const { return total_ctas_ < cta_limit_ ? total_ctas_ : cta_limit_; }
  uint64_t cycle_ = 0, start_cycle_ = 0, last_busy_cycle_ = 0;
  size_t next_sm_ = 0;
  std::vector<bool> sm_used_;
  std::vector<bool> sm_dispatched_;         // this launch has dispatched a CTA to the SM
  std::vector<uint64_t> sm_last_dispatch_;  // the cycle of that SM's last dispatch
  // Cluster launches: the GPCs (SM ids), the GPC the next cluster tries first and, per GPC, the
  // SM its next placement starts at; each dispatched cluster's state with its retired CTAs.
  bool clusters_ = false;
  std::vector<std::vector<int>> gpcs_;
  size_t next_gpc_ = 0;
  std::vector<size_t> gpc_next_sm_;
  struct LiveCluster {
    std::unique_ptr<isa::ClusterState> state;
    std::vector<std::unique_ptr<isa::CtaState>> retired;
  };
  std::unordered_map<const isa::ClusterState*, LiveCluster> live_clusters_;
  // Deadlock watch (a warp waiting at barrier.cluster.wait issues nothing, so the runaway
  // instruction budget never fires): the cycle and the instructions + sleeping warp-cycles of
  // the last progress.
  uint64_t progress_cycle_ = 0, progress_instructions_ = 0;
};

}  // namespace gpusim::sim
