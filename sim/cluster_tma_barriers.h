// Bulk copies whose complete_tx lands on the mbarrier of *another* CTA of the cluster: multicast
// copies (cp.async.bulk{.tensor}...multicast::cluster, one copy into every CTA its ctaMask names)
// and shared::cluster destinations in a peer CTA. The issuing SM's TMA reads the global bytes once;
// each destination CTA's barrier phase is ready, in model time, when the issuing SM's last answer
// is back (docs/PERFORMANCE.md, "Hopper timing": the L2's answers are fanned out to the cluster's
// SMs inside the GPC, so every destination receives them together with the issuer).
//
// One record per GPU, shared by its SMs: the destination CTA may sit on another SM than the
// issuer. Only cluster launches use it, and those tick their SMs on one thread in SM order
// (gpu_model.cpp), so the record is touched deterministically. Keyed like TmaBarriers (per
// mbarrier phase parity), but by the destination CTA's linear id and the issuing SM's token.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "sim/tma_unit.h"

namespace gpusim::sim {

class ClusterTmaBarriers {
 public:
  // Copy `token` of SM `sm` completes transactions on phase `parity` of the mbarrier at `mbar` of
  // the CTA with linear id `cta`.
  void add(int sm, uint64_t token, uint64_t cta, uint64_t mbar, unsigned parity);
  // SM `sm` finished `token` at `cycle`: its destinations' phases have that many bytes fewer in flight.
  void complete(int sm, uint64_t token, uint64_t cycle);
  TmaBarriers::Readiness of(uint64_t cta, uint64_t mbar, unsigned parity) const;
  bool empty() const { return tokens_.empty() && barriers_.empty(); }
  // A new launch: CTA ids start over.
  void clear() { barriers_.clear(), tokens_.clear(); }

 private:
  struct Key {
    uint64_t cta, mbar;
    unsigned parity;
    auto operator<=>(const Key&) const = default;
  };
  struct Entry {
    uint32_t in_flight = 0;
    uint64_t arrived = 0;
  };
  std::map<Key, Entry> barriers_;
  std::multimap<std::pair<int, uint64_t>, Key> tokens_;  // one copy may reach several CTAs
};

}  // namespace gpusim::sim
