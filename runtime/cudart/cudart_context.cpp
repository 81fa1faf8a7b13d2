#include "runtime/cudart/cudart_context.h"
#include "runtime/diagnostic_stream.h"
#include "isa/hex_text.h"
#include "isa/kernel_names.h"
#include "isa/ptx_lexer.h"
#include "runtime/cuda_answers.h"
#include "runtime/cudart/cudart_stepper.h"
#include "runtime/fatal_signal_report.h"
#include "runtime/host_mapped_memory.h"
#include "runtime/rdc_program.h"
#include "runtime/visible_devices.h"
#include "sim/output_file.h"

#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace gpusim::cudart {

Context& context() {
  // Never destroyed: the program's own exit handlers (__cudaUnregisterFatBinary) and its static
  // destructors may still call the runtime while the process exits.
  static Context* ctx = new Context();
  return *ctx;
}

namespace {
void report_at_exit_handler() { context().report_at_exit(); }
void report_at_fatal_signal_handler(int signal) { context().report_at_fatal_signal(signal); }

// In a child of fork(): the lock may have been held by another thread of the parent (a launch
// being simulated), which does not exist in the child, so every later lock (its exit handlers,
// __cudaUnregisterFatBinary) would wait forever. The child has one thread: it gets a fresh lock.
// Its calls then fail with cudaErrorInitializationError (forked_child), as on a GPU.
void reset_lock_in_forked_child() {
  Context& ctx = context();
  new (&ctx.mutex) std::recursive_mutex();
  ctx.launches_running.store(0);
}
}  // namespace

Context::Context() {
  program_name = program_invocation_short_name;
  runtime::remember_diagnostic_stream();  // before main: the stderr the program starts with
  // Registered while the program registers its fat binaries, i.e. before its own exit handlers,
  // so this runs after them: the table includes everything the program launched.
  std::atexit(report_at_exit_handler);
  std::at_quick_exit(report_at_exit_handler);  // quick_exit() skips the atexit handlers
  // A program that dies of a signal skips the exit handlers: the report runs from the signal.
  runtime::report_on_fatal_signal(report_at_fatal_signal_handler);
  pthread_atfork(nullptr, nullptr, reset_lock_in_forked_child);
}

void Context::report_at_fatal_signal(int signal) {
  // Another thread inside the runtime holds the lock (the state may be half changed): no report
  // rather than one that waits for a thread that will never go on.
  std::unique_lock<std::recursive_mutex> lock(mutex, std::try_to_lock);
  if (!lock.owns_lock()) {
    if (!env_.quiet)
    {
      runtime::write_stderr_raw("gpusim: the program is ending on ");
      runtime::write_stderr_raw(runtime::fatal_signal_name(signal));
      runtime::write_stderr_raw(" while another thread is in the CUDA runtime; the launch table and statistics are "
                                "not written\n");
    }
    return;
  }
  if (forked_child() || reported_ || !env_read_) return;
  if (!env_.quiet) {
    runtime::write_stderr_raw("gpusim: the program is ending on ");
    runtime::write_stderr_raw(runtime::fatal_signal_name(signal));
    runtime::write_stderr_raw(" (its exit handlers will not run); the launches so far:\n");
  }
  fatal_signal = signal;
  report_at_exit();
}

void Context::create_device() {
  // CUDA_VISIBLE_DEVICES may hide the one device: every call then fails as without a GPU. Read
  // once, as CUDA reads it at initialisation (this runs at every API call).
  if (!hidden_by_visible_devices_)
    hidden_by_visible_devices_ = runtime::hidden_by_visible_devices(std::getenv("CUDA_VISIBLE_DEVICES"));
  if (!hidden_by_visible_devices_->empty()) throw ApiError(cudaErrorNoDevice, *hidden_by_visible_devices_);
  if (!env_read_) {
    env_read_ = true;
    try {
      env_ = runtime::read_sim_environment();
      // Kernels' printf output waits in device_output for the next synchronisation point.
      env_.device.printf_sink = [this](const std::string& text) { device_output += text; };
      if (!env_.step_kernel.empty()) {
        stepper_ = std::make_unique<ProgramStepper>(env_);
        env_.device.timed_launch_runner = stepper_->runner();
        env_.device.model_observer = stepper_->observer();
      }
      config_ = sim::load_gpu_config(env_.device.config_path, env_.device.overrides);
      props_ = runtime::properties_from_config(config_);
      device_ = runtime::make_sim_device(env_.device);
      device_name = config_.name;
      const char* named = std::getenv("GPUSIM_TRACE");
      if (!env_.quiet && named && env_.device.profiling.trace_path != named)
        std::fprintf(gpusim::runtime::diagnostic_stream(),
                     "gpusim: %s (process %ld) is not the first process of this run to simulate: its trace goes to %s\n",
                     program_name.c_str(), long(getpid()), env_.device.profiling.trace_path.c_str());
    } catch (const std::exception& e) {
      init_error_ = e.what();
      std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: the simulated CUDA device could not start: %s\n", e.what());
    }
  }
  if (!device_) throw ApiError(cudaErrorInitializationError, "the simulated device could not start: " + init_error_);
}

runtime::Device& Context::device() {
  create_device();
  return *device_;
}
const sim::GpuConfig& Context::config() {
  create_device();
  return config_;
}
const runtime::DeviceProperties& Context::properties() {
  create_device();
  return props_;
}

ModuleRecord* Context::add_module(runtime::Fatbin fatbin, std::string ptx_error) {
  auto m = std::make_unique<ModuleRecord>();
  m->index = static_cast<int>(modules_.size());
  m->fatbin = std::move(fatbin);
  m->ptx_error = std::move(ptx_error);
  modules_.push_back(std::move(m));
  return modules_.back().get();
}

void Context::add_kernel(ModuleRecord* module, const void* host_function, const std::string& name) {
  KernelRecord& k = kernels_[host_function];
  k.module = module;
  k.name = name;
}

void Context::add_variable(ModuleRecord* module, const void* host_shadow, VariableRecord var) {
  var.module = module;
  variables_[host_shadow] = std::move(var);
}

KernelRecord* Context::registered_kernel(const void* host_function) {
  auto it = kernels_.find(host_function);
  return it == kernels_.end() || it->second.from_driver ? nullptr : &it->second;
}

KernelRecord& Context::kernel(const void* host_function) {
  if (KernelRecord* k = registered_kernel(host_function)) return *k;
  if (KernelRecord* k = driver_kernel(host_function)) return *k;
  // A null kernel is usually a library's dispatch that chose none (CUB/Thrust given a functor or
  // lambda it cannot use): say that rather than "no kernel at 0x0".
  if (!host_function)
    throw ApiError(cudaErrorInvalidDeviceFunction,
                   "the kernel is a null pointer (no kernel function was given: a library dispatch, e.g. CUB or Thrust, "
                   "that found no kernel for its arguments passes one; a __device__ lambda whose result type host code "
                   "cannot deduce needs cuda::proclaim_return_type)");
  throw ApiError(cudaErrorInvalidDeviceFunction, "no kernel is registered for the host function at " +
                                                     isa::hex_text(reinterpret_cast<uintptr_t>(host_function)) +
                                                     " (nor is it a library kernel or a live CUfunction / CUkernel)");
}

VariableRecord& Context::variable(const void* host_shadow) {
  auto it = variables_.find(host_shadow);
  if (it != variables_.end()) return it->second;
  // Host code names a __managed__ variable through its host copy (the registration's slot points
  // at it), so that address is the symbol the program passes.
  for (auto& [shadow, var] : variables_)
    if (var.managed_host && var.managed_host == host_shadow) return var;
  throw ApiError(cudaErrorInvalidSymbol, "the address is not a registered __device__, __constant__ or __managed__ variable");
}

runtime::ModuleHandle Context::loaded(ModuleRecord& m) {
  if (!m.ptx_error.empty()) {  // one message per file; every launch still returns the error
    const bool said = m.ptx_error_said;
    m.ptx_error_said = true;
    throw ApiError(cudaErrorNoKernelImageForDevice, m.ptx_error, said);
  }
  if (m.load_failed) throw ApiError(cudaErrorInvalidPtx, "its PTX was rejected earlier (message above)");
  if (m.module >= 0) return m.module;
  const unsigned arch = ptx_arch();
  runtime::ProgramPtx ptx;
  try {  // relocatable device code is linked here, so a link error surfaces at the first launch
    ptx = runtime::program_ptx(m.fatbin, arch);
  } catch (const std::exception& e) {
    m.load_failed = true;
    throw ApiError(cudaErrorInvalidPtx, e.what());
  }
  const std::string source = program_name + ".fatbin" + std::to_string(m.index) + (ptx.linked ? ".linked" : "") +
                             ".compute_" + std::to_string(ptx.arch) + ".ptx";
  // Functional mode runs newer PTX (sm_90 code on the default sm_75 chip) where a GPU would not:
  // said once for modules whose PTX would be chosen alike (naming the first), so that a program
  // built for Hopper is not timed as a V100 unnoticed; also under --quiet (which quiets the
  // launch table), since a GPU would fail the program. Also said: the binary holds machine code
  // a GPU would run instead of this PTX (-arch=all-major).
  if (const std::string note = runtime::ptx_choice_note(ptx, arch, source, device_name);
      !note.empty() && ptx_notes_said.insert(runtime::ptx_choice_note(ptx, arch, "", device_name)).second)
    std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: note: %s\n", note.c_str());
  if (const char* dir = std::getenv("GPUSIM_DUMP_PTX")) {
    // A folder that cannot take the file is said (it was skipped without a word); the program
    // runs on, the PTX is only a debugging aid.
    try {
      sim::write_file_completely(std::string(dir) + "/" + source, ptx.text);
    } catch (const std::exception& e) {
      std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: GPUSIM_DUMP_PTX: %s\n", e.what());
    }
  }
  try {
    m.module = device().load_ptx(source, ptx.text);
    m.source_name = source;
    // nvcc -maxrregcount=N: recorded in the fat binary for the driver's ptxas, which then keeps
    // every kernel of the module within N registers (occupancy, launch limits, attributes).
    if (const unsigned limit = runtime::max_registers_option(ptx.ptxas_options)) device().cap_registers(m.module, limit);
  } catch (const isa::UnsupportedPtxVersion& e) {
    m.load_failed = true;
    throw ApiError(cudaErrorUnsupportedPtxVersion, e.what());
  } catch (const runtime::OutOfMemory& e) {  // its __device__ variables do not fit (now; not bad PTX)
    throw ApiError(cudaErrorMemoryAllocation, e.what());
  } catch (const runtime::Error& e) {
    m.load_failed = true;
    throw ApiError(cudaErrorInvalidPtx, std::string(e.what()) +
                                            "\n  (set GPUSIM_DUMP_PTX=DIR to write the PTX the line numbers refer to)");
  }
  // __managed__ variables: the program's slot now points at the device's placement, where host code
  // and kernels share one copy (values host code wrote before a device reset carry over); on a
  // device that keeps them in device memory, the host copy starts with the PTX initial values.
  for (auto& [shadow, var] : variables_) {
    if (var.module != &m || !var.host_copy) continue;
    const runtime::SymbolInfo info = device().symbol(m.module, var.name);
    if (info.managed && info.size >= var.size) {
      auto* placed = reinterpret_cast<void*>(info.address);
      if (var.carry_host_copy) std::memcpy(placed, var.host_copy, var.size);
      var.managed_host = placed;
      *static_cast<void**>(const_cast<void*>(shadow)) = placed;
    } else {
      device().read_symbol(m.module, var.name, 0, var.managed_host, var.size);
    }
  }
  return m.module;
}

std::string Context::loaded_ptx_text(ModuleRecord& m) {
  loaded(m);
  return runtime::program_ptx(m.fatbin, ptx_arch()).text;
}

const runtime::KernelInfo& Context::kernel_info(KernelRecord& k, bool with_registers) {
  if (!k.info_loaded || (with_registers && !k.info.registers_per_thread)) {
    try {
      k.info = device().kernel_info(loaded(*k.module), k.name, with_registers);
    } catch (const runtime::KernelNotFound& e) {
      // The program registered it (its host stub exists), so its code reached the binary as SASS
      // only: with -rdc, a file built for code=sm_XX alone is linked without it (an outside
      // user's CMake CUDA_ARCHITECTURES 80-real). A GPU of another architecture says the same.
      throw ApiError(cudaErrorNoKernelImageForDevice,
                     "kernel '" + isa::demangled_kernel_name(k.name) + "' has no PTX in the program (" + e.what() +
                         "): the file defining it was compiled to SASS only (-gencode arch=compute_XX,code=sm_XX, or "
                         "CMake CUDA_ARCHITECTURES XX-real); rebuild it with PTX too (code=[compute_XX,sm_XX], or "
                         "CUDA_ARCHITECTURES XX)");
    }
    k.info_loaded = true;
  }
  return k.info;
}

void Context::managed_to_device() {
  for (auto& [shadow, var] : variables_)
    if (var.managed_host && !var.placed() && var.module->module >= 0)
      device().write_symbol(var.module->module, var.name, 0, var.managed_host, var.size);
}

const VariableRecord* Context::managed_variable_at(const void* p) const {
  const auto* b = static_cast<const char*>(p);
  for (const auto& [shadow, var] : variables_) {
    const auto* host = static_cast<const char*>(var.managed_host);
    if (host && b >= host && b < host + var.size) return &var;
  }
  return nullptr;
}

void Context::managed_to_host() {
  for (auto& [shadow, var] : variables_)
    if (var.managed_host && !var.placed() && var.module->module >= 0)
      device().read_symbol(var.module->module, var.name, 0, var.managed_host, var.size);
}

double Context::now() {
  // The settings say which clock: read them first (an event recorded before anything else created
  // the device took the host clock, a later one the simulated timeline: a negative elapsed time).
  create_device();
  if (environment().device.mode == runtime::SimMode::Timing) return timeline_seconds_;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start_).count();
}

double Context::copy_seconds(size_t bytes) {
  const uint64_t rate = properties().host_copy_bytes_per_s;
  return rate ? double(bytes) / double(rate) : 0.0;
}

double Context::dram_seconds(size_t bytes) {
  const runtime::DeviceProperties& p = properties();
  const double rate = double(p.memory_clock_khz) * 1000.0 * 2.0 * p.memory_bus_width_bits / 8.0;  // DDR
  return rate > 0 ? double(bytes) / rate : 0.0;
}

void* Context::alloc_host_mapped(size_t bytes) {
  try {
    const runtime::HostMappedRange range = runtime::allocate_host_mapped(device(), bytes, next_host_mapped_);
    host_mapped_[range.address] = range.span;
    return range.address;
  } catch (const runtime::OutOfMemory& e) {
    throw ApiError(cudaErrorMemoryAllocation, e.what());
  }
}

// Why `ptr` cannot be freed as pinned or managed memory, naming it and what it is: a student
// who frees the wrong buffer (or a device pointer) needs the address to find which one.
std::string Context::not_host_allocation_text(void* ptr) const {
  const std::string at = isa::hex_text(reinterpret_cast<uintptr_t>(ptr));
  auto after = host_mapped_.upper_bound(ptr);
  if (after != host_mapped_.begin()) {
    const auto& [base, span] = *std::prev(after);
    const auto offset = static_cast<uint64_t>(static_cast<char*>(ptr) - static_cast<char*>(base));
    if (offset < span)
      return at + " is " + std::to_string(offset) + " bytes into the pinned/managed allocation at " + isa::hex_text(reinterpret_cast<uintptr_t>(base)) +
             ": free the pointer cudaMallocHost/cudaHostAlloc/cudaMallocManaged returned";
  }
  if (device_ && device_->allocation_at(reinterpret_cast<runtime::DevPtr>(ptr)))
    return at + " is device memory (cudaMalloc): free it with cudaFree";
  return at + " was not returned by cudaMallocHost/cudaHostAlloc/cudaMallocManaged (freed already, or memory from "
              "malloc/new, which free/delete release)";
}

void Context::free_host_mapped(void* ptr) {
  auto it = host_mapped_.find(ptr);
  if (it == host_mapped_.end()) throw ApiError(cudaErrorInvalidValue, not_host_allocation_text(ptr));
  runtime::release_host_mapped(device(), {ptr, it->second});
  host_mapped_.erase(it);
  pinned_flags.erase(ptr);
  if (managed_.erase(ptr)) managed_ranges.remove_allocation(reinterpret_cast<uint64_t>(ptr));
}

void Context::reset_device() {
  if (!device_) return;
  // The placed __managed__ variables' pages go with the device: their values move to the host
  // copies, and their modules load again on the new device below, so that `&var` is at once an
  // address the new device reaches.
  std::set<ModuleRecord*> with_managed;
  for (auto& [shadow, var] : variables_) {
    if (!var.placed()) continue;
    with_managed.insert(var.module);
    std::memcpy(var.host_copy, var.managed_host, var.size);
    var.managed_host = var.host_copy;
    var.carry_host_copy = true;
    *static_cast<void**>(const_cast<void*>(shadow)) = var.host_copy;
  }
  for (auto& [ptr, span] : host_mapped_) munmap(ptr, span);
  host_mapped_.clear();
  for (void* ptr : managed_) managed_ranges.remove_allocation(reinterpret_cast<uint64_t>(ptr));
  managed_.clear();
  pinned_flags.clear();
  managed_ranges.clear_history();
  for (auto& m : modules_) m->module = -1, m->load_failed = false;
  for (auto it = kernels_.begin(); it != kernels_.end();)  // the driver's modules stay on the old device
    it = it->second.from_driver ? kernels_.erase(it) : std::next(it);
  driver_modules_.clear();
  for (auto& [f, k] : kernels_) k.info_loaded = false;
  // The files of --trace / --vcd belong to the first device (finished when it goes); per-launch
  // source counters carry on.
  runtime::SimDeviceOptions fresh = env_.device;
  fresh.profiling.trace_path.clear();
  fresh.profiling.trace_sms.clear();
  fresh.profiling.trace_cycles.clear();
  fresh.profiling.vcd_path.clear();
  // Graphs, captures and pools go with the device (their handles then fail the registry
  // lookups); dropped before the device is replaced so anything they free, they free on it.
  graph_state.reset();
  // The runtime's streams and events go with the device, as cudaDeviceReset documents: a stale
  // handle is then an unknown one (cudaErrorInvalidResourceHandle), not a stream that still works
  // (a reliability engineer's handles from before the reset all answered cudaSuccess). A driver
  // context's own (non-null context) are libcuda's.
  std::erase_if(stream_table.streams, [](const auto& entry) { return entry.second->context == nullptr; });
  std::erase_if(stream_table.events, [](const auto& entry) { return entry.second->context == nullptr; });
  if (device_shared_with_driver) devices_kept_for_driver_.push_back(std::move(device_));
  device_ = runtime::make_sim_device(fresh);
  textures.reset();
  device_bytes_in_use_ = 0;
  sticky_error = pending_fault = cudaSuccess;
  limits.clear();
  cache_config = cudaFuncCachePreferNone;
  for (ModuleRecord* m : with_managed) {
    try {
      loaded(*m);
    } catch (const ApiError&) {  // reported by the next call that needs the module
    }
  }
}

namespace {
// The limits the simulated device itself applies (cudaLimit and runtime::DeviceLimit share the
// CUlimit numbering: stack 0, printf FIFO 1, malloc heap 2).
bool device_applies(int limit) {
  return limit == cudaLimitStackSize || limit == cudaLimitPrintfFifoSize || limit == cudaLimitMallocHeapSize ||
         limit == cudaLimitDevRuntimePendingLaunchCount;  // the device's launch queues apply it
}
}  // namespace

void Context::set_limit(int limit, size_t value) {
  if (device_applies(limit)) {
    device().set_limit(static_cast<runtime::DeviceLimit>(limit), value);
    return;
  }
  switch (limit) {
    case cudaLimitPersistingL2CacheSize: {
      // Ampere and later only, up to the device's set-aside maximum (cudaDevAttrMaxPersistingL2CacheSize).
      const auto most = runtime::cuda_device_attribute(properties(), cudaDevAttrMaxPersistingL2CacheSize);
      if (!most || *most == 0)
        throw ApiError(cudaErrorUnsupportedLimit, "cudaLimitPersistingL2CacheSize: a device of compute capability " +
                                                      std::to_string(properties().compute_major) + "." +
                                                      std::to_string(properties().compute_minor) +
                                                      " sets no L2 aside for persisting accesses (8.0 and later do)");
      if (value > size_t(*most))
        throw ApiError(cudaErrorInvalidValue, "cudaLimitPersistingL2CacheSize " + std::to_string(value) +
                                                  " is more than the device sets aside (" + std::to_string(*most) +
                                                  " bytes, cudaDeviceProp::persistingL2CacheMaxSize)");
      limits[limit] = value;
      return;
    }
    case cudaLimitDevRuntimeSyncDepth:
    case cudaLimitMaxL2FetchGranularity:
      limits[limit] = value;
      return;
    default:
      throw ApiError(cudaErrorUnsupportedLimit, "limit " + std::to_string(limit) + " is not a cudaLimit gpusim knows");
  }
}

size_t Context::get_limit(int limit) {
  if (device_applies(limit)) return device().get_limit(static_cast<runtime::DeviceLimit>(limit));
  auto it = limits.find(limit);
  if (it != limits.end()) return it->second;
  switch (limit) {  // CUDA's defaults
    case cudaLimitStackSize: return 1024;
    case cudaLimitPrintfFifoSize: return 1 << 20;
    case cudaLimitMallocHeapSize: return 8 << 20;
    case cudaLimitDevRuntimeSyncDepth: return 2;
    case cudaLimitDevRuntimePendingLaunchCount: return 2048;
    case cudaLimitMaxL2FetchGranularity: return 32;
    case cudaLimitPersistingL2CacheSize: return 0;
    default: throw ApiError(cudaErrorUnsupportedLimit, "limit " + std::to_string(limit) + " is not a cudaLimit gpusim knows");
  }
}

void Context::flush_device_output() {
  if (device_output.empty()) return;
  std::fwrite(device_output.data(), 1, device_output.size(), stdout);
  std::fflush(stdout);
  device_output.clear();
}

}  // namespace gpusim::cudart
