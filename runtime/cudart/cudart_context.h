// The state of the simulator-backed CUDA runtime (libcudart.so.13) for one process.
//
// CUDA's runtime API is a C interface with implicit state (the current device, registered
// kernels, the last error, streams), so the library keeps exactly one such object per process,
// reached through `context()`. Everything else is a thin adapter over runtime::Device: the
// simulator (runtime/sim_device.h) does the allocations, copies and launches.
//
// Launches are synchronous in the simulator, so every stream is always idle and CUDA's ordering
// rules (legacy default stream, events, callbacks) hold by construction. Simulated time: a
// timeline that launches and copies advance (timing mode); events read it, so
// cudaEventElapsedTime reports the model's time. In functional mode events read the host clock.
#pragma once

#include <cuda_runtime_api.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <cstdint>
#include <map>
#include <optional>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/device.h"
#include "runtime/folded_launches.h"
#include "runtime/fatbin.h"
#include "runtime/shared_kernel_handles.h"
#include "runtime/interrupt_signals.h"
#include "runtime/shared_streams.h"
#include "runtime/managed_ranges.h"
#include "runtime/raw_enum.h"
#include "runtime/cudart/cudart_stepper.h"
#include "runtime/sim_environment.h"
#include "sim/gpu_config.h"

namespace gpusim::cudart {

class TextureState;  // CUDA arrays, texture and surface objects (cudart_textures.h)

// An API call's failure with the CUDA error code it returns; the message goes to stderr.
class ApiError : public std::runtime_error {
 public:
  // `said_before`: the message was printed at an earlier call; this one only returns the code.
  ApiError(cudaError_t code, const std::string& message, bool said_before = false)
      : std::runtime_error(message), code(code), said_before(said_before) {}
  cudaError_t code;
  bool said_before;
};

struct GraphState;                   // cudart_graph.h
struct LibraryState;                 // cudaLibrary* (cudart_library.cpp)

struct ModuleRecord {                 // one registered fat binary
  int index = 0;
  runtime::Fatbin fatbin;
  std::string ptx_error;              // why the fat binary cannot run (no PTX, unreadable), or ""
  bool ptx_error_said = false;        // printed at the first launch of its kernels (not again)
  runtime::ModuleHandle module = -1;  // loaded on first use
  std::string source_name;            // what the device calls it, once loaded
  bool load_failed = false;
};

struct KernelRecord {
  ModuleRecord* module = nullptr;
  std::string name;                   // mangled, as in the PTX
  bool info_loaded = false;
  runtime::KernelInfo info;
  int max_dynamic_shared = -1;        // cudaFuncAttributeMaxDynamicSharedMemorySize; -1 = default
  // cudaFuncAttributePreferredSharedMemoryCarveout (-1 = default, else a percentage): a hint, read
  // back; the simulator sizes shared memory from the launch's needs.
  int preferred_carveout = -1;
  bool non_portable_cluster = false;  // cudaFuncAttributeNonPortableClusterSizeAllowed
  runtime::Dim3 run_time_cluster{0, 0, 0};  // cudaFuncAttributeRequiredClusterWidth/Height/Depth
  // A CUfunction / CUkernel of gpusim's libcuda passed to this library (cudart_driver_kernels.cpp):
  // its module is the driver's, and the driver's attribute values last copied in.
  bool from_driver = false;
  runtime::SeenAttributes driver_seen;
};

struct VariableRecord {
  ModuleRecord* module = nullptr;
  std::string name;
  size_t size = 0;
  bool constant = false;
  // __managed__: where host code reaches the variable (what the program's registration slot points
  // at). Once the module is loaded that is the device's own placement (host memory kernels reach at
  // the same address: runtime/managed_variables.h), with no copies; before that, and on a device
  // that does not place it, `host_copy`, kept in step with the device's copy at each launch.
  void* managed_host = nullptr;
  void* host_copy = nullptr;
  bool carry_host_copy = false;  // after a device reset: the next placement starts from host_copy
  // Host code reaches the device's placement (no copies needed around launches).
  bool placed() const { return managed_host && managed_host != host_copy; }
};

struct LaunchRecord {
  std::string kernel;
  dim3 grid, block;
  size_t shared = 0;
  bool faulted = false;               // the kernel faulted (its figures are incomplete)
  unsigned depth = 0;                 // dynamic parallelism: 0 = launched by the host
  std::string launched_by;            // depth > 0: the launching thread (kernel, CTA, thread, PC)
  std::string stream;                 // the stream it was issued on (StreamTable::label; depth > 0: the device-side stream)
  runtime::LaunchStats stats;
};

class Context {
 public:
  Context();
  std::recursive_mutex mutex;
  // Kernel launches being simulated now (each holds `mutex` for its whole run), for the queries
  // that must not wait for them (probe_api).
  std::atomic<int> launches_running{0};
  // The process the simulated device belongs to. CUDA is not fork-safe: a child of a process that
  // had initialised CUDA gets cudaErrorInitializationError from every call, as on a GPU, and
  // does not print (or write) the parent's launch report at its exit.
  pid_t owner_pid = getpid();
  bool initialized() const { return env_read_; }
  // Whether this call comes from a forked child of an initialised process (see owner_pid); a
  // child of a process that never used CUDA takes the device over.
  bool forked_child() {
    if (owner_pid == getpid()) return false;
    if (!initialized()) owner_pid = getpid();
    return owner_pid != getpid();
  }

  // The simulated device, created on first use from the environment (throws ApiError).
  runtime::Device& device();
  const sim::GpuConfig& config();
  const runtime::SimEnvironment& environment() const { return env_; }
  const runtime::DeviceProperties& properties();

  // Registration (at program start-up) and lookup.
  ModuleRecord* add_module(runtime::Fatbin fatbin, std::string ptx_error);
  void add_kernel(ModuleRecord* module, const void* host_function, const std::string& name);
  void add_variable(ModuleRecord* module, const void* host_shadow, VariableRecord var);
  // A kernel by its handle: a registered host function, a library kernel's key, or libcuda's
  // CUfunction / CUkernel (throws ApiError: cudaErrorInvalidDeviceFunction).
  KernelRecord& kernel(const void* host_function);
  // This library's own kernel of that handle, or null.
  KernelRecord* registered_kernel(const void* host_function);
  void remove_kernel(const void* key) { kernels_.erase(key); }  // a library's kernel, at cudaLibraryUnload
  VariableRecord& variable(const void* host_shadow);
  runtime::ModuleHandle loaded(ModuleRecord& module);  // loads on first use (throws ApiError)
  // The PTX text `loaded` gave the device (made again: only libcuda's use of a runtime kernel
  // handle needs it, runtime/shared_kernel_handles.h).
  std::string loaded_ptx_text(ModuleRecord& module);
  const runtime::KernelInfo& kernel_info(KernelRecord& kernel, bool with_registers = false);

  // Managed variables: the host copies are brought up to date from the device after work and
  // pushed to the device before it (launches are synchronous, so this is CUDA's coherence).
  void managed_to_device();
  void managed_to_host();

  // The simulated timeline (seconds) and what advances it.
  double now();
  void advance(double seconds) { timeline_seconds_ += seconds; }
  double copy_seconds(size_t bytes);   // host<->device link
  double dram_seconds(size_t bytes);   // device memory at its peak rate
  // Host work on the timeline in timing mode (a copy or memset: `what`); the device's clock
  // registers and its trace move on with it (runtime::Device::pass_idle_time).
  void advance_if_timing(double seconds, const std::string& what) {
    if (environment().device.mode != runtime::SimMode::Timing) return;
    advance(seconds);
    device().pass_idle_time(seconds, what);
  }
  uint64_t device_bytes_in_use() const { return device_bytes_in_use_; }

  // Runs one launch; a kernel fault becomes the sticky error (returned by every later call).
  void launch(KernelRecord& kernel, dim3 grid, dim3 block, size_t shared, void** args, bool cooperative,
              dim3 cluster);
  // A finished launch (and the grids it launched from the device) into the table and onto the
  // timeline; also libcuda's launches on the device it shares (runtime/cudart/cudart_driver_bridge.cpp).
  void record_launch(LaunchRecord rec);
  // One finished (or faulted) launch into `launches`, or past the kept number into `folded_launches`.
  void keep_launch(LaunchRecord rec);
  // Drops what the exit report will not read of a launch's statistics (runtime/cudart/cudart_launch.cpp).
  void trim_for_report(runtime::LaunchStats& stats) const;

  // Host memory the device reaches at the same address (managed and pinned allocations).
  void* alloc_host_mapped(size_t bytes);
  void free_host_mapped(void* ptr);
  std::string not_host_allocation_text(void* ptr) const;
  bool is_host_mapped_allocation(const void* ptr) const { return host_mapped_.count(const_cast<void*>(ptr)) != 0; }
  bool is_managed(void* ptr) const { return managed_.count(ptr) != 0; }
  void note_managed(void* ptr, size_t bytes) {
    managed_.insert(ptr);
    managed_ranges.add_allocation(reinterpret_cast<uint64_t>(ptr), bytes);  // libcuda's hints find it too
  }
  // The host copy of the __managed__ variable that holds `p` (what host code takes the address
  // of), or null.
  const VariableRecord* managed_variable_at(const void* p) const;
  // Never below zero: cudaFree of a cuMemAlloc pointer (libcuda's, which this count leaves out)
  // subtracts bytes never added.
  void note_device_bytes(int64_t delta) {
    const uint64_t freed = delta < 0 ? uint64_t(-delta) : 0;
    device_bytes_in_use_ = freed > device_bytes_in_use_ ? 0 : device_bytes_in_use_ + delta;
  }
  // cudaHostGetFlags: the flags each pinned allocation or registration was made with, by base.
  std::map<const void*, unsigned> pinned_flags;
  // cudaMemAdvise / cudaMemPrefetchAsync history and managed allocations, libcuda's too when it
  // shares this library's device (runtime/managed_ranges.h).
  runtime::ManagedRanges managed_ranges;

  // Kernel faults are sticky, as on a GPU: the context is unusable afterwards.
  cudaError_t sticky_error = cudaSuccess;
  // A kernel fault the program has not yet been told of. Launches run to their end before the
  // launch call returns, but on a GPU they are asynchronous: the launch returns cudaSuccess, and
  // cudaGetLastError right after it answers only for the launch itself; the fault reaches the
  // program at its next call that waits for or asks about the device (the Programming Guide's
  // "synchronize between the kernel launch and cudaGetLastError"). locked_api turns it sticky.
  cudaError_t pending_fault = cudaSuccess;
  // The first environment().launch_records launches, kept whole for the exit report (a deque: a
  // million launches grow it without copying the whole table at each doubling), and the later ones
  // summed per kernel (runtime/folded_launches.h: memory bounded however many launches).
  std::deque<LaunchRecord> launches;
  runtime::FoldedLaunches folded_launches;
  uint64_t launch_count() const { return launches.size() + folded_launches.launches(); }
  // Launches refused before they ran (a bad configuration, too much shared memory, no kernel
  // image): how many, and the first few ("kernel: error"), for the exit report and
  // --error-exitcode (a kernel that silently never ran is a failure too).
  uint64_t refused_launches = 0;
  std::vector<std::string> refused_launch_notes;
  // Streams and events (runtime/shared_streams.h): the handles of both APIs when libcuda shares
  // this library's device (cudart_driver_bridge.cpp). Events record now() (the timeline).
  runtime::StreamTable stream_table;
  // libcuda's stream captures, when it shares the device: work issued here to a stream it
  // captures becomes a node of its graph (runtime/graph/capture_bridge.h; cudart_capture.cpp).
  graph::CaptureBridge* driver_captures = nullptr;
  std::map<int, size_t> limits;        // cudaLimit -> value set by the program
  int current_device = 0;
  unsigned device_flags = 0;
  int cache_config = cudaFuncCachePreferNone;  // cudaDeviceSetCacheConfig's preference
  std::string program_name;

  // Device printf output collected since the last synchronisation point; a GPU prints it when
  // the host synchronises, so it is written out there (flush_device_output).
  std::string device_output;
  void flush_device_output();

  void report_at_exit();
  // The same report when the program dies of a signal (runtime/fatal_signal_report.h); the
  // statistics then say which (fatal_signal, 0 at a normal exit).
  void report_at_fatal_signal(int signal);
  int fatal_signal = 0;
  std::string device_name;
  std::set<std::string> unimplemented_reported;
  // ptx_choice_note's text without a module name, for the notes said so far: a plugin reloaded
  // 5,000 times registers as many modules, all with the same PTX (it said the note each time).
  std::set<std::string> ptx_notes_said;
  // cudaEventElapsedTime in functional mode measures host time: said once (cudart_streams.cpp).
  bool host_event_time_said = false;
  // The stream whose work the current API call runs (a kernel launch, a graph launch), as
  // StreamTable::label names it; its launches carry it into their record and onto the timeline's
  // per-stream tracks. Set for the call by IssuingStream.
  std::string issuing_stream;
  // CUDA arrays and texture/surface objects, created on first use; they belong to the device
  // and go with it (reset_device).
  std::shared_ptr<TextureState> textures;
  std::shared_ptr<GraphState> graph_state;
  std::shared_ptr<LibraryState> libraries;  // loaded with cudaLibraryLoadData/FromFile
  // libcuda holds a reference to the device (cudart_driver_bridge.cpp): cudaDeviceReset then
  // keeps the old one alive (the driver's handles into it stay valid, if stale) instead of
  // destroying it under the driver.
  bool device_shared_with_driver = false;  // graphs, stream capture, memory pools (cudart_graph.h)

  // cudaDeviceReset: a fresh device (allocations and loaded modules gone), the sticky error cleared.
  void reset_device();
  void set_limit(int limit, size_t value);  // a cudaLimit, read as an integer (runtime/raw_enum.h)
  size_t get_limit(int limit);

 private:
  void create_device();
  // The architecture whose PTX a fat binary gives the device (its compute capability).
  unsigned ptx_arch() { return static_cast<unsigned>(properties().compute_major * 10 + properties().compute_minor); }

  runtime::SimEnvironment env_;
  std::unique_ptr<ProgramStepper> stepper_;  // GPUSIM_STEP (cudart_stepper.h); null without it
  bool env_read_ = false;
  std::string init_error_;
  std::optional<std::string> hidden_by_visible_devices_;  // why CUDA_VISIBLE_DEVICES hides the device ("": it does not)
  std::unique_ptr<runtime::Device> device_;
  std::vector<std::unique_ptr<runtime::Device>> devices_kept_for_driver_;  // see device_shared_with_driver
  sim::GpuConfig config_;
  runtime::DeviceProperties props_;
  std::vector<std::unique_ptr<ModuleRecord>> modules_;
  std::map<const void*, KernelRecord> kernels_;
  // libcuda's modules whose kernels reached this library (driver_kernel), by device handle.
  std::map<runtime::ModuleHandle, std::unique_ptr<ModuleRecord>> driver_modules_;
  KernelRecord* driver_kernel(const void* handle);  // cudart_driver_kernels.cpp
  std::map<const void*, VariableRecord> variables_;
  std::map<void*, size_t> host_mapped_;
  std::set<void*> managed_;
  uint64_t device_bytes_in_use_ = 0;
  uint64_t next_host_mapped_ = 0x0000'3000'0000'0000ull;
  double timeline_seconds_ = 0.0;
  std::chrono::steady_clock::time_point host_start_ = std::chrono::steady_clock::now();
  bool reported_ = false;
};

Context& context();

// Runs an API function body: takes the lock, returns the sticky error if a kernel faulted
// earlier, maps exceptions to CUDA error codes (printing the simulator's explanation), and
// records the result as the thread's last error.
template <typename F>
cudaError_t api(const char* function, F&& body);

// CUDA forbids CUDA calls from inside a host function (cudaLaunchHostFunc, a graph's host node)
// or a stream callback: every entry point that runs through api() answers cudaErrorNotPermitted
// there. The simulator runs these functions on the thread that reached them, where a GPU runs
// them on a driver thread, so the scope also keeps the thread's last error as it was.
class HostCallbackScope {
 public:
  HostCallbackScope();
  ~HostCallbackScope();
  HostCallbackScope(const HostCallbackScope&) = delete;
  HostCallbackScope& operator=(const HostCallbackScope&) = delete;
  static bool active();

 private:
  cudaError_t saved_last_error_;
};

// Runtime API calls made by the calling thread and by the process (registration excluded).
// NVIDIA's runtime makes its primary context current on a thread at that thread's first call;
// gpusim's libcuda asks these counts (through __cudaGpusimRuntimeCalls) rather than treating the
// runtime's mere presence (gpusim exec preloads it into every program) as that call.
void count_runtime_call();
uint64_t runtime_calls(bool this_thread_only);

cudaError_t set_last_error(cudaError_t code);

// cudaErrorInvalidResourceHandle unless `s` is a default stream or a live stream of either API;
// the message names the handle ("unknown or destroyed stream 0x..."). cudart_streams.cpp.
void check_stream_handle(Context& ctx, const void* s);
std::string unknown_stream_text(const void* s);

// Occupancy: CTAs of `func` with `block_size` threads resident on one SM (cudart_functions.cpp).
int max_active_blocks(Context& ctx, const void* func, int block_size, size_t dynamic_shared);

// cudaErrorInitializationError for a call of a forked child of a process that used CUDA.
cudaError_t report_forked_child(const char* function);

// Waits for the library's lock unless a launch is being simulated on another thread (which holds
// it for the whole launch): true with `lock` held, false when such a launch runs.
bool lock_unless_launch_running(Context& ctx, std::unique_lock<std::recursive_mutex>& lock);
// cudaDeviceReset: the calling thread's last error goes with the sticky error the reset clears
// (cudaGetLastError keeps answering a sticky error; after the reset it answers cudaSuccess).
void forget_sticky_last_error(cudaError_t sticky);
cudaError_t report_failure(const char* function, cudaError_t code, const std::string& message);
// The calls after a faulting launch that do not yet tell the program of the fault (Context::
// pending_fault): recording an event only enqueues work, as the launch did, so the usual
// "launch; cudaEventRecord(stop); cudaEventSynchronize(stop)" sees it at the synchronisation.
bool keeps_fault_pending(const char* function);
cudaError_t error_from_current_exception(const char* function);

template <typename F>
cudaError_t locked_api(const char* function, F&& body) {
  Context& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  if (ctx.forked_child()) return report_forked_child(function);
  if (ctx.pending_fault != cudaSuccess && !keeps_fault_pending(function)) {
    ctx.sticky_error = ctx.pending_fault;
    ctx.pending_fault = cudaSuccess;
  }
  if (ctx.sticky_error != cudaSuccess) return set_last_error(ctx.sticky_error);
  if (HostCallbackScope::active())
    return report_failure(function, cudaErrorNotPermitted,
                          "called from inside a host function or stream callback, where CUDA forbids CUDA calls");
  try {
    body(ctx);
    return cudaSuccess;
  } catch (...) {
    return error_from_current_exception(function);
  }
}

// Names the stream of the work the enclosing API call runs (Context::issuing_stream) until the
// call returns; nested calls (a graph launching a child graph) keep the outer one.
class IssuingStream {
 public:
  IssuingStream(Context& ctx, const void* stream) : ctx_(ctx), saved_(ctx.issuing_stream) {
    if (saved_.empty()) ctx.issuing_stream = ctx.stream_table.label(stream);
  }
  ~IssuingStream() { ctx_.issuing_stream = saved_; }
  IssuingStream(const IssuingStream&) = delete;
  IssuingStream& operator=(const IssuingStream&) = delete;

 private:
  Context& ctx_;
  std::string saved_;
};

template <typename F>
cudaError_t api(const char* function, F&& body) {
  if (function[0] != '_') count_runtime_call();  // nvcc's start-up registration is no call of the program's
  const cudaError_t result = locked_api(function, std::forward<F>(body));
  if (result != cudaSuccess) runtime::wait_if_another_thread_exits_for_an_interrupt();  // the lock is free here
  return result;
}

// api() for cudaStreamQuery and cudaEventQuery, CUDA's non-blocking probes: while another
// thread's launch is being simulated they answer cudaErrorNotReady (the device is busy) instead
// of waiting for the whole simulation (an outside user's server's polling threads froze for the
// length of another thread's kernel). The lock is kept from the check to the call, so a launch
// cannot slip in between.
template <typename F>
cudaError_t probe_api(const char* function, F&& body) {
  count_runtime_call();
  cudaError_t result;
  {
    std::unique_lock<std::recursive_mutex> lock(context().mutex, std::defer_lock);
    if (!lock_unless_launch_running(context(), lock)) return cudaErrorNotReady;  // no error the program must clear
    result = locked_api(function, std::forward<F>(body));  // the recursive lock nests
  }
  if (result != cudaSuccess) runtime::wait_if_another_thread_exits_for_an_interrupt();
  return result;
}

}  // namespace gpusim::cudart
