// Launches: cuLaunchKernel with kernelParams (one pointer per .param, sizes from the PTX) or the
// `extra` packed buffer (CU_LAUNCH_PARAM_BUFFER_POINTER/SIZE, laid out at the .param offsets),
// cooperative launches and cuLaunchKernelEx (the occupancy queries are in occupancy.cpp). A launch runs to completion inside the call (the simulator is
// synchronous); a kernel fault is returned by the launch itself (CUDA allows any later call to
// report it) and leaves the context unusable, as on a GPU. A launch into a capturing stream
// becomes a kernel node of the capture's graph (driver_graph.h), which a graph launch runs here.
#include <cuda.h>

#include <cstring>
#include <stdexcept>

#include "runtime/cluster_launch.h"
#include "runtime/cuda_answers.h"
#include "runtime/cudadrv/driver_graph.h"
#include "runtime/cudadrv/driver_state.h"
#include "runtime/raw_enum.h"
#include "runtime/launch_checks.h"
#include "sim/occupancy.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

const gpusim::isa::Symbol& param(const CUfunc_st& f, size_t i) { return f.module->ptx.symbols[f.kernel->params[i]]; }

// The arguments, from whichever of the two forms the caller used.
gpusim::runtime::KernelArgs collect_arguments(const CUfunc_st& f, void** params, void** extra) {
  const size_t count = f.kernel->params.size();
  gpusim::runtime::KernelArgs args(count);
  if (params && extra) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "both kernelParams and extra were given"};
  if (params) {
    for (size_t i = 0; i < count; ++i) {
      if (!params[i]) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "kernelParams[" + std::to_string(i) + "] is null"};
      const auto* bytes = static_cast<const uint8_t*>(params[i]);
      args[i].bytes.assign(bytes, bytes + param(f, i).size);
    }
    return args;
  }
  if (extra) {
    const uint8_t* buffer = nullptr;
    size_t size = 0;
    bool have_size = false;
    for (size_t i = 0; extra[i] != CU_LAUNCH_PARAM_END; i += 2) {
      if (extra[i] == CU_LAUNCH_PARAM_BUFFER_POINTER) {
        buffer = static_cast<const uint8_t*>(extra[i + 1]);
      } else if (extra[i] == CU_LAUNCH_PARAM_BUFFER_SIZE) {
        size = *static_cast<const size_t*>(extra[i + 1]);
        have_size = true;
      } else {
        throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "unknown entry in extra[" + std::to_string(i) + "]"};
      }
    }
    if (!buffer || !have_size)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "extra needs both CU_LAUNCH_PARAM_BUFFER_POINTER and _SIZE"};
    if (size < f.kernel->param_bytes)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the parameter buffer holds " + std::to_string(size) + " bytes; '" +
                                                        f.kernel->name + "' takes " + std::to_string(f.kernel->param_bytes)};
    for (size_t i = 0; i < count; ++i) {
      const gpusim::isa::Symbol& p = param(f, i);
      args[i].bytes.assign(buffer + p.offset, buffer + p.offset + p.size);
    }
    return args;
  }
  if (count) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "'" + f.kernel->name + "' takes " + std::to_string(count) +
                                                               " parameters and neither kernelParams nor extra was given"};
  return args;
}

// A finished launch into the exit report's records: whole for the first launch_records (without
// the timing model's JSON and text when neither --stats nor the source report reads them: ~3 KB of
// a timing-mode launch), past them summed per kernel (runtime/folded_launches.h).
void keep_launch(DriverState& s, gpusim::runtime::LaunchStats stats, gpusim::runtime::Dim3 grid,
                 gpusim::runtime::Dim3 block) {
  if (s.launches.size() >= s.environment.launch_records) {
    const std::string kernel = stats.kernel;
    s.folded_launches.add(kernel, 0, grid, block, stats, false, s.launches.size() + s.folded_launches.launches() + 1);
    return;
  }
  const bool source_report = s.environment.device.profiling.source_report > 0;
  if (s.environment.stats_path.empty() && !source_report) std::string().swap(stats.report_json);
  if (!source_report) std::string().swap(stats.report_text);
  s.launches.push_back({std::move(stats)});
}

// The CUDA error a GPU raises for a fault of this kind (runtime/cuda_answers.cpp, shared with libcudart).
CUresult fault_code(const gpusim::runtime::KernelFault& fault) {
  return static_cast<CUresult>(gpusim::runtime::cuda_fault_error(fault.kind()));
}

// The runtime's launch checks (runtime/launch_checks.h), answered with libcuda's codes: every
// configuration problem is CUDA_ERROR_INVALID_VALUE (the driver has no InvalidConfiguration).
void check_configuration(DriverState& s, CUfunc_st& f, gpusim::runtime::Dim3 grid,
                         gpusim::runtime::Dim3 block, unsigned shared_bytes) {
  gpusim::runtime::LaunchRequest request;
  request.kernel = f.kernel->name;
  request.grid = grid;
  request.block = block;
  request.dynamic_shared_bytes = shared_bytes;
  request.static_shared_bytes = f.kernel->static_shared_bytes;
  request.max_dynamic_shared_bytes = f.max_dynamic_shared;
  request.raise_limit_with = "cuFuncSetAttribute(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)";
  request.kernel_max_threads = f.kernel->max_threads_per_block;
  if (auto rejection = gpusim::runtime::check_launch_request(s.properties, request)) {
    using gpusim::runtime::LaunchProblem;
    const CUresult code = rejection->problem == LaunchProblem::CooperativeTooLarge    ? CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE
                          : rejection->problem == LaunchProblem::OverKernelThreadLimit ? CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES
                          : rejection->problem == LaunchProblem::StaticSharedOverPtxasLimit ? CUDA_ERROR_INVALID_PTX
                                                                                       : CUDA_ERROR_INVALID_VALUE;
    throw DriverFailure{code, rejection->message};
  }
  // Only blocks large enough to run out of registers need ptxas' count; PTX that ptxas rejects
  // but the simulator runs has no count and is not refused.
  if (gpusim::runtime::block_may_exceed_registers(s.config, block.count())) {
    unsigned registers = 0;
    try {
      registers = static_cast<unsigned>(gpusim::cudadrv::function_registers(s, f));
    } catch (const std::runtime_error&) {
      f.registers = 0;
    }
    if (auto rejection = gpusim::runtime::check_launch_registers(s.config, f.kernel->name, grid, block, registers))
      throw DriverFailure{CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, rejection->message};
  }
}

}  // namespace

namespace gpusim::cudadrv {

runtime::KernelArgs checked_launch_arguments(DriverState& s, CUfunc_st& f, runtime::Dim3 grid, runtime::Dim3 block,
                                             unsigned shared_bytes, void** params, void** extra) {
  check_configuration(s, f, grid, block, shared_bytes);
  return collect_arguments(f, params, extra);
}

runtime::Dim3 cluster_with_run_time_shape(const CUfunc_st& f, const runtime::Dim3& cluster) {
  try {
    return runtime::with_run_time_cluster(cluster, f.run_time_cluster, f.kernel->name);
  } catch (const runtime::ClusterShapeError& e) {
    throw DriverFailure{CUDA_ERROR_INVALID_CLUSTER_SIZE, e.what()};
  }
}

void run_launch(DriverState& s, CUctx_st& context, CUfunc_st& f, const runtime::LaunchConfig& launch_cfg,
                const runtime::KernelArgs& args) {
  runtime::LaunchConfig cfg = launch_cfg;  // a graph node's shape, too, as the function's attributes now say
  cfg.cluster = cluster_with_run_time_shape(f, cfg.cluster);
  gpusim::runtime::SharedDeviceLaunch shared_record;
  shared_record.kernel = f.kernel->name.c_str();
  shared_record.grid[0] = cfg.grid.x, shared_record.grid[1] = cfg.grid.y, shared_record.grid[2] = cfg.grid.z;
  shared_record.block[0] = cfg.block.x, shared_record.block[1] = cfg.block.y, shared_record.block[2] = cfg.block.z;
  shared_record.shared_bytes = cfg.dynamic_shared_bytes;
  flush_device_output(s);  // earlier kernels' printf output comes before this launch's
  try {
    gpusim::runtime::LaunchStats stats = s.device->launch(f.module->handle, f.kernel->name, cfg, args);
    context.simulated_seconds += stats.seconds;  // zero in functional mode
    if (s.record_in_runtime) {
      shared_record.stats = &stats;
      s.record_in_runtime(&shared_record);
    } else {
      keep_launch(s, std::move(stats), cfg.grid, cfg.block);
    }
  } catch (const gpusim::runtime::KernelFault& e) {
    if (s.record_in_runtime) {
      shared_record.faulted = true;
      s.record_in_runtime(&shared_record);
    } else {
      ++s.faulted_launches;
    }
    flush_device_output(s);  // what the kernels printed before the fault
    context.lost_code = fault_code(e);
    context.lost_reason = e.what();
    const char* name = nullptr;
    cuGetErrorName(context.lost_code, &name);
    throw DriverFailure{context.lost_code, std::string(name ? name : "fault") + " in kernel '" + f.kernel->name +
                                               "'; the context is unusable from now on\n" + e.what()};
  } catch (const gpusim::runtime::ClusterShapeError& e) {
    throw DriverFailure{CUDA_ERROR_INVALID_CLUSTER_SIZE, e.what()};
  } catch (const gpusim::runtime::Error& e) {
    const std::string why = e.what();
    if (why.find("SystemC") != std::string::npos) throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, why};
    if (why.find("CooperativeLaunchTooLarge") != std::string::npos)
      throw DriverFailure{CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE, why};
    if (why.find("has no thread-block clusters") != std::string::npos) throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, why};
    if (why.find("cluster") != std::string::npos) throw DriverFailure{CUDA_ERROR_INVALID_CLUSTER_SIZE, why};
    const bool resources = why.find("register") != std::string::npos || why.find("shared") != std::string::npos;
    throw DriverFailure{resources ? CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES : CUDA_ERROR_INVALID_VALUE, why};
  }
}

}  // namespace gpusim::cudadrv

namespace {

// cuLaunchKernel and cuLaunchKernelEx: `cluster` is the thread-block cluster shape ({1,1,1}: none).
CUresult launch_kernel(const char* api, CUfunction function, unsigned int grid_x, unsigned int grid_y,
                       unsigned int grid_z, unsigned int block_x, unsigned int block_y, unsigned int block_z,
                       unsigned int shared_bytes, CUstream stream, void** params, void** extra,
                       gpusim::runtime::Dim3 cluster, bool cooperative) {
  return api_call(api, [&](DriverState& s) {
    CUctx_st& context = gpusim::cudadrv::usable_context(s);
    CUfunc_st& f = gpusim::cudadrv::live_function(s, function);
    gpusim::cudadrv::live_stream(s, stream);
    if (f.module->context != &context)
      throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, "'" + f.kernel->name + "' belongs to another context"};
    gpusim::runtime::LaunchConfig cfg;
    cfg.grid = {grid_x, grid_y, grid_z};
    cfg.block = {block_x, block_y, block_z};
    cfg.dynamic_shared_bytes = shared_bytes;
    cfg.cluster = gpusim::cudadrv::cluster_with_run_time_shape(f, cluster);
    cfg.cooperative = cooperative;  // every CTA resident at once, so a grid sync completes
    cfg.stream = s.streams_table->label(stream);
    const uint64_t cluster_ctas = cfg.cluster.count() > 1 ? cfg.cluster.count()
                                                      : uint64_t(f.kernel->required_cluster[0]) * f.kernel->required_cluster[1] *
                                                            f.kernel->required_cluster[2];
    if (cluster_ctas > gpusim::runtime::kPortableClusterCtas && !f.non_portable_cluster)
      throw DriverFailure{CUDA_ERROR_INVALID_CLUSTER_SIZE,
                          "clusters of " + std::to_string(cluster_ctas) + " CTAs for '" + f.kernel->name + "': more than the portable " +
                              std::to_string(gpusim::runtime::kPortableClusterCtas) +
                              " need cuFuncSetAttribute(CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1)"};
    if (gpusim::cudadrv::capture_target(s, stream)) {
      gpusim::cudadrv::DriverGraphNode node =
          gpusim::cudadrv::kernel_node(s, f, cfg.grid, cfg.block, shared_bytes, params, extra);
      node.cluster = cluster;
      node.cooperative = cooperative;
      gpusim::cudadrv::record_if_capturing(s, stream, std::move(node));
      return CUDA_SUCCESS;
    }
    gpusim::runtime::KernelArgs args;
    try {
      args = gpusim::cudadrv::checked_launch_arguments(s, f, cfg.grid, cfg.block, shared_bytes, params, extra);
    } catch (const DriverFailure&) {
      ++s.refused_launches;  // the kernel never ran: for --error-exitcode
      throw;
    }
    gpusim::cudadrv::run_launch(s, context, f, cfg, args);
    return CUDA_SUCCESS;
  });
}

}  // namespace

extern "C" {

CUresult cuLaunchKernel(CUfunction function, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z,
                        unsigned int block_x, unsigned int block_y, unsigned int block_z, unsigned int shared_bytes,
                        CUstream stream, void** params, void** extra) {
  return launch_kernel("cuLaunchKernel", function, grid_x, grid_y, grid_z, block_x, block_y, block_z, shared_bytes,
                       stream, params, extra, {1, 1, 1}, false);
}

CUresult cuLaunchCooperativeKernel(CUfunction function, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z,
                                   unsigned int block_x, unsigned int block_y, unsigned int block_z,
                                   unsigned int shared_bytes, CUstream stream, void** params) {
  return launch_kernel("cuLaunchCooperativeKernel", function, grid_x, grid_y, grid_z, block_x, block_y, block_z,
                       shared_bytes, stream, params, nullptr, {1, 1, 1}, true);
}

// The extended launch: CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION runs the grid as thread-block
// clusters and CU_LAUNCH_ATTRIBUTE_COOPERATIVE as cuLaunchCooperativeKernel does; the other
// attributes are scheduling hints the simulator has no use for.
CUresult cuLaunchKernelEx(const CUlaunchConfig* config, CUfunction function, void** params, void** extra) {
  if (!config || (config->numAttrs && !config->attrs)) return CUDA_ERROR_INVALID_VALUE;
  gpusim::runtime::Dim3 cluster{1, 1, 1};
  bool cooperative = false;
  for (unsigned i = 0; i < config->numAttrs; ++i) {
    const CUlaunchAttribute& a = config->attrs[i];
    const long long id = gpusim::runtime::raw_enum_value(a.id);  // any number may be in the program's array
    if (id == CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION)
      cluster = {a.value.clusterDim.x, a.value.clusterDim.y, a.value.clusterDim.z};
    if (id == CU_LAUNCH_ATTRIBUTE_COOPERATIVE) cooperative = a.value.cooperative != 0;
  }
  return launch_kernel("cuLaunchKernelEx", function, config->gridDimX, config->gridDimY, config->gridDimZ,
                       config->blockDimX, config->blockDimY, config->blockDimZ, config->sharedMemBytes,
                       config->hStream, params, extra, cluster, cooperative);
}

}  // extern "C"
