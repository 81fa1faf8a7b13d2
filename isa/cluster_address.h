// Shared::cluster addresses for the instructions that reach other CTAs of a cluster (mapa,
// multicast bulk copies). The encoding is kClusterRankShift's (isa/launch_state.h).
#pragma once

#include <cstdint>

#include "isa/launch_state.h"

namespace gpusim::isa {

class ExecContext;

// The shared::cluster address of `shared_addr`'s offset in the cluster's CTA `rank`; faults
// (naming `lane`'s place) when the cluster has no such CTA.
uint64_t cluster_address(ExecContext& ctx, uint64_t shared_addr, uint32_t rank, unsigned lane);

// The cluster rank whose shared memory holds `shared_addr`: the rank bits of a shared::cluster
// address, `own_rank` for an address without them (getctarank, st.async, red.async).
inline uint64_t owning_cluster_rank(uint64_t shared_addr, uint32_t own_rank) {
  const uint64_t tag = shared_addr >> kClusterRankShift;  // 0: the CTA's own window, else rank + 1
  return tag == 0 ? own_rank : tag - 1;
}

}  // namespace gpusim::isa
