// The Tensor Memory Accelerator of one SM (cp.async.bulk, cp.async.bulk.tensor), timing side.
//
// The functional model performs a bulk copy, and its complete_tx on the mbarrier, when the
// issuing thread executes it (isa/exec_bulk_copy.cpp, exec_tensor_copy.cpp). The timing model
// hands the copy's global-memory footprint to the SM's TMA unit, which sends it to the L2 as line
// requests (bypassing the L1, as the TMA does) at tma.bytes_per_cycle after
// tma.issue_latency_cycles; the copy completes in model time when the last answer is back (a
// store: when its last write has left). Two records make the completion observable:
//   - TmaRequestQueue: the unit's queue of copies and its request rate (used by SmMemoryPipeline);
//   - TmaBarriers: per CTA, mbarrier and phase, how many copies that complete transactions on it
//     are in flight and when the last one arrived; a warp that executed mbarrier.try_wait/test_wait
//     on that phase stalls until they have arrived (sim/subcore.cpp). See docs/ARCHITECTURE.md,
//     "Hopper timing: wgmma and TMA", for what this approximates.
#pragma once

#include <compare>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "isa/exec_context.h"
#include "sim/sm_fanout.h"

namespace gpusim::sim {

class TmaRequestQueue {
 public:
  struct Request {
    uint64_t line = 0;
    uint32_t sector_mask = 0;
    bool write = false;  // a shared-to-global copy's write; else a read for a global-to-shared copy
    SmFanout fanout;     // a multicast read's receiving SMs (empty: this SM alone)
  };
  // The line requests of a copy's global accesses (sector granularity, in address order).
  static std::vector<Request> requests_of(const std::vector<isa::MemAccess>& accesses, uint32_t line_bytes,
                                          uint32_t sector_bytes);

  TmaRequestQueue(int bytes_per_cycle, int issue_latency_cycles, uint32_t sector_bytes)
      : bytes_per_cycle_(bytes_per_cycle), issue_latency_(issue_latency_cycles), sector_bytes_(sector_bytes) {}

  void push(uint64_t op_id, uint64_t submit_cycle, std::vector<Request> requests);
  // One cycle of the unit: hands requests to `send` (false: no room this cycle) within the byte
  // rate; calls `finished(op_id)` once the last request of a copy was sent.
  void run(uint64_t cycle, const std::function<bool(const Request&, uint64_t op_id)>& send,
           const std::function<void(uint64_t op_id)>& finished);
  bool empty() const { return ops_.empty(); }

 private:
  struct Op {
    uint64_t id = 0, start_cycle = 0;
    std::vector<Request> requests;
    size_t next = 0;
  };
  int bytes_per_cycle_;
  int issue_latency_;
  uint32_t sector_bytes_;
  std::deque<Op> ops_;
  long long credit_ = 0;        // bytes the unit may still send (carried over a line's worth at most)
  uint64_t credited_cycle_ = 0; // last cycle whose rate was added to credit_
};

// Readiness is kept per mbarrier *phase*: a copy's complete_tx counts into the phase that was
// current when it issued, and mbarrier.try_wait.parity on phase p waits only for the copies counted
// into p. PTX names a phase by its parity alone, so phases k and k + 2 share a record (a waiter on k
// would also wait for k + 2's copies if both were in flight at once; a ring reuses a barrier's
// phase only after its consumers released it, so this does not arise there).
class TmaBarriers {
 public:
  struct Readiness {
    bool in_flight = false;   // copies completing transactions on that phase are still in flight
    uint64_t arrived = 0;     // when the last one arrived (0: none)
  };
  // A copy (memory token) that completes transactions on phase parity `parity` of the mbarrier at
  // shared offset `mbar` of CTA slot `cta`.
  void add(uint64_t token, int cta, uint64_t mbar, unsigned parity);
  // The memory pipeline finished `token` at `cycle`. Returns the CTA slot whose barrier phase has no
  // copy left in flight because of it (its waiting warps should look again), or -1.
  int complete(uint64_t token, uint64_t cycle);
  Readiness of(int cta, uint64_t mbar, unsigned parity) const;
  // The CTA retired: forget its barriers.
  void forget_cta(int cta);

 private:
  struct Entry {
    uint32_t in_flight = 0;
    uint64_t arrived = 0;
  };
  struct Key {
    int cta;
    uint64_t mbar;
    unsigned parity;
    auto operator<=>(const Key&) const = default;
  };
  std::map<Key, Entry> barriers_;
  std::unordered_map<uint64_t, Key> tokens_;
};

}  // namespace gpusim::sim
