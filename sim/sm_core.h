// One streaming multiprocessor: resident CTAs, 4 sub-cores (each with a warp scheduler, an
// instruction buffer per warp, a scoreboard, register-file banks and its functional-unit pipes)
// and the SM's memory pipeline. Warps execute through isa::step_warp at issue (execution-driven):
// the functional result is computed once; the model decides when each warp issues and when its
// results become available.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "isa/launch_state.h"
#include "sim/commit_order.h"
#include "sim/gpu_config.h"
#include "sim/memory_partitions.h"
#include "sim/sm_memory_pipeline.h"
#include "sim/sm_snapshot.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

class ClusterTmaBarriers;
class DsmemNetwork;

struct SmStats {
  uint64_t active_cycles = 0;          // cycles with at least one resident warp
  uint64_t warp_instructions = 0, thread_instructions = 0;
  uint64_t issue_slots = 0;            // subcores x active cycles
  uint64_t issued = 0;                 // issue slots used
  std::array<uint64_t, static_cast<size_t>(StallReason::Count)> stall_warp_cycles{};  // per reason
  std::array<uint64_t, static_cast<size_t>(Pipe::Count)> pipe_busy_cycles{};          // summed over sub-cores
  uint64_t resident_warp_cycles = 0;   // sum over active cycles of resident warps (achieved occupancy)
  uint64_t register_bank_conflicts = 0;
  uint64_t ctas_completed = 0;
  uint64_t fp32_flops = 0, fp64_flops = 0, tensor_flops = 0;  // see InstTiming::flops
};

class SmCore {
 public:
  // `cluster_tma`: the GPU's record of bulk copies onto other CTAs' mbarriers (multicast), or null.
  // `dsmem`: the GPU's distributed shared memory network (peers' receive ports and banks), or null.
  SmCore(int sm_id, const GpuConfig& config, MemoryPartitions& memory, SimObserver* observer,
         ClusterTmaBarriers* cluster_tma = nullptr, DsmemNetwork* dsmem = nullptr);
  ~SmCore();
  SmCore(const SmCore&) = delete;
  SmCore& operator=(const SmCore&) = delete;

  // Per launch: the launch's state (shared by all SMs) and how many CTAs of it fit on one SM.
  // The SM executes warps against its own copy of it (%clock, %smid and the instruction counters
  // are per SM); commit() adds the SM's counts to `launch`.
  void begin_launch(isa::LaunchState* launch, int max_resident_ctas, int shared_carveout_bytes);
  bool can_accept_cta() const;
  // How many more CTAs of the launch fit now (CTA slots and warp slots); cluster dispatch.
  int cta_room() const;
  // CTAs of clusters that retired since the last call (their cluster may still need them).
  std::vector<std::unique_ptr<isa::CtaState>> take_retired_cluster_ctas();
  // Takes a CTA (its warps are spread over the sub-cores) at `cycle`.
  void add_cta(std::unique_ptr<isa::CtaState> cta, uint64_t cycle);
  // add_cta in two halves, so that building the CTA's state (its warps, registers and shared
  // memory: the costly part) runs on the SM's own thread: reserve_cta (one thread, at dispatch)
  // takes the CTA's room at once, so can_accept_cta, cta_room and idle() answer as after
  // add_cta; the SM's next tick() first builds and places the CTA exactly as add_cta would have.
  // Not with an observer (add_cta tells it at dispatch). At most one reservation per cycle.
  void reserve_cta(isa::Dim3 ctaid, uint64_t cycle);
  // One core clock edge, in two parts (docs/ARCHITECTURE.md, "Parallel simulation"):
  // tick() touches only this SM's own state (its CTAs, sub-cores, memory pipeline and its
  // interconnect port), so the SMs of a GPU may tick in parallel; commit() then runs, for every
  // SM in SM order on one thread, what may touch state other SMs see: the warp-instructions that
  // may access global memory or a device service (chosen at tick, executed here), the packets
  // staged for the L2, barrier release and CTA retirement. Both throw isa::ExecError on a kernel
  // fault or a barrier deadlock.
  // tick's answer, handed back so that the GPU's staged commit needs no further calls per SM and
  // cycle: whether a deferred instruction may write global memory or call a service, whether
  // commit_local has something to do (has_local_commit_work), and what each deferred one touches.
  struct TickReport {
    bool has_write = false;
    bool local_work = false;
    // Per sub-core, what its deferred instruction touches (null: none deferred); valid until the
    // SM's next tick.
    const DeferredAccess* accesses = nullptr;
    bool sent = false;  // packets (or refusals) staged for the L2 this tick: the hand-off reads this SM
  };
  TickReport tick(uint64_t cycle, uint64_t now_ps);
  void commit(uint64_t cycle, uint64_t now_ps);
  // commit() in three stages, for the GPU's staged commit (sim/gpu_model_commit.cpp); together
  // they leave exactly the state commit() leaves. tick() records which sub-cores hold a deferred
  // instruction and what it touches (TickReport::accesses).
  // commit_ordered (one thread, SM order): the deferred instructions of sub-cores [0, upto).
  // hand_off_packets (one thread, SM order): the packets staged at tick, to the L2 slices; it
  // touches none of the state commit_ordered and commit_local touch. commit_local (any thread, SMs in
  // parallel): the remaining deferred instructions (sim/commit_order.h says which may run there), then
  // barrier release and CTA retirement; returns the CTAs retired. take_counts (the SM's own
  // thread): the warp- and thread-instructions executed since the last call, for the GPU to add
  // to the launch's.
  bool has_local_commit_work() const;  // commit_local has something to do
  void commit_ordered(uint64_t cycle, int upto);
  // The packets the SM's tick staged, handed to the L2 slices (commit's last step before barriers).
  void hand_off_packets(uint64_t now_ps);
  // Or, in the staged commit, the packets for the GPU's L2 round to read, and the mark that it
  // has (sim/sm_memory_pipeline.h); the next tick forgets them.
  const MemoryPartitions::Staged& staged_packets() const;
  void mark_packets_handed_off();
  int commit_local(uint64_t cycle);
  void take_counts(uint64_t* warp_instructions, uint64_t* thread_instructions);
  // No resident CTA and nothing in flight in this SM's memory pipeline.
  bool idle() const;
  bool off_chip_idle() const;  // no global, local or bulk memory operation of its in flight
  int resident_ctas() const;
  // The resident CTAs' progress, oldest (lowest linear id) first: (linear id, warp-instructions
  // issued for it so far). Shadow-SM sampling paces each shadow CTA by the detailed CTA of the
  // same age (sim/shadow_sms.h). A reservation's CTA appears once built (the SM's next tick).
  void resident_cta_progress(std::vector<std::pair<uint64_t, uint64_t>>& out) const;
  // Progress-rate sampling, after a stopped launch: moves the resident CTAs out (slot order). The
  // SM is left unusable (its sub-cores still hold the warps' slots); GpuModel rebuilds it.
  std::vector<std::unique_ptr<isa::CtaState>> take_resident_ctas();
  // Appends the resident CTAs (built ones; slot order) to `out`, for inspection between cycles.
  void append_resident_ctas(std::vector<const isa::CtaState*>& out) const;
  // The SM as of `cycle` (inspection; sim/sm_snapshot.h).
  SmSnapshot snapshot(uint64_t cycle) const;
  std::optional<CacheLineState> l1_line(uint64_t address) const;

  const SmStats& stats() const;
  const SmMemStats& memory_stats() const;
  void reset_stats();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpusim::sim
