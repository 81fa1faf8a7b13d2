#include "runtime/cluster_launch.h"

#include <stdexcept>
#include <string>

namespace gpusim::runtime {

namespace {
constexpr uint64_t kMaxClusterCtas = 16;  // non-portable maximum on sm_90 (8 portable)
}  // namespace

namespace {
// The shape a launch (or an occupancy query) of `kernel` uses given the shape it asks for
// (`asked`; count <= 1: none) and the compile-time one (`required`; x == 0: none), with every
// check that does not involve the grid.
Dim3 checked_shape(const std::string& kernel, const Dim3& asked, const Dim3& required, bool explicit_cluster) {
  Dim3 c = asked;
  const bool attribute = c.count() > 1;
  if (required.x != 0) {
    if (attribute && (c.x != required.x || c.y != required.y || c.z != required.z))
      throw ClusterShapeError("cluster dimension " + isa::dims_text(c) + " for " + kernel + " contradicts its compile-time cluster shape " +
                  isa::dims_text(required) + " (.reqnctapercluster)");
    c = required;
  }
  if (c.x == 0 || c.y == 0 || c.z == 0) throw ClusterShapeError("cluster dimension " + isa::dims_text(c) + " for " + kernel + " has a zero");
  if (explicit_cluster && !attribute && required.x == 0)
    throw ClusterShapeError(kernel + " is compiled for cluster launches (.explicitcluster) but was launched without a cluster dimension");
  if (c.count() > kMaxClusterCtas)
    throw ClusterShapeError("cluster dimension " + isa::dims_text(c) + " for " + kernel + " has " + std::to_string(c.count()) +
                " CTAs; at most 16 are allowed");
  return c;
}
}  // namespace

Dim3 launch_cluster_shape(const isa::Function& fn, const LaunchConfig& cfg) {
  const std::string kernel = "'" + fn.name + "'";
  const Dim3 c = checked_shape(kernel, cfg.cluster, {fn.required_cluster[0], fn.required_cluster[1], fn.required_cluster[2]},
                               fn.explicit_cluster);
  if (cfg.grid.x % c.x || cfg.grid.y % c.y || cfg.grid.z % c.z)
    throw ClusterShapeError("grid " + isa::dims_text(cfg.grid) + " of " + kernel + " is not a whole number of clusters " + isa::dims_text(c));
  return c;
}

Dim3 occupancy_cluster_shape(const std::string& kernel, const Dim3& required, const Dim3& asked, const Dim3& set_at_run_time,
                             bool non_portable) {
  const Dim3 c = checked_shape("'" + kernel + "'", with_run_time_cluster(asked, set_at_run_time, kernel), required, false);
  if (c.count() <= 1)
    throw ClusterShapeError("'" + kernel + "' has no cluster shape: give a cluster dimension attribute in the launch "
                            "configuration, or compile it with __cluster_dims__");
  if (c.count() > kPortableClusterCtas && !non_portable)
    throw ClusterShapeError("clusters of " + std::to_string(c.count()) + " CTAs for '" + kernel + "': more than the portable " +
                            std::to_string(kPortableClusterCtas) +
                            " need the kernel's non-portable cluster size attribute, as its launch would");
  return c;
}

Dim3 with_run_time_cluster(const Dim3& launch_cluster, const Dim3& set_at_run_time, const std::string& kernel) {
  const Dim3& r = set_at_run_time;
  const int set = (r.x != 0) + (r.y != 0) + (r.z != 0);
  if (set == 0) return launch_cluster;
  if (set != 3)
    throw ClusterShapeError("the cluster shape " + isa::dims_text(r) + " set for '" + kernel +
                            "' with cudaFuncAttributeRequiredClusterWidth/Height/Depth needs all three set (or all 0)");
  const Dim3& c = launch_cluster;
  if (c.count() > 1 && (c.x != r.x || c.y != r.y || c.z != r.z))
    throw ClusterShapeError("cluster dimension " + isa::dims_text(c) + " for '" + kernel + "' contradicts the cluster shape " + isa::dims_text(r) +
                            " set with cudaFuncAttributeRequiredClusterWidth/Height/Depth");
  return r;
}

void set_run_time_cluster(Dim3& set_at_run_time, unsigned axis, int value, const Dim3& compile_time,
                          const std::string& kernel, const std::string& what) {
  if (compile_time.x != 0)
    throw RunTimeClusterNotPermitted(what + " for '" + kernel + "': its cluster shape " + isa::dims_text(compile_time) +
                                     " is fixed at compile time (__cluster_dims__, .reqnctapercluster)");
  if (value < 0) throw std::invalid_argument(what + " for '" + kernel + "': " + std::to_string(value) + " is negative");
  (axis == 0 ? set_at_run_time.x : axis == 1 ? set_at_run_time.y : set_at_run_time.z) = static_cast<uint32_t>(value);
}

}  // namespace gpusim::runtime
