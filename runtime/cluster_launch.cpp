#include "runtime/cluster_launch.h"

#include <stdexcept>
#include <string>

namespace gpusim::runtime {

namespace {
std::string dims(const Dim3& d) {
  return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
}
constexpr uint64_t kMaxClusterCtas = 16;  // non-portable maximum on sm_90 (8 portable)
}  // namespace

Dim3 launch_cluster_shape(const isa::Function& fn, const LaunchConfig& cfg) {
  const std::string kernel = "'" + fn.name + "'";
  Dim3 c = cfg.cluster;
  const bool required = fn.required_cluster[0] != 0;
  const Dim3 req{fn.required_cluster[0], fn.required_cluster[1], fn.required_cluster[2]};
  const bool attribute = c.count() > 1;
  if (required) {
    if (attribute && (c.x != req.x || c.y != req.y || c.z != req.z))
      throw ClusterShapeError("cluster dimension " + dims(c) + " for " + kernel + " contradicts its compile-time cluster shape " +
                  dims(req) + " (.reqnctapercluster)");
    c = req;
  }
  if (c.x == 0 || c.y == 0 || c.z == 0) throw ClusterShapeError("cluster dimension " + dims(c) + " for " + kernel + " has a zero");
  if (fn.explicit_cluster && !attribute && !required)
    throw ClusterShapeError(kernel + " is compiled for cluster launches (.explicitcluster) but was launched without a cluster dimension");
  if (c.count() > kMaxClusterCtas)
    throw ClusterShapeError("cluster dimension " + dims(c) + " for " + kernel + " has " + std::to_string(c.count()) +
                " CTAs; at most 16 are allowed");
  if (cfg.grid.x % c.x || cfg.grid.y % c.y || cfg.grid.z % c.z)
    throw ClusterShapeError("grid " + dims(cfg.grid) + " of " + kernel + " is not a whole number of clusters " + dims(c));
  return c;
}

Dim3 with_run_time_cluster(const Dim3& launch_cluster, const Dim3& set_at_run_time, const std::string& kernel) {
  const Dim3& r = set_at_run_time;
  const int set = (r.x != 0) + (r.y != 0) + (r.z != 0);
  if (set == 0) return launch_cluster;
  if (set != 3)
    throw ClusterShapeError("the cluster shape " + dims(r) + " set for '" + kernel +
                            "' with cudaFuncAttributeRequiredClusterWidth/Height/Depth needs all three set (or all 0)");
  const Dim3& c = launch_cluster;
  if (c.count() > 1 && (c.x != r.x || c.y != r.y || c.z != r.z))
    throw ClusterShapeError("cluster dimension " + dims(c) + " for '" + kernel + "' contradicts the cluster shape " + dims(r) +
                            " set with cudaFuncAttributeRequiredClusterWidth/Height/Depth");
  return r;
}

void set_run_time_cluster(Dim3& set_at_run_time, unsigned axis, int value, const Dim3& compile_time,
                          const std::string& kernel, const std::string& what) {
  if (compile_time.x != 0)
    throw RunTimeClusterNotPermitted(what + " for '" + kernel + "': its cluster shape " + dims(compile_time) +
                                     " is fixed at compile time (__cluster_dims__, .reqnctapercluster)");
  if (value < 0) throw std::invalid_argument(what + " for '" + kernel + "': " + std::to_string(value) + " is negative");
  (axis == 0 ? set_at_run_time.x : axis == 1 ? set_at_run_time.y : set_at_run_time.z) = static_cast<uint32_t>(value);
}

}  // namespace gpusim::runtime
