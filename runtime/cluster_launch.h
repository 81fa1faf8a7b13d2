// The thread-block cluster shape of a launch (sm_90): from the launch attribute, else from the
// kernel's .reqnctapercluster, checked against what CUDA allows.
#pragma once

#include <string>

#include "isa/ir.h"
#include "runtime/device.h"

namespace gpusim::runtime {

// A launch whose thread-block cluster shape CUDA refuses (cudaErrorInvalidClusterSize,
// CUDA_ERROR_INVALID_CLUSTER_SIZE).
class ClusterShapeError : public Error {
 public:
  using Error::Error;
};

// CUDA's portable cluster size: larger clusters (up to 16 CTAs on sm_90) need the kernel's
// cudaFuncAttributeNonPortableClusterSizeAllowed, which the CUDA API layers check; the Device
// interface itself allows the non-portable maximum.
constexpr uint64_t kPortableClusterCtas = 8;

// The cluster shape to run `fn` with under `cfg` ({1,1,1}: no clusters). Throws ClusterShapeError naming
// the problem: a grid that is not a whole number of clusters, more than 16 CTAs per cluster,
// an attribute that contradicts .reqnctapercluster, or an .explicitcluster kernel launched
// without one. In timing mode the GPU model then checks the cluster against the chip (GPCs,
// cluster.max_ctas, co-residency; sim/gpu_model_clusters.cpp).
Dim3 launch_cluster_shape(const isa::Function& fn, const LaunchConfig& cfg);

// The cluster shape an occupancy query (cudaOccupancyMaxActiveClusters, cuOccupancyMaxActiveClusters)
// counts for `kernel`, as its launch would use it: `asked` (the configuration's attribute; count
// <= 1: none) with the shape set at run time applied, else the compile-time `required` one
// (__cluster_dims__). Throws ClusterShapeError where such a launch is refused for its shape
// (contradicting shapes, more than 16 CTAs, more than 8 without `non_portable`) and where there is
// no shape at all (CUDA: the configuration must give one unless the kernel fixes it). The query
// has no grid, so the grid's divisibility is not checked.
Dim3 occupancy_cluster_shape(const std::string& kernel, const Dim3& required, const Dim3& asked, const Dim3& set_at_run_time,
                             bool non_portable);

// The cluster dimension a launch of `kernel` asks for once a shape set at run time is applied
// (cudaFuncSetAttribute(cudaFuncAttributeRequiredClusterWidth/Height/Depth), the driver's
// CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_*; zeros: none set): that shape, when the launch names none
// or the same. Throws ClusterShapeError when only some of the three were set (CUDA: all 0 or all
// positive) or when the launch's attribute names another shape.
Dim3 with_run_time_cluster(const Dim3& launch_cluster, const Dim3& set_at_run_time, const std::string& kernel);

// Sets `axis` (0 width, 1 height, 2 depth: the attributes' order in both APIs) of the shape set at
// run time to `value`, for the API call `what`. Refused when the kernel's PTX fixes the shape
// (`compile_time`, from __cluster_dims__: CUDA answers cudaErrorNotPermitted, which the caller maps
// from RunTimeClusterNotPermitted) or when negative (std::invalid_argument).
class RunTimeClusterNotPermitted : public Error {
 public:
  using Error::Error;
};
void set_run_time_cluster(Dim3& set_at_run_time, unsigned axis, int value, const Dim3& compile_time,
                          const std::string& kernel, const std::string& what);

}  // namespace gpusim::runtime
