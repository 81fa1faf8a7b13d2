// The TMA unit's path through an SM's memory pipeline (contract: sm_memory_pipeline.h,
// submit_bulk; the unit itself: tma_unit.h). Its requests bypass the L1 and share the L1's
// outgoing queues and interconnect port; a copy completes like an LG op (InFlight).
#include <bit>
#include <deque>

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
                    r.write ? bytes : 0, 0};
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

void SmMemoryPipeline::submit_bulk(WarpMemOp op, uint64_t cycle) {
  Impl& m = *impl_;
  const uint64_t id = m.next_op_id++;
  InFlight& f = m.inflight[id];
  f.token = op.token;
  m.tma.push(id, cycle,
             TmaRequestQueue::requests_of(op.accesses, uint32_t(m.config.l1_line_bytes), uint32_t(m.config.l1_sector_bytes)));
}

}  // namespace gpusim::sim
