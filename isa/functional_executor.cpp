#include "isa/functional_executor.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "isa/affine_access.h"
#include "isa/repeat_watch.h"
#include "isa/shared_effects.h"
#include "isa/source_position.h"
#include "isa/step.h"

namespace gpusim::isa {

std::string describe_barrier_deadlock(const CtaState& cta) {
  std::ostringstream os;
  os << cta.where() << ": barrier can never complete:";
  for (unsigned id = 0; id < 16; ++id) {
    const NamedBarrier& b = cta.barriers[id];
    if (b.waiting.empty()) continue;
    os << " barrier " << id << " has " << b.arrived_threads << " of "
       << (b.expected_threads ? b.expected_threads : cta.live_threads()) << " threads (waiting:";
    for (size_t i = 0; i < b.waiting.size() && i < 4; ++i) {
      const Warp& w = *b.waiting[i];
      os << (i ? "," : "") << " warp " << w.id();
      // The warp waits past its barrier instruction (it advanced when it arrived).
      const Function& fn = *w.frame().fn;
      const uint32_t pc = w.top().pc;
      if (pc == 0 || pc > fn.code.size()) continue;
      const Instruction& in = fn.code[pc - 1];
      const std::string source = cuda_source_position(in, w.module());
      os << " at PC " << pc - 1 << " (" << w.module().source_name << ":" << in.line << (source.empty() ? "" : ", " + source)
         << ")";
    }
    if (b.waiting.size() > 4) os << " and " << b.waiting.size() - 4 << " more warps";
    os << ");";
  }
  unsigned cluster_waiters = 0;
  for (const auto& w : cta.warps) {
    if (w->done() || w->at_barrier) continue;
    const Function& fn = *w->frame().fn;
    const uint32_t pc = w->top().pc;
    if (pc >= fn.code.size() || fn.code[pc].op != Opcode::BarrierCluster) continue;
    if (cluster_waiters++ == 0) {
      const Instruction& in = fn.code[pc];
      const std::string source = cuda_source_position(in, w->module());
      os << " barrier.cluster.wait at PC " << pc << " (" << w->module().source_name << ":" << in.line
         << (source.empty() ? "" : ", " + source) << ") holds warp " << w->id();
      if (cta.cluster) {
        uint32_t live = 0;
        for (const CtaState* peer : cta.cluster->ctas) live += peer->live_threads();
        os << "; the cluster barrier's phase has " << cta.cluster->barrier_arrived << " of the cluster's " << live
           << " threads";
      }
    }
  }
  if (cluster_waiters > 1) os << " and " << cluster_waiters - 1 << " more warps";
  if (cluster_waiters) os << ";";
  unsigned exited = 0;
  for (const auto& w : cta.warps) exited += __builtin_popcount(w->present() & ~w->live());
  if (exited) os << " " << exited << " threads have exited;";
  os << " every participating thread must reach the same barrier";
  return os.str();
}

namespace {

enum class RoundResult { Progressed, Done, Stuck };

// A step's global accesses, summarised or traced, to `sink`.
void report_global_accesses(const std::vector<MemAccess>& trace, const AffineAccess& summary, GlobalAccessSink& sink) {
  if (summary.valid()) {
    if (summary.space != StateSpace::Global) return;
    for (unsigned l = 0; l < 32; ++l)
      if (summary.lanes >> l & 1u) sink.on_global_access(summary.lane_address(l), summary.lane_bytes(), summary.write);
    return;
  }
  for (const MemAccess& a : trace)
    if (a.space == StateSpace::Global) sink.on_global_access(a.addr, a.size, a.write || a.atomic);
}

// One step of a warp while a RepeatWatch looks on: instructions that may write global memory
// run traced, and their writes are logged (or, where the log cannot see them, the watch's
// current stretch is voided).
StepResult step_watched(Warp& w, CtaState& cta, LaunchState& launch, RepeatWatch& watch, GlobalAccessSink* sink,
                        std::vector<MemAccess>& trace, AffineAccess& summary) {
  const CallFrame& f = w.frame();
  const uint32_t pc = w.top().pc;
  const WatchedEffect expected =
      pc < f.fn->code.size() ? watched_effect(launch.module, f.fn->code[pc]) : WatchedEffect::Unseen;
  const bool traced = expected == WatchedEffect::Logged || sink;
  trace.clear();
  summary.lanes = 0;
  const StepResult r = traced ? step_warp(w, cta, launch, &trace, &summary) : step_warp(w, cta, launch, nullptr);
  // What ran decides, should it not be the instruction looked at before the step.
  const WatchedEffect ran = r.inst ? watched_effect(launch.module, *r.inst) : expected;
  if (ran == WatchedEffect::Unseen || expected == WatchedEffect::Unseen ||
      (ran == WatchedEffect::Logged && (!traced || !launch.global)))
    watch.lose_track();
  else if (ran == WatchedEffect::Logged)
    watch.log_writes(trace, summary, *launch.global);
  if (sink) report_global_accesses(trace, summary, *sink);
  return r;
}

// One turn for every warp of the CTA (up to `limits.slice` instructions each), then barrier
// release.
// `counted` is the counter the budget applies to (the launch's, or the CTA's own when CTAs run
// independently).
RoundResult cta_round(CtaState& cta, LaunchState& launch, const FunctionalLimits& limits, const uint64_t& counted,
                      GlobalAccessSink* sink = nullptr, RepeatWatch* watch = nullptr) {
  bool progressed = false;
  bool all_done = true;
  uint64_t executed = 0;
  std::vector<MemAccess> trace;
  AffineAccess summary;
  const bool watching = watch && watch->watching(counted);
  for (auto& wp : cta.warps) {
    Warp& w = *wp;
    for (unsigned i = 0; i < limits.slice && !w.done() && !w.at_barrier; ++i) {
      StepResult r;
      if (watching) {
        r = step_watched(w, cta, launch, *watch, sink, trace, summary);
      } else if (sink) {
        trace.clear();
        summary.lanes = 0;
        r = step_warp(w, cta, launch, &trace, &summary);
        report_global_accesses(trace, summary, *sink);
      } else {
        r = step_warp(w, cta, launch, nullptr);
      }
      if (r.waiting) break;  // held at barrier.cluster.wait: its turn ends, uncounted
      progressed = true;
      ++executed;
      launch.clock += 1;
    }
    all_done = all_done && w.done();
  }
  if (limits.progress) limits.progress->on_round(executed, all_done);
  if (counted > limits.max_warp_instructions) {
    std::ostringstream os;
    os << cta.where() << ": more than " << limits.max_warp_instructions
       << " warp-instructions executed; the kernel probably never terminates";
    if (const std::string places = describe_loop_places(cta); !places.empty()) os << "; its running warps are at:" << places;
    throw ExecError(os.str(), FaultKind::Runaway);
  }
  if (limits.poll) limits.poll();
  // Exits may have released a barrier (exited threads never hold one up).
  const bool released = cta.release_ready_barriers();
  if (all_done) return RoundResult::Done;
  return progressed || released ? RoundResult::Progressed : RoundResult::Stuck;
}

// CTAs that must be resident together take turns round by round, so that one can wait on
// another: every CTA of a cooperative launch (a grid-wide barrier spins on a global counter),
// or the CTAs of one cluster (barrier.cluster, distributed shared memory, remote mbarriers).
void run_ctas_interleaved(std::vector<std::unique_ptr<CtaState>>& ctas, LaunchState& launch,
                          const FunctionalLimits& limits) {
  std::vector<bool> done(ctas.size(), false);
  RepeatWatch watch(limits.repeat_check_after);
  watch.reset(launch.warp_instructions);
  std::vector<const CtaState*> running;
  for (size_t remaining = ctas.size(); remaining;) {
    bool any_progress = false, finished = false;
    const CtaState* stuck = nullptr;
    for (size_t i = 0; i < ctas.size(); ++i) {
      if (done[i]) continue;
      const RoundResult r = cta_round(*ctas[i], launch, limits, launch.warp_instructions, nullptr, &watch);
      if (r == RoundResult::Done) done[i] = true, --remaining, any_progress = finished = true;
      else if (r == RoundResult::Progressed) any_progress = true;
      else if (!stuck) stuck = ctas[i].get();
    }
    if (!any_progress && stuck) throw ExecError(describe_barrier_deadlock(*stuck), FaultKind::Barrier);
    if (finished) {
      watch.reset(launch.warp_instructions);
    } else if (watch.watching(launch.warp_instructions)) {
      running.clear();
      for (size_t i = 0; i < ctas.size(); ++i)
        if (!done[i]) running.push_back(ctas[i].get());
      watch.after_round(running, launch.warp_instructions);
    }
  }
}

void run_grid_interleaved(LaunchState& launch, const FunctionalLimits& limits) {
  std::vector<std::unique_ptr<CtaState>> ctas;
  for (uint32_t z = 0; z < launch.grid.z; ++z)
    for (uint32_t y = 0; y < launch.grid.y; ++y)
      for (uint32_t x = 0; x < launch.grid.x; ++x) ctas.push_back(std::make_unique<CtaState>(launch, Dim3{x, y, z}));
  run_ctas_interleaved(ctas, launch, limits);
}

// Cluster launches: one cluster at a time, its CTAs (ranked x fastest, as %cluster_ctarank)
// sharing a ClusterState.
void run_clusters(LaunchState& launch, const FunctionalLimits& limits) {
  const Dim3 c = launch.cluster;
  for (uint32_t cz = 0; cz < launch.grid.z / c.z; ++cz)
    for (uint32_t cy = 0; cy < launch.grid.y / c.y; ++cy)
      for (uint32_t cx = 0; cx < launch.grid.x / c.x; ++cx) {
        ClusterState cluster;
        std::vector<std::unique_ptr<CtaState>> ctas;
        for (uint32_t z = 0; z < c.z; ++z)
          for (uint32_t y = 0; y < c.y; ++y)
            for (uint32_t x = 0; x < c.x; ++x) {
              auto cta = std::make_unique<CtaState>(launch, Dim3{cx * c.x + x, cy * c.y + y, cz * c.z + z});
              cta->cluster = &cluster;
              cta->cluster_rank = uint32_t(ctas.size());
              cluster.ctas.push_back(cta.get());
              ctas.push_back(std::move(cta));
            }
        run_ctas_interleaved(ctas, launch, limits);
      }
}

Dim3 cta_coordinates(const LaunchState& launch, uint64_t linear) {
  const Dim3& g = launch.grid;
  return Dim3{static_cast<uint32_t>(linear % g.x), static_cast<uint32_t>(linear / g.x % g.y),
              static_cast<uint32_t>(linear / (uint64_t(g.x) * g.y))};
}

// CTAs that may communicate, in ascending linear id (x fastest, the order the grid's CTAs are
// numbered in), each to its end while it ends in reasonable time; one that runs past
// limits.patience warp-instructions per resident CTA with no CTA finishing (spinning on a flag a
// later CTA sets, as a producer/consumer pair or a persistent kernel's queue does on a GPU where
// both are resident) makes room for more: the window of resident CTAs doubles, up to
// limits.max_resident_ctas and max_resident_threads, and they take turns round by round. A
// kernel whose CTAs each finish within the patience runs exactly as one CTA after another.
// Rounds in a row in which the resident CTAs wrote nothing another warp could see (no store,
// atomic that may change memory, barrier or exit: they only poll, `atomicCAS(p, x, x)` and
// `atomicAdd(p, 0)` included, waiting for a CTA that has not started) before the
// window grows without waiting for the patience: 600 CTAs each waiting for the last one took 49 s
// (a doubling per 2^20 warp-instructions x window) against 0.1 s in timing mode.
constexpr unsigned kQuietRoundsBeforeMoreCtas = 4;

uint64_t visible_effects_of(const CtaState& cta) {
  uint64_t n = 0;
  for (const auto& w : cta.warps) n += w->visible_effects;
  return n;
}

// Decided on instruction counts and the warps' own state only, so deterministic.
void run_ctas_in_order(LaunchState& launch, const FunctionalLimits& limits, uint64_t first, uint64_t end,
                       GlobalAccessSink* sink) {
  std::vector<std::unique_ptr<CtaState>> resident;
  const uint64_t cap = std::max<uint64_t>(
      1, std::min(limits.max_resident_ctas, limits.max_resident_threads / std::max<uint64_t>(1, launch.block.count())));
  uint64_t next = first, window = 1;
  uint64_t since_finish = launch.warp_instructions;  // the count when a CTA last finished or joined
  // Watched only while no CTA can join (the last ones are resident, or the window is full): a
  // state that repeats then is an endless loop.
  RepeatWatch watch(limits.repeat_check_after);
  std::vector<const CtaState*> running;
  unsigned quiet_rounds = 0;
  while (next < end || !resident.empty()) {
    const size_t before = resident.size();
    while (resident.size() < window && next < end) {
      resident.push_back(std::make_unique<CtaState>(launch, cta_coordinates(launch, next++)));
      since_finish = launch.warp_instructions;
    }
    if (resident.size() != before) watch.reset(launch.warp_instructions);
    bool any_progress = false, finished = false, any_effect = false;
    const CtaState* stuck = nullptr;
    const bool may_grow = next < end && window < cap;  // only then do the rounds' effects matter
    for (size_t i = 0; i < resident.size();) {
      const uint64_t effects = may_grow ? visible_effects_of(*resident[i]) : 0;
      const RoundResult r = cta_round(*resident[i], launch, limits, launch.warp_instructions, sink, &watch);
      if (may_grow && r != RoundResult::Done && visible_effects_of(*resident[i]) != effects) any_effect = true;
      if (r == RoundResult::Done) {
        resident.erase(resident.begin() + std::ptrdiff_t(i));
        any_progress = finished = true;
        continue;
      }
      if (r == RoundResult::Progressed) any_progress = true;
      else if (!stuck) stuck = resident[i].get();
      ++i;
    }
    if (!any_progress && stuck) throw ExecError(describe_barrier_deadlock(*stuck), FaultKind::Barrier);
    if (finished) {
      since_finish = launch.warp_instructions;
      watch.reset(launch.warp_instructions);
    } else if (next < end && window < cap) {
      quiet_rounds = any_effect ? 0 : quiet_rounds + 1;
      if (launch.warp_instructions - since_finish > limits.patience * window || quiet_rounds >= kQuietRoundsBeforeMoreCtas) {
        window = std::min<uint64_t>(window * 2, cap);
        quiet_rounds = 0;
      }
      watch.reset(launch.warp_instructions);
    } else if (watch.watching(launch.warp_instructions)) {
      running.clear();
      for (const auto& c : resident) running.push_back(c.get());
      watch.after_round(running, launch.warp_instructions);
    }
  }
}

// Kernels whose CTAs cannot communicate: each CTA runs alone on some thread, with a private copy
// of the launch state (its own %clock, %smid and counters; no device services, which such
// kernels never call), so nothing it computes depends on the thread or on the other CTAs.
void run_grid_independent(LaunchState& launch, const FunctionalLimits& limits, WorkerPool* pool, uint64_t first,
                          uint64_t total, GlobalAccessSink* sink) {
  const unsigned threads = pool ? pool->threads() : 1;
  std::vector<LaunchState> locals(threads, launch);
  std::vector<uint64_t> warp_instructions(threads, 0), thread_instructions(threads, 0);
  for (LaunchState& l : locals) l.services = nullptr;
  std::atomic<uint64_t> next{first};
  std::atomic<uint64_t> first_failed{UINT64_MAX};  // CTAs above it need not run
  std::mutex error_lock;
  std::exception_ptr error;
  auto worker = [&](size_t t) {
    LaunchState& local = locals[t];
    // One CtaState per thread, restarted for each of its CTAs (CtaState::restart: the same state
    // a new one has, without allocating every warp's registers and stacks again).
    std::optional<CtaState> reused;
    RepeatWatch watch(limits.repeat_check_after);
    std::vector<const CtaState*> watched(1);
    for (uint64_t id; (id = next.fetch_add(1, std::memory_order_relaxed)) < total;) {
      if (id > first_failed.load(std::memory_order_relaxed)) break;
      local.clock = 0;
      local.warp_instructions = local.thread_instructions = 0;  // this CTA's own, for its budget
      try {
        if (reused) reused->restart(cta_coordinates(launch, id));
        else reused.emplace(launch, cta_coordinates(launch, id));
        CtaState& cta = *reused;
        watch.reset(0);
        watched[0] = &cta;
        for (;;) {
          const RoundResult r = cta_round(cta, local, limits, local.warp_instructions, sink, &watch);
          if (r == RoundResult::Done) break;
          if (r == RoundResult::Stuck) throw ExecError(describe_barrier_deadlock(cta), FaultKind::Barrier);
          watch.after_round(watched, local.warp_instructions);
        }
      } catch (...) {
        std::lock_guard<std::mutex> g(error_lock);
        if (id < first_failed.load(std::memory_order_relaxed)) {
          first_failed.store(id, std::memory_order_relaxed);
          error = std::current_exception();
        }
      }
      warp_instructions[t] += local.warp_instructions;
      thread_instructions[t] += local.thread_instructions;
    }
  };
  if (pool && threads > 1 && total - first > 1 && !sink) pool->for_each(threads, worker);
  else worker(0);
  for (unsigned t = 0; t < threads; ++t) {
    launch.warp_instructions += warp_instructions[t];
    launch.thread_instructions += thread_instructions[t];
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace

void run_cta_functional(CtaState& cta, LaunchState& launch, const FunctionalLimits& limits) {
  RepeatWatch watch(limits.repeat_check_after);
  watch.reset(launch.warp_instructions);
  const std::vector<const CtaState*> watched{&cta};
  for (;;) {
    const RoundResult r = cta_round(cta, launch, limits, launch.warp_instructions, nullptr, &watch);
    if (r == RoundResult::Done) return;
    if (r == RoundResult::Stuck) throw ExecError(describe_barrier_deadlock(cta), FaultKind::Barrier);
    watch.after_round(watched, launch.warp_instructions);
  }
}

void run_grid_functional(LaunchState& launch, const FunctionalLimits& limits, WorkerPool* pool) {
  if (launch.cooperative && launch.cluster.count() > 1)
    throw ExecError("a cooperative launch with clusters is not supported", FaultKind::Unsupported);
  if (launch.cooperative) return run_grid_interleaved(launch, limits);
  if (launch.cluster.count() > 1) return run_clusters(launch, limits);
  run_ctas_functional(launch, limits, 0, launch.grid.count(), pool, nullptr);
}

void run_ctas_functional(LaunchState& launch, const FunctionalLimits& limits, uint64_t first, uint64_t end,
                         WorkerPool* pool, GlobalAccessSink* sink) {
  if (first >= end) return;
  if (!launch.cooperative && launch.cluster.count() <= 1 && !ctas_may_communicate(*launch.module, *launch.kernel))
    return run_grid_independent(launch, limits, sink ? nullptr : pool, first, end, sink);
  run_ctas_in_order(launch, limits, first, end, sink);
}

}  // namespace gpusim::isa
