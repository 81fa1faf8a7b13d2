// Shared::cluster addresses for the instructions that reach other CTAs of a cluster (mapa,
// multicast bulk copies). The encoding is kClusterRankShift's (isa/launch_state.h).
#pragma once

#include <cstdint>

namespace gpusim::isa {

class ExecContext;

// The shared::cluster address of `shared_addr`'s offset in the cluster's CTA `rank`; faults
// (naming `lane`'s place) when the cluster has no such CTA.
uint64_t cluster_address(ExecContext& ctx, uint64_t shared_addr, uint32_t rank, unsigned lane);

}  // namespace gpusim::isa
