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

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "isa/ir.h"
#include "runtime/device.h"
#include "runtime/shared_device_launch.h"
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
};

struct CUfunc_st {
  CUmod_st* module = nullptr;
  const gpusim::isa::Function* kernel = nullptr;  // in module->ptx
  int max_dynamic_shared = kDefaultDynamicSharedLimit;
  int registers = -1;     // from ptxas, read on first need (-1: not yet asked, 0: unknown)
};

struct CUmod_st {
  CUctx_st* context = nullptr;
  std::string source_name;
  gpusim::runtime::ModuleHandle handle = -1;  // in the simulated device
  gpusim::isa::Module ptx;                   // the parsed PTX: parameter layouts, resources
  std::string ptx_text;
  std::map<std::string, std::unique_ptr<CUfunc_st>> functions;
};

// A library (cuLibraryLoadData): a module loaded in the context current at load. Its kernels
// (CUkernel) are the module's functions, so a CUkernel cast to CUfunction launches, as CUDA allows.
struct CUlib_st {
  CUmod_st* module = nullptr;
};

struct CUstream_st {
  CUctx_st* context = nullptr;
  unsigned flags = 0;
};

struct CUevent_st {
  CUctx_st* context = nullptr;
  unsigned flags = 0;
  bool recorded = false;
  double simulated_seconds = 0.0;  // the context's simulated clock when recorded (timing mode)
  std::chrono::steady_clock::time_point host_time;  // wall time when recorded (functional mode)
};

namespace gpusim::cudadrv {

// An API failure with the code the call returns; `message` goes to stderr (empty: silent).
struct DriverFailure {
  CUresult code;
  std::string message;
};

// One launch as the exit report lists it.
struct LaunchRecord {
  runtime::LaunchStats stats;
};

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
  std::map<std::thread::id, std::vector<CUctx_st*>> current;        // per-thread context stacks

  std::map<CUmod_st*, std::unique_ptr<CUmod_st>> modules;
  std::set<CUfunc_st*> functions;
  std::map<CUlib_st*, std::unique_ptr<CUlib_st>> libraries;
  std::map<CUstream_st*, std::unique_ptr<CUstream_st>> streams;
  std::map<CUevent_st*, std::unique_ptr<CUevent_st>> events;
  std::map<void*, size_t> host_allocations;  // cuMemAllocHost
  std::vector<LaunchRecord> launches;
  std::set<std::string> reported_unsupported;
};

DriverState& driver_state();

// Runs one API call: takes the lock, turns DriverFailure / runtime::Error / any exception into
// a CUresult (printing its message prefixed by `call`), so no exception crosses the C ABI.
template <typename Body>
CUresult api_call(const char* call, Body&& body);

// Checks shared by the entry points; each throws DriverFailure with the matching CUDA code.
void require_initialized(const DriverState& s);
// cuInit's work: reads the GPUSIM_* settings and makes (or, with gpusim's libcudart loaded,
// shares) the simulated device. Throws DriverFailure.
void initialize(DriverState& s);
void require_device(const DriverState& s, CUdevice device);
CUctx_st& current_context(DriverState& s);               // INVALID_CONTEXT when none
CUctx_st& usable_context(DriverState& s);                // and the sticky fault, if any
bool is_live_context(const DriverState& s, CUctx_st* context);
CUmod_st& live_module(DriverState& s, CUmod_st* module);
CUfunc_st& live_function(DriverState& s, CUfunc_st* function);
CUstream_st* live_stream(DriverState& s, CUstream_st* stream);  // null / legacy / per-thread: default
CUevent_st& live_event(DriverState& s, CUevent_st* event);

// Releases everything a context owns (modules, streams, events, allocations).
void destroy_context_contents(DriverState& s, CUctx_st& context);
// Removes `context` from every thread's stack of current contexts.
void forget_context(DriverState& s, CUctx_st* context);

// The compute capability x10 (90 for sm_90).
int compute_capability(const DriverState& s);

// Registers per thread of a kernel from ptxas for the configured architecture (0: unknown).
int function_registers(DriverState& s, CUfunc_st& function);

// Registers the report the driver gives at exit (exit_report.cpp); called once, by cuInit.
void register_exit_report();

// Prints "gpusim libcuda: <text>" on stderr.
void report(const std::string& text);

}  // namespace gpusim::cudadrv

#include "runtime/cudadrv/api_call.inl"
