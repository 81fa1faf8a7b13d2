#include "sim/subcore.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "isa/bit_count.h"
#include "sim/mbarrier_phases.h"

namespace gpusim::sim {

namespace {
// A shared::cluster address's offset inside its CTA's window (isa/launch_state.h): the TMA
// barriers are tracked per issuing CTA by offset.
constexpr uint64_t kOwnSharedOffsetMask = (uint64_t(1) << isa::kClusterRankShift) - 1;
constexpr size_t idx(Pipe p) { return static_cast<size_t>(p); }
}  // namespace

SubCore::SubCore(int index, int slots, const Shared& shared)
    : index_(index), shared_(shared), scheduler_(shared.config->warp_scheduler) {
  if (slots < 1 || slots > WarpScheduler::kMaxSlots || slots > 255)
    throw std::invalid_argument("sub-core: " + std::to_string(slots) + " warp slots per sub-core is outside 1.." +
                                std::to_string(WarpScheduler::kMaxSlots));
  slots_.resize(static_cast<size_t>(slots));
  ages_.assign(static_cast<size_t>(slots), 0);
  trace_.reserve(64);
  mem_op_.accesses.reserve(64);
}

void SubCore::place(int slot, isa::Warp& warp, isa::CtaState& cta, int cta_slot, uint64_t age, uint64_t cycle) {
  WarpSlot& s = slots_.at(static_cast<size_t>(slot));
  if (s.occupied) throw std::logic_error("sub-core " + std::to_string(index_) + ": slot " + std::to_string(slot) + " is taken");
  s.warp = &warp;
  s.cta = &cta;
  s.cta_slot = cta_slot;
  s.occupied = true;
  s.active = !warp.done();
  s.timing = &shared_.timing->get(*warp.frame().fn, &warp.module());
  s.board.reset(s.timing->register_count());
  s.fetch_ready = cycle + kFetchBubbleCycles;  // the instruction buffer starts empty
  s.sleep_until = s.dispatch_until = 0;
  s.sleeping_lanes = 0;
  s.pending.clear();
  s.cp_async_open_group = 0;
  s.bulk_open_group = 0;
  s.wgmma.reset();
  s.mbarrier_wait = false;
  s.tma_ready_at = 0;
  s.recheck_at = cycle;
  s.reason = StallReason::NoInstruction;
  s.operands_ready = false;
  s.waits_only_for_pipes = false;
  pipe_waits_.leave(slot);
  s.next = s.active ? &s.timing->at(warp.top().pc) : nullptr;
  s.maybe_at_barrier = s.active && warp.at_barrier;
  if (s.active) remember_warp_state(s);
  ages_[slot] = age;
  if (s.active) {
    active_mask_ |= uint64_t(1) << slot;
    active_count_ += 1;
    *shared_.sm_active_warps += 1;
    count_change(s.reason, +1, cycle);
    next_recheck_ = std::min(next_recheck_, cycle);
  }
}

void SubCore::release(int slot) {
  WarpSlot& s = slots_.at(static_cast<size_t>(slot));
  if (s.active || !s.pending.empty())
    throw std::logic_error("sub-core " + std::to_string(index_) + ": releasing slot " + std::to_string(slot) +
                           " whose warp is still running");
  s = WarpSlot{};
  pipe_waits_.leave(slot);
  scheduler_.forget(slot);
}

void SubCore::complete(uint64_t token, uint64_t cycle) {
  const int slot = token_slot(token);
  WarpSlot& s = slots_.at(static_cast<size_t>(slot));
  auto it = std::find_if(s.pending.begin(), s.pending.end(), [&](const PendingMemOp& p) { return p.token == token; });
  if (it == s.pending.end())
    throw std::logic_error("SM " + std::to_string(shared_.sm_id) + " sub-core " + std::to_string(index_) +
                           ": memory pipeline returned unknown token " + std::to_string(token));
  for (uint16_t i = 0; i < it->ndst; ++i) s.board.complete(it->dsts[i], cycle);
  s.pending.erase_unordered(it);
  recheck_no_later(s, slot, cycle);
  if (!s.active) raise_cta_event(s.cta_slot, kCtaRetireCheck);
}

void SubCore::wake_cta(int cta_slot, uint64_t cycle) {
  for (uint64_t m = active_mask_; m; m &= m - 1) {
    const int slot = __builtin_ctzll(m);
    WarpSlot& s = slots_[slot];
    if (s.cta_slot == cta_slot) recheck_no_later(s, slot, cycle);
  }
}

void SubCore::flush_stall_counts() {
  // Through the last ticked cycle; a change made at or after its issue already counts from the
  // next cycle on (and adds nothing here).
  // A reason changed after that (a warp placed before its sub-core's first tick) is counted
  // from its change on, as if flushed then.
  const uint64_t last = last_tick_ + 1;
  for (size_t r = 0; r < reason_counts_.size(); ++r) {
    const uint64_t end = std::max(last, counted_from_[r]);
    const uint64_t held = uint64_t(reason_counts_[r]) * end;
    shared_.stats->stall_warp_cycles[r] += pending_[r] + held;
    pending_[r] = uint64_t(0) - held;
    counted_from_[r] = end;
  }
}

void SubCore::hold_queues(int delta) {
  SmMemoryPipeline& mem = *shared_.memory;
  if (deferred_queue_ == QueueHint::Mio || deferred_queue_ == QueueHint::Both) mem.reserve(SmMemoryPipeline::Queue::Mio, delta);
  if (deferred_queue_ == QueueHint::Lg || deferred_queue_ == QueueHint::Both) mem.reserve(SmMemoryPipeline::Queue::Lg, delta);
}

void SubCore::commit(uint64_t cycle, isa::LaunchState& launch) {
  if (deferred_ == WarpScheduler::kNone) return;
  const int slot = deferred_;
  hold_queues(-1);
  deferred_ = WarpScheduler::kNone;
  deferred_access_.kind = DeferredAccess::Kind::None;
  issue(slot, cycle, launch);
}

uint64_t SubCore::sleep_cycles(const WarpSlot& s, const isa::Instruction& in) const {
  const isa::Operand& o = in.ops[0];
  uint64_t ns = 0;
  if (o.kind == isa::OperandKind::Imm) {
    ns = o.imm;
  } else if (o.kind == isa::OperandKind::Reg) {
    const uint32_t mask = s.warp->top().mask;
    const unsigned lane = mask ? static_cast<unsigned>(__builtin_ctz(mask)) : 0;
    ns = s.warp->frame().reg(o.reg, lane) & 0xffffffffu;
  }
  ns = std::min<uint64_t>(ns, 1000000);  // the PTX ISA bounds a nanosleep at 1 ms
  return ns * uint64_t(shared_.config->core_clock_mhz) / 1000;
}

void SubCore::remember_warp_state(WarpSlot& s) {
  const isa::CallFrame& f = s.warp->frame();
  s.hint_frame = &f;
  s.hint_top = &f.stack.back();
  s.hint_regs = f.regs.data();
  s.hint_reg_info = f.fn->regs.data();
}

void SubCore::prefetch_warp_state(const WarpSlot& s) const {
  // The warp's own fields (its frames and masks sit in its first lines), then the frame and SIMT
  // entry, then the 32 lanes (one to four lines) of each register the next instruction names.
  const char* w = reinterpret_cast<const char*>(s.warp);
  __builtin_prefetch(w);
  __builtin_prefetch(w + 64);
  __builtin_prefetch(s.hint_frame);
  __builtin_prefetch(s.hint_top);
  if (!s.hint_regs || !s.next) return;
  for (uint32_t r : s.timing->touched(*s.next)) {
    const uint32_t slot = s.hint_reg_info[r].slot;
    const uint8_t* lanes = s.hint_regs + isa::reg_slot::row_offset(slot);
    // Rows of up to 64 bytes lie in one line (the file is line-aligned, its rows widest first).
    for (uint32_t off = 0; off < isa::reg_slot::row_bytes(slot); off += 64) __builtin_prefetch(lanes + off);
  }
}

void SubCore::issue(int slot, uint64_t cycle, isa::LaunchState& launch) {
  WarpSlot& s = slots_[slot];
  isa::Warp& warp = *s.warp;
  const uint32_t pc = warp.top().pc;
  const InstTiming& t = s.timing->at(pc);
  const isa::Function* fn_before = warp.frame().fn;
  const size_t depth_before = warp.depth();
  const uint32_t live_before = warp.live();
  const isa::Instruction* in = pc < fn_before->code.size() ? &fn_before->code[pc] : nullptr;
  const uint64_t sleep = t.kind == IssueKind::Sleep && in ? sleep_cycles(s, *in) : 0;

  launch.clock = cycle;
  launch.smid = static_cast<uint32_t>(shared_.sm_id);
  trace_.clear();
  const isa::StepResult r =
      isa::step_warp(warp, *s.cta, launch, t.kind == IssueKind::Memory ? &trace_ : nullptr, &trace_summary_);
  scheduler_.issued(slot);
  s.operands_ready = false;
  s.waits_only_for_pipes = false;
  pipe_waits_.leave(slot);

  SmStats& stats = *shared_.stats;
  stats.issued += 1;
  stats.warp_instructions += 1;
  (*shared_.cta_issued)[static_cast<size_t>(s.cta_slot)] += 1;
  const uint64_t lanes = isa::lane_count(r.active);
  stats.thread_instructions += lanes;
  if (t.flops) {
    if (t.pipe == Pipe::Tensor) stats.tensor_flops += t.flops;
    else if (t.pipe == Pipe::Fp64) stats.fp64_flops += t.flops * lanes;
    else stats.fp32_flops += t.flops * lanes;
  }
  if (shared_.observer && r.inst) shared_.observer->on_issue(cycle, shared_.sm_id, index_, sm_warp_id(slot), r.pc, *r.inst, r.active);

  // A register-bank conflict holds this warp's dispatch (and the sub-core's dispatch port) for
  // the extra operand-read cycles; the unit starts after them.
  // An instruction ptxas expands holds them likewise while its other SASS instructions dispatch.
  const uint64_t start = cycle + t.bank_conflict_cycles;
  if (t.bank_conflict_cycles || t.extra_dispatch_cycles) {
    stats.register_bank_conflicts += t.bank_conflict_cycles;
    s.dispatch_until = start + 1 + t.extra_dispatch_cycles;
    dispatch_free_at_ = start + 1 + t.extra_dispatch_cycles;
  }
  if (t.sfu_interval) {
    uint64_t& sfu_free = pipe_free_at_[idx(Pipe::Sfu)];
    sfu_free = std::max(sfu_free, start) + t.sfu_interval;
    stats.pipe_busy_cycles[idx(Pipe::Sfu)] += t.sfu_interval;
    if (shared_.observer) shared_.observer->on_unit_busy(cycle, shared_.sm_id, index_, Pipe::Sfu, t.sfu_interval);
  }
  // A wgmma accepted while the tensor cores are busy starts when they finish the ones ahead of it
  // (sim/wgmma_queue.h; only when tensor.wgmma_queue_depth lets evaluate() pass it then).
  uint64_t unit_start = start;
  if (t.kind == IssueKind::Wgmma && pipe_free_at_[idx(t.pipe)] > start) {
    unit_start = pipe_free_at_[idx(t.pipe)];
    wgmma_queue_.push(unit_start);
  }
  // Tensor occupancies carry their fraction of a cycle (InstTiming::interval_frac) to the next.
  uint32_t occupancy = t.interval;
  if (t.interval_frac) {
    uint32_t& carry = pipe_carry_[idx(t.pipe)];
    carry += t.interval_frac;
    if (carry >= 0x10000) carry -= 0x10000, ++occupancy;
  }
  pipe_free_at_[idx(t.pipe)] = unit_start + occupancy;
  stats.pipe_busy_cycles[idx(t.pipe)] += occupancy;
  if (shared_.observer) shared_.observer->on_unit_busy(cycle, shared_.sm_id, index_, t.pipe, occupancy);

  switch (t.kind) {
    case IssueKind::Alu:
      for (uint32_t d : s.timing->destinations(t)) s.board.set_ready_at(d, start + t.latency, t.result_wait);
      break;
    case IssueKind::Tensor:
      for (uint32_t d : s.timing->destinations(t)) s.board.set_ready_at(d, start + occupancy + t.latency, t.result_wait);
      break;
    case IssueKind::Wgmma:
      // The accumulators are not put on the scoreboard: the next wgmma of a chain accumulates
      // into them in the tensor pipe, and reading them before wgmma.wait_group is a program error.
      if (r.executed) {
        s.wgmma.issued(unit_start + occupancy + t.latency);
        // The descriptor operands' bank time is charged when the wgmma is accepted, not when it
        // starts: the same cycles per wgmma, and LDS/STS issued while it waits are not held up.
        if (t.shared_wavefronts) shared_.memory->occupy_shared_banks(start, t.shared_wavefronts);
      }
      break;
    case IssueKind::WgmmaCommit:
      if (r.executed) s.wgmma.commit();
      break;
    case IssueKind::WgmmaWait:
      if (r.executed) s.wgmma.waited(t.wait_groups);
      break;
    case IssueKind::BulkCommit:
      if (r.executed) s.bulk_open_group += 1;
      break;
    case IssueKind::Memory:
      submit_memory(s, slot, t, r, cycle);
      break;
    case IssueKind::Sleep:
      // Sleeping lanes hand the warp to its lanes that wait elsewhere (isa/spin_yield.h: perhaps
      // the holder of the lock they sleep on); those do not sleep (independent thread scheduling),
      // and the sleepers sleep on, if their time is not up, when the warp comes back to them.
      if (warp.done() || warp.top().mask == r.active) {
        s.sleep_until = cycle + 1 + sleep;
      } else {
        s.sleeping_lanes = r.active;
        s.sleeping_lanes_until = cycle + 1 + sleep;
      }
      break;
    case IssueKind::CpAsyncCommit:
      if (r.executed) s.cp_async_open_group += 1;
      break;
    default:
      break;
  }

  const uint32_t fall_through = run_contracted_muls(s, t, pc, launch);

  const bool barrier_op = in && (in->op == isa::Opcode::Bar || in->op == isa::Opcode::Barrier);
  if (warp.done()) {
    s.active = false;
    active_mask_ &= ~(uint64_t(1) << slot);
    active_count_ -= 1;
    *shared_.sm_active_warps -= 1;
    count_change(s.reason, -1, cycle + 1);
    scheduler_.forget(slot);
    raise_cta_event(s.cta_slot, kCtaBarrierCheck | kCtaRetireCheck);
    return;
  }
  if (s.sleeping_lanes != 0 && (warp.top().mask & s.sleeping_lanes) != 0) {  // back to lanes that slept
    s.sleep_until = std::max(s.sleep_until, s.sleeping_lanes_until);
    s.sleeping_lanes = 0;
  }
  if (barrier_op || warp.live() != live_before) raise_cta_event(s.cta_slot, kCtaBarrierCheck);
  const bool function_changed = warp.frame().fn != fn_before || warp.depth() != depth_before;
  if (function_changed) {
    // Drained before the call/return, so the board only needs room for the new function.
    s.timing = &shared_.timing->get(*warp.frame().fn, &warp.module());
    s.board.ensure(s.timing->register_count());
  }
  if (function_changed || warp.top().pc != fall_through) s.fetch_ready = cycle + 1 + kFetchBubbleCycles;
  s.next = &s.timing->at(warp.top().pc);
  s.maybe_at_barrier = warp.at_barrier;
  remember_warp_state(s);
  s.recheck_at = cycle + 1;
  next_recheck_ = std::min(next_recheck_, cycle + 1);
}

uint32_t SubCore::run_contracted_muls(WarpSlot& s, const InstTiming& issued, uint32_t pc, isa::LaunchState& launch) {
  uint32_t fall_through = pc + 1;
  const bool plain = issued.kind == IssueKind::Alu || issued.kind == IssueKind::Memory ||
                     issued.kind == IssueKind::Control || issued.kind == IssueKind::Tensor;
  if (!plain) return fall_through;
  isa::Warp& warp = *s.warp;
  const isa::CallFrame* frame = &warp.frame();
  const size_t depth = warp.depth();
  while (!warp.done() && !warp.at_barrier && &warp.frame() == frame && warp.depth() == depth &&
         s.timing->at(warp.top().pc).contracted) {
    const uint32_t at = warp.top().pc;
    isa::step_warp(warp, *s.cta, launch, nullptr);
    if (at == fall_through) fall_through = at + 1;
  }
  return fall_through;
}

void SubCore::submit_memory(WarpSlot& s, int slot, const InstTiming& t, const isa::StepResult& r, uint64_t cycle) {
  if (r.executed == 0) return;  // guard false on every lane: nothing moves, nothing is written
  const isa::Opcode op = r.inst->op;
  if (op == isa::Opcode::Mbarrier &&
      (r.inst->mod.sub == isa::SubOp::MbarTryWait || r.inst->mod.sub == isa::SubOp::MbarTestWait)) {
    for (const isa::MemAccess& a : trace_)
      if (a.space == isa::StateSpace::Shared && !a.write) {
        s.mbarrier_wait = true;
        s.mbarrier_offset = a.addr & kOwnSharedOffsetMask;
        s.mbarrier_parity = waited_phase_parity(*r.inst, *s.warp, unsigned(std::countr_zero(r.executed)));
        break;
      }
  }
  // st.async/red.async go the bulk copies' way: their bytes complete on the receiver's mbarrier,
  // which holds its waiting warps until the op is done (they carry no global bytes).
  const bool bulk = op == isa::Opcode::CpAsyncBulk || op == isa::Opcode::CpAsyncBulkTensor ||
                    op == isa::Opcode::StAsync || op == isa::Opcode::RedAsync;
  // A summary goes to the pipeline as it is when only the pipeline reads it (shared or global, no
  // observer, no cluster peers); anyone else gets the records it stands for.
  const isa::AffineAccess& summary = trace_summary_;
  const bool summarised = summary.valid() && !shared_.observer && s.cta->cluster == nullptr && !bulk &&
                          (summary.space == isa::StateSpace::Shared || summary.space == isa::StateSpace::Global);
  if (summary.valid() && !summarised) summary.append_records(trace_);
  if (trace_.empty() && !summarised && op != isa::Opcode::Shfl) {
    // Executed but touched no memory (mbarrier bookkeeping, prefetch): an MIO round trip.
    for (uint32_t d : s.timing->destinations(t)) s.board.set_ready_at(d, cycle + t.latency, t.result_wait);
    return;
  }
  // __constant__ data: the constant cache answers, outside the LG queue and the L1 (an outside
  // user's 25 __constant__ coefficients read as LG traffic: lg_throttle 64 % and 1.8x the cycles of
  // the same kernel with literals). By the instruction's space: a module's constant bank placed in
  // device memory, where cudaMemcpyToSymbol reaches it, is recorded as global accesses.
  // (A summary of the addresses, which a placed bank's global records may have, is expanded: this
  // path never reaches the LG queue, whose room was not asked for at issue.)
  if (t.queue == QueueHint::None && !bulk && r.inst->mod.space == isa::StateSpace::Const) {
    if (summarised) summary.append_records(trace_);
    size_t distinct = 0;
    for (size_t i = 0; i < trace_.size(); ++i) {
      bool seen = false;
      for (size_t j = 0; j < i && !seen; ++j) seen = trace_[j].addr == trace_[i].addr;
      distinct += seen ? 0 : 1;
    }
    const uint64_t start = std::max(cycle, constant_port_free_at_);
    constant_port_free_at_ = start + std::max<size_t>(distinct, 1);
    const uint64_t ready = start + SmMemoryPipeline::constant_read_cycles(distinct);
    for (uint32_t d : s.timing->destinations(t)) s.board.set_ready_at(d, ready, t.result_wait);
    return;
  }
  // The op reuses one WarpMemOp whose access buffer trades places with trace_ (no copy, no
  // allocation per memory instruction); trace_ is cleared before the next step.
  WarpMemOp& mop = mem_op_;
  mop.token = make_mem_token((*shared_.next_token_sequence)++, index_, slot);
  mop.op = op;
  mop.load = mop.store = mop.atomic = false;
  mop.l2_only = r.inst->mod.l2_only;
  mop.no_answer = t.result_unread;
  mop.active_lanes = r.executed;
  mop.cluster = s.cta->cluster != nullptr;  // the reused op must not keep the last op's cluster
  mop.cluster_rank = mop.cluster ? s.cta->cluster_rank : 0;
  mop.cluster_state = s.cta->cluster;
  bool all_shared = true;  // SmMemoryPipeline::queue_for, found in the same pass
  for (const isa::MemAccess& a : trace_) {
    if (a.atomic) mop.atomic = true;
    else if (a.write) mop.store = true;
    else mop.load = true;
    all_shared = all_shared && a.space == isa::StateSpace::Shared;
  }
  mop.affine.lanes = 0;
  if (summarised) {
    mop.affine = summary;
    (summary.write ? mop.store : mop.load) = true;
    all_shared = summary.space == isa::StateSpace::Shared;
  }
  if (op == isa::Opcode::Shfl) mop.load = true;  // exchanges registers through the MIO crossbar
  const SmMemoryPipeline::Queue queue = SmMemoryPipeline::queue_for(!trace_.empty() || summarised, all_shared, op);
  mop.accesses.swap(trace_);
  const bool lg = bulk || queue == SmMemoryPipeline::Queue::Lg;
  const StallReason why = lg ? StallReason::LongScoreboard : StallReason::ShortScoreboard;
  const auto dsts = s.timing->destinations(t);
  for (uint32_t d : dsts) s.board.set_pending(d, why);
  PendingMemOp p;
  p.token = mop.token;
  p.dsts = dsts.data();
  p.ndst = static_cast<uint16_t>(dsts.size());
  p.lg = lg;
  if (op == isa::Opcode::CpAsync) p.group_kind = PendingMemOp::kCpAsync, p.group = s.cp_async_open_group;
  if (bulk && r.inst->mod.bulk_group) p.group_kind = PendingMemOp::kBulk, p.group = s.bulk_open_group;
  s.pending.push_back(p);
  if (shared_.observer) shared_.observer->on_warp_mem_op(cycle, shared_.sm_id, index_, sm_warp_id(slot), *r.inst, mop);
  if (!bulk) return shared_.memory->submit(mop, queue, cycle);
  // The copy's mbarriers, one per destination CTA (the last shared write per cluster rank: its
  // complete_tx), each in the phase that was current at issue (sim/mbarrier_phases.h). The
  // accesses are in mop now (trace_ took the reused op's old buffer); bulk copies are rare, so the
  // op is copied to the TMA unit.
  if (r.inst->mod.bulk_mbarrier) {
    for (const BulkCopyBarrier& b : bulk_copy_barriers(mop.accesses, mop.cluster_rank)) {
      if (b.rank == mop.cluster_rank) {
        shared_.tma_barriers->add(p.token, s.cta_slot, b.offset, copy_phase_parity(*s.cta, b.offset));
      } else if (const isa::CtaState* peer = s.cta->cluster_peer(b.rank); peer && shared_.cluster_tma) {
        // Multicast or a peer's shared::cluster window: that CTA's barrier waits for this copy too.
        shared_.cluster_tma->add(shared_.sm_id, p.token, peer->linear_id, b.offset, copy_phase_parity(*peer, b.offset));
      }
    }
  }
  shared_.memory->submit_bulk(mop, cycle);
}

void SubCore::snapshot(uint64_t cycle, std::vector<WarpSnapshot>& warps, SubcoreSnapshot& self) const {
  uint64_t occupied = 0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    const WarpSlot& s = slots_[i];
    if (!s.occupied) continue;
    occupied |= uint64_t(1) << i;
    WarpSnapshot w;
    w.sm_warp = sm_warp_id(static_cast<int>(i));
    w.subcore = index_;
    w.slot = static_cast<int>(i);
    w.cta_slot = s.cta_slot;
    w.warp = s.warp;
    w.cta = s.cta;
    w.finished = !s.active;
    // A regular pipe-wait member's reason and recheck cycle are its class's.
    const int slot = static_cast<int>(i);
    w.reason = reason_of(slot);
    w.reason_until = pipe_waits_.is_regular(slot) ? pipe_waits_.until(pipe_waits_.class_of_slot(slot)) : s.recheck_at;
    if (s.active) w.pending = s.board.pending_at(cycle);
    w.memory_ops_in_flight = s.pending.size();
    warps.push_back(std::move(w));
  }
  self.index = index_;
  self.policy = scheduler_.policy();
  self.last_issued_slot = scheduler_.last_issued();
  self.priority = scheduler_.priority_order(occupied & active_mask_, ages_);
  self.pipe_free_at = pipe_free_at_;
  self.dispatch_free_at = dispatch_free_at_;
}

}  // namespace gpusim::sim
