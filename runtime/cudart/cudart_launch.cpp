// Kernel launches: the <<<>>> path nvcc 13 emits (__cudaPushCallConfiguration,
// __cudaGetKernel, __cudaPopCallConfiguration, __cudaLaunchKernel) and cudaLaunchKernel.
// The checks CUDA makes before a launch come first, with CUDA's error codes; then the
// arguments are packed with the sizes of the kernel's .param list and the simulator runs it.
#include <cuda_runtime_api.h>

#include <array>
#include <chrono>
#include <cstring>
#include <type_traits>
#include <vector>

#include "isa/kernel_names.h"
#include "runtime/cluster_launch.h"
#include "runtime/cudart/cudart_context.h"
#include "runtime/cudart/cudart_graph.h"
#include "runtime/launch_checks.h"
#include "sim/occupancy.h"

namespace gpusim::cudart {

namespace {

struct CallConfiguration {
  dim3 grid, block;
  size_t shared = 0;
  cudaStream_t stream = nullptr;
};

// <<<>>> configurations are pushed and popped per host thread (CUDA keeps them per thread). A
// fixed array, trivially destructible: C++ destroys thread_local objects before static
// destructors run, and a static destructor may launch a kernel (a std::vector here was written
// after it had been freed). Nesting deeper than a few levels needs launches inside the argument
// expressions of launches.
struct CallStack {
  static constexpr size_t kCapacity = 32;
  std::array<CallConfiguration, kCapacity> entries;
  size_t size = 0;
};
static_assert(std::is_trivially_destructible_v<CallStack>);

CallStack& call_stack() {
  thread_local CallStack stack;
  return stack;
}

runtime::Dim3 dim(dim3 d) { return {d.x, d.y, d.z}; }

// The runtime's launch checks (runtime/launch_checks.h), answered with libcudart's codes.
[[noreturn]] void reject(const runtime::LaunchRejection& r) {
  switch (r.problem) {
    case runtime::LaunchProblem::TooMuchSharedMemory: throw ApiError(cudaErrorInvalidValue, r.message);
    case runtime::LaunchProblem::CooperativeTooLarge: throw ApiError(cudaErrorCooperativeLaunchTooLarge, r.message);
    case runtime::LaunchProblem::StaticSharedOverPtxasLimit: throw ApiError(cudaErrorInvalidPtx, r.message);
    case runtime::LaunchProblem::OverKernelThreadLimit:
    case runtime::LaunchProblem::TooManyRegisters: throw ApiError(cudaErrorLaunchOutOfResources, r.message);
    default: throw ApiError(cudaErrorInvalidConfiguration, r.message);
  }
}

void check_configuration(Context& ctx, KernelRecord& k, dim3 grid, dim3 block, size_t shared) {
  runtime::LaunchRequest request;
  request.kernel = k.name;
  request.grid = dim(grid);
  request.block = dim(block);
  request.dynamic_shared_bytes = shared;
  request.static_shared_bytes = ctx.kernel_info(k).static_shared_bytes;
  request.kernel_max_threads = ctx.kernel_info(k).max_threads_per_block;
  request.max_dynamic_shared_bytes = k.max_dynamic_shared;
  request.raise_limit_with = "cudaFuncSetAttribute(cudaFuncAttributeMaxDynamicSharedMemorySize)";
  if (auto rejection = runtime::check_launch_request(ctx.properties(), request)) reject(*rejection);
  // Only blocks large enough to run out of registers need ptxas' count (runtime/ptxas_cache.h
  // keeps it between runs).
  if (runtime::block_may_exceed_registers(ctx.config(), request.block.count())) {
    const unsigned registers = ctx.kernel_info(k, /*with_registers=*/true).registers_per_thread;
    if (auto rejection = runtime::check_launch_registers(ctx.config(), k.name, request.grid, request.block, registers))
      reject(*rejection);
  }
}

// A cooperative grid must fit on the device at once (cudaErrorCooperativeLaunchTooLarge).
void check_cooperative(Context& ctx, KernelRecord& k, dim3 grid, dim3 block, size_t shared) {
  const runtime::KernelInfo& info = ctx.kernel_info(k, /*with_registers=*/true);
  sim::KernelResources r;
  r.threads_per_block = static_cast<int>(block.x * block.y * block.z);
  r.registers_per_thread = static_cast<int>(info.registers_per_thread);
  r.static_shared_bytes = static_cast<int>(info.static_shared_bytes);
  r.dynamic_shared_bytes = static_cast<int>(shared);
  if (auto rejection = runtime::check_cooperative_fit(ctx.config(), r, k.name, dim(grid))) reject(*rejection);
}

// A launch refused before it ran, kept for the exit report (the first few) and --error-exitcode.
void note_refused_launch(Context& ctx, const std::string& kernel, dim3 grid, dim3 block, cudaError_t code) {
  constexpr size_t kNotesKept = 20;
  ctx.refused_launches += 1;
  if (ctx.refused_launch_notes.size() < kNotesKept)
    ctx.refused_launch_notes.push_back(isa::demangled_kernel_name(kernel) + " <<<" + isa::dims_text(dim(grid)) + ", " +
                                       isa::dims_text(dim(block)) + ">>>: " + cudaGetErrorName(code));
}

cudaError_t launch_kernel(const char* api_name, const void* host_function, dim3 grid, dim3 block, void** args,
                          size_t shared, cudaStream_t stream, bool cooperative = false, dim3 cluster = dim3(1, 1, 1)) {
  return api(api_name, [&](Context& ctx) {
    // A launch on a destroyed stream never runs either; its message names the kernel (a TA's
    // student read only "unknown or destroyed stream").
    try {
      check_stream_handle(ctx, stream);
    } catch (const ApiError& e) {
      std::string name = "a kernel";
      try {
        name = ctx.kernel(host_function).name;
      } catch (const ApiError&) {
      }
      note_refused_launch(ctx, name, grid, block, e.code);
      throw ApiError(e.code, "launch of '" + isa::demangled_kernel_name(name) + "': " + e.what());
    }
    if (capture_target(ctx, stream))  // the launch becomes a node of the stream's capture (checked there)
      return (void)record_if_capturing(ctx, stream, kernel_node(ctx, host_function, grid, block, shared, args, cooperative, cluster));
    KernelRecord* k = nullptr;
    try {
      k = &ctx.kernel(host_function);
      check_configuration(ctx, *k, grid, block, shared);
      if (cooperative) check_cooperative(ctx, *k, grid, block, shared);
    } catch (const ApiError& e) {
      note_refused_launch(ctx, k ? k->name : std::string("a kernel"), grid, block, e.code);
      throw;
    }
    const IssuingStream on(ctx, stream);
    ctx.launch(*k, grid, block, shared, args, cooperative, cluster);
  });
}

}  // namespace

// A graph's kernel node: the launch checks run now, and the arguments are copied (CUDA's rule),
// sized by the kernel's .param list.
GraphNode kernel_node(Context& ctx, const void* func, dim3 grid, dim3 block, size_t shared, void** args,
                      bool cooperative, dim3 cluster) {
  KernelRecord& k = ctx.kernel(func);
  check_configuration(ctx, k, grid, block, shared);
  if (cooperative) check_cooperative(ctx, k, grid, block, shared);
  const runtime::KernelInfo& info = ctx.kernel_info(k);
  GraphNode node;
  node.type = cudaGraphNodeTypeKernel;
  node.func = func;
  node.grid = grid;
  node.block = block;
  node.shared = shared;
  node.cooperative = cooperative;
  node.cluster = cluster;
  for (size_t i = 0; i < info.param_sizes.size(); ++i) {
    if (!args || !args[i]) throw ApiError(cudaErrorInvalidValue, "kernel " + k.name + ": argument " + std::to_string(i) + " is null");
    const auto* bytes = static_cast<const unsigned char*>(args[i]);
    node.args.emplace_back(bytes, bytes + info.param_sizes[i]);
  }
  return node;
}

void Context::launch(KernelRecord& k, dim3 grid, dim3 block, size_t shared, void** args, bool cooperative,
                     dim3 launch_cluster) {
  const runtime::ModuleHandle module = loaded(*k.module);
  const runtime::KernelInfo& info = kernel_info(k);
  const runtime::Dim3 shape =
      runtime::with_run_time_cluster({launch_cluster.x, launch_cluster.y, launch_cluster.z}, k.run_time_cluster, k.name);
  const dim3 cluster(shape.x, shape.y, shape.z);
  const uint64_t cluster_ctas = uint64_t(cluster.x) * cluster.y * cluster.z > 1
                                    ? uint64_t(cluster.x) * cluster.y * cluster.z
                                    : uint64_t(info.required_cluster.x) * info.required_cluster.y * info.required_cluster.z;
  if (cluster_ctas > runtime::kPortableClusterCtas && !k.non_portable_cluster)
    throw ApiError(cudaErrorInvalidClusterSize,
                   "launch of " + k.name + " with clusters of " + std::to_string(cluster_ctas) + " CTAs: more than the portable " +
                       std::to_string(runtime::kPortableClusterCtas) +
                       " need cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1)");
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
  cfg.stream = issuing_stream;
  flush_device_output();  // a GPU prints earlier kernels' output when the next one starts
  managed_to_device();
  LaunchRecord rec;
  rec.kernel = k.name;
  rec.grid = grid;
  rec.block = block;
  rec.shared = shared;
  rec.stream = issuing_stream;
  struct Running {  // counted while the launch simulates (probe_api)
    std::atomic<int>& count;
    explicit Running(std::atomic<int>& c) : count(c) { ++count; }
    ~Running() { --count; }
  };
  try {
    const Running running(launches_running);
    rec.stats = device().launch(module, k.name, cfg, packed);
  } catch (const runtime::LaunchBudgetExceeded& e) {
    // Over the simulator's per-launch budget: it never ran, a refused launch (--error-exitcode,
    // the exit report), with an error a GPU would not give but no configuration error either.
    note_refused_launch(*this, k.name, grid, block, cudaErrorNotSupported);
    throw ApiError(cudaErrorNotSupported, e.what());
  } catch (const runtime::KernelFault&) {
    managed_to_host();
    rec.faulted = true;
    keep_launch(std::move(rec));
    throw;
  }
  managed_to_host();
  record_launch(std::move(rec));
}

// The exit report reads the timing model's JSON of a launch for --stats and --source-report, and
// its text for --source-report; nothing else. Every launch is kept for the report, so without them
// a timing-mode launch holds ~0.4 KB instead of ~3.4 KB (100,000 launches kept 342 MB); the
// kernel's name is the record's own.
void Context::trim_for_report(runtime::LaunchStats& stats) const {
  const bool source_report = env_.device.profiling.source_report > 0;
  if (env_.stats_path.empty() && !source_report) std::string().swap(stats.report_json);
  if (!source_report) std::string().swap(stats.report_text);
  std::string().swap(stats.kernel);
}

void Context::record_launch(LaunchRecord rec) {
  // Events bracket the launch path as well as the CTAs, as on a card (0 where not characterised).
  advance(rec.stats.seconds + rec.stats.launch_seconds);
  std::vector<runtime::DeviceLaunchRecord> children = std::move(rec.stats.device_launches);
  keep_launch(std::move(rec));
  // Grids launched from the device ran after it: each its own launch in the table, timed after it.
  for (runtime::DeviceLaunchRecord& c : children) {
    LaunchRecord child;
    child.kernel = c.kernel;
    child.grid = dim3(c.grid.x, c.grid.y, c.grid.z);
    child.block = dim3(c.block.x, c.block.y, c.block.z);
    child.shared = c.dynamic_shared_bytes;
    child.depth = c.depth;
    child.launched_by = std::move(c.launched_by);
    child.stream = std::move(c.stream);
    child.stats = std::move(c.stats);
    advance(child.stats.seconds + child.stats.launch_seconds);
    keep_launch(std::move(child));
  }
}

void Context::keep_launch(LaunchRecord rec) {
  if (launches.size() < env_.launch_records) {
    trim_for_report(rec.stats);
    launches.push_back(std::move(rec));
    return;
  }
  const runtime::Dim3 grid{rec.grid.x, rec.grid.y, rec.grid.z}, block{rec.block.x, rec.block.y, rec.block.z};
  folded_launches.add(rec.kernel, rec.depth, grid, block, rec.stats, rec.faulted, launch_count() + 1);
}

}  // namespace gpusim::cudart

using gpusim::cudart::api;
using gpusim::cudart::call_stack;
using gpusim::cudart::Context;

extern "C" {

unsigned __cudaPushCallConfiguration(dim3 grid, dim3 block, size_t shared, struct CUstream_st* stream) {
  gpusim::cudart::CallStack& stack = call_stack();
  if (stack.size == stack.entries.size()) {  // nonzero: nvcc's launch code skips the launch
    gpusim::cudart::report_failure("__cudaPushCallConfiguration", cudaErrorLaunchFailure,
                                   "<<<>>> launches nested more than 32 deep inside each other's arguments");
    return 1;
  }
  stack.entries[stack.size++] = {grid, block, shared, stream};
  return 0;
}

cudaError_t __cudaPopCallConfiguration(dim3* grid, dim3* block, size_t* shared, void* stream) {
  gpusim::cudart::CallStack& stack = call_stack();
  if (stack.size == 0) return cudaErrorMissingConfiguration;
  const auto c = stack.entries[--stack.size];
  *grid = c.grid;
  *block = c.block;
  *shared = c.shared;
  *static_cast<cudaStream_t*>(stream) = c.stream;
  return cudaSuccess;
}

// The handle a host stub caches is the host function itself: registration keys kernels by it.
// The stub asks once and keeps whatever it got, so the handle is written even when the call fails
// (a sticky error from an earlier fault): a null handle kept then made every launch of that kernel
// fail after cudaDeviceReset.
cudaError_t __cudaGetKernel(cudaKernel_t* kernel, const void* host_function) {
  if (kernel) *kernel = reinterpret_cast<cudaKernel_t>(const_cast<void*>(host_function));
  return api("__cudaGetKernel", [&](Context& ctx) {
    if (!kernel) throw gpusim::cudart::ApiError(cudaErrorInvalidValue, "null result pointer");
    ctx.kernel(host_function);
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
// The programmatic and launch-completion events trigger, at the latest, when the kernel is done,
// which is when the launch returns here: they are recorded right after it.
cudaError_t cudaLaunchKernelExC(const cudaLaunchConfig_t* config, const void* func, void** args) {
  if (!config || (config->numAttrs && !config->attrs))
    return gpusim::cudart::report_failure("cudaLaunchKernelExC", cudaErrorInvalidValue, "null config, or numAttrs without attrs");
  bool cooperative = false;
  dim3 cluster(1, 1, 1);
  std::vector<cudaEvent_t> events;
  for (unsigned i = 0; i < config->numAttrs; ++i) {
    const cudaLaunchAttribute& a = config->attrs[i];
    if (a.id == cudaLaunchAttributeCooperative) cooperative = a.val.cooperative != 0;
    if (a.id == cudaLaunchAttributeClusterDimension)
      cluster = dim3(a.val.clusterDim.x, a.val.clusterDim.y, a.val.clusterDim.z);
    if (a.id == cudaLaunchAttributeProgrammaticEvent) events.push_back(a.val.programmaticEvent.event);
    if (a.id == cudaLaunchAttributeLaunchCompletionEvent) events.push_back(a.val.launchCompletionEvent.event);
  }
  cudaError_t status = gpusim::cudart::launch_kernel("cudaLaunchKernelExC", func, config->gridDim, config->blockDim, args,
                                                     config->dynamicSmemBytes, config->stream, cooperative, cluster);
  for (cudaEvent_t e : events)
    if (status == cudaSuccess) status = cudaEventRecord(e, config->stream);
  return status;
}

cudaError_t cudaFuncGetName(const char** name, const void* func) {
  return api("cudaFuncGetName", [&](Context& ctx) {
    if (!name) throw gpusim::cudart::ApiError(cudaErrorInvalidValue, "null result pointer");
    *name = ctx.kernel(func).name.c_str();
  });
}

}  // extern "C"
