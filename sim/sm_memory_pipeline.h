// An SM's memory pipeline: the MIO queue feeding shared memory (32 banks, conflicts serialise)
// and the LG queue feeding the L1 data cache (coalescing into sectors, MSHRs, write-through
// without allocate), with misses, stores and atomics sent to the MemoryPartitions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/memory_partitions.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

class DsmemNetwork;

struct SmMemStats {
  // Bank conflicts = wavefronts - ideal wavefronts: the ideal is the conflict-free minimum of the
  // access (one per phase: a 16-byte-per-lane access or an ldmatrix.x4 needs four without any
  // conflict), as Nsight Compute counts "extra wavefronts", not one per request.
  uint64_t shared_requests = 0, shared_wavefronts = 0, shared_ideal_wavefronts = 0;
  uint64_t global_load_requests = 0, global_store_requests = 0, atomic_requests = 0;
  uint64_t local_requests = 0;
  uint64_t l1_sectors_requested = 0;                     // every L1 sector asked for (loads, stores, local)
  // Sectors of global loads alone: sectors/request = this / global_load_requests, the coalescing
  // figure of the tutorial (stores and local memory, which nvcc uses for spilled or dynamically
  // indexed arrays, used to be mixed in and gave 6 for a stride-2 load that needs 8).
  uint64_t global_load_sectors = 0;
  // Sectors of global stores: per store request 4 when a warp's 32 words are consecutive, 32 when
  // each lane writes its own sector (a naive transpose's stores).
  uint64_t global_store_sectors = 0;
  uint64_t l1_read_sector_hits = 0, l1_read_sector_misses = 0;
  uint64_t mio_full_cycles = 0, lg_full_cycles = 0;
  // Distributed shared memory (clusters): instructions that reached another CTA's shared memory
  // through the SM-to-SM network, and the bytes they moved.
  uint64_t dsmem_requests = 0, dsmem_bytes = 0;
  // The receiving side: remote accesses and multicast fills from cluster peers that landed in this
  // SM's shared memory, and the bank passes they took here (conflicts = wavefronts - requests for
  // instructions; a fill takes one pass per banks x width bytes).
  uint64_t dsmem_received_requests = 0, dsmem_received_wavefronts = 0;
};

class SmMemoryPipeline {
 public:
  enum class Queue { Mio, Lg };

  // `network`: the GPU's distributed shared memory network (the receiving SMs' ports and banks),
  // or null (a pipeline on its own: remote shared accesses see only this SM's send port).
  SmMemoryPipeline(int sm_id, const GpuConfig& config, MemoryPartitions& memory, SimObserver* observer,
                   DsmemNetwork* network = nullptr);
  ~SmMemoryPipeline();
  SmMemoryPipeline(const SmMemoryPipeline&) = delete;
  SmMemoryPipeline& operator=(const SmMemoryPipeline&) = delete;

  // Per launch: the bytes of the unified L1/shared array given to shared memory (carve-out);
  // the rest is L1 data cache. Invalidates L1 contents.
  void configure(int shared_carveout_bytes);

  // Shared-memory ops (and shuffles, which use the same crossbar) go to the MIO queue; global,
  // local, param, const and atomics go to the LG queue.
  static Queue queue_for(const WarpMemOp& op);
  // The same rule from what a pass over the accesses found (any at all; all of them shared).
  static Queue queue_for(bool any_access, bool all_shared, isa::Opcode op) {
    return (any_access && all_shared) || op == isa::Opcode::Shfl ? Queue::Mio : Queue::Lg;
  }
  // Kernel parameters and __constant__ data are read from the SM's constant cache: cycles from
  // issue to a result for a warp reading `distinct_addresses` different addresses (one hit, then
  // one more cycle per further address, serialised). __constant__ reads do not enter the queues
  // (the sub-core times them itself; ptxas folds most into the using instruction's operands).
  static uint64_t constant_read_cycles(size_t distinct_addresses);
  bool can_accept(Queue q) const;
  int queue_depth(Queue q) const;  // instructions waiting in the queue (tracing)
  static size_t queue_capacity();  // of each queue (inspection)
  // The line of `address` as this SM's L1 holds it; nullopt when the SM has no L1 data cache.
  std::optional<CacheLineState> l1_line(uint64_t address) const;
  // Reads `op` (its accesses are priced and coalesced here); the caller may reuse it afterwards.
  void submit(const WarpMemOp& op, uint64_t cycle);
  // The same when the caller already knows queue_for(op) (the sub-core finds it while reading the trace).
  void submit(const WarpMemOp& op, Queue q, uint64_t cycle);
  // A bulk copy (cp.async.bulk{.tensor}) for the SM's TMA unit (sim/tma_unit.h): its global
  // accesses become line requests straight to the L2; `op.token` completes when the last answer
  // is back (reads) or the last write has left. Never refused (the unit queues without limit).
  void submit_bulk(WarpMemOp op, uint64_t cycle);
  // The shared-memory banks are busy for `wavefronts` cycles from `cycle` on with a read that is
  // not a warp memory op (wgmma's descriptor operands): later MIO ops start after it.
  void occupy_shared_banks(uint64_t cycle, int wavefronts);
  // Holds (+1) or gives back (-1) a place in a queue for an op that a sub-core has chosen to
  // issue but submits later in the same cycle (after the cycle's commit phase, see sm_core.h);
  // can_accept counts held places as taken.
  void reserve(Queue q, int delta);

  // One core clock edge (cycle number and simulated time). Touches only this SM's state and its
  // own interconnect port: packets it sends are staged until flush_requests. Returns whether
  // completions wait for take_completed (most cycles none: the caller skips that call).
  bool tick(uint64_t cycle, uint64_t now_ps);
  // Hands the packets staged this cycle to the memory partitions, and the sends to cluster peers
  // to the DsmemNetwork (the serial commit phase).
  void flush_requests(uint64_t now_ps);
  // The staged commit's way instead (MemoryPartitions::begin_l2_round): the L2 round reads the
  // staged packets while this SM's own thread marks them handed off; the SM forgets them at the
  // start of its next tick (before anything else of it runs), so the round only reads.
  const MemoryPartitions::Staged& staged_packets() const;
  void mark_packets_handed_off();
  void forget_handed_off_packets();
  // Tokens of ops that completed: loads and atomics when their data is back in the register
  // file, stores when they have left the SM's queue.
  std::vector<uint64_t> take_completed();
  // The same into `out` (cleared first): buffers swap, so a caller that keeps `out` allocates nothing.
  void take_completed(std::vector<uint64_t>& out);
  bool idle() const;
  bool off_chip_idle() const;  // no global, local or bulk operation in flight (shared ones may be)

  const SmMemStats& stats() const;
  void reset_stats();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpusim::sim
