// Types shared by the timing model's parts: stall reasons (Nsight Compute's names), the warp
// memory operation an SM core hands to its memory pipeline, the packets between an SM and the
// memory partitions, and the observer interface through which a tracer or stepper watches.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/affine_access.h"
#include "isa/exec_context.h"
#include "isa/ir.h"
#include "sim/sm_fanout.h"

namespace gpusim::isa {
struct ClusterState;  // isa/launch_state.h
}  // namespace gpusim::isa

namespace gpusim::sim {

// Why a warp did not issue in a cycle (Selected = it issued). Names as Nsight Compute uses them.
enum class StallReason : uint8_t {
  Selected,
  LongScoreboard,    // waiting on a global/local (L1TEX) load result
  ShortScoreboard,   // waiting on an MIO result: shared memory, SFU, shuffles
  Wait,              // waiting on a fixed-latency result (ALU, FMA, FP64, tensor)
  Barrier,           // waiting at bar.sync for the rest of the CTA
  MioThrottle,       // the MIO (shared memory) queue is full
  LgThrottle,        // the LG (global/local) queue is full
  MathPipeThrottle,  // the functional unit it needs is busy
  NotSelected,       // eligible, but the scheduler picked another warp
  NoInstruction,     // instruction buffer empty (after a taken branch / at start)
  DispatchStall,     // register-bank conflict held the dispatch
  Sleeping,          // nanosleep
  Count
};
const char* stall_reason_name(StallReason r);  // "long_scoreboard", ...

// Functional-unit pipelines of a sub-core (the MIO/LSU path is the memory pipeline).
enum class Pipe : uint8_t { Fp32, Int, Fp64, Sfu, Tensor, Mem, Branch, Count };
const char* pipe_name(Pipe p);

// A warp memory instruction, executed functionally at issue; its timing is modelled here.
struct WarpMemOp {
  uint64_t token = 0;                    // the issuing sub-core's handle for completion
  isa::Opcode op = isa::Opcode::Count;
  bool load = false, store = false, atomic = false;
  bool l2_only = false;  // ld/cp.async .cg/.cv: global loads bypass the L1 (neither hit nor fill it)
  bool no_answer = false;  // an atom timed as RED (InstTiming::result_unread): done once sent
  uint32_t active_lanes = 0;
  std::vector<isa::MemAccess> accesses;  // resolved state spaces (shared/global/local/param/const)
  // Instead of `accesses` (then empty), a plain shared or global load/store in one record; only
  // the memory pipeline's submit reads it (observers, bulk copies and cluster ops get `accesses`).
  isa::AffineAccess affine;
  // The issuing CTA belongs to a cluster of several CTAs and has this %cluster_ctarank: its
  // shared::cluster accesses to other ranks go through the SM-to-SM network (sim/dsmem_port.h).
  bool cluster = false;
  uint32_t cluster_rank = 0;
  const isa::ClusterState* cluster_state = nullptr;  // its CTAs by rank: which SM a remote access lands on
};

// A request or response between an SM's L1 and the memory partitions (interconnect, L2, DRAM).
struct MemPacket {
  enum class Kind : uint8_t { Read, Write, Atomic };
  uint64_t id = 0;          // unique per sender
  int sm = 0;
  Kind kind = Kind::Read;
  uint64_t line_address = 0;
  uint32_t sector_mask = 0;  // sectors of the line
  uint32_t bytes = 0;        // payload bytes crossing the link (data, not headers)
  uint64_t ready_ps = 0;     // earliest time the receiver may take it
  // A multicast read: every SM named here receives the reply over its own response port (the L2
  // reads it once); `sm` still gets the answer that completes its request. Empty: only `sm`.
  SmFanout fanout;
};

// Observers see what happens each cycle. The model calls them only when one is attached, so an
// un-observed simulation pays nothing beyond a null check.
class SimObserver {
 public:
  virtual ~SimObserver() = default;
  virtual void on_issue(uint64_t cycle, int sm, int subcore, int warp, uint32_t pc, const isa::Instruction& inst,
                        uint32_t active_mask) {}
  virtual void on_stall(uint64_t cycle, int sm, int subcore, int warp, StallReason reason) {}
  virtual void on_unit_busy(uint64_t cycle, int sm, int subcore, Pipe pipe, uint32_t busy_cycles) {}
  virtual void on_mem_request(uint64_t cycle, int sm, const MemPacket& p, const char* level) {}
  virtual void on_mem_response(uint64_t cycle, int sm, const MemPacket& p, const char* level) {}
  virtual void on_cta(uint64_t cycle, int sm, uint64_t cta_linear_id, bool started) {}
  // Timelines and per-line counters (issue 11): the start of every core cycle, the instruction a
  // stalled warp waits at (nullptr past the function's end), each warp memory operation with the
  // instruction that made it, and an SM's MIO/LG queue depths after its cycle.
  virtual void on_core_cycle(uint64_t cycle) {}
  virtual void on_warp_stall(uint64_t cycle, int sm, int subcore, int warp, StallReason reason, const isa::Instruction* waiting_at) {}
  virtual void on_warp_mem_op(uint64_t cycle, int sm, int subcore, int warp, const isa::Instruction& inst, const WarpMemOp& op) {}
  virtual void on_sm_queues(uint64_t cycle, int sm, int mio_depth, int lg_depth) {}
};

}  // namespace gpusim::sim
