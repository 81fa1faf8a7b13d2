// The SM: resident CTAs, their warps spread over the sub-cores (SM warp slot i -> sub-core
// i % subcores), the memory pipeline, barrier release and CTA retirement.
#include "sim/sm_core.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "isa/functional_executor.h"
#include "sim/subcore.h"

namespace gpusim::sim {

namespace {
// The global memory an SM's warps see outside the commit phase: none. An instruction that reaches
// global memory there was misclassified by isa::may_touch_shared_state, which would make parallel
// runs order-dependent, so it is an internal error rather than a silent race.
class ClosedGlobalMemory final : public isa::GlobalMemory {
 public:
  bool read(uint64_t addr, void*, unsigned) override { refuse(addr); }
  bool write(uint64_t addr, const void*, unsigned) override { refuse(addr); }

 private:
  [[noreturn]] static void refuse(uint64_t addr) {
    throw std::logic_error("timing model: global memory at " + std::to_string(addr) +
                           " touched outside the commit phase (an instruction not classified as shared-state)");
  }
};

struct CtaSlot {
  std::unique_ptr<isa::CtaState> cta;
  std::vector<int> warp_slots;  // SM-wide warp slots of its warps, in warp order
};
}  // namespace

struct SmCore::Impl {
  Impl(int id, const GpuConfig& cfg, MemoryPartitions& memory_side, SimObserver* obs, ClusterTmaBarriers* cluster,
       DsmemNetwork* dsmem)
      : sm_id(id), config(cfg), observer(obs), memory(id, cfg, memory_side, obs, dsmem), timing(cfg), cluster_tma(cluster) {
    if (cfg.subcores_per_sm < 1 || cfg.subcores_per_sm > 255)
      throw std::invalid_argument("SM core: subcores_per_sm = " + std::to_string(cfg.subcores_per_sm) +
                                  " is outside 1..255");
    warp_slot_used.assign(static_cast<size_t>(cfg.max_warps_per_sm()), false);
    free_slots = cfg.max_warps_per_sm();
    SubCore::Shared shared{id, &config, &memory, &timing, observer, &stats, &next_token_sequence, &cta_events,
                           &tma_barriers, &cta_event_raised, &issue_deferred, cluster_tma, &active_warps, &cta_issued,
                           &launch};
    subcores.reserve(static_cast<size_t>(cfg.subcores_per_sm));
    for (int i = 0; i < cfg.subcores_per_sm; ++i) subcores.emplace_back(i, cfg.max_warps_per_subcore, shared);
  }

  SubCore& subcore_of(int warp_slot) { return subcores[static_cast<size_t>(warp_slot % config.subcores_per_sm)]; }
  int local_slot(int warp_slot) const { return warp_slot / config.subcores_per_sm; }
  // Kept as a count: the GPU asks every SM whether a CTA fits every cycle while CTAs wait.
  int free_warp_slots() const { return free_slots; }
  int warps_per_cta() const { return cta_warps; }
  void handle_cta_events(int cta_slot, uint64_t cycle);
  void retire(int cta_slot, uint64_t cycle);

  int sm_id;
  const GpuConfig& config;
  SimObserver* observer;
  SmMemoryPipeline memory;
  InstructionTimingCache timing;
  SmStats stats;
  std::vector<SubCore> subcores;
  isa::LaunchState* launch = nullptr;  // the launch (shared by all SMs)
  isa::LaunchState own;                // this SM's copy (see begin_launch)
  ClosedGlobalMemory closed;
  std::vector<CtaSlot> ctas;
  std::vector<uint8_t> cta_events;
  std::vector<uint64_t> cta_issued;  // per CTA slot (SubCore::Shared::cta_issued)
  bool cta_event_raised = false;  // some cta_events entry may be set
  bool issue_deferred = false;    // some sub-core has a deferred issue
  int active_warps = 0;           // the sub-cores' active warps (SubCore::Shared::sm_active_warps)
  std::vector<DeferredAccess> accesses;  // per sub-core, what its deferred issue touches (set at tick)
  TmaBarriers tma_barriers;  // bulk copies in flight per CTA and mbarrier (sim/tma_unit.h)
  ClusterTmaBarriers* cluster_tma = nullptr;  // the GPU's copies onto other CTAs' barriers (multicast)
  std::vector<bool> warp_slot_used;
  int free_slots = 0;  // entries of warp_slot_used that are false
  int cta_warps = 0;   // warps per CTA of the launch (0 without one), set by begin_launch
  std::vector<std::unique_ptr<isa::CtaState>> retired_cluster_ctas;
  int max_ctas = 0;
  int resident = 0;
  uint64_t next_age = 0;
  uint64_t next_token_sequence = 1;
  std::vector<uint64_t> completed;  // tokens of this cycle's completions (buffer kept)
  // reserve_cta: the CTA to build at the next tick, and the cycle it was dispatched in.
  bool cta_reserved = false;
  bool packets_handed_off = false;  // the memory pipeline's staged packets were read by an L2 round
  isa::Dim3 reserved_ctaid{};
  uint64_t reserved_cycle = 0;
  void place(std::unique_ptr<isa::CtaState> cta, uint64_t cycle);
};

void SmCore::Impl::handle_cta_events(int cta_slot, uint64_t cycle) {
  const uint8_t ev = cta_events[cta_slot];
  cta_events[cta_slot] = 0;
  CtaSlot& c = ctas[cta_slot];
  if (!c.cta) return;
  bool all_done = true;
  for (const auto& w : c.cta->warps) all_done = all_done && w->done();
  if (ev & kCtaBarrierCheck) {
    if (c.cta->release_ready_barriers()) {
      for (SubCore& sc : subcores) sc.wake_cta(cta_slot, cycle + 1);
    } else if (!all_done) {
      // Every unfinished warp waits at a barrier that nobody else can complete.
      bool all_waiting = true;
      for (const auto& w : c.cta->warps) all_waiting = all_waiting && (w->done() || w->at_barrier);
      if (all_waiting) throw isa::ExecError(isa::describe_barrier_deadlock(*c.cta), isa::FaultKind::Barrier);
    }
  }
  if (all_done) {
    for (int ws : c.warp_slots)
      if (subcore_of(ws).has_pending_memory(local_slot(ws))) return;  // its memory ops are still in flight
    retire(cta_slot, cycle);
  }
}

void SmCore::Impl::retire(int cta_slot, uint64_t cycle) {
  CtaSlot& c = ctas[cta_slot];
  for (int ws : c.warp_slots) {
    subcore_of(ws).release(local_slot(ws));
    warp_slot_used[static_cast<size_t>(ws)] = false;
    free_slots += 1;
  }
  if (observer) observer->on_cta(cycle, sm_id, c.cta->linear_id, false);
  tma_barriers.forget_cta(cta_slot);
  // A cluster's peers may still reach this CTA's shared memory and count its threads at
  // barrier.cluster: the GPU model keeps it until the whole cluster has retired.
  if (c.cta->cluster) retired_cluster_ctas.push_back(std::move(c.cta));
  c = CtaSlot{};
  resident -= 1;
  stats.ctas_completed += 1;
}

SmCore::SmCore(int sm_id, const GpuConfig& config, MemoryPartitions& memory, SimObserver* observer,
               ClusterTmaBarriers* cluster_tma, DsmemNetwork* dsmem)
    : impl_(std::make_unique<Impl>(sm_id, config, memory, observer, cluster_tma, dsmem)) {}

SmCore::~SmCore() = default;

void SmCore::begin_launch(isa::LaunchState* launch, int max_resident_ctas, int shared_carveout_bytes) {
  Impl& m = *impl_;
  if (m.resident != 0)
    throw std::logic_error("SM " + std::to_string(m.sm_id) + ": begin_launch while " + std::to_string(m.resident) +
                           " CTAs of the previous launch are still resident");
  if (!launch || !launch->kernel || !launch->module)
    throw std::invalid_argument("SM " + std::to_string(m.sm_id) + ": begin_launch needs a launch with a module and kernel");
  if (max_resident_ctas < 1 || max_resident_ctas > m.config.max_ctas_per_sm)
    throw std::invalid_argument("SM " + std::to_string(m.sm_id) + ": " + std::to_string(max_resident_ctas) +
                                " resident CTAs per SM is outside 1.." + std::to_string(m.config.max_ctas_per_sm) +
                                " (the kernel's occupancy is zero?)");
  m.launch = launch;
  m.cta_warps = static_cast<int>((launch->block.count() + kWarpSize - 1) / kWarpSize);
  m.own = *launch;
  m.own.global = &m.closed;
  m.own.services = nullptr;
  m.own.warp_instructions = m.own.thread_instructions = 0;
  m.max_ctas = max_resident_ctas;
  m.ctas.clear();
  m.ctas.resize(static_cast<size_t>(max_resident_ctas));
  m.cta_events.assign(static_cast<size_t>(max_resident_ctas), 0);
  m.cta_issued.assign(static_cast<size_t>(max_resident_ctas), 0);
  m.timing.clear();  // a new launch may come from a new module
  m.memory.configure(shared_carveout_bytes);
}

int SmCore::cta_room() const {
  const Impl& m = *impl_;
  const int warps = m.warps_per_cta();
  if (!m.launch || warps == 0) return 0;
  return std::max(0, std::min(m.max_ctas - m.resident, m.free_warp_slots() / warps));
}

std::vector<std::unique_ptr<isa::CtaState>> SmCore::take_retired_cluster_ctas() {
  std::vector<std::unique_ptr<isa::CtaState>> out;
  out.swap(impl_->retired_cluster_ctas);
  return out;
}

bool SmCore::can_accept_cta() const {
  const Impl& m = *impl_;
  return m.launch && m.resident < m.max_ctas && m.free_warp_slots() >= m.warps_per_cta();
}

void SmCore::add_cta(std::unique_ptr<isa::CtaState> cta, uint64_t cycle) {
  Impl& m = *impl_;
  if (!cta) throw std::invalid_argument("SM " + std::to_string(m.sm_id) + ": add_cta without a CTA");
  if (!can_accept_cta())
    throw std::logic_error("SM " + std::to_string(m.sm_id) + ": add_cta with no room (" + std::to_string(m.resident) +
                           " of " + std::to_string(m.max_ctas) + " CTAs resident, " + std::to_string(m.free_warp_slots()) +
                           " free warp slots)");
  m.resident += 1;
  m.free_slots -= static_cast<int>(cta->warps.size());
  m.place(std::move(cta), cycle);
}

void SmCore::reserve_cta(isa::Dim3 ctaid, uint64_t cycle) {
  Impl& m = *impl_;
  if (m.observer || m.cta_reserved || !can_accept_cta())
    throw std::logic_error("SM " + std::to_string(m.sm_id) + ": reserve_cta " +
                           (m.observer ? "with an observer" : m.cta_reserved ? "twice in one cycle" : "with no room"));
  m.resident += 1;
  m.free_slots -= m.warps_per_cta();
  m.cta_reserved = true;
  m.reserved_ctaid = ctaid;
  m.reserved_cycle = cycle;
}

// The CTA's room (resident, free_slots) is already counted.
void SmCore::Impl::place(std::unique_ptr<isa::CtaState> cta, uint64_t cycle) {
  int cta_slot = 0;
  while (ctas[cta_slot].cta) ++cta_slot;
  CtaSlot& c = ctas[cta_slot];
  c.cta = std::move(cta);
  cta_issued[static_cast<size_t>(cta_slot)] = 0;
  for (auto& w : c.cta->warps) {
    int ws = 0;
    while (warp_slot_used[static_cast<size_t>(ws)]) ++ws;
    warp_slot_used[static_cast<size_t>(ws)] = true;
    c.warp_slots.push_back(ws);
    subcore_of(ws).place(local_slot(ws), *w, *c.cta, cta_slot, next_age++, cycle);
  }
  if (observer) observer->on_cta(cycle, sm_id, c.cta->linear_id, true);
  // A CTA whose warps are all finished from the start (nothing to run) retires at once.
  cta_events[cta_slot] |= kCtaRetireCheck;
  cta_event_raised = true;
}

SmCore::TickReport SmCore::tick(uint64_t cycle, uint64_t now_ps) {
  Impl& m = *impl_;
  if (m.packets_handed_off) {  // the last staged cycle's packets, read by its L2 round
    m.memory.forget_handed_off_packets();
    m.packets_handed_off = false;
  }
  if (m.cta_reserved) {
    m.cta_reserved = false;
    m.place(std::make_unique<isa::CtaState>(*m.launch, m.reserved_ctaid), m.reserved_cycle);
  }
  if (m.resident == 0 && m.memory.idle()) return {false, m.cta_event_raised, nullptr, false};  // no warp: nothing deferred
  if (m.memory.tick(cycle, now_ps)) m.memory.take_completed(m.completed);
  else m.completed.clear();
  const MemoryPartitions::Staged& staged = m.memory.staged_packets();  // (sent only by memory.tick)
  const bool sent = !staged.packets.empty() || staged.rejected != 0;
  for (uint64_t token : m.completed) {
    const int sc = token_subcore(token);
    if (sc >= static_cast<int>(m.subcores.size()))
      throw std::logic_error("SM " + std::to_string(m.sm_id) + ": memory token names sub-core " + std::to_string(sc));
    m.subcores[sc].complete(token, cycle);
    // A bulk copy's bytes arrived: warps waiting on its mbarrier look again.
    const int cta_slot = m.tma_barriers.complete(token, cycle);
    if (cta_slot >= 0)
      for (SubCore& other : m.subcores) other.wake_cta(cta_slot, cycle);
    if (m.cluster_tma) m.cluster_tma->complete(m.sm_id, token, cycle);  // a multicast copy's peers
  }
  if (m.resident > 0) {
    m.stats.active_cycles += 1;
    m.stats.issue_slots += m.subcores.size();
    m.stats.resident_warp_cycles += static_cast<uint64_t>(m.active_warps);
    for (SubCore& sc : m.subcores) sc.tick(cycle, m.own);
  }
  if (!m.issue_deferred) return {false, m.cta_event_raised, nullptr, sent};
  m.accesses.resize(m.subcores.size());
  bool has_write = false;
  for (size_t i = 0; i < m.subcores.size(); ++i) {
    m.accesses[i] = m.subcores[i].deferred_access();
    has_write = has_write || m.accesses[i].kind == DeferredAccess::Kind::Write;
  }
  return {has_write, true, m.accesses.data(), sent};
}

void SmCore::commit(uint64_t cycle, uint64_t now_ps) {
  Impl& m = *impl_;
  if (m.issue_deferred) {
    m.issue_deferred = false;
    // Global memory and the device services are open to this SM only now.
    m.own.global = m.launch->global;
    m.own.services = m.launch->services;
    try {
      for (SubCore& sc : m.subcores) sc.commit(cycle, m.own);
    } catch (...) {
      m.own.global = &m.closed;
      m.own.services = nullptr;
      throw;
    }
    m.own.global = &m.closed;
    m.own.services = nullptr;
  }
  m.memory.flush_requests(now_ps);
  m.launch->warp_instructions += m.own.warp_instructions;
  m.launch->thread_instructions += m.own.thread_instructions;
  m.own.warp_instructions = m.own.thread_instructions = 0;
  if (m.cta_event_raised) {
    m.cta_event_raised = false;
    for (size_t i = 0; i < m.cta_events.size(); ++i)
      if (m.cta_events[i]) m.handle_cta_events(static_cast<int>(i), cycle);
  }
  if (m.observer)
    m.observer->on_sm_queues(cycle, m.sm_id, m.memory.queue_depth(SmMemoryPipeline::Queue::Mio),
                             m.memory.queue_depth(SmMemoryPipeline::Queue::Lg));
}

bool SmCore::has_local_commit_work() const { return impl_->issue_deferred || impl_->cta_event_raised; }

namespace {
// Opens global memory (and, for writers, the device services) to an SM's launch copy for the
// duration of one stage of its commit, closing it again on the way out, errors included.
class OpenGlobal {
 public:
  OpenGlobal(isa::LaunchState& own, const isa::LaunchState& launch, isa::GlobalMemory* closed, bool services)
      : own_(own), closed_(closed) {
    own_.global = launch.global;
    own_.services = services ? launch.services : nullptr;
  }
  ~OpenGlobal() {
    own_.global = closed_;
    own_.services = nullptr;
  }
  OpenGlobal(const OpenGlobal&) = delete;
  OpenGlobal& operator=(const OpenGlobal&) = delete;

 private:
  isa::LaunchState& own_;
  isa::GlobalMemory* closed_;
};
}  // namespace

void SmCore::commit_ordered(uint64_t cycle, int upto) {
  Impl& m = *impl_;
  if (m.issue_deferred && upto > 0) {
    OpenGlobal open(m.own, *m.launch, &m.closed, true);
    const int n = std::min(upto, static_cast<int>(m.subcores.size()));
    for (int i = 0; i < n; ++i) m.subcores[size_t(i)].commit(cycle, m.own);
    if (n == static_cast<int>(m.subcores.size())) m.issue_deferred = false;
  }
}

void SmCore::hand_off_packets(uint64_t now_ps) { impl_->memory.flush_requests(now_ps); }
const MemoryPartitions::Staged& SmCore::staged_packets() const { return impl_->memory.staged_packets(); }
void SmCore::mark_packets_handed_off() {
  impl_->memory.mark_packets_handed_off();
  impl_->packets_handed_off = true;
}

int SmCore::commit_local(uint64_t cycle) {
  Impl& m = *impl_;
  if (m.issue_deferred) {
    m.issue_deferred = false;
    // Loads, and stores whose bytes no later access of the cycle touches (sim/commit_order.h):
    // no device services.
    OpenGlobal open(m.own, *m.launch, &m.closed, false);
    for (SubCore& sc : m.subcores) {
      const DeferredAccess& a = sc.deferred_access();
      if (sc.has_deferred() && a.kind == DeferredAccess::Kind::Write && !a.known)
        throw std::logic_error("SM " + std::to_string(m.sm_id) + ": a deferred instruction that may write global memory " +
                               "at unknown places reached the parallel stage of the commit");
      sc.commit(cycle, m.own);
    }
  }
  const uint64_t before = m.stats.ctas_completed;
  if (m.cta_event_raised) {
    m.cta_event_raised = false;
    for (size_t i = 0; i < m.cta_events.size(); ++i)
      if (m.cta_events[i]) m.handle_cta_events(static_cast<int>(i), cycle);
  }
  return static_cast<int>(m.stats.ctas_completed - before);
}

void SmCore::take_counts(uint64_t* warp_instructions, uint64_t* thread_instructions) {
  Impl& m = *impl_;
  *warp_instructions = m.own.warp_instructions;
  *thread_instructions = m.own.thread_instructions;
  m.own.warp_instructions = m.own.thread_instructions = 0;
}

bool SmCore::idle() const { return impl_->resident == 0 && impl_->memory.idle(); }
bool SmCore::off_chip_idle() const { return impl_->memory.off_chip_idle(); }
int SmCore::resident_ctas() const { return impl_->resident; }
void SmCore::resident_cta_progress(std::vector<std::pair<uint64_t, uint64_t>>& out) const {
  out.clear();
  for (size_t i = 0; i < impl_->ctas.size(); ++i)
    if (impl_->ctas[i].cta) out.emplace_back(impl_->ctas[i].cta->linear_id, impl_->cta_issued[i]);
  std::sort(out.begin(), out.end());
}
void SmCore::append_resident_ctas(std::vector<const isa::CtaState*>& out) const {
  for (const CtaSlot& c : impl_->ctas)
    if (c.cta) out.push_back(c.cta.get());
}
std::vector<std::unique_ptr<isa::CtaState>> SmCore::take_resident_ctas() {
  std::vector<std::unique_ptr<isa::CtaState>> out;
  for (CtaSlot& c : impl_->ctas)
    if (c.cta) out.push_back(std::move(c.cta));
  impl_->resident = 0;
  return out;
}
SmSnapshot SmCore::snapshot(uint64_t cycle) const {
  const Impl& m = *impl_;
  SmSnapshot snap;
  snap.sm = m.sm_id;
  snap.resident_ctas = m.resident;
  snap.subcores.resize(m.subcores.size());
  for (size_t i = 0; i < m.subcores.size(); ++i) m.subcores[i].snapshot(cycle, snap.warps, snap.subcores[i]);
  std::sort(snap.warps.begin(), snap.warps.end(),
            [](const WarpSnapshot& a, const WarpSnapshot& b) { return a.sm_warp < b.sm_warp; });
  snap.mio_queue = m.memory.queue_depth(SmMemoryPipeline::Queue::Mio);
  snap.lg_queue = m.memory.queue_depth(SmMemoryPipeline::Queue::Lg);
  snap.queue_capacity = SmMemoryPipeline::queue_capacity();
  return snap;
}

std::optional<CacheLineState> SmCore::l1_line(uint64_t address) const { return impl_->memory.l1_line(address); }

const SmStats& SmCore::stats() const {
  // The sub-cores add their stall counts lazily (subcore.h); the Impl is not const here.
  for (SubCore& sc : impl_->subcores) sc.flush_stall_counts();
  return impl_->stats;
}
const SmMemStats& SmCore::memory_stats() const { return impl_->memory.stats(); }

void SmCore::reset_stats() {
  for (SubCore& sc : impl_->subcores) sc.flush_stall_counts();  // counts of before the reset go with it
  impl_->stats = SmStats{};
  impl_->memory.reset_stats();
}

}  // namespace gpusim::sim
