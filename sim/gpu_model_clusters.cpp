// GpuModel's thread-block cluster dispatch (sm_90): whole clusters onto the SMs of one GPC.
#include <stdexcept>
#include <string>

#include "isa/exec_context.h"
#include "sim/cluster_dispatch.h"
#include "sim/gpu_model.h"

namespace gpusim::sim {

namespace {
std::string dims(const isa::Dim3& d) {
  return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
}
}  // namespace

void GpuModel::begin_clusters() {
  live_clusters_.clear();
  clusters_ = launch_->cluster.count() > 1;
  if (!clusters_) return;
  const std::string kernel = "'" + launch_->kernel->name + "'";
  const int n = static_cast<int>(launch_->cluster.count());
  gpcs_ = gpc_layout(config_);
  if (gpcs_.empty())
    throw std::runtime_error("kernel " + kernel + " is launched with clusters " + dims(launch_->cluster) + " but " +
                             config_.name + " has no thread-block clusters (cluster.gpcs = 0; clusters need an "
                             "sm_90 chip such as configs/h100.ini)");
  if (n > config_.cluster_max_ctas)
    throw std::runtime_error("kernel " + kernel + ": cluster " + dims(launch_->cluster) + " has " + std::to_string(n) +
                             " CTAs, more than the " + std::to_string(config_.cluster_max_ctas) + " that " +
                             config_.name + " co-schedules (cluster.max_ctas)");
  if (max_active_clusters(config_, occupancy_.ctas_per_sm, n) == 0) {
    size_t largest = 0;
    for (const auto& gpc : gpcs_) largest = std::max(largest, gpc.size());
    throw std::runtime_error("kernel " + kernel + ": a cluster of " + std::to_string(n) + " CTAs cannot be resident "
                             "on one GPC of " + config_.name + ": its largest GPC has " + std::to_string(largest) +
                             " SMs x " + std::to_string(occupancy_.ctas_per_sm) + " CTA(s) per SM (limited by " +
                             limiter_name(occupancy_.limiter) + ")");
  }
  next_gpc_ = 0;
  gpc_next_sm_.assign(gpcs_.size(), 0);
  progress_cycle_ = cycle_;
  progress_instructions_ = UINT64_MAX;  // the first check records the start
}

// Warps that wait at barrier.cluster.wait for threads that can never arrive (held at a CTA
// barrier, say) issue nothing and would hold the simulation forever. A cluster launch in which no
// warp issues, sleeps (nanosleep) or has memory in flight for this many cycles is reported as
// that deadlock.
constexpr uint64_t kClusterStallCycles = 100000;

void GpuModel::check_cluster_progress() {
  uint64_t sleeping = 0;
  for (const auto& sm : sms_) sleeping += sm->stats().stall_warp_cycles[static_cast<size_t>(StallReason::Sleeping)];
  const uint64_t progress = launch_->warp_instructions + sleeping;
  if (progress != progress_instructions_ || !memory_->idle()) {
    progress_instructions_ = progress;
    progress_cycle_ = cycle_;
    return;
  }
  if (cycle_ - progress_cycle_ < kClusterStallCycles) return;
  throw isa::ExecError("kernel '" + launch_->kernel->name + "': no warp has issued an instruction for " +
                           std::to_string(kClusterStallCycles) + " cycles; warps wait at barrier.cluster.wait for "
                           "threads of their cluster that cannot arrive (barrier deadlock)",
                       isa::FaultKind::Barrier);
}

// Hands out clusters in cluster-id order (x fastest), each to the first GPC, round-robin from the
// one after the last hand-out, whose SMs can take all its CTAs now; an SM that took a CTA less
// than launch.cta_dispatch_interval_cycles ago takes none (a cluster's CTAs go out together).
void GpuModel::dispatch_clusters() {
  const uint64_t n = launch_->cluster.count();
  const uint64_t interval = static_cast<uint64_t>(config_.cta_dispatch_interval_cycles);
  size_t failed = 0;
  while (failed < gpcs_.size() && next_cta_ + n <= dispatch_end()) {
    const size_t g = next_gpc_;
    next_gpc_ = (g + 1) % gpcs_.size();
    const std::vector<int>& sms = gpcs_[g];
    std::vector<int> room(sms.size());
    for (size_t i = 0; i < sms.size(); ++i) {
      const size_t sm = static_cast<size_t>(sms[i]);
      const bool waiting = sm_dispatched_[sm] && cycle_ < sm_last_dispatch_[sm] + interval;
      room[i] = waiting ? 0 : sms_[sm]->cta_room();
    }
    const std::vector<int> where = place_cluster(room, static_cast<int>(n), gpc_next_sm_[g]);
    if (where.empty()) {
      ++failed;
      continue;
    }
    failed = 0;
    gpc_next_sm_[g] = (static_cast<size_t>(where.back()) + 1) % sms.size();
    launch_cluster(sms, where);
  }
}

void GpuModel::launch_cluster(const std::vector<int>& gpc_sms, const std::vector<int>& where) {
  const isa::Dim3 c = launch_->cluster;
  const isa::Dim3& g = launch_->grid;
  const uint64_t id = next_cta_ / c.count();  // cluster id, x fastest
  const uint64_t per_x = g.x / c.x, per_y = g.y / c.y;
  const uint32_t cx = static_cast<uint32_t>(id % per_x), cy = static_cast<uint32_t>(id / per_x % per_y),
                 cz = static_cast<uint32_t>(id / (per_x * per_y));
  LiveCluster live;
  live.state = std::make_unique<isa::ClusterState>();
  isa::ClusterState* state = live.state.get();
  std::vector<std::unique_ptr<isa::CtaState>> ctas;
  for (uint32_t z = 0; z < c.z; ++z)
    for (uint32_t y = 0; y < c.y; ++y)
      for (uint32_t x = 0; x < c.x; ++x) {
        auto cta = std::make_unique<isa::CtaState>(*launch_, isa::Dim3{cx * c.x + x, cy * c.y + y, cz * c.z + z});
        cta->cluster = state;
        cta->cluster_rank = static_cast<uint32_t>(ctas.size());
        state->ctas.push_back(cta.get());
        ctas.push_back(std::move(cta));
      }
  live_clusters_.emplace(state, std::move(live));
  for (size_t r = 0; r < ctas.size(); ++r) {
    const size_t sm = static_cast<size_t>(gpc_sms[static_cast<size_t>(where[r])]);
    const uint64_t linear = ctas[r]->linear_id;
    sm_dispatched_[sm] = true;
    sm_last_dispatch_[sm] = cycle_;
    dsmem_network_.place(linear, static_cast<int>(sm));
    sms_[sm]->add_cta(std::move(ctas[r]), cycle_);
    sm_used_[sm] = true;
    if (observer_) observer_->on_cta(cycle_, static_cast<int>(sm), linear, true);
  }
  next_cta_ += c.count();
}

// Retired cluster CTAs come back from their SMs; a cluster is freed with its last one.
void GpuModel::collect_retired_clusters() {
  for (auto& sm : sms_) {
    for (std::unique_ptr<isa::CtaState>& cta : sm->take_retired_cluster_ctas()) {
      auto it = live_clusters_.find(cta->cluster);
      if (it == live_clusters_.end())
        throw std::logic_error("GPU model: a retired CTA names a cluster that is not live");
      it->second.retired.push_back(std::move(cta));
      if (it->second.retired.size() == it->second.state->ctas.size()) live_clusters_.erase(it);
    }
  }
}

}  // namespace gpusim::sim
