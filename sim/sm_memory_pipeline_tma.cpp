// The TMA unit's path through an SM's memory pipeline (contract: sm_memory_pipeline.h,
// submit_bulk; the unit itself: tma_unit.h). Its requests bypass the L1 and share the L1's
// outgoing queues and interconnect port; a copy completes like an LG op (InFlight).
#include <algorithm>
#include <bit>
#include <deque>
#include <string>
#include <vector>

#include "isa/launch_state.h"
#include "sim/sm_memory_pipeline_impl.h"

namespace gpusim::sim {

// The TMA unit: its requests join the outgoing queues behind the L1's (one interconnect port).
void SmMemoryPipeline::Impl::run_tma(uint64_t cycle) {
  if (tma.empty()) return;
  tma.run(
      cycle,
      [&](const TmaRequestQueue::Request& r, uint64_t op_id) {
        std::deque<Outgoing>& q = r.write ? immediate : delayed;
        if (q.size() >= kOutgoingCapacity) return false;
        const uint32_t bytes = uint32_t(std::popcount(r.sector_mask) * config.l1_sector_bytes);
        MemPacket p{next_packet_id++, sm, r.write ? MemPacket::Kind::Write : MemPacket::Kind::Read, r.line, r.sector_mask,
                    r.write ? bytes : 0, 0, r.fanout};
        if (observer) observer->on_mem_request(cycle, sm, p, "TMA");
        q.push_back({p, cycle, op_id, r.write, !r.write});
        inflight.at(op_id).waiting += 1;
        return true;
      },
      [&](uint64_t op_id) {
        InFlight& f = inflight.at(op_id);
        f.all_issued = true;
        if (f.waiting == 0 && f.ready_cycle == 0) f.ready_cycle = cycle + 1;  // a copy of no global bytes
        finish_if_done(op_id, cycle);
      });
}

// An answer to a TMA read: its bytes are written into shared memory through the same banks that
// LDS/STS and wgmma's descriptor reads use, one wavefront (banks x bank width bytes, 128 B on
// h100.ini) per cycle, so MIO ops behind it start later (tma-fidelity; the copy itself completes
// when its last answer is back, as before).
void SmMemoryPipeline::Impl::tma_answer(uint64_t op_id, const MemPacket& answer, uint64_t cycle) {
  const uint64_t bytes = uint64_t(std::popcount(answer.sector_mask)) * uint64_t(config.l1_sector_bytes);
  const uint64_t per_wavefront = uint64_t(std::max(config.shared_banks * config.shared_bank_width_bytes, 1));
  mio_free_cycle = std::max(mio_free_cycle, cycle) + (bytes + per_wavefront - 1) / per_wavefront;
  if (!multicast_peer_sms.empty()) post_multicast_fill(op_id, bytes, cycle);  // and into its peers' banks
  --inflight.at(op_id).waiting;
  finish_if_done(op_id, cycle);
}

// Whether a bulk copy writes the issuing CTA's own shared memory (a rank-less address or its own
// rank's shared::cluster window), as a multicast that names the issuer does.
namespace {
bool writes_own_window(const WarpMemOp& op) {
  for (const isa::MemAccess& a : op.accesses) {
    if (a.space != isa::StateSpace::Shared || !a.write) continue;
    const uint64_t tag = a.addr >> isa::kClusterRankShift;  // 0: own window, else rank + 1
    if (tag == 0 || tag - 1 == op.cluster_rank) return true;
  }
  return false;
}
}  // namespace

void SmMemoryPipeline::submit_bulk(WarpMemOp op, uint64_t cycle) {
  Impl& m = *impl_;
  const uint64_t id = m.next_op_id++;
  InFlight& f = m.inflight[id];
  f.token = op.token;
  std::vector<TmaRequestQueue::Request> requests =
      TmaRequestQueue::requests_of(op.accesses, uint32_t(m.config.l1_line_bytes), uint32_t(m.config.l1_sector_bytes));
  if (m.network && op.cluster_state) {
    std::vector<int> peers = m.multicast_peers(op);
    if (!peers.empty()) {
      // The reads' replies cross every destination SM's L2 -> SM port (sim/sm_fanout.h): the
      // peers' and, when the copy also writes this CTA (multicast), this SM's.
      std::vector<int> receivers = peers;
      if (writes_own_window(op)) receivers.push_back(m.sm);
      const SmFanout fanout = SmFanout::of(receivers, "TMA copy of SM " + std::to_string(m.sm));
      for (TmaRequestQueue::Request& r : requests)
        if (!r.write) r.fanout = fanout;
      m.multicast_peer_sms.emplace(id, std::move(peers));
    }
  }
  m.tma.push(id, cycle, std::move(requests));
}

}  // namespace gpusim::sim
