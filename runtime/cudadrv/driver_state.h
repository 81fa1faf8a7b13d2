// The process-wide state of the simulator-backed CUDA driver (libcuda.so.1).
//
// A C ABI library has no object its caller holds on to: every cu* call arrives as a free
// function, so the driver's state (the simulated device, contexts, modules, streams, events,
// allocations) lives in one object reached through driver_state(), guarded by one mutex. The
// handles the API hands out (CUcontext, CUmodule, ...) point at the structs defined here; each is
// checked against the live set before use, so a stale or garbage handle is an error code, never
// a crash.
#pragma once

#include <cuda.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "isa/ir.h"
#include "runtime/device.h"
#include "runtime/folded_launches.h"
#include "runtime/shared_device_launch.h"
#include "runtime/shared_kernel_handles.h"
#include "runtime/managed_ranges.h"
#include "runtime/shared_streams.h"
#include "runtime/sim_environment.h"
#include "sim/gpu_config.h"

// Dynamic shared memory a kernel may use without cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES).
inline constexpr int kDefaultDynamicSharedLimit = 48 * 1024;

struct CUctx_st {
  CUdevice device = 0;
  bool primary = false;
  unsigned flags = 0;
  // The first kernel fault: from then on every call on this context answers lost_code (CUDA's
  // "sticky" errors), until the context is destroyed or, for the primary context, reset.
  CUresult lost_code = CUDA_SUCCESS;
  std::string lost_reason;
  // Launches run to completion inside cuLaunchKernel, so the context's simulated time is the sum
  // of its kernels' simulated times (timing mode); events record this clock.
  double simulated_seconds = 0.0;
  std::map<CUdeviceptr, size_t> allocations;
  std::set<CUmod_st*> modules;
  std::set<CUstream_st*> streams;
  std::set<CUevent_st*> events;
  std::map<int, size_t> limits;  // CUlimit -> value set with cuCtxSetLimit
  unsigned long long id = 0;  // cuCtxGetId: given on first request, unique in the process
  CUfunc_cache cache_config = CU_FUNC_CACHE_PREFER_NONE;                 // a hint, reported back
  CUsharedconfig shared_config = CU_SHARED_MEM_CONFIG_DEFAULT_BANK_SIZE;  // likewise
};

struct CUfunc_st {
  CUmod_st* module = nullptr;
  const gpusim::isa::Function* kernel = nullptr;  // in module->ptx
  int max_dynamic_shared = kDefaultDynamicSharedLimit;
  int registers = -1;     // from ptxas, read on first need (-1: not yet asked, 0: unknown)
  bool non_portable_cluster = false;  // CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED
  int preferred_carveout = -1;        // CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT (-1: no preference)
  gpusim::runtime::Dim3 run_time_cluster{0, 0, 0};  // CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_* set at run time
  // A function made for one of libcudart's kernel handles (kernel_handles.cpp): the runtime's
  // attribute values last copied in.
  gpusim::runtime::SeenAttributes runtime_seen;
};

struct CUmod_st {
  CUctx_st* context = nullptr;
  std::string source_name;
  gpusim::runtime::ModuleHandle handle = -1;  // in the simulated device
  gpusim::isa::Module ptx;                   // the parsed PTX: parameter layouts, resources
  std::string ptx_text;
  std::map<std::string, std::unique_ptr<CUfunc_st>> functions;
  unsigned max_registers = 0;  // CU_JIT_MAX_REGISTERS at load (0: no cap)
  // libcudart's module, seen through one of its kernel handles (kernel_handles.cpp): the runtime
  // loaded it into the shared device and unloads it; cuModuleUnload refuses it.
  bool runtime_owned = false;
};

// A library (cuLibraryLoadData): a module loaded in the context current at load. Its kernels
// (CUkernel) are the module's functions, so a CUkernel cast to CUfunction launches, as CUDA allows.
struct CUlib_st {
  CUmod_st* module = nullptr;
};

// A pending JIT link (cuLinkCreate .. cuLinkComplete): the PTX of each input, linked at
// cuLinkComplete into one PTX text that is the "cubin" it hands out (cuModuleLoadData takes it).
struct CUlinkState_st {
  struct Input {
    std::string name;
    std::string ptx;
  };
  std::vector<Input> inputs;
  std::string linked;  // the output, valid until cuLinkDestroy
  char* error_log = nullptr;
  size_t error_log_size = 0;
  char* info_log = nullptr;
  size_t info_log_size = 0;
};

namespace gpusim::cudadrv {

// An API failure with the code the call returns; `message` goes to stderr (empty: silent).
struct DriverFailure {
  CUresult code;
  std::string message;
};

struct DriverGraphs;  // driver_graph.h: graphs, executable graphs and stream capture
struct DriverTextures;  // driver_textures.h: CUDA arrays, texture and surface objects

// One launch as the exit report lists it.
struct LaunchRecord {
  runtime::LaunchStats stats;
};

// A thread's key in DriverState's per-thread maps: unique for the life of the process.
// std::thread::id is given again to a thread started after another exited, and the new thread
// found the exited one's current context (a real driver's new thread has none).
using ThreadKey = uint64_t;
ThreadKey this_thread_key();

// Whether the calling thread is inside one of this library's entry points (api_call.inl), and so
// holds DriverState::mutex: libcudart, called back from there (a runtime graph launched with
// cuGraphLaunch runs its kernel nodes), may ask this library about a handle again
// (kernel_handles.cpp), which must then not lock the mutex a second time.
bool& inside_driver_call();

struct DriverState {
  std::mutex mutex;  // every entry point holds it: the simulator runs one call at a time

  bool initialized = false;
  // The simulated device is gpusim's libcudart's (both libraries loaded in one process), as the
  // driver under NVIDIA's runtime is one: pointers and the primary context are shared.
  bool shares_runtime_device = false;
  // Then launches go to libcudart's table (runtime/shared_device_launch.h), not to `launches`.
  runtime::RecordSharedDeviceLaunch record_in_runtime = nullptr;
  runtime::SimEnvironment environment;
  sim::GpuConfig config;
  std::unique_ptr<runtime::Device> device;
  runtime::DeviceProperties properties;  // the device as CUDA describes it (shared with libcudart)

  std::unique_ptr<CUctx_st> primary;     // null until retained (and after a reset)
  int primary_references = 0;
  std::map<CUctx_st*, std::unique_ptr<CUctx_st>> created_contexts;  // cuCtxCreate
  std::map<ThreadKey, std::vector<CUctx_st*>> current;        // per-thread context stacks
  // With libcudart's device shared: its count of runtime calls on each thread when this library
  // last set that thread's stack. A runtime call since then, on a thread with no current context,
  // makes the primary context current there (as NVIDIA's runtime does at each call that finds
  // none); a thread that never called the runtime has none (a pure driver program under gpusim
  // exec, which preloads libcudart into every program).
  std::map<ThreadKey, uint64_t> runtime_calls_at_stack_change;
  bool runtime_holds_primary = false;  // the runtime's reference to the primary context is counted
  uint64_t (*runtime_calls)(int this_thread_only) = nullptr;  // libcudart's __cudaGpusimRuntimeCalls
  void (*runtime_flush_output)() = nullptr;                  // libcudart's __cudaGpusimFlushDeviceOutput

  std::map<CUmod_st*, std::unique_ptr<CUmod_st>> modules;
  std::set<CUfunc_st*> functions;
  // libcudart's kernel handles used as CUfunctions (kernel_handles.cpp): the handle (a host
  // function or library kernel key) -> the function made for it, in a runtime-owned module kept
  // by the runtime's module handle. Both go with the module's context.
  std::map<const void*, CUfunc_st*> runtime_kernels;
  std::map<runtime::ModuleHandle, CUmod_st*> runtime_modules;
  runtime::Device* runtime_device = nullptr;  // libcudart's device when shared (what `device` forwards to)
  std::map<CUlib_st*, std::unique_ptr<CUlib_st>> libraries;
  // Streams and events (CUstream_st, CUevent_st: runtime/shared_streams.h): this library's own
  // table, or libcudart's when the device is shared, so that a cudaStream_t is a CUstream and a
  // cudaEvent_t a CUevent, as on NVIDIA's stack.
  runtime::StreamTable own_streams;
  runtime::StreamTable* streams_table = &own_streams;
  // With the device shared: libcudart's lock, taken before this library's by every entry point
  // (api_call.inl) so that the two libraries, which call each other, lock in one order; its
  // clock, which events read; and its stream captures (runtime/graph/capture_bridge.h), which
  // receive this library's work on the streams they capture. Null when alone.
  std::atomic<std::recursive_mutex*> runtime_lock{nullptr};
  double (*runtime_now)() = nullptr;
  graph::CaptureBridge* runtime_captures = nullptr;
  // Host memory kernels reach at its own address (runtime/host_mapped_memory.h): page-locked
  // allocations (cuMemAllocHost/HostAlloc), managed ones (cuMemAllocManaged) and registered ranges.
  struct HostMapped {
    size_t bytes = 0;
    size_t span = 0;  // reserved bytes (0: registered, the program's own memory)
    enum Kind { Pinned, Managed, Registered } kind = Pinned;
    unsigned flags = 0;  // CU_MEMHOSTALLOC_* / CU_MEMHOSTREGISTER_* / CU_MEM_ATTACH_*
    CUctx_st* context = nullptr;  // current when made: its destruction frees (or unregisters) it
  };
  std::map<void*, HostMapped> host_mapped;
  // Managed allocations and their advice and prefetch history (runtime/managed_ranges.h): this
  // library's own, or libcudart's when the device is shared, so that either API's range queries
  // answer for hints given through the other.
  runtime::ManagedRanges own_managed_ranges;
  runtime::ManagedRanges* managed_ranges = &own_managed_ranges;
  uint64_t next_host_mapped = 0x0000'4000'0000'0000ull;  // where the next allocation is placed
  std::map<CUlinkState_st*, std::unique_ptr<CUlinkState_st>> links;
  unsigned long long next_context_id = 1;
  // cuThreadExchangeStreamCaptureMode's per-thread mode (graph_capture.cpp) when alone; with the
  // device shared, libcudart's (one mode per thread for both APIs, as NVIDIA's).
  std::map<ThreadKey, CUstreamCaptureMode> capture_modes;
  int* (*runtime_thread_capture_mode)() = nullptr;
  // Graphs, executable graphs and capture sequences (driver_graph.h), made on first use.
  std::shared_ptr<DriverGraphs> graph_model;
  // CUDA arrays and texture/surface objects (driver_textures.h), made on first use.
  std::shared_ptr<DriverTextures> texture_model;
  // The device's one memory pool (cuDeviceGetDefaultMemPool): its handle is this member's
  // address; stream-ordered allocations are ordinary ones (device_extras.cpp).
  char default_mem_pool = 0;
  size_t mem_pool_release_threshold = 0;
  // Virtual memory management (driver_vmm.cpp): reserved ranges, physical allocations, mappings.
  struct VmmAllocation {
    int fd = -1;          // a memfd: what every mapping of the allocation shares
    size_t bytes = 0;
    CUmemAllocationProp prop{};
    int references = 1;   // cuMemCreate's, plus one per mapping and cuMemRetainAllocationHandle
    bool imported = false;  // cuMemImportFromShareableHandle: another handle's memory, not counted again
  };
  struct VmmMapping {
    size_t bytes = 0;
    CUmemGenericAllocationHandle allocation = 0;
    size_t offset = 0;
    unsigned long long access = CU_MEM_ACCESS_FLAGS_PROT_NONE;
  };
  std::map<CUdeviceptr, size_t> vmm_reserved;                           // base -> bytes
  std::map<CUmemGenericAllocationHandle, VmmAllocation> vmm_allocations;  // handle -> allocation
  std::map<CUdeviceptr, VmmMapping> vmm_mappings;                         // mapped address -> mapping
  CUmemGenericAllocationHandle next_vmm_handle = 1;
  uint64_t next_vmm_reservation = 0x0000'5000'0000'0000ull;
  // The first environment.launch_records launches whole, the later ones summed per kernel
  // (runtime/folded_launches.h).
  std::vector<LaunchRecord> launches;
  runtime::FoldedLaunches folded_launches;
  uint64_t refused_launches = 0;  // its launches refused before they ran (a bad configuration): for --error-exitcode
  uint64_t faulted_launches = 0;  // its own launches (not in libcudart's table) that faulted: for --error-exitcode
  std::set<std::string> reported_unsupported;
};

DriverState& driver_state();

// Runs one API call: takes the lock, turns DriverFailure / runtime::Error / any exception into
// a CUresult (printing its message prefixed by `call`), so no exception crosses the C ABI.
template <typename Body>
CUresult api_call(const char* call, Body&& body);

// Checks shared by the entry points; each throws DriverFailure with the matching CUDA code.
void require_initialized(DriverState& s);
// cuInit's work: reads the GPUSIM_* settings and makes (or, with gpusim's libcudart loaded,
// shares) the simulated device. Throws DriverFailure.
void initialize(DriverState& s);
// With libcudart's device shared: its stream table, lock, clock and captures, and this library's
// captures handed to it (graph_capture.cpp).
void share_runtime_streams(DriverState& s);
void require_device(DriverState& s, CUdevice device);
CUctx_st& current_context(DriverState& s);               // INVALID_CONTEXT when none
// Once gpusim's libcudart in the process has been called, initialises this library on its device
// (as NVIDIA's runtime calls cuInit); whether the two share it.
bool join_runtime(DriverState& s);
// Makes the primary context current on this thread when the runtime has been called there since
// this library last set the thread's context stack and no context is current (see
// DriverState::runtime_calls_at_stack_change).
void bind_runtime_primary_if_due(DriverState& s);
// Records that this library has just set the calling thread's context stack (push, pop, set).
void note_stack_set_by_driver(DriverState& s);
// A synchronisation point (context, stream or event synchronize, a blocking copy, the next
// launch, a fault): device printf output of kernels run on libcudart's shared device, which waits
// in libcudart until one, is written now. Without it, output printed from the kernels at exit.
void flush_device_output(DriverState& s);
CUctx_st& usable_context(DriverState& s);                // and the sticky fault, if any
bool is_live_context(const DriverState& s, CUctx_st* context);
// "0x..." for messages naming a handle.
std::string pointer_text(const void* p);
// The object `handle` names in one of the state's owning maps; otherwise INVALID_HANDLE with
// "<kind> <handle> is not <what>".
template <typename Object>
Object& live_handle(const std::map<Object*, std::unique_ptr<Object>>& owners, Object* handle, const char* kind,
                    const char* what) {
  auto it = owners.find(handle);
  if (it == owners.end())
    throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, std::string(kind) + " " + pointer_text(handle) + " is not " + what};
  return *it->second;
}
CUmod_st& live_module(DriverState& s, CUmod_st* module);
CUfunc_st& live_function(DriverState& s, CUfunc_st* function);  // also libcudart's kernel handles
// The function for one of libcudart's kernel handles (cudaGetFuncBySymbol, cudaGetKernel), made on
// first use over the runtime's module; null when `handle` is not one (kernel_handles.cpp).
CUfunc_st* runtime_kernel_function(DriverState& s, const void* handle);
// The handle of `kernel` of module `m`, made on first request.
CUfunc_st& function_handle(DriverState& s, CUmod_st& m, const isa::Function& kernel);
// The primary context, made (and counted as the runtime's) when the runtime shares the device.
CUctx_st& runtime_primary_context(DriverState& s);
CUstream_st* live_stream(DriverState& s, CUstream_st* stream);  // null / legacy / per-thread: default
CUevent_st& live_event(DriverState& s, CUevent_st* event);
// Whether a stream or event of context `owner` (null: made by libcudart, the primary context's)
// may be used in context `c`.
bool belongs_to(const CUctx_st* owner, const CUctx_st& c);
// The clock events record (runtime/shared_streams.h): libcudart's when shared; otherwise the
// context's simulated time in timing mode, host seconds in functional mode.
double event_clock(const DriverState& s, const CUctx_st& c);

// Releases everything a context owns (modules, streams, events, allocations).
void destroy_context_contents(DriverState& s, CUctx_st& context);
// Removes `context` from every thread's stack of current contexts.
void forget_context(DriverState& s, CUctx_st* context);

// The compute capability x10 (90 for sm_90).
int compute_capability(const DriverState& s);

// Registers per thread of a kernel from ptxas for the configured architecture (0: unknown).
int function_registers(DriverState& s, CUfunc_st& function);
// The largest block the kernel launches with (CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK).
int function_max_threads(DriverState& s, CUfunc_st& function);

// The PTX of a module image: PTX text, or the PTX entry of a fat binary for the configured
// architecture. A cubin or a fat binary without PTX: CUDA_ERROR_NO_BINARY_FOR_GPU (module.cpp).
// `ptxas_options`, when given: the options a fat binary recorded with that PTX (FatbinEntry).
std::string module_image_ptx(const DriverState& s, const std::string& source_name, const void* image,
                             std::string* ptxas_options = nullptr);

// The allocation or host mapping that holds [address, address + bytes) as one piece, or the
// pieces of consecutive mappings (driver_vmm.cpp maps one reservation in several): calls
// `piece(address, bytes)` for each. Copies split so, since the device copies within one region.
void for_each_region_piece(DriverState& s, CUdeviceptr address, size_t bytes,
                           const std::function<void(CUdeviceptr, size_t, size_t)>& piece);
// Copies and fills over such pieces (memory.cpp); the device throws runtime::Error for an
// address no allocation holds.
void copy_in_pieces(DriverState& s, CUdeviceptr dst, const void* src, size_t bytes);
void copy_out_pieces(DriverState& s, void* dst, CUdeviceptr src, size_t bytes);
void copy_within_pieces(DriverState& s, CUdeviceptr dst, CUdeviceptr src, size_t bytes);
void fill_pieces(DriverState& s, CUdeviceptr dst, const void* element, unsigned element_bytes, size_t count);

// Registers the report the driver gives at exit (exit_report.cpp); called once, by cuInit.
void register_exit_report();

// Prints "gpusim libcuda: <text>" on stderr.
void report(const std::string& text);

}  // namespace gpusim::cudadrv

#include "runtime/cudadrv/api_call.inl"
