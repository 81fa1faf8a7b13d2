// Kernel attributes (cudaFuncGetAttributes / cudaFuncSetAttribute) and the occupancy API, from the
// kernel's PTX and ptxas' register count, with the timing model's occupancy rules.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <stdexcept>

#include "runtime/cluster_launch.h"
#include "runtime/cudart/cudart_context.h"
#include "runtime/launch_checks.h"
#include "sim/cluster_dispatch.h"
#include "sim/occupancy.h"

namespace gpusim::cudart {

int max_active_blocks(Context& ctx, const void* func, int block_size, size_t dynamic_shared) {
  KernelRecord& k = ctx.kernel(func);
  const runtime::KernelInfo& info = ctx.kernel_info(k, /*with_registers=*/true);
  if (block_size <= 0) throw ApiError(cudaErrorInvalidValue, "block size must be positive");
  sim::KernelResources r;
  r.threads_per_block = block_size;
  r.registers_per_thread = static_cast<int>(info.registers_per_thread);
  r.static_shared_bytes = static_cast<int>(info.static_shared_bytes);
  r.dynamic_shared_bytes = static_cast<int>(dynamic_shared);
  // A block larger than the kernel allows (its __launch_bounds__, its registers) never launches.
  if (info.max_threads_per_block && uint32_t(block_size) > info.max_threads_per_block) return 0;
  if (info.registers_per_thread &&
      uint32_t(block_size) > runtime::max_threads_for_registers(ctx.config(), info.registers_per_thread))
    return 0;
  return sim::compute_occupancy(ctx.config(), r).ctas_per_sm;
}

}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaFuncGetAttributes(struct cudaFuncAttributes* attr, const void* func) {
  return api("cudaFuncGetAttributes", [&](Context& ctx) {
    if (!attr) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    KernelRecord& k = ctx.kernel(func);
    const gpusim::runtime::KernelInfo& info = ctx.kernel_info(k, /*with_registers=*/true);
    const gpusim::runtime::DeviceProperties& p = ctx.properties();
    *attr = {};
    attr->sharedSizeBytes = info.static_shared_bytes;
    attr->localSizeBytes = info.local_bytes_per_thread;
    attr->numRegs = static_cast<int>(info.registers_per_thread);
    attr->maxThreadsPerBlock = info.max_threads_per_block ? static_cast<int>(info.max_threads_per_block) : p.max_threads_per_block;
    if (info.registers_per_thread)  // the launch check's own limit (runtime/launch_checks.h)
      attr->maxThreadsPerBlock = std::min(
          attr->maxThreadsPerBlock,
          static_cast<int>(gpusim::runtime::max_threads_for_registers(ctx.config(), info.registers_per_thread)));
    attr->ptxVersion = static_cast<int>(info.ptx_version);
    attr->binaryVersion = p.compute_major * 10 + p.compute_minor;
    attr->maxDynamicSharedSizeBytes = k.max_dynamic_shared >= 0 ? k.max_dynamic_shared
                                                                : p.shared_per_block - static_cast<int>(info.static_shared_bytes);
    attr->preferredShmemCarveout = k.preferred_carveout;
    attr->clusterDimMustBeSet = info.explicit_cluster ? 1 : 0;
    // The compile-time shape (__cluster_dims__), else one set with cudaFuncSetAttribute.
    const gpusim::runtime::Dim3& cluster = info.required_cluster.x != 0 ? info.required_cluster : k.run_time_cluster;
    attr->requiredClusterWidth = static_cast<int>(cluster.x);
    attr->requiredClusterHeight = static_cast<int>(cluster.y);
    attr->requiredClusterDepth = static_cast<int>(cluster.z);
    attr->nonPortableClusterSizeAllowed = k.non_portable_cluster ? 1 : 0;
  });
}

cudaError_t cudaFuncSetAttribute(const void* func, enum cudaFuncAttribute attr, int value) {
  return api("cudaFuncSetAttribute", [&](Context& ctx) {
    KernelRecord& k = ctx.kernel(func);
    const int which = gpusim::runtime::raw_enum_value(attr);
    if (which == cudaFuncAttributeMaxDynamicSharedMemorySize) {
      const gpusim::runtime::KernelInfo& info = ctx.kernel_info(k);
      const int limit = ctx.properties().shared_per_block_optin - static_cast<int>(info.static_shared_bytes);
      if (value < 0 || value > limit)
        throw ApiError(cudaErrorInvalidValue, "cudaFuncAttributeMaxDynamicSharedMemorySize " + std::to_string(value) +
                                                  " for " + k.name + ": the device allows at most " + std::to_string(limit));
      k.max_dynamic_shared = value;
    } else if (which == cudaFuncAttributeNonPortableClusterSizeAllowed) {
      // Lifts the portable limit of 8 CTAs per cluster to the chip's cluster.max_ctas (H100: 16).
      if (value != 0 && value != 1)
        throw ApiError(cudaErrorInvalidValue, "cudaFuncAttributeNonPortableClusterSizeAllowed must be 0 or 1");
      k.non_portable_cluster = value == 1;
    } else if (which == cudaFuncAttributeRequiredClusterWidth || which == cudaFuncAttributeRequiredClusterHeight ||
               which == cudaFuncAttributeRequiredClusterDepth) {
      // A cluster shape for launches that name none (as __cluster_dims__ would fix it); checked at
      // launch (runtime/cluster_launch.h), refused when the PTX fixes the shape.
      const unsigned axis = unsigned(which - cudaFuncAttributeRequiredClusterWidth);  // width, height, depth
      const char* names[] = {"cudaFuncAttributeRequiredClusterWidth", "cudaFuncAttributeRequiredClusterHeight",
                             "cudaFuncAttributeRequiredClusterDepth"};
      try {
        gpusim::runtime::set_run_time_cluster(k.run_time_cluster, axis, value, ctx.kernel_info(k).required_cluster, k.name,
                                              names[axis]);
      } catch (const gpusim::runtime::RunTimeClusterNotPermitted& e) {
        throw ApiError(cudaErrorNotPermitted, e.what());
      } catch (const std::invalid_argument& e) {
        throw ApiError(cudaErrorInvalidValue, e.what());
      }
    } else if (which == cudaFuncAttributeClusterSchedulingPolicyPreference) {
      // A hint (default, spread, load-balancing) the cluster dispatch does not model.
      if (value < 0 || value > 2)
        throw ApiError(cudaErrorInvalidValue, "cudaFuncAttributeClusterSchedulingPolicyPreference must be 0, 1 or 2");
    } else if (which == cudaFuncAttributePreferredSharedMemoryCarveout) {
      if (value < -1 || value > 100)
        throw ApiError(cudaErrorInvalidValue, "cudaFuncAttributePreferredSharedMemoryCarveout " + std::to_string(value) +
                                                  " for " + k.name + ": expected -1 (the default) or a percentage 0..100");
      k.preferred_carveout = value;
    } else {
      throw ApiError(cudaErrorInvalidValue, "function attribute " + std::to_string(which) + " is not modelled by gpusim");
    }
  });
}

cudaError_t cudaFuncSetCacheConfig(const void* func, enum cudaFuncCache) {
  return api("cudaFuncSetCacheConfig", [&](Context& ctx) { ctx.kernel(func); });
}

cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, const void* func, int block_size, size_t dynamic_shared) {
  return api("cudaOccupancyMaxActiveBlocksPerMultiprocessor", [&](Context& ctx) {
    if (!blocks) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *blocks = max_active_blocks(ctx, func, block_size, dynamic_shared);
  });
}

cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int* blocks, const void* func, int block_size,
                                                                   size_t dynamic_shared, unsigned int flags) {
  return api("cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags", [&](Context& ctx) {
    if (!blocks) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *blocks = max_active_blocks(ctx, func, block_size, dynamic_shared);
  });
}

cudaError_t cudaOccupancyAvailableDynamicSMemPerBlock(size_t* bytes, const void* func, int num_blocks, int block_size) {
  return api("cudaOccupancyAvailableDynamicSMemPerBlock", [&](Context& ctx) {
    if (!bytes || num_blocks <= 0) throw ApiError(cudaErrorInvalidValue, "null result pointer or no blocks");
    const gpusim::runtime::KernelInfo& info = ctx.kernel_info(ctx.kernel(func));
    const gpusim::runtime::DeviceProperties& p = ctx.properties();
    const int per_block = p.shared_per_sm / num_blocks - p.shared_reserved_per_block - static_cast<int>(info.static_shared_bytes);
    *bytes = static_cast<size_t>(std::clamp(per_block, 0, p.shared_per_block_optin));
  });
}

// Thread-block clusters: whole clusters resident at once, each on one GPC (sim/cluster_dispatch.h),
// for the shape a launch with `config` would use (runtime/cluster_launch.h: the attribute, else the
// shape set at run time or __cluster_dims__); 0 on a configuration without GPCs or for a cluster
// larger than cluster.max_ctas. A shape the launch refuses is cudaErrorInvalidClusterSize here too.
cudaError_t cudaOccupancyMaxActiveClusters(int* clusters, const void* func, const cudaLaunchConfig_t* config) {
  return api("cudaOccupancyMaxActiveClusters", [&](Context& ctx) {
    if (!clusters || !config) throw ApiError(cudaErrorInvalidValue, "null result pointer or launch configuration");
    KernelRecord& k = ctx.kernel(func);
    gpusim::runtime::Dim3 asked{1, 1, 1};
    for (unsigned i = 0; i < config->numAttrs; ++i)
      if (config->attrs && config->attrs[i].id == cudaLaunchAttributeClusterDimension) {
        const auto& d = config->attrs[i].val.clusterDim;
        asked = {d.x, d.y, d.z};
      }
    const gpusim::runtime::Dim3 shape = gpusim::runtime::occupancy_cluster_shape(
        k.name, ctx.kernel_info(k).required_cluster, asked, k.run_time_cluster, k.non_portable_cluster);
    const int block = static_cast<int>(config->blockDim.x * config->blockDim.y * config->blockDim.z);
    const int per_sm = max_active_blocks(ctx, func, block, config->dynamicSmemBytes);
    const int size = static_cast<int>(shape.count());
    *clusters = size > ctx.config().cluster_max_ctas ? 0 : gpusim::sim::max_active_clusters(ctx.config(), per_sm, size);
  });
}

// cudaFunction_t: the handle of a registered kernel is its host function (as cudaGetKernel's), so
// every runtime call that takes a kernel accepts it; gpusim's libcuda asks this library about it
// when a program passes it as a CUfunction (runtime/shared_kernel_handles.h).
cudaError_t cudaGetFuncBySymbol(cudaFunction_t* function, const void* symbol) {
  return api("cudaGetFuncBySymbol", [&](Context& ctx) {
    if (!function) throw ApiError(cudaErrorInvalidValue, "functionPtr is null");
    ctx.kernel(symbol);
    *function = reinterpret_cast<cudaFunction_t>(const_cast<void*>(symbol));
  });
}

// A parameter's place in the kernel's parameter buffer, from the PTX .param layout.
cudaError_t cudaFuncGetParamInfo(const void* func, size_t index, size_t* offset, size_t* size) {
  return api("cudaFuncGetParamInfo", [&](Context& ctx) {
    if (!offset || !size) throw ApiError(cudaErrorInvalidValue, "paramOffset or paramSize is null");
    KernelRecord& k = ctx.kernel(func);
    const gpusim::runtime::KernelInfo& info = ctx.kernel_info(k);
    if (index >= info.param_sizes.size())
      throw ApiError(cudaErrorInvalidValue, "parameter " + std::to_string(index) + " of " + k.name + ", which takes " +
                                                std::to_string(info.param_sizes.size()));
    *offset = info.param_offsets[index];
    *size = info.param_sizes[index];
  });
}

}  // extern "C"
