// An SM's memory pipeline (contract in sm_memory_pipeline.h).
//
// Timing of one op submitted at cycle c (before tick(c)) into empty queues:
//   shared:  completes at c + shared_latency + (wavefronts - 1); the banks take one wavefront
//            per cycle, so the next MIO op starts `wavefronts` cycles later.
//   param/const: c + kConstantHitCycles + (distinct addresses - 1) (the sub-core times
//            __constant__ reads itself, without the queues; shadow SMs send them here).
//   global/local load, all sectors hit in L1: c + l1_latency.
//   a miss: its Read leaves for the L2 at c + l1_latency (the tag pipeline), and the op completes
//            when the last missing sector is back (memory_partitions.cpp: + icnt + l2 + icnt for
//            an L2 hit, + dram more for DRAM).
//   store:   its Writes leave at once; the op completes when the last one is accepted.
//   atomic:  one Atomic per touched sector, sent like a miss; completes with the last answer
//            (red, which returns nothing, completes when its packets are sent).
// The L1 stage takes one instruction per cycle and moves l1_bytes_per_clock per cycle, so an
// uncoalesced access occupies it for several cycles and everything behind it waits.
// The TMA unit's bulk copies: sm_memory_pipeline_tma.cpp; the shared state: sm_memory_pipeline_impl.h.
#include "sim/sm_memory_pipeline.h"

#include <algorithm>
#include <bit>
#include <span>
#include <stdexcept>
#include <string>

#include "sim/sm_memory_pipeline_impl.h"

namespace gpusim::sim {

// Shared memory: the lane accesses of one instruction in rounds (a vector access arrives as one
// access per element; contiguous elements of a lane are joined into one access of up to 16 B, as
// the hardware issues ld.shared.v4 as one 128-bit access), each round priced by the bank model.
SmMemoryPipeline::Impl::SharedPasses SmMemoryPipeline::Impl::shared_wavefronts(const std::vector<isa::MemAccess>& accesses,
                                                                              bool atomic) {
  // Most instructions (one word per lane, no conflict) take one pass; found without building rounds.
  if (!atomic && banks.one_wavefront(accesses)) return {1, 1};
  // The rounds live in a buffer kept across ops (one heap allocation per op was a hot spot).
  std::vector<WarpAccess>& rounds = round_buffer;
  size_t nrounds = 0;
  std::array<uint8_t, kWarpSize> used{};
  for (const isa::MemAccess& a : accesses) {
    if (a.space != isa::StateSpace::Shared) continue;
    if (a.lane >= kWarpSize) throw std::invalid_argument(where() + ": lane " + std::to_string(a.lane) + " out of range");
    const uint8_t k = used[a.lane];
    if (k > 0 && !atomic) {
      LaneAccess& last = rounds[k - 1][a.lane];
      // Contiguous and inside one aligned 16-B block (a v4 grows 4, 8, 12, 16 bytes).
      if (last.address + last.size == a.addr && last.address / 16 == (a.addr + a.size - 1) / 16) {
        last.size += a.size;
        continue;
      }
    }
    if (k == nrounds) {
      if (nrounds == rounds.size()) rounds.emplace_back();
      else rounds[nrounds].fill(LaneAccess{});
      ++nrounds;
    }
    rounds[k][a.lane] = LaneAccess{true, a.addr, a.size};
    used[a.lane] = uint8_t(k + 1);
  }
  SharedPasses passes{0, 0};
  for (size_t k = 0; k < nrounds; ++k) {
    if (atomic) {  // one lane per bank per pass at best
      passes.wavefronts += atomic_wavefronts(rounds[k]);
      passes.ideal += 1;
    } else {
      const SharedAccessCost cost = banks.cost(rounds[k]);
      passes.wavefronts += cost.wavefronts;
      passes.ideal += cost.phases;
    }
  }
  // A shuffle or an all-inactive op still takes one pass.
  passes.wavefronts = std::max(passes.wavefronts, 1);
  passes.ideal = std::clamp(passes.ideal, 1, passes.wavefronts);
  return passes;
}

// Shared atomics: every lane is its own read-modify-write, so lanes in one bank serialise even on
// the same word (no broadcast).
int SmMemoryPipeline::Impl::atomic_wavefronts(const WarpAccess& round) const {
  std::array<int, 64> lanes_in_bank{};  // SharedBanks holds banks to at most 64
  int worst = 0;
  for (const LaneAccess& a : round) {
    if (!a.active) continue;
    int& n = lanes_in_bank[(a.address / uint64_t(config.shared_bank_width_bytes)) % uint64_t(config.shared_banks)];
    worst = std::max(worst, ++n);
  }
  return worst;
}

void SmMemoryPipeline::Impl::coalesce_into(const std::vector<LaneAccess>& lanes, WorkItem::Kind kind,
                                           std::vector<WorkItem>& items) {
  const size_t first = items.size();
  for (size_t i = 0; i < lanes.size(); i += kWarpSize) {
    const size_t n = std::min<size_t>(kWarpSize, lanes.size() - i);
    coalescer.coalesce(std::span(lanes).subspan(i, n), scratch_lines);
    for (const LineRequest& r : scratch_lines) {
      auto same = std::find_if(items.begin() + first, items.end(), [&](const WorkItem& w) { return w.line == r.line_address; });
      if (same != items.end()) same->sector_mask |= r.sector_mask;
      else items.push_back({kind, r.line_address, r.sector_mask, 0});
    }
  }
}

LgOp SmMemoryPipeline::Impl::build_lg_op(const WarpMemOp& op) {
  LgOp g;
  g.id = next_op_id++;
  g.token = op.token;
  g.reduction = op.op == isa::Opcode::Red || op.no_answer;
  g.l2_only = op.l2_only;
  if (!spare_items.empty()) {
    g.items.swap(spare_items.back());
    spare_items.pop_back();
    g.items.clear();
  }
  std::vector<LaneAccess>& loads = scratch_loads;
  std::vector<LaneAccess>& stores = scratch_stores;
  std::vector<uint64_t>& constant_addresses = scratch_constants;
  std::vector<WorkItem>& atomics = scratch_atomics;
  loads.clear();
  stores.clear();
  constant_addresses.clear();
  atomics.clear();
  if (op.affine.valid() && affine_lg_items(op.affine, g.items)) return g;
  bool local = false, global = false;
  const uint64_t sector = uint64_t(config.l1_sector_bytes), line = uint64_t(config.l1_line_bytes);
  for (const isa::MemAccess& a : records_of(op)) {
    uint64_t address = a.addr;
    switch (a.space) {
      case isa::StateSpace::Shared: continue;  // cp.async's destination: written by the copy unit, not timed
      case isa::StateSpace::Param:
      case isa::StateSpace::Const:
        if (std::find(constant_addresses.begin(), constant_addresses.end(), a.addr) == constant_addresses.end())
          constant_addresses.push_back(a.addr);
        continue;
      case isa::StateSpace::Local:
        local = true;
        address = kLocalWindowBase + uint64_t(sm) * kLocalWindowPerSm + a.addr / 4 * (4 * kWarpSize) + a.lane * 4 +
                  a.addr % 4;
        break;
      case isa::StateSpace::Global: global = true; break;
      default:
        throw std::invalid_argument(where() + ": memory access in state space '" + isa::space_name(a.space) +
                                    "' (expected a resolved shared/global/local/param/const address)");
    }
    if (a.atomic) {
      const uint64_t s = address / sector * sector;
      auto same = std::find_if(atomics.begin(), atomics.end(),
                               [&](const WorkItem& w) { return w.line + std::countr_zero(w.sector_mask) * sector == s; });
      // The L2's atomic unit is charged per 32-bit operation (sim/l2_slice.cpp): a 16-bit
      // atomic (atomicCAS on unsigned short) is one whole operation, not half of one (a
      // packet-processing user's 16-bit CAS loop ran twice as fast as the same 32-bit one).
      const uint32_t op_bytes = std::max<uint32_t>(a.size, 4);
      if (same != atomics.end()) same->bytes += op_bytes;
      else atomics.push_back({WorkItem::Kind::Atomic, s / line * line, 1u << (s % line / sector), op_bytes});
    } else {
      (a.write ? stores : loads).push_back(LaneAccess{true, address, a.size});
    }
  }
  // A generic volatile load that reaches the thread's own local memory (a `volatile` local
  // variable: ptxas allows no .volatile on .local) needs no other SM's stores: cached as usual.
  if (local && !global) g.l2_only = false;
  coalesce_into(loads, WorkItem::Kind::Load, g.items);
  coalesce_into(stores, WorkItem::Kind::Store, g.items);
  g.items.insert(g.items.end(), atomics.begin(), atomics.end());
  if (!constant_addresses.empty()) g.constant_cycles = constant_read_cycles(constant_addresses.size());
  if (local) stats.local_requests += 1;
  if (global && !atomics.empty()) stats.atomic_requests += 1;
  else if (global && !loads.empty()) {
    stats.global_load_requests += 1;
    for (const WorkItem& item : g.items)
      if (item.kind == WorkItem::Kind::Load) stats.global_load_sectors += uint64_t(std::popcount(item.sector_mask));
  }
  else if (global && !stores.empty()) {
    stats.global_store_requests += 1;
    for (const WorkItem& item : g.items)
      if (item.kind == WorkItem::Kind::Store) stats.global_store_sectors += uint64_t(std::popcount(item.sector_mask));
  }
  return g;
}

void SmMemoryPipeline::Impl::finish_if_done(uint64_t op_id, uint64_t cycle) {
  auto it = inflight.find(op_id);
  if (it == inflight.end() || !it->second.all_issued || it->second.waiting != 0) return;
  complete_at(std::max(it->second.ready_cycle, cycle), it->second.token);
  inflight.erase(it);
  if (!multicast_peer_sms.empty()) multicast_peer_sms.erase(op_id);
}

void SmMemoryPipeline::Impl::receive(uint64_t cycle, uint64_t now_ps) {
  MemPacket p;
  while (memory.pop_response(sm, now_ps, &p)) {
    if (observer) observer->on_mem_response(cycle, sm, p, "L1");
    if (p.kind == MemPacket::Kind::Write) {
      if (unacked_writes == 0) throw std::logic_error(where() + ": write acknowledgement " + std::to_string(p.id) + " without a write");
      --unacked_writes;
      continue;
    }
    auto it = awaited.find(p.id);
    if (it == awaited.end())
      throw std::logic_error(where() + ": answer to packet " + std::to_string(p.id) + " that was never sent");
    const Awaited a = it->second;
    awaited.erase(it);
    if (p.kind == MemPacket::Kind::Read && a.bypasses_l1) {
      tma_answer(a.op_id, p, cycle);
    } else if (p.kind == MemPacket::Kind::Read && a.l2_only) {  // to the registers, not into the L1
      --inflight.at(a.op_id).waiting;
      finish_if_done(a.op_id, cycle);
    } else if (p.kind == MemPacket::Kind::Read) {
      l1_blocked = false;
      for (uint64_t op_id : l1->fill(p.line_address, p.sector_mask).ready_waiters) {
        --inflight.at(op_id).waiting;
        finish_if_done(op_id, cycle);
      }
    } else if (a.answers_op) {
      --inflight.at(a.op_id).waiting;
      finish_if_done(a.op_id, cycle);
    }
  }
}

// The interconnect port takes one packet per cycle at most (it refuses the rest); the older of the
// two queue heads that may leave goes first.
void SmMemoryPipeline::Impl::send(uint64_t cycle, uint64_t now_ps) {
  while (true) {
    const bool d = !delayed.empty() && delayed.front().earliest_cycle <= cycle;
    const bool w = !immediate.empty() && immediate.front().earliest_cycle <= cycle;
    if (!d && !w) return;
    std::deque<Outgoing>& q = (d && (!w || delayed.front().packet.id < immediate.front().packet.id)) ? delayed : immediate;
    Outgoing& out = q.front();
    out.packet.ready_ps = now_ps;
    if (!memory.inject(out.packet, now_ps, staged)) return;
    if (out.packet.kind == MemPacket::Kind::Write) ++unacked_writes;
    else awaited.emplace(out.packet.id, Awaited{out.op_id, !out.completes_on_send, out.bypasses_l1, out.l2_only});
    if (out.completes_on_send) {
      --inflight.at(out.op_id).waiting;
      finish_if_done(out.op_id, cycle);
    }
    q.pop_front();
  }
}

// An op starts in the cycle it was submitted in when its stage was free then, even when the core
// submits it after this cycle's tick (the core issues after ticking its memory pipeline): the
// latency seen by the core is then exactly the modelled one.
void SmMemoryPipeline::Impl::run_mio(uint64_t cycle) {
  if (mio.empty()) return;
  const uint64_t start = std::max(mio.front().submit_cycle, mio_free_cycle);
  if (start > cycle) return;
  // Read in place and popped at the end (moving the op out cost a copy and a destruction per op).
  MioOp& op = mio.front();
  mio_free_cycle = start + uint64_t(op.wavefronts);
  if (op.shared) {
    stats.shared_requests += 1;
    stats.shared_wavefronts += uint64_t(op.wavefronts);
    stats.shared_ideal_wavefronts += uint64_t(op.ideal_wavefronts);
  }
  if (op.remote_bytes) {
    stats.dsmem_requests += 1;
    stats.dsmem_bytes += op.remote_bytes;
    if (!op.targets.empty()) stage_remote(op.token, start, cycle, op.remote_bytes, std::move(op.targets));
    else complete_at(dsmem.transfer(start, op.remote_bytes, op.wavefronts), op.token);
    mio.pop_front();
    return;
  }
  const uint64_t done = start + uint64_t(config.shared_latency_cycles) + uint64_t(op.wavefronts) - 1;
  const uint64_t token = op.token;
  mio.pop_front();
  complete_in_order_at(done, token);
}

void SmMemoryPipeline::Impl::take_due_completions(uint64_t cycle) {
  while (true) {
    const bool heap_due = !completions.empty() && completions.top().cycle <= cycle;
    const bool fifo_due = ordered_head < ordered_completions.size() && ordered_completions[ordered_head].cycle <= cycle;
    if (!heap_due && !fifo_due) break;
    if (fifo_due && (!heap_due || completions.top() > ordered_completions[ordered_head])) {
      completed.push_back(ordered_completions[ordered_head].token);
      ++ordered_head;
    } else {
      completed.push_back(completions.top().token);
      completions.pop();
    }
  }
  // The FIFO's storage is reused: emptied when drained, its taken front dropped when it has grown.
  if (ordered_head == ordered_completions.size()) {
    ordered_completions.clear();
    ordered_head = 0;
  } else if (ordered_head >= 64 && ordered_head * 2 >= ordered_completions.size()) {
    ordered_completions.erase(ordered_completions.begin(), ordered_completions.begin() + ptrdiff_t(ordered_head));
    ordered_head = 0;
  }
}

// Returns false when the item cannot enter the L1 this cycle (no MSHR, or the outgoing queue is full).
bool SmMemoryPipeline::Impl::issue(LgOp& op, const WorkItem& item, InFlight& f, uint64_t cycle) {
  l1_touched = true;
  const uint64_t l1_done = cycle + uint64_t(config.l1_latency_cycles);
  const int sectors = std::popcount(item.sector_mask);
  if (item.kind == WorkItem::Kind::Store) {
    if (immediate.size() >= kOutgoingCapacity) return false;
    const WriteResult w = l1->write(item.line, item.sector_mask);
    MemPacket p{next_packet_id++, sm, MemPacket::Kind::Write, item.line, w.forward_mask,
                uint32_t(std::popcount(w.forward_mask) * config.l1_sector_bytes), 0, {}};
    immediate.push_back({p, cycle, op.id, true});
    stats.l1_sectors_requested += uint64_t(sectors);
    f.waiting += 1;
    return true;
  }
  if (delayed.size() >= kOutgoingCapacity) return false;
  if (item.kind == WorkItem::Kind::Atomic) {
    MemPacket p{next_packet_id++, sm, MemPacket::Kind::Atomic, item.line, item.sector_mask, item.bytes, 0, {}};
    delayed.push_back({p, l1_done, op.id, op.reduction});
    f.waiting += 1;
    return true;
  }
  if (op.l2_only) {
    // .cg/.cv: through the L1 stage (its latency) to the L2, neither looking the L1 up nor
    // filling it; counted as L1 misses, as its requests all go on to the L2.
    MemPacket p{next_packet_id++, sm, MemPacket::Kind::Read, item.line, item.sector_mask, 0, 0, {}};
    Outgoing out{p, l1_done, op.id, false};
    out.l2_only = true;
    delayed.push_back(out);
    stats.l1_sectors_requested += uint64_t(sectors);
    stats.l1_read_sector_misses += uint64_t(sectors);
    f.waiting += 1;
    return true;
  }
  if (l1_blocked) return false;
  const ReadResult r = l1->read(item.line, item.sector_mask, op.id);
  if (r.status != AccessStatus::Accepted) {
    l1_blocked = true;  // no MSHR or merge slot: nothing changes until a fill frees one
    return false;
  }
  stats.l1_sectors_requested += uint64_t(sectors);
  stats.l1_read_sector_hits += uint64_t(std::popcount(r.hit_mask));
  stats.l1_read_sector_misses += uint64_t(std::popcount(r.merged_mask | r.miss_mask));
  if (r.hit_mask) f.ready_cycle = std::max(f.ready_cycle, l1_done);
  if (r.waits()) f.waiting += 1;
  if (r.miss_mask) {
    MemPacket p{next_packet_id++, sm, MemPacket::Kind::Read, item.line, r.miss_mask, 0, 0, {}};
    delayed.push_back({p, l1_done, op.id, false});
  }
  return true;
}

// The L1 stage: the LG head, l1_bytes_per_clock of its sectors per cycle, one instruction at most.
// A new instruction starts as of its submit cycle when the stage was free then (see run_mio);
// later parts of a multi-cycle instruction run in the current cycle.
void SmMemoryPipeline::Impl::run_lg(uint64_t current) {
  if (lg.empty() || current < lg_busy_until) return;
  LgOp& op = lg.front();
  uint64_t cycle = current;
  if (!op.started) {
    cycle = std::max(op.submit_cycle, lg_free_cycle);
    if (cycle > current) return;
  }
  InFlight& f = inflight[op.id];
  if (!op.started) {
    op.started = true;
    f.token = op.token;
    if (op.constant_cycles) f.ready_cycle = cycle + op.constant_cycles;
  }
  uint32_t used = 0;
  while (op.next < op.items.size()) {
    const WorkItem& item = op.items[op.next];
    const uint32_t cost = uint32_t(std::popcount(item.sector_mask) * config.l1_sector_bytes);
    if (used > 0 && used + cost > uint32_t(config.l1_bytes_per_clock)) return;
    if (observer) {
      const MemPacket seen{0, sm, item.kind == WorkItem::Kind::Store ? MemPacket::Kind::Write
                                  : item.kind == WorkItem::Kind::Atomic ? MemPacket::Kind::Atomic
                                                                          : MemPacket::Kind::Read,
                           item.line, item.sector_mask, item.bytes, 0, {}};
      if (!issue(op, item, f, cycle)) return;
      observer->on_mem_request(cycle, sm, seen, "L1");
    } else if (!issue(op, item, f, cycle)) {
      return;
    }
    used += cost;
    ++op.next;
    // An item wider than the stage's bytes per cycle (a configuration narrower than a line; the
    // shipped ones move 128 B, a whole line) holds the stage ceil(cost / bytes) cycles: it went
    // through in one, and l1.bytes_per_clock below 128 changed nothing (an outside architect).
    const uint32_t width = uint32_t(config.l1_bytes_per_clock);
    if (cost > width) {
      lg_busy_until = cycle + (cost + width - 1) / width;
      if (op.next < op.items.size()) return;
      break;
    }
  }
  f.all_issued = true;
  const uint64_t id = op.id;
  if (spare_items.size() < kLgQueueCapacity) spare_items.push_back(std::move(op.items));
  lg.pop_front();
  lg_free_cycle = std::max(cycle + 1, lg_busy_until);
  // An op without memory sectors (prefetch, all lanes off) still passes the stage: one cycle.
  if (f.waiting == 0 && f.ready_cycle == 0) f.ready_cycle = cycle + 1;
  finish_if_done(id, cycle);
}

SmMemoryPipeline::SmMemoryPipeline(int sm_id, const GpuConfig& config, MemoryPartitions& memory, SimObserver* observer,
                                   DsmemNetwork* network)
    : impl_(std::make_unique<Impl>(sm_id, config, memory, observer, network)) {
  configure(0);
}
SmMemoryPipeline::~SmMemoryPipeline() = default;

void SmMemoryPipeline::configure(int shared_carveout_bytes) {
  Impl& m = *impl_;
  if (m.l1 && m.l1->mshrs_in_use() != 0)
    throw std::logic_error(m.where() + ": configure() while L1 misses are in flight");
  const int l1_bytes = m.config.l1_bytes_with_carveout(shared_carveout_bytes);
  if (shared_carveout_bytes < 0 || l1_bytes <= 0)
    throw std::invalid_argument(m.where() + ": shared carve-out of " + std::to_string(shared_carveout_bytes) +
                                " B leaves no L1 in the " + std::to_string(m.config.l1_shared_unified_kib) +
                                " KiB unified array");
  // An SM the last launch left idle still has a new, empty L1 of the right size: building one
  // per SM per launch was most of the host time of a small timing-mode launch.
  if (m.l1 && !m.l1_touched && m.l1_bytes == l1_bytes) return;
  SectorCacheParams p;
  p.name = "L1 of SM " + std::to_string(m.sm);
  p.size_bytes = uint64_t(l1_bytes);
  p.line_bytes = uint32_t(m.config.l1_line_bytes);
  p.sector_bytes = uint32_t(m.config.l1_sector_bytes);
  p.associativity = uint32_t(m.config.l1_associativity);
  p.write_policy = WritePolicy::WriteThroughNoAllocate;
  p.mshr_entries = uint32_t(m.config.l1_mshrs);
  p.mshr_max_merged = uint32_t(m.config.l1_mshr_max_merged);
  m.l1 = std::make_unique<SectorCache>(p);
  m.l1_bytes = l1_bytes;
  m.l1_touched = false;
  m.l1_blocked = false;
}

SmMemoryPipeline::Queue SmMemoryPipeline::queue_for(const WarpMemOp& op) {
  if (op.affine.valid()) return queue_for(true, op.affine.space == isa::StateSpace::Shared, op.op);
  const bool all_shared = std::all_of(op.accesses.begin(), op.accesses.end(),
                                      [](const isa::MemAccess& a) { return a.space == isa::StateSpace::Shared; });
  return queue_for(!op.accesses.empty(), all_shared, op.op);
}

uint64_t SmMemoryPipeline::constant_read_cycles(size_t distinct_addresses) {
  return kConstantHitCycles + (distinct_addresses > 0 ? distinct_addresses - 1 : 0);
}

bool SmMemoryPipeline::can_accept(Queue q) const {
  const Impl& m = *impl_;
  return q == Queue::Mio ? m.mio.size() + size_t(m.reserved_mio) < kMioQueueCapacity
                         : m.lg.size() + size_t(m.reserved_lg) < kLgQueueCapacity;
}

void SmMemoryPipeline::reserve(Queue q, int delta) {
  int& held = q == Queue::Mio ? impl_->reserved_mio : impl_->reserved_lg;
  held += delta;
  if (held < 0) throw std::logic_error(impl_->where() + ": gave back a queue place that was not held");
}

void SmMemoryPipeline::flush_requests(uint64_t now_ps) {
  Impl& m = *impl_;
  if (!m.staged.packets.empty() || m.staged.rejected) m.memory.accept(m.staged, now_ps);
  if (!m.staged_remote.empty() || !m.staged_bank_work.empty()) m.flush_remote();
}

int SmMemoryPipeline::queue_depth(Queue q) const {
  return static_cast<int>(q == Queue::Mio ? impl_->mio.size() : impl_->lg.size());
}

std::optional<CacheLineState> SmMemoryPipeline::l1_line(uint64_t address) const {
  if (!impl_->l1) return std::nullopt;
  const uint64_t line_bytes = impl_->l1->params().line_bytes;
  return impl_->l1->line_state(address / line_bytes * line_bytes);
}

size_t SmMemoryPipeline::queue_capacity() {
  static_assert(kMioQueueCapacity == kLgQueueCapacity, "one capacity is reported for both queues");
  return kMioQueueCapacity;
}

void SmMemoryPipeline::submit(const WarpMemOp& op, uint64_t cycle) { submit(op, queue_for(op), cycle); }

void SmMemoryPipeline::submit(const WarpMemOp& op, Queue q, uint64_t cycle) {
  Impl& m = *impl_;
  if (!can_accept(q))
    throw std::logic_error(m.where() + ": submit to a full " + (q == Queue::Mio ? "MIO" : "LG") +
                           " queue (check can_accept first)");
  if (q == Queue::Mio) {
    const bool shared = !op.accesses.empty() || op.affine.valid();
    const uint32_t remote = op.cluster ? remote_shared_bytes(m.records_of(op), op.cluster_rank) : 0;
    const Impl::SharedPasses passes = op.affine.valid() ? m.shared_wavefronts_affine(op.affine)
                                                        : m.shared_wavefronts(op.accesses, op.atomic);
    m.mio.push_back({op.token, cycle, passes.wavefronts, passes.ideal, shared, remote, {}});
    // Cluster ops are never summarised (sim/subcore.cpp), so the targets come from the records.
    if (remote && m.network && op.cluster_state) m.remote_targets(op, m.mio.back().targets);
  } else {
    m.lg.push_back(m.build_lg_op(op));
    m.lg.back().submit_cycle = cycle;
  }
}

void SmMemoryPipeline::occupy_shared_banks(uint64_t cycle, int wavefronts) {
  Impl& m = *impl_;
  m.mio_free_cycle = std::max(m.mio_free_cycle, cycle) + uint64_t(std::max(wavefronts, 0));
}

bool SmMemoryPipeline::tick(uint64_t cycle, uint64_t now_ps) {
  Impl& m = *impl_;
  // Peers' accesses landing here hold the banks even while this SM's own pipeline is idle.
  if (m.network && m.network->has_bank_work(m.sm)) m.take_remote_bank_work(cycle);
  // Each stage only when it has work (most cycles of most SMs have little): an answer can only
  // come for a read, atomic or write this SM sent (receive() refuses any other). (No idle() test
  // first: it asks more than these tests together, and an idle pipeline fails each of them.)
  if ((!m.awaited.empty() || m.unacked_writes != 0) && m.icnt.response_ready(m.sm, now_ps)) m.receive(cycle, now_ps);
  if (!m.mio.empty()) m.run_mio(cycle);
  if (!m.lg.empty()) m.run_lg(cycle);
  if (!m.tma.empty()) m.run_tma(cycle);
  if (!m.delayed.empty() || !m.immediate.empty()) m.send(cycle, now_ps);
  if (m.completion_due(cycle)) m.take_due_completions(cycle);
  // (deque::size is a dozen instructions, empty() two)
  if (!m.mio.empty() && m.mio.size() >= kMioQueueCapacity) m.stats.mio_full_cycles += 1;
  if (!m.lg.empty() && m.lg.size() >= kLgQueueCapacity) m.stats.lg_full_cycles += 1;
  return !m.completed.empty();
}

std::vector<uint64_t> SmMemoryPipeline::take_completed() {
  std::vector<uint64_t> out;
  out.swap(impl_->completed);
  return out;
}

void SmMemoryPipeline::take_completed(std::vector<uint64_t>& out) {
  out.clear();
  out.swap(impl_->completed);
}

bool SmMemoryPipeline::idle() const { return impl_->idle(); }
bool SmMemoryPipeline::off_chip_idle() const { return impl_->off_chip_idle(); }
const MemoryPartitions::Staged& SmMemoryPipeline::staged_packets() const { return impl_->staged; }
void SmMemoryPipeline::mark_packets_handed_off() { impl_->staged.handed_off = true; }
void SmMemoryPipeline::forget_handed_off_packets() { impl_->staged.forget_handed_off(); }
const SmMemStats& SmMemoryPipeline::stats() const { return impl_->stats; }
void SmMemoryPipeline::reset_stats() { impl_->stats = SmMemStats{}; }

}  // namespace gpusim::sim
