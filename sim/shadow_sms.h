// Shadow SMs (`--sample` on grids whose CTAs share data through the L2, sim/shadow_sampling.h):
// on the full-size chip, 1 SM in `scale` runs its CTAs on the cycle-level SM model ("detailed"),
// the others run theirs functionally (the same isa::step_warp, no pipeline timing) and send their
// global accesses through a real SM memory pipeline (L1, MSHRs, interconnect port) into the
// model's L2 slices and DRAM channels. So L2 reuse between CTAs, L2 and DRAM contention and
// bandwidth are those of the whole chip, while only 1/scale of the SMs' pipelines is simulated.
//
// Pacing: a shadow CTA has no pipeline to tell how fast it runs, so it runs as fast as a detailed
// CTA in its situation. Every shadow SM has a twin, the detailed SM of its group (SM s*g for SMs
// s*g .. s*g+s-1): after every core edge, when both hold k CTAs, the rank-th oldest shadow CTA is
// credited the warp-instructions the twin's rank-th oldest CTA issued on that edge, so a shadow
// SM's CTAs speed up, slow down and retire as spread as a real SM's. Otherwise (the counts differ
// for a few edges after a retirement) the mean over the detailed SMs holding k of their rank-th
// oldest CTAs' instructions, else that pace's running average, else the pace of all detailed CTAs
// on that edge. A CTA executes its credit in bursts of a few consecutive instructions per warp in
// turn (a warp at a barrier waits for the others), so a warp's registers stay in the host's cache;
// each CTA's bursts start at its own phase, so that CTAs dispatched together do not send their
// loads on the same edge. A shadow SM whose memory pipeline refuses more (its LG queue is full)
// waits, so the memory system pushes back on the shadows as on the detailed SMs. The memory ops'
// answers are drained, not waited for: the detailed CTAs' pace already includes the latency.
//
// Measured (docs/PERFORMANCE.md): one pace for all of a shadow SM's CTAs (the previous rule) made
// them retire together and the detailed SMs took the last CTAs (+8.4 % on sgemm_tiled 512^3); the
// rank-th oldest of all detailed SMs' CTAs still retired together; the twin reproduces the
// dispatch of the grid's last CTA to 0.5 %. What it does not reproduce is the tail after it: a
// group's 8 SMs free their slots together and spread the last CTAs thinly, which run faster than
// the full run's, where a few SMs that free first take several each; sim/shadow_sampling.h
// brackets the tail instead of trusting it.
//
// Determinism: shadows advance on the calling thread after the core edge's commit, in SM order,
// from simulated quantities only: the same cycles for any --threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "isa/launch_state.h"
#include "isa/step.h"
#include "sim/gpu_model.h"
#include "sim/sm_memory_pipeline.h"

namespace gpusim::sim {

// One shadow SM: resident CTAs (functional state) and a memory pipeline on the SM's own port.
class ShadowSm {
 public:
  ShadowSm(int sm_id, const GpuConfig& config, MemoryPartitions& memory);
  void begin_launch(int max_ctas, int shared_carveout_bytes);
  bool can_accept_cta() const { return int(ctas_.size()) < max_ctas_; }
  // `phase` in [0, 1): the CTA's first burst waits for that fraction of a burst's credit more.
  void add_cta(std::unique_ptr<isa::CtaState> cta, double phase);
  // One core edge: the pipeline's tick, then the rank-th oldest of the k resident CTAs gets
  // pace[k][rank] warp-instructions more to execute; returns the CTAs that finished. Throws
  // isa::ExecError on a kernel fault.
  int tick(uint64_t cycle, uint64_t now_ps, const std::vector<std::vector<double>>& pace, const std::vector<double>& twin,
           isa::LaunchState& launch);
  bool idle() const { return ctas_.empty() && pipeline_.idle(); }
  uint64_t warp_instructions() const { return warp_instructions_; }
  uint64_t resident() const { return ctas_.size(); }

 private:
  struct Resident {
    std::unique_ptr<isa::CtaState> cta;
    double credit = 0;
    size_t next_warp = 0;
  };
  // Consecutive instructions of one warp per turn in a burst.
  static constexpr unsigned kWarpRun = 4;
  uint64_t run_burst(Resident& r, uint64_t budget, uint64_t cycle, isa::LaunchState& launch);
  void submit_global(const isa::StepResult& s, uint64_t cycle);

  int sm_;
  SmMemoryPipeline pipeline_;
  int max_ctas_ = 0;
  std::vector<Resident> ctas_;
  std::vector<isa::MemAccess> trace_;
  isa::AffineAccess summary_;
  WarpMemOp op_;
  std::vector<uint64_t> completed_;
  uint64_t next_token_ = 1, warp_instructions_ = 0;
};

// The GpuModel's shadow SMs: every SM whose index is not a multiple of `scale`.
class ShadowFleet : public GpuModel::ShadowSms {
 public:
  ShadowFleet(const GpuModel& model, unsigned scale);
  void begin_launch(MemoryPartitions& memory, isa::LaunchState& launch, const Occupancy& occupancy) override;
  bool shadows(size_t sm) const override { return sm % scale_ != 0; }
  bool can_accept_cta(size_t sm) const override { return shadow_of(sm).can_accept_cta(); }
  void add_cta(size_t sm, std::unique_ptr<isa::CtaState> cta, uint64_t cycle) override;
  void tick(uint64_t cycle, uint64_t now_ps) override;
  bool idle() const override;

  uint64_t shadow_ctas() const { return shadow_ctas_; }
  uint64_t shadow_warp_instructions() const;
  // The core cycle after the last one on which a detailed CTA was resident.
  uint64_t last_detailed_cycle() const { return last_detailed_cycle_; }
  // The core cycle on which the grid's last CTA was dispatched (as seen here: a detailed SM's CTA
  // from its first tick), and the longest a detailed CTA was resident (dispatch to retirement).
  uint64_t last_dispatch_cycle() const { return last_dispatch_cycle_; }
  uint64_t longest_cta_cycles() const { return longest_cta_cycles_; }
  // The per-CTA pace (warp-instructions per CTA and cycle) averaged over the launch so far.
  double mean_pace() const { return cta_cycles_ ? double(paced_instructions_) / double(cta_cycles_) : 0.0; }

 private:
  ShadowSm& shadow_of(size_t sm) { return *shadows_.at(sm / scale_ * (scale_ - 1) + sm % scale_ - 1); }
  const ShadowSm& shadow_of(size_t sm) const { return *shadows_.at(sm / scale_ * (scale_ - 1) + sm % scale_ - 1); }

  const GpuModel& model_;
  size_t scale_;
  std::vector<std::unique_ptr<ShadowSm>> shadows_;  // in SM order
  std::vector<size_t> shadow_ids_;                  // their SM indices
  isa::LaunchState* launch_ = nullptr;
  // Per number of resident CTAs k and age rank r ([k][r]): this edge's summed warp-instructions of
  // the rank-r CTAs of the detailed SMs holding k, a running average of the pace over about
  // kPaceMemoryCycles and the edges it has seen (used when at least kMinPaceSamples), and the pace
  // given to shadow CTAs; per k: the detailed SMs holding k this edge.
  static constexpr double kPaceMemoryCycles = 256;
  static constexpr uint64_t kMinPaceSamples = 256;
  std::vector<std::vector<double>> now_sum_, recent_pace_, pace_;
  std::vector<std::vector<uint64_t>> pace_samples_;
  std::vector<unsigned> now_sms_;
  // Per detailed SM: its resident CTAs at the last edge (linear id, warp-instructions issued, the
  // cycle it was first seen), oldest first.
  struct Seen {
    uint64_t id = 0, issued = 0, since = 0;
  };
  // Every dispatch, shadow (add_cta) or detailed (first seen in tick), and every detailed
  // retirement pass through these two.
  void note_dispatched(uint64_t cycle);
  void note_retired(const Seen& cta, uint64_t cycle);
  std::vector<std::vector<Seen>> last_progress_;
  std::vector<Seen> seen_;
  uint64_t last_dispatch_cycle_ = 0, longest_cta_cycles_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> progress_;
  std::vector<std::vector<double>> twin_;  // per detailed SM: its CTAs' warp-instructions this edge, oldest first
  uint64_t paced_instructions_ = 0, cta_cycles_ = 0;  // detailed: warp-instructions, CTA x cycles
  uint64_t shadow_ctas_ = 0;
  uint64_t last_detailed_cycle_ = 0;
};

}  // namespace gpusim::sim
