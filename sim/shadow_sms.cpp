#include "sim/shadow_sms.h"

#include <algorithm>
#include <cmath>

#include "isa/functional_executor.h"
#include "isa/step.h"

namespace gpusim::sim {

ShadowSm::ShadowSm(int sm_id, const GpuConfig& config, MemoryPartitions& memory)
    : sm_(sm_id), pipeline_(sm_id, config, memory, nullptr) {
  trace_.reserve(64);
}

void ShadowSm::begin_launch(int max_ctas, int shared_carveout_bytes) {
  max_ctas_ = max_ctas;
  pipeline_.configure(shared_carveout_bytes);
  ctas_.clear();
}

void ShadowSm::add_cta(std::unique_ptr<isa::CtaState> cta, double phase) {
  const double burst = double(kWarpRun) * double(cta->warps.size());
  ctas_.push_back(Resident{std::move(cta), -phase * burst, 0});
}

// The op goes to the LG queue only when it touches global or local memory: shared-memory traffic
// never leaves the SM, and the shadow has no pipeline whose timing it could change.
void ShadowSm::submit_global(const isa::StepResult& s, uint64_t cycle) {
  if (s.executed == 0 || !s.inst) return;
  WarpMemOp& op = op_;
  op.op = s.inst->op;
  op.load = op.store = op.atomic = false;
  op.l2_only = s.inst->mod.l2_only;
  op.active_lanes = s.executed;
  op.cluster = false;
  op.cluster_rank = 0;
  op.cluster_state = nullptr;
  op.affine.lanes = 0;
  op.accesses.clear();
  if (summary_.valid()) {
    if (summary_.space != isa::StateSpace::Global) return;
    op.affine = summary_;
    (summary_.write ? op.store : op.load) = true;
  } else {
    bool off_chip = false;
    for (const isa::MemAccess& a : trace_) {
      off_chip = off_chip || a.space == isa::StateSpace::Global || a.space == isa::StateSpace::Local;
      if (a.atomic) op.atomic = true;
      else if (a.write) op.store = true;
      else op.load = true;
    }
    if (!off_chip) return;
    op.accesses.swap(trace_);
  }
  op.token = next_token_++;
  pipeline_.submit(op, SmMemoryPipeline::Queue::Lg, cycle);
}

// Runs up to `budget` warp-instructions of `r`, a few consecutive ones per warp in turn (a warp's
// registers stay in the host's cache for its run); stops early when every warp is done or waits
// at a barrier that cannot be released yet, or when the LG queue is full. Returns those run.
uint64_t ShadowSm::run_burst(Resident& r, uint64_t budget, uint64_t cycle, isa::LaunchState& launch) {
  isa::CtaState& cta = *r.cta;
  const size_t n = cta.warps.size();
  uint64_t ran = 0;
  bool refused = false;
  while (ran < budget && !refused) {
    bool progressed = false;
    const size_t first = r.next_warp;
    for (size_t k = 0; k < n && ran < budget && !refused; ++k) {
      const size_t w = (first + k) % n;
      isa::Warp& warp = *cta.warps[w];
      for (unsigned i = 0; i < kWarpRun && ran < budget && !warp.done() && !warp.at_barrier; ++i) {
        if (!pipeline_.can_accept(SmMemoryPipeline::Queue::Lg)) {
          refused = true;
          break;
        }
        trace_.clear();
        summary_.lanes = 0;
        const isa::StepResult s = isa::step_warp(warp, cta, launch, &trace_, &summary_);
        if (s.waiting) break;  // held at barrier.cluster.wait
        submit_global(s, cycle);
        ++ran;
        progressed = true;
      }
      r.next_warp = (w + 1) % n;
    }
    // Warps waiting at a barrier (exits may complete one too).
    if (!refused && !progressed && !cta.release_ready_barriers()) break;
  }
  warp_instructions_ += ran;
  return ran;
}

int ShadowSm::tick(uint64_t cycle, uint64_t now_ps, const std::vector<std::vector<double>>& pace,
                   const std::vector<double>& twin, isa::LaunchState& launch) {
  if (ctas_.empty() && pipeline_.idle()) return 0;
  if (pipeline_.tick(cycle, now_ps)) pipeline_.take_completed(completed_);
  launch.clock = cycle;
  launch.smid = static_cast<uint32_t>(sm_);
  int retired = 0;
  const std::vector<double>& by_rank = twin.size() == ctas_.size() ? twin : pace[std::min(ctas_.size(), pace.size() - 1)];
  for (size_t i = 0, rank = 0; i < ctas_.size(); ++rank) {
    Resident& r = ctas_[i];
    const double credit = by_rank[std::min(rank, by_rank.size() - 1)];
    const double burst = double(kWarpRun) * double(r.cta->warps.size());
    r.credit = std::min(r.credit + credit, 2.0 * burst);  // catching up after the LG queue was full
    bool finished = false;
    if (r.credit >= burst) {
      const uint64_t budget = static_cast<uint64_t>(r.credit);
      const uint64_t ran = run_burst(r, budget, cycle, launch);
      r.credit -= double(ran);
      if (ran < budget && pipeline_.can_accept(SmMemoryPipeline::Queue::Lg)) {
        finished = std::all_of(r.cta->warps.begin(), r.cta->warps.end(), [](const auto& w) { return w->done(); });
        if (!finished && ran == 0)
          throw isa::ExecError(isa::describe_barrier_deadlock(*r.cta), isa::FaultKind::Barrier);
      }
    }
    if (finished) {
      ctas_.erase(ctas_.begin() + static_cast<long>(i));
      ++retired;
    } else {
      ++i;
    }
  }
  pipeline_.flush_requests(now_ps);
  return retired;
}

ShadowFleet::ShadowFleet(const GpuModel& model, unsigned scale) : model_(model), scale_(scale ? scale : 1) {}

void ShadowFleet::begin_launch(MemoryPartitions& memory, isa::LaunchState& launch, const Occupancy& occupancy) {
  launch_ = &launch;
  shadows_.clear();
  shadow_ids_.clear();
  for (size_t i = 0; i < size_t(model_.sm_count()); ++i) {
    if (!shadows(i)) continue;
    shadows_.push_back(std::make_unique<ShadowSm>(static_cast<int>(i), model_.config(), memory));
    shadows_.back()->begin_launch(occupancy.ctas_per_sm, occupancy.shared_carveout_bytes);
    shadow_ids_.push_back(i);
  }
  last_progress_.assign((size_t(model_.sm_count()) + scale_ - 1) / scale_, {});
  twin_.assign(last_progress_.size(), {});
  const size_t slots = size_t(std::max(occupancy.ctas_per_sm, 1)) + 1;
  now_sms_.assign(slots, 0);
  now_sum_.assign(slots, {});
  recent_pace_.assign(slots, {});
  pace_samples_.assign(slots, {});
  pace_.assign(slots, {});
  for (size_t k = 0; k < slots; ++k) {
    now_sum_[k].assign(std::max<size_t>(k, 1), 0.0);
    recent_pace_[k].assign(std::max<size_t>(k, 1), 0.0);
    pace_samples_[k].assign(std::max<size_t>(k, 1), 0);
    pace_[k].assign(std::max<size_t>(k, 1), 0.0);
  }
  paced_instructions_ = cta_cycles_ = 0;
  shadow_ctas_ = 0;
  last_detailed_cycle_ = 0;
  last_dispatch_cycle_ = longest_cta_cycles_ = 0;
}

void ShadowFleet::note_dispatched(uint64_t cycle) { last_dispatch_cycle_ = std::max(last_dispatch_cycle_, cycle); }

void ShadowFleet::note_retired(const Seen& cta, uint64_t cycle) {
  longest_cta_cycles_ = std::max(longest_cta_cycles_, cycle - cta.since);
}

void ShadowFleet::add_cta(size_t sm, std::unique_ptr<isa::CtaState> cta, uint64_t cycle) {
  note_dispatched(cycle);
  // The golden ratio's fraction spreads consecutive CTAs' phases evenly over [0, 1).
  const double phase = std::fmod(double(cta->linear_id) * 0.6180339887498949, 1.0);
  shadow_of(sm).add_cta(std::move(cta), phase);
  ++shadow_ctas_;
}

void ShadowFleet::tick(uint64_t cycle, uint64_t now_ps) {
  // The detailed CTAs' pace this edge (warp-instructions issued), by how many CTAs their SM holds
  // and by age: a CTA sharing its SM with fewer others runs faster (the grid's tail), an older one
  // is favoured by the warp schedulers.
  for (auto& row : now_sum_) std::fill(row.begin(), row.end(), 0.0);
  std::fill(now_sms_.begin(), now_sms_.end(), 0u);
  uint64_t all_delta = 0, all_resident = 0;
  for (size_t g = 0; g < last_progress_.size(); ++g) {
    model_.sm(static_cast<int>(g * scale_)).resident_cta_progress(progress_);
    twin_[g].resize(progress_.size());
    std::vector<Seen>& last = last_progress_[g];
    seen_.clear();
    const size_t k = std::min(progress_.size(), now_sum_.size() - 1);
    size_t j = 0;
    for (size_t r = 0; r < progress_.size(); ++r) {
      for (; j < last.size() && last[j].id < progress_[r].first; ++j) note_retired(last[j], cycle);
      const bool known = j < last.size() && last[j].id == progress_[r].first;
      const uint64_t before = known ? last[j].issued : 0;
      const uint64_t since = known ? last[j].since : cycle;
      if (!known) note_dispatched(cycle);  // a detailed SM's CTA, from its first tick
      if (known) ++j;
      const uint64_t delta = progress_[r].second - before;
      if (r < k) now_sum_[k][r] += double(delta);
      twin_[g][r] = double(delta);
      all_delta += delta;
      seen_.push_back(Seen{progress_[r].first, progress_[r].second, since});
    }
    for (; j < last.size(); ++j) note_retired(last[j], cycle);
    last.swap(seen_);
    if (k == 0) continue;
    now_sms_[k] += 1;
    all_resident += k;
  }
  if (all_resident) {
    last_detailed_cycle_ = cycle + 1;
    paced_instructions_ += all_delta;
    cta_cycles_ += all_resident;
  }
  // Per k and rank: this edge's pace where a detailed SM holds k CTAs (its recent average kept),
  // else that recent average, else the pace of all detailed CTAs now, else the launch's average
  // (one instruction per edge before anything was measured: nothing waits for ever).
  const double fallback = all_resident ? double(all_delta) / double(all_resident) : cta_cycles_ ? mean_pace() : 1.0;
  for (size_t k = 1; k < now_sum_.size(); ++k) {
    for (size_t r = 0; r < k; ++r) {
      double& recent = recent_pace_[k][r];
      uint64_t& samples = pace_samples_[k][r];
      if (now_sms_[k]) {
        const double pace = now_sum_[k][r] / double(now_sms_[k]);
        // The mean of the edges measured so far, then a running average over kPaceMemoryCycles.
        samples += 1;
        recent += (pace - recent) / std::min(double(samples), kPaceMemoryCycles);
        pace_[k][r] = pace;
      } else {
        // A few edges' pace is noise (a CTA at a barrier issues nothing for a while).
        pace_[k][r] = samples >= kMinPaceSamples ? recent : fallback;
      }
    }
  }
  for (size_t i = 0; i < shadows_.size(); ++i) shadows_[i]->tick(cycle, now_ps, pace_, twin_[shadow_ids_[i] / scale_], *launch_);
}

bool ShadowFleet::idle() const {
  for (const auto& s : shadows_)
    if (!s->idle()) return false;
  return true;
}

uint64_t ShadowFleet::shadow_warp_instructions() const {
  uint64_t n = 0;
  for (const auto& s : shadows_) n += s->warp_instructions();
  return n;
}

}  // namespace gpusim::sim
