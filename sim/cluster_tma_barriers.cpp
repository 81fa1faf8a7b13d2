#include "sim/cluster_tma_barriers.h"

#include <algorithm>
#include <stdexcept>

namespace gpusim::sim {

void ClusterTmaBarriers::add(int sm, uint64_t token, uint64_t cta, uint64_t mbar, unsigned parity) {
  const Key key{cta, mbar, parity & 1u};
  barriers_[key].in_flight += 1;
  tokens_.emplace(std::make_pair(sm, token), key);
}

void ClusterTmaBarriers::complete(int sm, uint64_t token, uint64_t cycle) {
  if (tokens_.empty()) return;  // the common case: every memory completion of a cluster SM asks
  const auto [first, last] = tokens_.equal_range({sm, token});
  for (auto t = first; t != last; ++t) {
    auto b = barriers_.find(t->second);
    if (b == barriers_.end() || b->second.in_flight == 0)
      throw std::logic_error("TMA: a multicast copy completed on a peer barrier with no copy in flight");
    b->second.in_flight -= 1;
    b->second.arrived = std::max(b->second.arrived, cycle);
  }
  tokens_.erase(first, last);
}

TmaBarriers::Readiness ClusterTmaBarriers::of(uint64_t cta, uint64_t mbar, unsigned parity) const {
  auto b = barriers_.find(Key{cta, mbar, parity & 1u});
  if (b == barriers_.end()) return {};
  return {b->second.in_flight > 0, b->second.arrived};
}

}  // namespace gpusim::sim
