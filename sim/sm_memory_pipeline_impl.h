// SmMemoryPipeline's private state, shared by its two source files: sm_memory_pipeline.cpp (the
// MIO queue, the LG queue and L1, the interconnect port) and sm_memory_pipeline_tma.cpp (the TMA
// unit's bulk copies, which use the same port and in-flight records). Not for other users.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/coalescer.h"
#include "sim/dsmem_network.h"
#include "sim/dsmem_port.h"
#include "sim/interconnect.h"
#include "sim/sector_cache.h"
#include "sim/shared_banks.h"
#include "sim/shared_wavefront_memo.h"
#include "sim/sm_memory_pipeline.h"
#include "sim/tma_unit.h"

namespace gpusim::sim {

namespace sm_memory_detail {
// Queue depths; the config has no keys for them (assumptions, per SM): deep enough that a
// well-coalesced kernel never throttles, shallow enough that bank conflicts or uncoalesced
// accesses back up into mio_throttle / lg_throttle as on hardware.
constexpr size_t kMioQueueCapacity = 16;
constexpr size_t kLgQueueCapacity = 16;
constexpr size_t kOutgoingCapacity = 64;  // packets waiting for the interconnect port
// A constant-cache hit: hardware.md 2.4, S12 l.28 "Constant (cached operand) 8" (TITAN V).
constexpr uint64_t kConstantHitCycles = 8;
// Local memory is per thread; hardware interleaves it so that the same local word of the 32
// lanes of a warp is one 128-B line. It is placed far above any global allocation, per SM.
// (Warps of one SM share the window: the functional model gives no warp id here.)
constexpr uint64_t kLocalWindowBase = uint64_t(1) << 56;
constexpr uint64_t kLocalWindowPerSm = uint64_t(1) << 48;

struct WorkItem {
  enum class Kind : uint8_t { Load, Store, Atomic } kind;
  uint64_t line;
  uint32_t sector_mask;
  uint32_t bytes;  // atomic operand bytes
};

struct LgOp {
  uint64_t id = 0, token = 0;
  uint64_t submit_cycle = 0;
  bool reduction = false;        // red: no answer awaited
  bool l2_only = false;          // WarpMemOp::l2_only
  uint64_t constant_cycles = 0;  // 0: no param/const access
  std::vector<WorkItem> items;
  size_t next = 0;
  bool started = false;
};

struct InFlight {
  uint64_t token = 0;
  uint32_t waiting = 0;      // lines, packets or answers still outstanding
  uint64_t ready_cycle = 0;  // latest hit / constant result
  bool all_issued = false;
};

struct Outgoing {
  MemPacket packet;
  uint64_t earliest_cycle;
  uint64_t op_id;
  bool completes_on_send;
  bool bypasses_l1 = false;  // a TMA read: its answer goes to the op, not into the L1
  bool l2_only = false;      // a .cg/.cv load: its answer goes to the op, not into the L1
};

struct Completion {
  uint64_t cycle, sequence, token;
  bool operator>(const Completion& o) const { return std::pair(cycle, sequence) > std::pair(o.cycle, o.sequence); }
};

}  // namespace sm_memory_detail

using namespace sm_memory_detail;

struct SmMemoryPipeline::Impl {
  Impl(int sm_id, const GpuConfig& c, MemoryPartitions& m, SimObserver* o, DsmemNetwork* n)
      : sm(sm_id), config(c), memory(m), icnt(m.interconnect()), observer(o), banks(c.shared_banks, c.shared_bank_width_bytes),
        coalescer(uint32_t(c.l1_line_bytes), uint32_t(c.l1_sector_bytes)),
        tma(c.tma_bytes_per_cycle, c.tma_issue_latency_cycles, uint32_t(c.l1_sector_bytes)), dsmem(config), network(n),
        wavefront_memo(uint64_t(c.shared_banks) * uint64_t(c.shared_bank_width_bytes)) {}

  // A shared-memory op's passes through the banks and the conflict-free minimum for its shape.
  struct SharedPasses {
    int wavefronts = 1;
    int ideal = 1;
  };
  SharedPasses shared_wavefronts(const std::vector<isa::MemAccess>& accesses, bool atomic);
  // A summarised op (WarpMemOp::affine): sm_memory_pipeline_affine.cpp.
  SharedPasses shared_wavefronts_affine(const isa::AffineAccess& a);
  bool affine_lg_items(const isa::AffineAccess& a, std::vector<WorkItem>& items);  // false: use the records
  const std::vector<isa::MemAccess>& records_of(const WarpMemOp& op);  // a summary written out
  int atomic_wavefronts(const WarpAccess& round) const;
  LgOp build_lg_op(const WarpMemOp& op);
  void coalesce_into(const std::vector<LaneAccess>& lanes, WorkItem::Kind kind, std::vector<WorkItem>& items);
  std::string where() const { return "SM " + std::to_string(sm) + " memory pipeline"; }

  void receive(uint64_t cycle, uint64_t now_ps);
  void send(uint64_t cycle, uint64_t now_ps);
  void run_mio(uint64_t cycle);
  void run_lg(uint64_t cycle);
  void run_tma(uint64_t cycle);
  void tma_answer(uint64_t op_id, const MemPacket& answer, uint64_t cycle);
  bool issue(LgOp& op, const WorkItem& item, InFlight& f, uint64_t cycle);
  void finish_if_done(uint64_t op_id, uint64_t cycle);
  void complete_at(uint64_t cycle, uint64_t token) { completions.push({cycle, sequence++, token}); }
  // The MIO stage's completions come in cycle order (an op starts no earlier than the previous
  // one's start plus its wavefronts and completes shared_latency + wavefronts - 1 after its start),
  // so they queue in a FIFO instead of the heap (a heap push and pop were most of run_mio's cost);
  // one out of order would go to the heap. take_due_completions merges both by (cycle, sequence),
  // the order the heap alone gives.
  void complete_in_order_at(uint64_t cycle, uint64_t token) {
    if (ordered_head < ordered_completions.size() && cycle < ordered_completions.back().cycle)
      return complete_at(cycle, token);
    ordered_completions.push_back({cycle, sequence++, token});
  }
  bool completion_due(uint64_t cycle) const {
    return (!completions.empty() && completions.top().cycle <= cycle) ||
           (ordered_head < ordered_completions.size() && ordered_completions[ordered_head].cycle <= cycle);
  }
  void take_due_completions(uint64_t cycle);  // call only when completion_due (most cycles none is)
  // No global, local or bulk operation in flight (shared-memory ops may be: a warp spinning on an
  // mbarrier keeps the MIO busy); what EndlessLoopWatch needs of an async kernel.
  bool off_chip_idle() const {
    return lg.empty() && tma.empty() && inflight.empty() && delayed.empty() && immediate.empty() && awaited.empty() &&
           unacked_writes == 0 && staged.empty() && staged_remote.empty();
  }
  bool idle() const {
    return mio.empty() && lg.empty() && tma.empty() && inflight.empty() && delayed.empty() && immediate.empty() &&
           completions.empty() && ordered_head == ordered_completions.size() && awaited.empty() && unacked_writes == 0 && completed.empty() &&
           staged.empty() && staged_remote.empty() && staged_bank_work.empty();
  }

  // Distributed shared memory with the receiving side (sm_memory_pipeline_dsmem.cpp; the GPU's
  // DsmemNetwork, null when the pipeline stands alone, then only the send port is modelled).
  struct RemoteTarget {
    int sm;             // the SM holding the peer CTA
    uint32_t bytes;     // the op's bytes to that peer
    int wavefronts;     // its bank passes there (the receiver's bank model)
  };
  void remote_targets(const WarpMemOp& op, std::vector<RemoteTarget>& out);
  std::vector<int> multicast_peers(const WarpMemOp& op);
  void stage_remote(uint64_t token, uint64_t start, uint64_t cycle, uint32_t bytes, std::vector<RemoteTarget>&& targets);
  void post_multicast_fill(uint64_t op_id, uint64_t bytes, uint64_t cycle);
  void flush_remote();
  void take_remote_bank_work(uint64_t cycle);

  int sm;
  GpuConfig config;
  MemoryPartitions& memory;
  const Interconnect& icnt;  // memory's, for tick's inline look at this SM's response port
  SimObserver* observer;
  SharedBanks banks;
  std::vector<WarpAccess> round_buffer;  // shared_wavefronts' scratch, reused op after op
  // build_lg_op's scratch and the work lists of finished LG ops, reused op after op (a heap
  // allocation per vector per op was most of the pipeline's cost on memory-bound kernels).
  std::vector<LaneAccess> scratch_loads, scratch_stores;
  std::vector<uint64_t> scratch_constants;
  std::vector<WorkItem> scratch_atomics;
  std::vector<LineRequest> scratch_lines;
  std::vector<isa::MemAccess> scratch_records;  // records_of's
  std::vector<std::vector<WorkItem>> spare_items;
  Coalescer coalescer;
  TmaRequestQueue tma;
  std::unique_ptr<SectorCache> l1;
  int l1_bytes = 0;          // the L1's size as configured
  bool l1_touched = false;   // accessed since it was built (else it is still as new)
  bool l1_blocked = false;  // the last read was refused for want of an MSHR; cleared by a fill

  struct MioOp {
    uint64_t token;
    uint64_t submit_cycle;
    int wavefronts;
    int ideal_wavefronts;  // wavefronts without bank conflicts (SmMemStats)
    bool shared;
    uint32_t remote_bytes = 0;  // to other CTAs of the cluster: through the SM-to-SM network
    std::vector<RemoteTarget> targets;  // where those bytes land (with a DsmemNetwork)
  };
  std::deque<MioOp> mio;
  uint64_t mio_free_cycle = 0;
  std::deque<LgOp> lg;
  uint64_t lg_free_cycle = 0;  // first cycle the L1 stage can start another instruction
  uint64_t lg_busy_until = 0;  // a line wider than l1.bytes_per_clock holds the L1 stage until then
  std::unordered_map<uint64_t, InFlight> inflight;  // by op id, from the L1 stage to completion
  std::deque<Outgoing> delayed;    // reads and atomics, leaving after the L1 tag pipeline
  std::deque<Outgoing> immediate;  // writes
  struct Awaited {
    uint64_t op_id;  // atomics and TMA reads: the op to answer; reads are matched through the L1's MSHRs
    bool answers_op;
    bool bypasses_l1;
    bool l2_only;
  };
  std::unordered_map<uint64_t, Awaited> awaited;  // by packet id: reads and atomics sent
  uint64_t unacked_writes = 0;
  std::priority_queue<Completion, std::vector<Completion>, std::greater<>> completions;
  std::vector<Completion> ordered_completions;  // complete_in_order_at's FIFO: [ordered_head, end)
  size_t ordered_head = 0;
  std::vector<uint64_t> completed;
  uint64_t next_op_id = 1, next_packet_id = 1, sequence = 0;
  int reserved_mio = 0, reserved_lg = 0;  // places held for ops submitted at the commit phase
  MemoryPartitions::Staged staged;        // packets injected this cycle, not yet at the slices
  SmMemStats stats;
  DsmemPort dsmem;  // distributed shared memory (clusters)
  DsmemNetwork* network = nullptr;
  // Sends to peers and bank work for peers found in this cycle's tick, handed to the network in
  // the serial commit phase (flush_requests), so that a tick touches only this SM's state.
  struct StagedRemote {
    uint64_t token, cycle;
    DsmemPort::Send sent;
    std::vector<RemoteTarget> targets;
  };
  std::vector<StagedRemote> staged_remote;
  struct StagedBankWork {
    int sm;
    uint64_t arrival;
    int wavefronts;
  };
  std::vector<StagedBankWork> staged_bank_work;
  std::unordered_map<uint64_t, std::vector<int>> multicast_peer_sms;  // by TMA op id: peer SMs its fills land on
  std::vector<isa::MemAccess> scratch_remote;  // remote_targets' per-peer accesses
  SharedWavefrontMemo wavefront_memo;  // shared_wavefronts_affine's answers by shape
};

}  // namespace gpusim::sim
