// The CUDA-like device API: the only interface the framework, the workloads and the CLI use.
// Two implementations: SimDevice (runtime/sim_device.h, the simulator) and, later, CudaDevice
// (a real GPU through the CUDA driver, loading the same PTX).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/exec_context.h"  // Dim3
#include "runtime/device_properties.h"
#include "runtime/host_pages.h"
#include "runtime/tensor_map_spec.h"

namespace gpusim::runtime {

using isa::Dim3;
using DevPtr = uint64_t;  // a device address as a kernel sees it
// What kind of fault stopped a kernel (illegal address, misaligned, assert, trap, barrier,
// runaway, unsupported, other): the same enum as isa::ExecError's.
using FaultKind = isa::FaultKind;
using isa::fault_kind_name;

// Misuse of the API (bad pointer, bad launch configuration, unknown kernel, bad arguments).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A module holds no kernel of that name (a CUDA runtime tells a kernel the program registered but
// whose code has no PTX from a wrong name).
class KernelNotFound : public Error {
 public:
  using Error::Error;
};

// A launch the simulator refuses before it runs because its estimated work is over the per-launch
// budget (--max-launch-work): a GPU would run it. A CUDA runtime counts it as a refused launch.
class LaunchBudgetExceeded : public Error {
 public:
  using Error::Error;
};

// A fault raised by the kernel while it ran (out-of-bounds access, misaligned address, barrier
// that can never complete, trap). On the simulator the device stays usable and allocations keep
// their contents; a real GPU's context is lost after such a fault (CUDA's rule), so CudaDevice
// refuses further calls with an Error saying so (runtime/cuda_device.h).
// kind() tells which CUDA error a GPU would have returned.
class KernelFault : public Error {
 public:
  explicit KernelFault(const std::string& what, FaultKind kind = FaultKind::Other) : Error(what), kind_(kind) {}
  FaultKind kind() const { return kind_; }

 private:
  FaultKind kind_;
};

// A launch stopped by SIGINT/SIGTERM before it finished (runtime/interrupt_signals.h): the
// results of the launches before it are complete, this one's are not.
class Interrupted : public Error {
 public:
  explicit Interrupted(const std::string& what, int signal) : Error(what), signal_(signal) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

// An allocation the device's memory cannot hold (cudaErrorMemoryAllocation).
class OutOfMemory : public Error {
 public:
  using Error::Error;
};

// Per-device limits a CUDA program sets with cudaDeviceSetLimit (cudaLimitStackSize,
// cudaLimitPrintfFifoSize, cudaLimitMallocHeapSize).
// cudaLimitDevRuntimePendingLaunchCount: device-side launches that may be pending at once.
enum class DeviceLimit { StackSize = 0, PrintfFifoSize = 1, MallocHeapSize = 2, DevRuntimePendingLaunchCount = 4 };  // CUlimit's values
const char* device_limit_name(DeviceLimit limit);  // "stack size", "printf FIFO size", ...
// CUDA's defaults: 1 KiB of stack per thread, a 1 MiB printf FIFO, an 8 MiB device malloc heap.
inline constexpr uint64_t kDefaultStackSize = 1024;
inline constexpr uint64_t kDefaultPrintfFifoSize = uint64_t(1) << 20;
inline constexpr uint64_t kDefaultMallocHeapSize = uint64_t(8) << 20;

struct LaunchConfig {
  Dim3 grid;
  Dim3 block;
  uint32_t dynamic_shared_bytes = 0;
  // A cooperative launch (cudaLaunchCooperativeKernel): every CTA is resident at once, so a
  // cooperative_groups grid sync can complete. A grid larger than the GPU holds at once is
  // refused (cudaErrorCooperativeLaunchTooLarge).
  bool cooperative = false;
  // Thread-block cluster shape (sm_90; cudaLaunchAttributeClusterDimension /
  // CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION). {1,1,1}: none, unless the kernel's PTX requires one
  // (.reqnctapercluster). The grid must be a whole number of clusters.
  Dim3 cluster{1, 1, 1};
  // The stream the launch was issued on, as runtime::stream_label names it ("stream 3"), for the
  // timeline's per-stream tracks; empty where the caller has no streams (gpusim run / launch).
  std::string stream{};
};

// One kernel argument: raw bytes of a scalar or pointer, packed by the device into the kernel's
// .param layout (offsets and alignment from the PTX), with its size checked against the PTX.
struct KernelArg {
  std::vector<uint8_t> bytes;
  template <typename T>
  static KernelArg of(const T& v) {
    KernelArg a;
    a.bytes.resize(sizeof(T));
    std::memcpy(a.bytes.data(), &v, sizeof(T));
    return a;
  }
};
using KernelArgs = std::vector<KernelArg>;
template <typename... Ts>
KernelArgs args(const Ts&... vs) { return KernelArgs{KernelArg::of(vs)...}; }

struct DeviceLaunchRecord;

// What a launch reports back. Fields a backend cannot know stay zero.
struct LaunchStats {
  std::string kernel;
  uint64_t warp_instructions = 0;
  uint64_t thread_instructions = 0;
  uint64_t ctas = 0;
  uint64_t cycles = 0;         // simulated core cycles (timing mode)
  double seconds = 0.0;        // simulated (timing mode) or measured (GPU) kernel time
  // Timing mode: the modelled launch path outside the CTAs (launch.*_ns); an event-timed launch
  // takes seconds + launch_seconds. 0 on a GPU, whose `seconds` already include it.
  double launch_seconds = 0.0;
  double host_seconds = 0.0;   // wall time the host spent on the launch
  // Backend-specific detail: the timing model's statistics (JSON text) and readable summary.
  std::string report_json;
  std::string report_text;
  // Sampled timing (--sample, GPUSIM_SAMPLE=1): what ran in detail and the prediction's estimated
  // error, one line (sim::describe_sampling); empty when the launch was not sampled.
  std::string sampling_text;
  // --racecheck: racing shared-memory accesses found in the launch (0 when not checked).
  uint64_t race_hazards = 0;
  // Grids the kernel launched from the device (dynamic parallelism) and theirs, in the order
  // they ran (after this grid; docs/CUDA_SUPPORT.md); their work is not in the figures above.
  std::vector<DeviceLaunchRecord> device_launches;
};

// One device-side launch (runtime/child_grids.h): a grid like any other, with its figures.
struct DeviceLaunchRecord {
  std::string kernel;
  Dim3 grid, block;
  uint32_t dynamic_shared_bytes = 0;
  unsigned depth = 1;       // 1: launched by a host-launched grid
  std::string stream;       // isa::child_stream_name
  std::string launched_by;  // the launching thread: kernel, CTA, thread, PC
  LaunchStats stats;
};

using ModuleHandle = int;

// An allocation, or a host range mapped into the device's address space, that holds an address.
struct AllocationInfo {
  DevPtr base = 0;
  size_t size = 0;
  bool host_mapped = false;  // host memory kernels reach at its host address (managed, mapped)
  bool managed_variables = false;  // the block of a module's __managed__ variables (host_mapped too)
};

// What a kernel needs from its caller: parameter sizes in .param order (a CUDA runtime packs the
// `void** args` of a launch with them) and the resources cudaFuncGetAttributes reports.
struct KernelInfo {
  std::string name;
  std::vector<uint32_t> param_sizes;
  std::vector<uint32_t> param_offsets;  // each parameter's offset in the parameter buffer (PTX layout)
  uint32_t static_shared_bytes = 0;
  uint32_t local_bytes_per_thread = 0;
  uint32_t registers_per_thread = 0;   // from ptxas for the device's architecture; 0 = unknown
  uint32_t max_threads_per_block = 0;  // .maxntid / .reqntid product; 0 = not restricted
  uint32_t ptx_version = 0;            // the PTX's target architecture: 80 for .target sm_80 (CUDA's ptxVersion)
  Dim3 required_cluster{0, 0, 0};      // .reqnctapercluster (__cluster_dims__); zeros: none
  bool explicit_cluster = false;       // .explicitcluster: launches must give a cluster shape
};

// A module-scope variable (__device__ -> .global, __constant__ -> .const).
struct SymbolInfo {
  // Device address. A .const variable gets one too: asking for it places the module's constant
  // bank in device memory, where copies and memsets reach it and each launch reads it from.
  DevPtr address = 0;
  size_t size = 0;
  bool constant = false;
  // A __managed__ variable: `address` is host memory the device maps (runtime/managed_variables.h),
  // which host code may read and write directly.
  bool managed = false;
};

class Device {
 public:
  virtual ~Device() = default;
  virtual std::string name() const = 0;

  virtual DevPtr alloc(size_t bytes) = 0;
  virtual void free(DevPtr ptr) = 0;
  virtual void copy_to_device(DevPtr dst, const void* src, size_t bytes) = 0;
  virtual void copy_to_host(void* dst, DevPtr src, size_t bytes) = 0;
  virtual void memset(DevPtr dst, int value, size_t bytes) = 0;

  // Loads PTX text (parsed and checked once). `source_name` names it in error messages.
  virtual ModuleHandle load_ptx(const std::string& source_name, const std::string& ptx) = 0;
  // Unloads a module (cuModuleUnload, cudaLibraryUnload): its __device__ and __constant__ memory
  // is freed, and later uses of the handle are errors. A device that cannot unload keeps it.
  virtual void unload_module(ModuleHandle module) { (void)module; }
  // Runs a kernel to completion (launches are synchronous in the simulator).
  virtual LaunchStats launch(ModuleHandle module, const std::string& kernel, const LaunchConfig& cfg,
                             const KernelArgs& args) = 0;
  virtual void synchronize() = 0;
  // Time the simulated timeline spends outside kernels (a copy or memset the runtime timed:
  // `what`): the timing model's clock registers (%clock64, %globaltimer) and its trace move on by
  // it. A backend without a simulated clock has nothing to move.
  virtual void pass_idle_time(double seconds, const std::string& what) {}

  // --- What CUDA runtimes/drivers built on a Device need beyond the basics. The simulator
  // implements all of them; a backend that cannot throws Error saying so.
  virtual DeviceProperties properties() const { throw Error(name() + ": device properties are not available"); }
  virtual void copy_device_to_device(DevPtr dst, DevPtr src, size_t bytes) {
    std::vector<uint8_t> bounce(bytes);
    copy_to_host(bounce.data(), src, bytes);
    copy_to_device(dst, bounce.data(), bytes);
  }
  // `how`: whether the range is the library's own allocation or the program's registered memory,
  // whose pages the device checks before touching (runtime/host_pages.h).
  virtual void map_host_memory(void* host, size_t bytes, HostMapping how = HostMapping::Owned) {
    (void)how;
    throw Error(name() + ": cannot map host memory");
  }
  virtual void unmap_host_memory(void* host) { throw Error(name() + ": cannot map host memory"); }
  virtual std::optional<AllocationInfo> allocation_at(DevPtr addr) const { return std::nullopt; }
  // Device memory the loaded modules' __device__ / __constant__ variables take (what
  // cudaMemGetInfo / cuMemGetInfo count beside the programs' allocations); 0 where the backend's
  // own driver accounts for them.
  virtual uint64_t module_variable_bytes() const { return 0; }
  // The JIT's register cap for a module's kernels (CU_JIT_MAX_REGISTERS): the count ptxas gives is
  // capped at `max_registers` (the JIT spills the rest) wherever the device uses it. A device that
  // compiles the PTX itself (a real GPU's driver) is given the option at load instead.
  virtual void cap_registers(ModuleHandle module, unsigned max_registers) {}
  // `with_registers`: also run what finds the register count (ptxas on the simulator; slow).
  virtual KernelInfo kernel_info(ModuleHandle module, const std::string& kernel, bool with_registers = false) {
    throw Error(name() + ": kernel information is not available");
  }
  virtual SymbolInfo symbol(ModuleHandle module, const std::string& symbol_name) {
    throw Error(name() + ": module symbols are not available");
  }
  virtual void write_symbol(ModuleHandle module, const std::string& symbol_name, size_t offset, const void* src, size_t bytes) {
    throw Error(name() + ": module symbols are not available");
  }
  virtual void read_symbol(ModuleHandle module, const std::string& symbol_name, size_t offset, void* dst, size_t bytes) {
    throw Error(name() + ": module symbols are not available");
  }
  // Device limits (cudaDeviceSetLimit / cudaDeviceGetLimit). Devices that cannot change them
  // throw Error saying so (the default).
  virtual void set_limit(DeviceLimit limit, uint64_t value);
  virtual uint64_t get_limit(DeviceLimit limit);
  // cuTensorMapEncodeTiled: the 128 opaque bytes of a CUtensorMap for `spec`, as a kernel
  // argument (a __grid_constant__ CUtensorMap parameter). Each backend writes its own format (the
  // simulator's, or the real driver's), so a map is only valid on the device that encoded it.
  // Throws Error naming the first rule the map breaks, or that the backend cannot encode maps.
  virtual KernelArg encode_tensor_map_tiled(const TiledTensorMapSpec& spec) {
    throw Error(name() + ": cannot encode tensor maps (cuTensorMapEncodeTiled)");
  }

  // Typed helpers.
  template <typename T>
  DevPtr upload(const std::vector<T>& host) {
    DevPtr p = alloc(host.size() * sizeof(T));
    copy_to_device(p, host.data(), host.size() * sizeof(T));
    return p;
  }
  template <typename T>
  std::vector<T> download(DevPtr p, size_t count) {
    std::vector<T> out(count);
    copy_to_host(out.data(), p, count * sizeof(T));
    return out;
  }
};

}  // namespace gpusim::runtime
