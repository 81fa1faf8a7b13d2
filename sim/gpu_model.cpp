#include "sim/gpu_model.h"

#include "isa/repeat_watch.h"
#include "sim/interrupt_flag.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

GpuModel::GpuModel(const GpuConfig& config) : config_(config) {
  const char* staged = std::getenv("GPUSIM_STAGED_COMMIT");
  staged_commit_allowed_ = staged_commit_ = !(staged && std::string(staged) == "0");
  build();
}
GpuModel::~GpuModel() = default;

void GpuModel::build() {
  memory_ = std::make_unique<MemoryPartitions>(config_, observer_);
  sms_.clear();
  for (int i = 0; i < config_.num_sms; ++i) sms_.push_back(std::make_unique<SmCore>(i, config_, *memory_, observer_, &cluster_tma_, &dsmem_network_));
  staged_of_sm_.clear();
  for (const auto& sm : sms_) staged_of_sm_.push_back(&sm->staged_packets());
}

void GpuModel::add_observer(SimObserver* observer) {
  observers_.add(observer);
  attach_effective_observer();
}

void GpuModel::remove_observer(SimObserver* observer) {
  observers_.remove(observer);
  attach_effective_observer();
}

void GpuModel::attach_effective_observer() {
  SimObserver* effective = observers_.empty() ? nullptr : observers_.size() == 1 ? observers_.only() : &observers_;
  if (effective == observer_) return;
  observer_ = effective;
  build();  // components take the observer at construction, so the hot path holds a plain pointer
}

void GpuModel::begin_launch(isa::LaunchState* launch, const KernelResources& resources) {
  occupancy_ = compute_occupancy(config_, resources);
  if (occupancy_.ctas_per_sm == 0)
    throw std::runtime_error("kernel '" + launch->kernel->name + "' cannot run on " + config_.name +
                             ": no SM can hold one CTA (" + describe(occupancy_) + ")");
  launch_ = launch;
  cluster_tma_.clear();  // CTA ids start over
  dsmem_network_.clear();
  launch_->nsmid = static_cast<uint32_t>(config_.num_sms);
  total_ctas_ = launch->grid.count();
  next_cta_ = first_cta_;
  first_cta_ = 0;
  skip_at_ = UINT64_MAX;
  next_sm_ = 0;
  retired_ctas_ = 0;
  stopped_ = false;
  next_probe_ = probe_interval_;
  start_cycle_ = cycle_;
  last_busy_cycle_ = cycle_;
  sm_used_.assign(sms_.size(), false);
  sm_dispatched_.assign(sms_.size(), false);
  sm_last_dispatch_.assign(sms_.size(), 0);
  memory_->reset_stats();
  phase_times_.reset();
  next_busy_known_ = false;
  for (auto& sm : sms_) {
    sm->reset_stats();
    sm->begin_launch(launch, occupancy_.ctas_per_sm, occupancy_.shared_carveout_bytes);
  }
  begin_clusters();
  if (shadows_) shadows_->begin_launch(*memory_, *launch, occupancy_);
  loop_watch_.begin_launch(*launch, cycle_);
}

// Hands out CTAs in linear order to SMs with a free slot, one SM after another (round-robin from
// where the last hand-out stopped), at most one CTA per SM every launch.cta_dispatch_interval_cycles
// like a hardware dispatcher.
void GpuModel::dispatch_ctas() {
  const size_t n = sms_.size();
  const size_t start = next_sm_;
  const uint64_t interval = static_cast<uint64_t>(config_.cta_dispatch_interval_cycles);
  const bool build_ctas_in_tick = pool_ && !observer_ && staged_commit_;
  apply_cta_skip();
  for (size_t k = 0; k < n && next_cta_ < dispatch_end(); ++k) {
    const size_t i = (start + k) % n;
    const bool shadow = shadows_ && shadows_->shadows(i);
    if (shadow ? !shadows_->can_accept_cta(i) : !sms_[i]->can_accept_cta()) continue;
    if (sm_dispatched_[i] && cycle_ < sm_last_dispatch_[i] + interval) continue;
    sm_dispatched_[i] = true;
    sm_last_dispatch_[i] = cycle_;
    const uint64_t id = next_cta_++;
    apply_cta_skip();
    const isa::Dim3& g = launch_->grid;
    const isa::Dim3 ctaid{static_cast<uint32_t>(id % g.x), static_cast<uint32_t>(id / g.x % g.y),
                          static_cast<uint32_t>(id / (uint64_t(g.x) * g.y))};
    if (shadow) {
      shadows_->add_cta(i, std::make_unique<isa::CtaState>(*launch_, ctaid), cycle_);
      next_sm_ = (i + 1) % n;
      continue;
    }
    // With the staged commit the SM builds the CTA's state itself, at the start of its tick.
    if (build_ctas_in_tick) sms_[i]->reserve_cta(ctaid, cycle_);
    else sms_[i]->add_cta(std::make_unique<isa::CtaState>(*launch_, ctaid), cycle_);
    sm_used_[i] = true;
    dispatched_.push_back(i);
    if (observer_) observer_->on_cta(cycle_, static_cast<int>(i), id, true);
    next_sm_ = (i + 1) % n;
  }
}

void GpuModel::tick_core(uint64_t now_ps, bool l2_edge_too) {
  uint64_t since = phase_times_.enabled() ? PhaseTimes::now_ns() : 0;
  if (observer_) observer_->on_core_cycle(cycle_);
  dispatched_.clear();
  if (clusters_) dispatch_clusters();
  else dispatch_ctas();
  busy_.clear();
  if (next_busy_known_ && !clusters_) {
    // The SMs still busy after the last cycle and those just given a CTA, in SM order.
    std::sort(dispatched_.begin(), dispatched_.end());
    std::set_union(next_busy_.begin(), next_busy_.end(), dispatched_.begin(), dispatched_.end(), std::back_inserter(busy_));
  } else {
    for (size_t i = 0; i < sms_.size(); ++i)
      if (!sms_[i]->idle()) busy_.push_back(i);
  }
  next_busy_known_ = false;
  if (phase_times_.enabled()) phase_times_.charge(PhaseTimes::Dispatch, since);
  // A cluster's CTAs on different SMs share state (distributed shared memory, barrier.cluster)
  // that their warps touch at issue, so cluster launches tick their SMs on this thread, in order.
  const bool parallel = pool_ && !observer_ && !clusters_ && busy_.size() >= kMinSmsForThreads;
  const bool staged = parallel && staged_commit_;
  // The parallel part: every busy SM touches only its own state (sm_core.h).
  errors_.assign(busy_.size(), nullptr);
  if (staged) sm_cycle_.assign(busy_.size(), SmCycle{});
  auto tick_one = [&](size_t k) {
    try {
      SmCore& sm = *sms_[busy_[k]];
      const SmCore::TickReport report = sm.tick(cycle_, now_ps);
      if (staged) {
        sm_cycle_[k].has_write = report.has_write;
        sm_cycle_[k].local_work = report.local_work;
        sm_cycle_[k].accesses = report.accesses;
        sm_cycle_[k].sent = report.sent;
      }
    } catch (...) {
      errors_[k] = std::current_exception();
    }
  };
  // Affine: an SM is ticked by the same thread cycle after cycle while the busy set holds still.
  // Beside the SMs, the DRAM edges deferred since the last cycle (MemoryPartitions::defer_dram):
  // channel group t first in thread t's block, so every thread gets its share. (Without the pool
  // a deferred edge runs when the memory side is next asked.)
  if (parallel) {
    const size_t groups = pool_->threads();
    pool_->for_each_affine(busy_.size(), tick_one, [&](unsigned t) { memory_->run_deferred_dram(t, groups); });
    memory_->merge_deferred_dram();
  } else {
    for (size_t k = 0; k < busy_.size(); ++k) tick_one(k);
  }
  if (phase_times_.enabled()) phase_times_.charge(PhaseTimes::Tick, since);
  if (staged) commit_staged(now_ps, l2_edge_too, since);
  else commit_sequential(now_ps, l2_edge_too, since);
  if (phase_times_.enabled()) phase_times_.charge(PhaseTimes::Finish, since);
  if (clusters_) {
    collect_retired_clusters();
    check_cluster_progress();
  }
  bool shadows_busy = false;
  if (shadows_) {
    shadows_->tick(cycle_, now_ps);
    shadows_busy = !shadows_->idle();
  }
  if (!busy_.empty() || next_cta_ < dispatch_end() || shadows_busy) last_busy_cycle_ = cycle_ + 1;
  if (!shadows_ && loop_watch_.due(cycle_)) check_for_endless_loop();
  // Ctrl-C / SIGTERM (sim/interrupt_flag.h): a mask test per cycle, one relaxed load per 4,096.
  // Here every SM's cycle is committed, so the launch stops between two whole cycles.
  if ((cycle_ & (kInterruptCheckCycles - 1)) == 0) throw_if_interrupted();
  ++cycle_;
  if (progress_probe_ && cycle_ - start_cycle_ >= next_probe_) {
    next_probe_ += probe_interval_;
    progress_probe_->on_progress(cycle_ - start_cycle_, launch_->warp_instructions);
  }
}

void GpuModel::resident_ctas(std::vector<const isa::CtaState*>& out) const {
  out.clear();
  for (const auto& sm : sms_) sm->append_resident_ctas(out);
}

std::string GpuModel::where_warps_are() const {
  std::vector<const isa::CtaState*> resident;
  resident_ctas(resident);
  if (resident.empty()) return "";
  const isa::CtaState& lowest = **std::min_element(
      resident.begin(), resident.end(),
      [](const isa::CtaState* a, const isa::CtaState* b) { return a->linear_id < b->linear_id; });
  const std::string places = isa::describe_loop_places(lowest);
  if (places.empty()) return "";
  return "; the running warps of its lowest resident CTA (" + std::to_string(lowest.ctaid.x) + "," +
         std::to_string(lowest.ctaid.y) + "," + std::to_string(lowest.ctaid.z) + ") are at:" + places;
}

void GpuModel::check_for_endless_loop() {
  resident_ctas(loop_watch_ctas_);
  bool may_dispatch = false;
  if (next_cta_ < dispatch_end())
    for (auto& sm : sms_) may_dispatch = may_dispatch || sm->can_accept_cta();
  bool memory_idle = true;
  if (loop_watch_.needs_memory_idle()) {
    memory_idle = memory_->idle();
    for (auto& sm : sms_) memory_idle = memory_idle && sm->off_chip_idle();
  }
  loop_watch_.check(loop_watch_ctas_, may_dispatch, memory_idle);
}

std::vector<std::unique_ptr<isa::CtaState>> GpuModel::take_stopped_ctas(std::vector<size_t>* sm_of) {
  std::vector<std::unique_ptr<isa::CtaState>> out;
  for (size_t i = 0; i < sms_.size(); ++i)
    for (auto& cta : sms_[i]->take_resident_ctas()) {
      out.push_back(std::move(cta));
      if (sm_of) sm_of->push_back(i);
    }
  build();
  return out;
}

void GpuModel::tick_l2(uint64_t now_ps) {
  if (!phase_times_.enabled()) return memory_->tick_l2(now_ps);
  uint64_t since = PhaseTimes::now_ns();
  memory_->tick_l2(now_ps);
  phase_times_.charge(PhaseTimes::L2, since);
}

void GpuModel::tick_dram(uint64_t now_ps) {
  // With the staged commit on several threads, the edge runs beside the next core edge's SM ticks
  // (tick_core); an observer sees the memory side's calls one at a time, so it keeps them serial.
  if (pool_ && pool_->threads() > 1 && staged_commit_ && !observer_ && !clusters_) return memory_->defer_dram(now_ps);
  if (!phase_times_.enabled()) return memory_->tick_dram(now_ps);
  uint64_t since = PhaseTimes::now_ns();
  memory_->tick_dram(now_ps);
  phase_times_.charge(PhaseTimes::Dram, since);
}

bool GpuModel::finished() const {
  if (stopped_) return true;
  if (next_cta_ < dispatch_end()) return false;
  if (shadows_ && !shadows_->idle()) return false;
  for (const auto& sm : sms_)
    if (!sm->idle()) return false;
  return memory_->idle();
}

LaunchTiming GpuModel::end_launch() {
  LaunchTiming t;
  t.cycles = last_busy_cycle_ - start_cycle_;
  t.seconds = static_cast<double>(t.cycles) / (config_.core_clock_mhz * 1e6);
  t.launch_path_seconds = config_.launch_path_seconds();
  t.occupancy = occupancy_;
  t.memory = memory_->stats();
  for (size_t i = 0; i < sms_.size(); ++i) {
    if (!sm_used_[i]) continue;
    ++t.sms_used;
    const SmStats& s = sms_[i]->stats();
    t.sm.active_cycles += s.active_cycles;
    t.sm.warp_instructions += s.warp_instructions;
    t.sm.thread_instructions += s.thread_instructions;
    t.sm.issue_slots += s.issue_slots;
    t.sm.issued += s.issued;
    for (size_t r = 0; r < s.stall_warp_cycles.size(); ++r) t.sm.stall_warp_cycles[r] += s.stall_warp_cycles[r];
    for (size_t p = 0; p < s.pipe_busy_cycles.size(); ++p) t.sm.pipe_busy_cycles[p] += s.pipe_busy_cycles[p];
    t.sm.resident_warp_cycles += s.resident_warp_cycles;
    t.sm.register_bank_conflicts += s.register_bank_conflicts;
    t.sm.ctas_completed += s.ctas_completed;
    t.sm.fp32_flops += s.fp32_flops;
    t.sm.fp64_flops += s.fp64_flops;
    t.sm.tensor_flops += s.tensor_flops;
    const SmMemStats& m = sms_[i]->memory_stats();
    t.sm_memory.shared_requests += m.shared_requests;
    t.sm_memory.shared_wavefronts += m.shared_wavefronts;
    t.sm_memory.shared_ideal_wavefronts += m.shared_ideal_wavefronts;
    t.sm_memory.global_load_requests += m.global_load_requests;
    t.sm_memory.global_store_requests += m.global_store_requests;
    t.sm_memory.atomic_requests += m.atomic_requests;
    t.sm_memory.local_requests += m.local_requests;
    t.sm_memory.l1_sectors_requested += m.l1_sectors_requested;
    t.sm_memory.global_load_sectors += m.global_load_sectors;
    t.sm_memory.global_store_sectors += m.global_store_sectors;
    t.sm_memory.l1_read_sector_hits += m.l1_read_sector_hits;
    t.sm_memory.l1_read_sector_misses += m.l1_read_sector_misses;
    t.sm_memory.mio_full_cycles += m.mio_full_cycles;
    t.sm_memory.lg_full_cycles += m.lg_full_cycles;
    t.sm_memory.dsmem_requests += m.dsmem_requests;
    t.sm_memory.dsmem_bytes += m.dsmem_bytes;
    t.sm_memory.dsmem_received_requests += m.dsmem_received_requests;
    t.sm_memory.dsmem_received_wavefronts += m.dsmem_received_wavefronts;
  }
  live_clusters_.clear();
  launch_ = nullptr;
  if (phase_times_.enabled()) std::fprintf(stderr, "gpusim: %s\n", phase_times_.report().c_str());
  return t;
}

}  // namespace gpusim::sim
