#include "sim/cluster_dispatch.h"

#include <algorithm>

namespace gpusim::sim {

std::vector<std::vector<int>> gpc_layout(const GpuConfig& config) {
  std::vector<std::vector<int>> gpcs;
  if (config.cluster_gpcs <= 0) return gpcs;
  const int tpcs = config.num_sms / 2;
  // A chip scaled down with --set sm.count keeps at least one TPC per GPC: fewer GPCs, not an error.
  const int n = std::max(1, std::min(config.cluster_gpcs, tpcs));
  int sm = 0;
  for (int g = 0; g < n; ++g) {
    const int gpc_tpcs = tpcs / n + (g < tpcs % n ? 1 : 0);
    std::vector<int> sms;
    for (int i = 0; i < 2 * gpc_tpcs; ++i) sms.push_back(sm++);
    if (g == n - 1)
      while (sm < config.num_sms) sms.push_back(sm++);  // an odd SM without a TPC partner
    gpcs.push_back(std::move(sms));
  }
  return gpcs;
}

int max_active_clusters(const GpuConfig& config, int ctas_per_sm, int cluster_ctas) {
  if (cluster_ctas <= 0 || ctas_per_sm <= 0) return 0;
  int total = 0;
  for (const std::vector<int>& gpc : gpc_layout(config))
    total += static_cast<int>(gpc.size()) * ctas_per_sm / cluster_ctas;
  return total;
}

std::vector<int> place_cluster(const std::vector<int>& room, int cluster_ctas, size_t first) {
  std::vector<int> left = room;
  std::vector<int> where;
  const size_t n = left.size();
  if (n == 0) return where;
  int total = 0;
  for (int r : left) total += std::max(r, 0);
  if (total < cluster_ctas) return where;
  while (static_cast<int>(where.size()) < cluster_ctas) {
    for (size_t k = 0; k < n && static_cast<int>(where.size()) < cluster_ctas; ++k) {
      const size_t i = (first + k) % n;
      if (left[i] <= 0) continue;
      --left[i];
      where.push_back(static_cast<int>(i));
    }
  }
  return where;
}

}  // namespace gpusim::sim
