#include "runtime/launch_checks.h"

#include <algorithm>
#include <sstream>

#include "isa/kernel_names.h"

namespace gpusim::runtime {

namespace {


// Kernels by the name the user wrote ("inc(int*)", not nvcc's "_Z3incPi").
std::string launch_text(const std::string& kernel, Dim3 grid, Dim3 block) {
  return "launch of '" + isa::readable_function_name(kernel) + "' with grid " + dims_text(grid) + ", block " +
         dims_text(block);
}

// How the dynamic limit can be raised, and how far: a request past the opt-in maximum cannot be
// met by the attribute (whose setter refuses such a value: an outside researcher's program asked
// for 98,305 bytes, its cudaFuncSetAttribute failed unchecked, and the message sent it back there).
std::string raise_hint(const DeviceProperties& p, const LaunchRequest& r) {
  if (r.raise_limit_with.empty()) return "";
  const uint64_t optin = uint64_t(p.shared_per_block_optin);
  const uint64_t most = optin > r.static_shared_bytes ? optin - r.static_shared_bytes : 0;
  // With static bytes it is their sum that is over the maximum (an outside user's 216,080 dynamic +
  // 16,384 static bytes against 232,448: the dynamic bytes alone are not).
  if (r.dynamic_shared_bytes > most)
    return std::string(r.static_shared_bytes ? " and, with the static bytes," : " and") + " the " +
           std::to_string(p.shared_per_block_optin) + "-byte opt-in maximum per block, which " + r.raise_limit_with +
           " cannot exceed (it returns an error for a larger value)";
  return " (" + r.raise_limit_with + " raises it, up to " + std::to_string(most) + " bytes of dynamic shared memory here)";
}

}  // namespace

std::optional<LaunchRejection> check_launch_request(const DeviceProperties& p, const LaunchRequest& r) {
  const std::string what = launch_text(r.kernel, r.grid, r.block);
  const Dim3 g = r.grid, b = r.block;
  if (!g.x || !g.y || !g.z || !b.x || !b.y || !b.z) return LaunchRejection{LaunchProblem::ZeroDimension, what + ": a dimension is 0"};
  const uint64_t threads = uint64_t(b.x) * b.y * b.z;
  if (b.x > unsigned(p.max_block_dim[0]) || b.y > unsigned(p.max_block_dim[1]) || b.z > unsigned(p.max_block_dim[2]) ||
      threads > uint64_t(p.max_threads_per_block))
    return LaunchRejection{LaunchProblem::BlockTooLarge,
                           what + ": " + std::to_string(threads) + " threads; the block is at most " +
                               std::to_string(p.max_threads_per_block) + " threads and " + std::to_string(p.max_block_dim[0]) +
                               "x" + std::to_string(p.max_block_dim[1]) + "x" + std::to_string(p.max_block_dim[2])};
  if (r.kernel_max_threads && threads > r.kernel_max_threads)
    return LaunchRejection{LaunchProblem::OverKernelThreadLimit,
                           what + ": " + std::to_string(threads) + " threads, but the kernel was compiled for at most " +
                               std::to_string(r.kernel_max_threads) +
                               " (__launch_bounds__ / .maxntid): too many resources requested for launch"};
  if (g.x > unsigned(p.max_grid_dim[0]) || g.y > unsigned(p.max_grid_dim[1]) || g.z > unsigned(p.max_grid_dim[2]))
    return LaunchRejection{LaunchProblem::GridTooLarge, what + ": a grid dimension is over its limit " +
                                                            std::to_string(p.max_grid_dim[0]) + "x" +
                                                            std::to_string(p.max_grid_dim[1]) + "x" +
                                                            std::to_string(p.max_grid_dim[2])};
  const uint64_t limit =
      r.max_dynamic_shared_bytes >= 0 ? uint64_t(r.max_dynamic_shared_bytes) : uint64_t(p.shared_per_block);
  // CUDA's rule: the attribute bounds the dynamic bytes alone (its setter already checked that it
  // plus the static bytes fit the opt-in maximum); without it, static + dynamic must fit the default.
  const uint64_t total_limit =
      r.max_dynamic_shared_bytes >= 0 ? uint64_t(p.shared_per_block_optin) : uint64_t(p.shared_per_block);
  // Static bytes over ptxas' 48 KB: a GPU's JIT refuses the kernel whatever the attribute says (the
  // attribute's hint below steered a user to a change that runs here and fails on silicon).
  if (r.static_shared_bytes > kPtxasStaticSharedLimit)
    return LaunchRejection{LaunchProblem::StaticSharedOverPtxasLimit,
                           what + ": the kernel's " + std::to_string(r.static_shared_bytes) +
                               " bytes of static __shared__ memory exceed the " + std::to_string(kPtxasStaticSharedLimit) +
                               " that ptxas accepts on every GPU (a GPU's JIT refuses to compile it: \"uses too much "
                               "shared data\"); declare the array extern __shared__ and give the launch the bytes as "
                               "dynamic shared memory" +
                               (r.raise_limit_with.empty() ? std::string() : " (above 48 KB after " + r.raise_limit_with + ")")};
  // Static bytes alone over the chip's maximum: no attribute helps (a configuration with less
  // shared memory than 48 KB per block meets it at launch).
  if (r.static_shared_bytes > uint64_t(p.shared_per_block_optin))
    return LaunchRejection{LaunchProblem::TooMuchSharedMemory,
                           what + ": the kernel's " + std::to_string(r.static_shared_bytes) +
                               " bytes of static shared memory exceed the " + std::to_string(p.shared_per_block_optin) +
                               "-byte maximum per block of this configuration (no attribute raises it)"};
  if (r.dynamic_shared_bytes > limit || r.dynamic_shared_bytes + r.static_shared_bytes > total_limit)
    return LaunchRejection{LaunchProblem::TooMuchSharedMemory,
                           what + ": " + std::to_string(r.dynamic_shared_bytes) + " bytes of dynamic shared memory (+" +
                               std::to_string(r.static_shared_bytes) + " static" +
                               (r.static_shared_bytes ? ", " + std::to_string(r.dynamic_shared_bytes + r.static_shared_bytes) +
                                                            " in all" : std::string()) +
                               ") exceed the " + std::to_string(limit) + "-byte limit" + raise_hint(p, r)};
  return std::nullopt;
}

bool block_may_exceed_registers(const sim::GpuConfig& config, uint64_t threads) {
  sim::KernelResources worst;
  worst.threads_per_block = static_cast<int>(std::min<uint64_t>(threads, 1u << 30));
  worst.registers_per_thread = config.max_registers_per_thread;
  return sim::compute_occupancy(config, worst).limit(sim::OccupancyLimiter::Registers) == 0;
}

std::optional<LaunchRejection> check_launch_registers(const sim::GpuConfig& config, const std::string& kernel, Dim3 grid,
                                                      Dim3 block, unsigned registers_per_thread) {
  if (registers_per_thread == 0) return std::nullopt;
  sim::KernelResources res;
  res.threads_per_block = static_cast<int>(block.count());
  res.registers_per_thread = static_cast<int>(registers_per_thread);
  const sim::Occupancy occ = sim::compute_occupancy(config, res);
  if (occ.limit(sim::OccupancyLimiter::Registers) > 0) return std::nullopt;
  std::ostringstream os;
  os << launch_text(kernel, grid, block) << ": too many resources requested for launch: " << block.count()
     << " threads x " << registers_per_thread << " registers per thread (ptxas, " << config.sm_arch << ") need "
     << occ.registers_per_cta << " registers, more than the " << config.registers_per_block_max
     << " a block may use on " << config.name << " (limit the registers with __launch_bounds__ or -maxrregcount, "
     << "or launch smaller blocks)";
  return LaunchRejection{LaunchProblem::TooManyRegisters, os.str()};
}

uint32_t max_threads_for_registers(const sim::GpuConfig& config, unsigned registers_per_thread) {
  uint32_t threads = static_cast<uint32_t>(config.max_threads_per_block) / 32 * 32;
  while (threads > 32 && check_launch_registers(config, "", {1, 1, 1}, {threads, 1, 1}, registers_per_thread))
    threads -= 32;
  return threads;
}

std::optional<LaunchRejection> check_cooperative_fit(const sim::GpuConfig& config, const sim::KernelResources& kernel,
                                                     const std::string& kernel_name, Dim3 grid) {
  const sim::Occupancy occ = sim::compute_occupancy(config, kernel);
  const uint64_t resident = uint64_t(occ.ctas_per_sm) * uint64_t(config.num_sms);
  const uint64_t ctas = uint64_t(grid.x) * grid.y * grid.z;
  if (ctas <= resident) return std::nullopt;
  std::ostringstream os;
  os << "cooperative launch of '" << isa::readable_function_name(kernel_name) << "' with grid " << dims_text(grid) << " = " << ctas << " CTAs on "
     << config.name << ": cudaErrorCooperativeLaunchTooLarge (too many blocks in cooperative launch): at most "
     << resident << " CTAs can be resident at once (" << occ.ctas_per_sm << " per SM x " << config.num_sms << " SMs)";
  return LaunchRejection{LaunchProblem::CooperativeTooLarge, os.str()};
}

void check_launch(const sim::GpuConfig& config, const isa::Function& kernel, const LaunchConfig& launch) {
  // KernelResources counts bytes in an int: a PTX declaration of gigabytes would wrap there.
  if (kernel.static_shared_bytes + launch.dynamic_shared_bytes > uint64_t(config.shared_per_block_max_bytes))
    throw Error(launch_text(kernel.name, launch.grid, launch.block) + " on " + config.name + ": " +
                std::to_string(kernel.static_shared_bytes) + " bytes of static shared memory + " +
                std::to_string(launch.dynamic_shared_bytes) + " dynamic exceed the per-block limit of " +
                std::to_string(config.shared_per_block_max_bytes) + " bytes");
  sim::KernelResources res;
  res.registers_per_thread = static_cast<int>(kernel.ptxas_registers);  // 0 when ptxas was not consulted
  res.static_shared_bytes = static_cast<int>(kernel.static_shared_bytes);
  res.dynamic_shared_bytes = static_cast<int>(launch.dynamic_shared_bytes);
  const sim::LaunchDims grid{launch.grid.x, launch.grid.y, launch.grid.z};
  const sim::LaunchDims block{launch.block.x, launch.block.y, launch.block.z};
  if (auto problem = sim::validate_launch(config, grid, block, res))
    throw Error(launch_text(kernel.name, launch.grid, launch.block) + " on " + config.name + ": " + *problem);
  if (kernel.max_threads_per_block && launch.block.count() > kernel.max_threads_per_block)
    throw Error(launch_text(kernel.name, launch.grid, launch.block) + ": " + std::to_string(launch.block.count()) +
                " threads, but the kernel was compiled for at most " + std::to_string(kernel.max_threads_per_block) +
                " (.maxntid/.reqntid)");
  const uint32_t* need = kernel.required_block;
  if (need[0] && (launch.block.x != need[0] || launch.block.y != need[1] || launch.block.z != need[2]))
    throw Error(launch_text(kernel.name, launch.grid, launch.block) + ": the kernel requires a block of exactly (" +
                std::to_string(need[0]) + "," + std::to_string(need[1]) + "," + std::to_string(need[2]) +
                ") threads (.reqntid); a launch with other dimensions fails on a GPU too");
  if (launch.cooperative) {
    res.threads_per_block = static_cast<int>(launch.block.count());
    if (auto rejection = check_cooperative_fit(config, res, kernel.name, launch.grid)) throw Error(rejection->message);
  }
}

}  // namespace gpusim::runtime
