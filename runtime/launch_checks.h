// Launch-configuration checks: the one implementation behind the simulator's Device::launch
// (check_launch) and the CUDA APIs' pre-launch checks (libcudart's cudaLaunchKernel/<<<>>>,
// libcuda's cuLaunchKernel), which map each LaunchProblem to their own error code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "isa/ir.h"
#include "runtime/device.h"
#include "sim/gpu_config.h"
#include "sim/occupancy.h"

namespace gpusim::runtime {

// Why a configuration can never launch. The APIs' codes: cudart InvalidConfiguration for the
// first three, InvalidValue for shared memory, CooperativeLaunchTooLarge; libcuda
// CUDA_ERROR_INVALID_VALUE for the first four, CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE.
// A block over the kernel's own thread limit (__launch_bounds__) is cudaErrorLaunchOutOfResources /
// CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES ("too many resources requested for launch").
enum class LaunchProblem : uint8_t {
  ZeroDimension, BlockTooLarge, GridTooLarge, TooMuchSharedMemory, CooperativeTooLarge, OverKernelThreadLimit,
  TooManyRegisters,
  StaticSharedOverPtxasLimit  // no GPU's JIT compiles the kernel (a PTX JIT failure, not a launch error)
};

// Static __shared__ bytes ptxas accepts for a kernel on every architecture (0xc000: "uses too much
// shared data"); more than 48 KB per block must be dynamic shared memory.
constexpr uint64_t kPtxasStaticSharedLimit = 48 * 1024;

struct LaunchRejection {
  LaunchProblem problem;
  std::string message;  // names the kernel, the grid and block, and the limit
};

// What an API knows about a launch before it runs it.
struct LaunchRequest {
  std::string kernel;
  Dim3 grid, block;
  uint64_t dynamic_shared_bytes = 0;
  uint64_t static_shared_bytes = 0;
  // The kernel's maximum dynamic shared memory attribute; -1: the device's default per-block limit.
  int64_t max_dynamic_shared_bytes = -1;
  // How the API raises that limit, quoted in the message ("cudaFuncSetAttribute(...)").
  std::string raise_limit_with;
  // The kernel's .maxntid/.reqntid thread limit (isa::Function::max_threads_per_block); 0 = none.
  uint32_t kernel_max_threads = 0;
};

// Dimensions (positive, within the device's grid and block limits, threads per block) and
// shared memory (dynamic within the kernel's limit; dynamic + static within the opt-in maximum
// when the kernel's limit is set, else within the default per-block limit): the first problem, or nothing.
std::optional<LaunchRejection> check_launch_request(const DeviceProperties& device, const LaunchRequest& request);

// Whether a block of `threads` threads could need more registers than one SM grants a block,
// for a kernel using the most registers a thread may have (`registers.max_per_thread`). When it
// cannot (blocks of up to 256 threads on every NVIDIA GPU since Volta), the APIs skip the
// register check and need not run ptxas for the count.
bool block_may_exceed_registers(const sim::GpuConfig& config, uint64_t threads);

// The register file check real GPUs make at launch: registers per thread (from ptxas; 0 =
// unknown, never refused) x the block's warps, allocated per warp in the configured granularity,
// within the per-block limit. A kernel compiled without __launch_bounds__ for 64+ registers
// launched with 1024 threads fails so ("too many resources requested for launch",
// cudaErrorLaunchOutOfResources / CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES; not sticky).
std::optional<LaunchRejection> check_launch_registers(const sim::GpuConfig& config, const std::string& kernel, Dim3 grid,
                                                      Dim3 block, unsigned registers_per_thread);

// The largest block (a multiple of 32 threads, at most `config.max_threads_per_block`) that
// check_launch_registers accepts for a kernel of `registers_per_thread` registers: CUDA's
// maxThreadsPerBlock function attribute, "beyond which a launch would fail".
uint32_t max_threads_for_registers(const sim::GpuConfig& config, unsigned registers_per_thread);

// A cooperative grid must be resident all at once: at most (CTAs per SM for `kernel`) x SMs.
std::optional<LaunchRejection> check_cooperative_fit(const sim::GpuConfig& config, const sim::KernelResources& kernel,
                                                     const std::string& kernel_name, Dim3 grid);

// The simulated device's own check at launch (registers, shared memory and dimensions against
// the GPU configuration, and the cooperative fit). Throws Error when the launch can never run.
void check_launch(const sim::GpuConfig& config, const isa::Function& kernel, const LaunchConfig& launch);

}  // namespace gpusim::runtime
