// Thread-block clusters in the timing model (sm_90): the GPCs that SMs belong to, how many
// clusters of a kernel fit on the chip at once, and where the CTAs of one cluster go. A cluster's
// CTAs are dispatched together, all or none, onto SMs of one GPC (CUDA Programming Guide,
// "Thread Block Clusters": "guaranteed to be co-scheduled on a GPU Processing Cluster").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/gpu_config.h"

namespace gpusim::sim {

// The SMs of each GPC: cluster.gpcs GPCs, SMs numbered GPC after GPC, the TPCs (pairs of SMs)
// split as evenly as possible with the first GPCs taking the extra ones (an odd last SM goes to
// the last GPC). A chip with fewer TPCs than cluster.gpcs (sm.count lowered by --set) gets one
// GPC per TPC. Empty when the configuration has no GPCs (cluster.gpcs = 0).
std::vector<std::vector<int>> gpc_layout(const GpuConfig& config);

// cudaOccupancyMaxActiveClusters: clusters of `cluster_ctas` CTAs that can be resident at once
// when `ctas_per_sm` CTAs fit on one SM. A cluster's CTAs may share an SM, so a GPC of S SMs
// holds floor(S x ctas_per_sm / cluster_ctas) of them. 0 when no GPC can hold one.
int max_active_clusters(const GpuConfig& config, int ctas_per_sm, int cluster_ctas);

// Places one cluster: `room[i]` is how many more CTAs SM `sms[i]` of a GPC can take now. Fills
// the SMs round-robin, one CTA per SM per pass (spreading the cluster), starting at SM index
// `first`. Returns the SM (index into `sms`) of each CTA in rank order, or an empty vector when
// the GPC cannot hold all `cluster_ctas` CTAs now (all or nothing).
std::vector<int> place_cluster(const std::vector<int>& room, int cluster_ctas, size_t first);

}  // namespace gpusim::sim
