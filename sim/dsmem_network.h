// Distributed shared memory, the receiving side (sm_90 clusters): what a cluster peer's remote
// shared access (ld/st/atom.shared::cluster) or a multicast bulk copy does to the SM it lands on.
// The sending side is sim/dsmem_port.h.
//
// Each SM has a receive port that takes cluster.dsmem_receive_bytes_per_clock (0: the send rate)
// per core cycle. Peers that send to one SM share it, so k senders to one peer take ~k times as
// long as k senders to k peers (tests/sim/dsmem_fanin_test.cpp). A delivery holds the port for
// max(bytes / rate, its bank passes at the receiver); the bank passes are priced by the
// receiver's shared-memory bank model and also hold the receiver's banks, so its own LDS/STS
// start later (like a TMA fill). Not modelled: a remote access waiting for the receiver's own
// LDS/STS (its future bank use is unknown when the sender books), and the network between GPC
// SMs (one hop, a fixed latency).
//
// One record per GPU. It is written only in the serial commit phase (SmMemoryPipeline's
// flush_requests, SM order), and an SM reads its own inbox in its tick; a delivery posted at
// cycle c arrives at c + 1 at the earliest, so no SM sees a post of the cycle it ticks in, and
// the result is the same whatever the order or threads SMs tick in.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "sim/gpu_config.h"

namespace gpusim::sim {

class DsmemNetwork {
 public:
  explicit DsmemNetwork(const GpuConfig& config);

  // A new launch: CTA ids start over, ports are free, no delivery is under way.
  void clear();
  // The CTA with linear id `cta` (of a cluster) runs on SM `sm`.
  void place(uint64_t cta, int sm);
  // The SM the cluster CTA `cta` runs on; throws when it was never placed.
  int sm_of(uint64_t cta) const;

  // Cycles a delivery of `bytes` needing `wavefronts` bank passes holds a receive port.
  uint64_t receive_cycles(uint32_t bytes, int wavefronts) const;
  // Books SM `sm`'s receive port for such a delivery whose first byte left its sender at `sent`;
  // returns the cycle the port starts taking it (>= sent).
  uint64_t book_receive(int sm, uint64_t sent, uint32_t bytes, int wavefronts);
  // `wavefronts` bank passes reach SM `sm`'s shared memory at `arrival`.
  void post_bank_work(int sm, uint64_t arrival, int wavefronts);
  bool has_bank_work(int sm) const { return !inbox_.at(size_t(sm)).empty(); }
  // Hands SM `sm` the bank work that has arrived by `cycle`, in arrival (then posting) order.
  void take_bank_work(int sm, uint64_t cycle, const std::function<void(uint64_t arrival, int wavefronts)>& apply);

 private:
  struct BankWork {
    uint64_t arrival, sequence;
    int wavefronts;
    bool operator>(const BankWork& o) const { return std::pair(arrival, sequence) > std::pair(o.arrival, o.sequence); }
  };
  void check_sm(int sm, const char* what) const;

  const GpuConfig& config_;
  std::unordered_map<uint64_t, int> sm_of_cta_;
  std::vector<uint64_t> receive_free_;  // per SM: first cycle its receive port is free
  std::vector<std::priority_queue<BankWork, std::vector<BankWork>, std::greater<>>> inbox_;
  uint64_t sequence_ = 0;
};

}  // namespace gpusim::sim
