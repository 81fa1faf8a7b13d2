// Occupancy queries: blocks per SM for a block size, the block size that maximises occupancy, and
// the dynamic shared memory left for a given residency. All from the timing model's occupancy
// rules (sim/occupancy.h) with the kernel's registers (ptxas) and static shared memory, so they
// agree with what the simulated SMs actually hold.
#include <cuda.h>

#include <algorithm>

#include "runtime/cluster_launch.h"
#include "runtime/cudadrv/driver_state.h"
#include "sim/cluster_dispatch.h"
#include "sim/occupancy.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

int blocks_per_sm(DriverState& s, CUfunc_st& f, int block_size, size_t dynamic_shared) {
  gpusim::sim::KernelResources r;
  r.threads_per_block = block_size;
  r.registers_per_thread = gpusim::cudadrv::function_registers(s, f);
  r.static_shared_bytes = static_cast<int>(f.kernel->static_shared_bytes);
  r.dynamic_shared_bytes = static_cast<int>(std::min<size_t>(dynamic_shared, INT32_MAX));
  // More dynamic shared memory than the kernel may use never launches, nor a block larger than
  // the kernel allows (its __launch_bounds__, its registers).
  if (dynamic_shared > static_cast<size_t>(f.max_dynamic_shared)) return 0;
  if (block_size > gpusim::cudadrv::function_max_threads(s, f)) return 0;
  return gpusim::sim::compute_occupancy(s.config, r).ctas_per_sm;
}

void check_flags(unsigned flags) {
  if (flags & ~unsigned(CU_OCCUPANCY_DISABLE_CACHING_OVERRIDE))
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags other than CU_OCCUPANCY_DEFAULT / _DISABLE_CACHING_OVERRIDE"};
}

CUresult max_active_blocks(const char* call, int* blocks, CUfunction function, int block_size, size_t dynamic_shared,
                           unsigned flags) {
  return api_call(call, [&](DriverState& s) {
    if (!blocks || block_size <= 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "numBlocks is null or the block size is not positive"};
    check_flags(flags);
    gpusim::cudadrv::require_initialized(s);
    CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
    *blocks = blocks_per_sm(s, f, block_size, dynamic_shared);
    return CUDA_SUCCESS;
  });
}

// Every multiple of the warp size up to the kernel's (and the caller's) limit, largest first; the
// one with the most resident threads per SM wins, the larger block on a tie.
CUresult max_potential_block_size(const char* call, int* min_grid, int* block_size, CUfunction function,
                                  CUoccupancyB2DSize dynamic_of_block, size_t dynamic_shared, int limit, unsigned flags) {
  return api_call(call, [&](DriverState& s) {
    if (!min_grid || !block_size) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "minGridSize or blockSize is null"};
    if (limit < 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "blockSizeLimit is negative"};
    check_flags(flags);
    gpusim::cudadrv::require_initialized(s);
    CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
    const int warp = s.properties.warp_size;
    int top = gpusim::cudadrv::function_max_threads(s, f);
    if (limit > 0) top = std::min(top, limit);
    int best_size = 0, best_blocks = 0;
    long best_threads = 0;
    for (int size = top / warp * warp; size > 0; size -= warp) {
      const size_t dynamic = dynamic_of_block ? dynamic_of_block(size) : dynamic_shared;
      const int blocks = blocks_per_sm(s, f, size, dynamic);
      if (long(blocks) * size > best_threads) best_threads = long(blocks) * size, best_size = size, best_blocks = blocks;
    }
    *block_size = best_size;
    *min_grid = best_blocks * static_cast<int>(s.config.num_sms);
    return CUDA_SUCCESS;
  });
}

}  // namespace

extern "C" {

CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, CUfunction function, int block_size, size_t dynamic_shared) {
  return max_active_blocks("cuOccupancyMaxActiveBlocksPerMultiprocessor", blocks, function, block_size, dynamic_shared, 0);
}

CUresult cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int* blocks, CUfunction function, int block_size,
                                                              size_t dynamic_shared, unsigned int flags) {
  return max_active_blocks("cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags", blocks, function, block_size,
                           dynamic_shared, flags);
}

CUresult cuOccupancyMaxPotentialBlockSize(int* min_grid, int* block_size, CUfunction function,
                                          CUoccupancyB2DSize dynamic_of_block, size_t dynamic_shared, int limit) {
  return max_potential_block_size("cuOccupancyMaxPotentialBlockSize", min_grid, block_size, function, dynamic_of_block,
                                  dynamic_shared, limit, 0);
}

CUresult cuOccupancyMaxPotentialBlockSizeWithFlags(int* min_grid, int* block_size, CUfunction function,
                                                   CUoccupancyB2DSize dynamic_of_block, size_t dynamic_shared, int limit,
                                                   unsigned int flags) {
  return max_potential_block_size("cuOccupancyMaxPotentialBlockSizeWithFlags", min_grid, block_size, function,
                                  dynamic_of_block, dynamic_shared, limit, flags);
}

// Thread-block clusters: whole clusters resident at once, each on one GPC (sim/cluster_dispatch.h),
// as libcudart's cudaOccupancyMaxActiveClusters answers, for the shape a launch with `config` would
// use (runtime/cluster_launch.h); 0 on a configuration without GPCs or for a cluster larger than
// cluster.max_ctas; a shape the launch refuses is CUDA_ERROR_INVALID_CLUSTER_SIZE here too.
CUresult cuOccupancyMaxActiveClusters(int* clusters, CUfunction function, const CUlaunchConfig* config) {
  return api_call("cuOccupancyMaxActiveClusters", [&](DriverState& s) {
    if (!clusters || !config) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "numClusters or config is null"};
    gpusim::cudadrv::require_initialized(s);
    CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
    gpusim::runtime::Dim3 asked{1, 1, 1};
    for (unsigned i = 0; i < config->numAttrs; ++i)
      if (config->attrs && config->attrs[i].id == CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION) {
        const auto& d = config->attrs[i].value.clusterDim;
        asked = {d.x, d.y, d.z};
      }
    const auto& fixed = f.kernel->required_cluster;
    gpusim::runtime::Dim3 shape;
    try {
      shape = gpusim::runtime::occupancy_cluster_shape(f.kernel->name, {fixed[0], fixed[1], fixed[2]}, asked,
                                                       f.run_time_cluster, f.non_portable_cluster);
    } catch (const gpusim::runtime::ClusterShapeError& e) {
      throw DriverFailure{CUDA_ERROR_INVALID_CLUSTER_SIZE, e.what()};
    }
    const int block = static_cast<int>(config->blockDimX * config->blockDimY * config->blockDimZ);
    const int per_sm = blocks_per_sm(s, f, block, config->sharedMemBytes);
    const int size = static_cast<int>(shape.count());
    *clusters = size > s.config.cluster_max_ctas ? 0 : gpusim::sim::max_active_clusters(s.config, per_sm, size);
    return CUDA_SUCCESS;
  });
}

// The most dynamic shared memory with which `blocks` blocks of `block_size` threads still fit on
// one SM: a binary search, since more shared memory never lets more blocks fit.
CUresult cuOccupancyAvailableDynamicSMemPerBlock(size_t* dynamic_shared, CUfunction function, int blocks, int block_size) {
  return api_call("cuOccupancyAvailableDynamicSMemPerBlock", [&](DriverState& s) {
    if (!dynamic_shared || blocks <= 0 || block_size <= 0)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "dynamicSmemSize is null or numBlocks / blockSize is not positive"};
    gpusim::cudadrv::require_initialized(s);
    CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
    size_t low = 0, high = static_cast<size_t>(f.max_dynamic_shared);
    if (blocks_per_sm(s, f, block_size, 0) < blocks) {
      *dynamic_shared = 0;
      return CUDA_SUCCESS;
    }
    while (low < high) {  // invariant: `low` fits
      const size_t mid = low + (high - low + 1) / 2;
      if (blocks_per_sm(s, f, block_size, mid) >= blocks) low = mid; else high = mid - 1;
    }
    *dynamic_shared = low;
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
