// Thread-block clusters (sm_90): barrier.cluster, mapa and getctarank. The CTAs of a cluster run
// interleaved (functional_executor), each with a CtaState::cluster naming its peers; shared::
// cluster addresses carry the owning CTA's rank above kClusterRankShift (exec_context.cpp
// resolves them to that CTA's shared memory).
#include <string>

#include "isa/cluster_address.h"
#include "isa/cluster_barrier.h"
#include "isa/exec_context.h"
#include "isa/launch_state.h"
#include "isa/shared_race_check.h"

namespace gpusim::isa {

namespace {

uint32_t cluster_live_threads(CtaState& cta) {
  uint32_t n = 0;
  for (uint32_t r = 0; r < cta.cluster_size(); ++r) n += cta.cluster_peer(r)->live_threads();
  return n;
}

// Completes the cluster barrier's phase once every non-exited thread of the cluster arrived
// (threads that exit never hold it up).
void try_complete(CtaState& cta, uint64_t clock) {
  ClusterState& c = cta.cluster_state();
  if (c.barrier_arrived && c.barrier_arrived >= cluster_live_threads(cta)) {
    c.barrier_completed += 1;
    c.barrier_arrived = 0;
    c.barrier_completed_clock = clock;
  }
}

}  // namespace

bool cluster_barrier_passed(CtaState& cta, const Warp& warp, uint64_t clock, uint64_t* completed_clock) {
  try_complete(cta, clock);
  const ClusterState& c = cta.cluster_state();
  if (completed_clock) *completed_clock = c.barrier_completed_clock;
  return c.barrier_completed >= warp.cluster_barrier_target;
}

uint64_t cluster_address(ExecContext& ctx, uint64_t shared_addr, uint32_t rank, unsigned lane) {
  if (rank >= ctx.cta().cluster_size())
    ctx.fail(lane, ".multicast::cluster ctaMask names CTA rank " + std::to_string(rank) + ", outside the cluster of " +
                       std::to_string(ctx.cta().cluster_size()) + " CTAs", FaultKind::IllegalAddress);
  const uint64_t offset = shared_addr & ((uint64_t(1) << kClusterRankShift) - 1);
  return (uint64_t(rank + 1) << kClusterRankShift) | offset;
}

// barrier.cluster.arrive{.relaxed}{.aligned} / barrier.cluster.wait{.aligned}: a split-phase
// barrier over every thread of the cluster. wait keeps the warp on the instruction (it retries
// on its next turn, while the cluster's other warps and CTAs run) until the phase its warp's
// arrive joined has completed.
void exec_BarrierCluster(ExecContext& ctx, const Instruction& in) {
  Warp& w = ctx.warp();
  CtaState& cta = ctx.cta();
  if (ctx.mask == 0) {
    w.advance();
    return;
  }
  if (in.mod.aligned && ctx.mask != w.live())
    ctx.fail_warp("barrier.cluster .aligned reached by a divergent warp: every non-exited thread must execute it",
                  FaultKind::Barrier);
  ClusterState& c = cta.cluster_state();
  if (in.mod.variant == Variant::Arrive) {
    c.barrier_arrived += uint32_t(__builtin_popcount(ctx.mask));
    w.cluster_barrier_target = c.barrier_completed + 1;
    if (cta.race_shadow) cta.race_shadow->on_cluster_arrive(w);
    try_complete(cta, ctx.launch().clock);
    w.advance();
    return;
  }
  try_complete(cta, ctx.launch().clock);  // exits since the last arrival may have completed the phase
  if (c.barrier_completed >= w.cluster_barrier_target) {
    if (cta.race_shadow) cta.race_shadow->on_cluster_wait(w);
    w.advance();
  } else {
    ctx.waiting = true;
  }
}

// mapa{.shared::cluster}.u32/.u64 d, a, rank: the address of the same shared variable in the
// cluster's CTA `rank`. Without .shared::cluster, a and d are generic addresses.
void exec_Mapa(ExecContext& ctx, const Instruction& in) {
  const bool generic = in.mod.space != StateSpace::Shared;
  const uint64_t offset_mask = (uint64_t(1) << kClusterRankShift) - 1;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    uint64_t a = ctx.get(in.ops[1], lane);
    const uint64_t rank = ctx.get(in.ops[2], lane);
    if (rank >= ctx.cta().cluster_size())
      ctx.fail(lane, "mapa: CTA rank " + std::to_string(rank) + " is outside the cluster of " +
                         std::to_string(ctx.cta().cluster_size()) + " CTAs", FaultKind::IllegalAddress);
    if (generic) {
      if (a < kSharedWindowBase || a >= kSharedWindowBase + kWindowSize)
        ctx.fail(lane, "mapa: generic address is not a shared-memory address", FaultKind::IllegalAddress);
      a -= kSharedWindowBase;
    }
    const uint64_t d = ((rank + 1) << kClusterRankShift) | (a & offset_mask);
    ctx.set(in.ops[0], lane, generic ? d + kSharedWindowBase : d);
  });
}

// getctarank{.shared::cluster}.u32/.u64 d, a: the rank of the cluster's CTA whose shared memory
// holds `a` (cooperative_groups' cluster.query_shared_rank). Without .shared::cluster, a is generic.
void exec_Getctarank(ExecContext& ctx, const Instruction& in) {
  const bool generic = in.mod.space != StateSpace::Shared;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    uint64_t a = ctx.get(in.ops[1], lane);
    if (generic) {
      if (a < kSharedWindowBase || a >= kSharedWindowBase + kWindowSize)
        ctx.fail(lane, "getctarank: generic address is not a shared-memory address", FaultKind::IllegalAddress);
      a -= kSharedWindowBase;
    }
    const uint64_t rank = owning_cluster_rank(a, ctx.cta().cluster_rank);
    if (rank >= ctx.cta().cluster_size())
      ctx.fail(lane, "getctarank: the address names CTA rank " + std::to_string(rank) + ", outside the cluster of " +
                         std::to_string(ctx.cta().cluster_size()) + " CTAs", FaultKind::IllegalAddress);
    ctx.set(in.ops[0], lane, rank);
  });
}

}  // namespace gpusim::isa
