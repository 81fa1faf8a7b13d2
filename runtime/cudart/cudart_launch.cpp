// Kernel launches: the <<<>>> path nvcc 13 emits (__cudaPushCallConfiguration,
// __cudaGetKernel, __cudaPopCallConfiguration, __cudaLaunchKernel) and cudaLaunchKernel.
// The checks CUDA makes before a launch come first, with CUDA's error codes; then the
// arguments are packed with the sizes of the kernel's .param list and the simulator runs it.
#include <cuda_runtime_api.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "runtime/cudart/cudart_context.h"
#include "sim/occupancy.h"

namespace gpusim::cudart {

namespace {

struct CallConfiguration {
  dim3 grid, block;
  size_t shared = 0;
  cudaStream_t stream = nullptr;
};

// <<<>>> configurations are pushed and popped per host thread (CUDA keeps them per thread).
std::vector<CallConfiguration>& call_stack() {
  thread_local std::vector<CallConfiguration> stack;
  return stack;
}

std::string dims(dim3 d) {
  return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
}

void check_configuration(Context& ctx, KernelRecord& k, dim3 grid, dim3 block, size_t shared) {
  const runtime::DeviceProperties& p = ctx.properties();
  const std::string what = "launch of " + k.name + " with grid " + dims(grid) + ", block " + dims(block);
  if (!grid.x || !grid.y || !grid.z || !block.x || !block.y || !block.z)
    throw ApiError(cudaErrorInvalidConfiguration, what + ": a dimension is 0");
  if (block.x > unsigned(p.max_block_dim[0]) || block.y > unsigned(p.max_block_dim[1]) || block.z > unsigned(p.max_block_dim[2]) ||
      uint64_t(block.x) * block.y * block.z > uint64_t(p.max_threads_per_block))
    throw ApiError(cudaErrorInvalidConfiguration, what + ": more than " + std::to_string(p.max_threads_per_block) +
                                                      " threads per block or a block dimension over its limit");
  if (grid.x > unsigned(p.max_grid_dim[0]) || grid.y > unsigned(p.max_grid_dim[1]) || grid.z > unsigned(p.max_grid_dim[2]))
    throw ApiError(cudaErrorInvalidConfiguration, what + ": a grid dimension is over its limit " + std::to_string(p.max_grid_dim[0]) +
                                                      "x" + std::to_string(p.max_grid_dim[1]) + "x" + std::to_string(p.max_grid_dim[2]));
  const size_t shared_limit = k.max_dynamic_shared >= 0 ? size_t(k.max_dynamic_shared) : size_t(p.shared_per_block);
  const runtime::KernelInfo& info = ctx.kernel_info(k);
  // CUDA's rule: the attribute bounds the dynamic bytes alone (its setter already checked that it
  // plus the static bytes fit the opt-in maximum); without it, static + dynamic must fit 48 KiB.
  const size_t total_limit = k.max_dynamic_shared >= 0 ? size_t(p.shared_per_block_optin) : size_t(p.shared_per_block);
  if (shared + info.static_shared_bytes > total_limit || shared > shared_limit)
    throw ApiError(cudaErrorInvalidValue, what + ": " + std::to_string(shared) + " bytes of dynamic shared memory (+" +
                                              std::to_string(info.static_shared_bytes) + " static) exceed the " +
                                              std::to_string(shared_limit) +
                                              "-byte limit (cudaFuncSetAttribute(cudaFuncAttributeMaxDynamicSharedMemorySize) raises it)");
}

// A cooperative grid must fit on the device at once (cudaErrorCooperativeLaunchTooLarge).
void check_cooperative(Context& ctx, KernelRecord& k, dim3 grid, dim3 block, size_t shared) {
  const runtime::KernelInfo& info = ctx.kernel_info(k, /*with_registers=*/true);
  sim::KernelResources r;
  r.threads_per_block = static_cast<int>(block.x * block.y * block.z);
  r.registers_per_thread = static_cast<int>(info.registers_per_thread);
  r.static_shared_bytes = static_cast<int>(info.static_shared_bytes);
  r.dynamic_shared_bytes = static_cast<int>(shared);
  const uint64_t resident = uint64_t(sim::compute_occupancy(ctx.config(), r).ctas_per_sm) * ctx.properties().sm_count;
  const uint64_t ctas = uint64_t(grid.x) * grid.y * grid.z;
  if (ctas > resident)
    throw ApiError(cudaErrorCooperativeLaunchTooLarge, "cooperative launch of " + k.name + " with " + std::to_string(ctas) +
                                                           " blocks: at most " + std::to_string(resident) +
                                                           " fit on the device at once (cudaOccupancyMaxActiveBlocksPerMultiprocessor x SMs)");
}

cudaError_t launch_kernel(const char* api_name, const void* host_function, dim3 grid, dim3 block, void** args,
                          size_t shared, cudaStream_t stream, bool cooperative = false, dim3 cluster = dim3(1, 1, 1)) {
  return api(api_name, [&](Context& ctx) {
    KernelRecord& k = ctx.kernel(host_function);
    check_configuration(ctx, k, grid, block, shared);
    if (cooperative) check_cooperative(ctx, k, grid, block, shared);
    ctx.launch(k, grid, block, shared, args, cooperative, cluster);
  });
}

}  // namespace

void Context::launch(KernelRecord& k, dim3 grid, dim3 block, size_t shared, void** args, bool cooperative,
                     dim3 cluster) {
  const runtime::ModuleHandle module = loaded(*k.module);
  const runtime::KernelInfo& info = kernel_info(k);
  runtime::KernelArgs packed(info.param_sizes.size());
  for (size_t i = 0; i < packed.size(); ++i) {
    if (!args || !args[i]) throw ApiError(cudaErrorInvalidValue, "launch of " + k.name + ": argument " + std::to_string(i) + " is null");
    packed[i].bytes.resize(info.param_sizes[i]);
    std::memcpy(packed[i].bytes.data(), args[i], info.param_sizes[i]);
  }
  runtime::LaunchConfig cfg;
  cfg.grid = {grid.x, grid.y, grid.z};
  cfg.block = {block.x, block.y, block.z};
  cfg.dynamic_shared_bytes = static_cast<uint32_t>(shared);
  cfg.cooperative = cooperative;
  cfg.cluster = {cluster.x, cluster.y, cluster.z};
  flush_device_output();  // a GPU prints earlier kernels' output when the next one starts
  managed_to_device();
  LaunchRecord rec;
  rec.kernel = k.name;
  rec.grid = grid;
  rec.block = block;
  rec.shared = shared;
  try {
    rec.stats = device().launch(module, k.name, cfg, packed);
  } catch (const runtime::KernelFault&) {
    managed_to_host();
    rec.stats.kernel = k.name;
    rec.faulted = true;
    launches.push_back(rec);
    throw;
  }
  managed_to_host();
  // Events bracket the launch path as well as the CTAs, as on a card (0 where not characterised).
  advance(rec.stats.seconds + rec.stats.launch_seconds);
  launches.push_back(std::move(rec));
}

}  // namespace gpusim::cudart

using gpusim::cudart::api;
using gpusim::cudart::call_stack;
using gpusim::cudart::Context;

extern "C" {

unsigned __cudaPushCallConfiguration(dim3 grid, dim3 block, size_t shared, struct CUstream_st* stream) {
  call_stack().push_back({grid, block, shared, stream});
  return 0;
}

cudaError_t __cudaPopCallConfiguration(dim3* grid, dim3* block, size_t* shared, void* stream) {
  auto& stack = call_stack();
  if (stack.empty()) return cudaErrorMissingConfiguration;
  const auto c = stack.back();
  stack.pop_back();
  *grid = c.grid;
  *block = c.block;
  *shared = c.shared;
  *static_cast<cudaStream_t*>(stream) = c.stream;
  return cudaSuccess;
}

// The handle a host stub caches is the host function itself: registration keys kernels by it.
cudaError_t __cudaGetKernel(cudaKernel_t* kernel, const void* host_function) {
  return api("__cudaGetKernel", [&](Context& ctx) {
    ctx.kernel(host_function);
    *kernel = reinterpret_cast<cudaKernel_t>(const_cast<void*>(host_function));
  });
}

cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 grid, dim3 block, void** args, size_t shared, cudaStream_t stream) {
  return gpusim::cudart::launch_kernel("__cudaLaunchKernel", kernel, grid, block, args, shared, stream);
}
cudaError_t __cudaLaunchKernel_ptsz(cudaKernel_t kernel, dim3 grid, dim3 block, void** args, size_t shared, cudaStream_t stream) {
  return gpusim::cudart::launch_kernel("__cudaLaunchKernel_ptsz", kernel, grid, block, args, shared, stream);
}

cudaError_t cudaLaunchKernel(const void* func, dim3 grid, dim3 block, void** args, size_t shared, cudaStream_t stream) {
  return gpusim::cudart::launch_kernel("cudaLaunchKernel", func, grid, block, args, shared, stream);
}
cudaError_t cudaLaunchKernel_ptsz(const void* func, dim3 grid, dim3 block, void** args, size_t shared, cudaStream_t stream) {
  return gpusim::cudart::launch_kernel("cudaLaunchKernel_ptsz", func, grid, block, args, shared, stream);
}

// All CTAs of a cooperative grid are resident at once, so cooperative_groups' grid sync completes.
cudaError_t cudaLaunchCooperativeKernel(const void* func, dim3 grid, dim3 block, void** args, size_t shared, cudaStream_t stream) {
  return gpusim::cudart::launch_kernel("cudaLaunchCooperativeKernel", func, grid, block, args, shared, stream, true);
}
cudaError_t cudaLaunchCooperativeKernel_ptsz(const void* func, dim3 grid, dim3 block, void** args, size_t shared, cudaStream_t stream) {
  return gpusim::cudart::launch_kernel("cudaLaunchCooperativeKernel_ptsz", func, grid, block, args, shared, stream, true);
}

// The extensible launch (cudaLaunchKernelEx): cooperative launches run as above; a cluster
// dimension runs the grid as thread-block clusters (runtime/cluster_launch.h checks the shape).
cudaError_t cudaLaunchKernelExC(const cudaLaunchConfig_t* config, const void* func, void** args) {
  if (!config) return gpusim::cudart::set_last_error(cudaErrorInvalidValue);
  bool cooperative = false;
  dim3 cluster(1, 1, 1);
  for (unsigned i = 0; i < config->numAttrs; ++i) {
    const cudaLaunchAttribute& a = config->attrs[i];
    if (a.id == cudaLaunchAttributeCooperative) cooperative = a.val.cooperative != 0;
    if (a.id == cudaLaunchAttributeClusterDimension)
      cluster = dim3(a.val.clusterDim.x, a.val.clusterDim.y, a.val.clusterDim.z);
  }
  return gpusim::cudart::launch_kernel("cudaLaunchKernelExC", func, config->gridDim, config->blockDim, args,
                                       config->dynamicSmemBytes, config->stream, cooperative, cluster);
}

cudaError_t cudaFuncGetName(const char** name, const void* func) {
  return api("cudaFuncGetName", [&](Context& ctx) {
    if (!name) throw gpusim::cudart::ApiError(cudaErrorInvalidValue, "null result pointer");
    *name = ctx.kernel(func).name.c_str();
  });
}

}  // extern "C"
