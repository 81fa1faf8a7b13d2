// The driver's process-wide state and the handle checks every entry point shares.
#include "runtime/cudadrv/driver_state.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "runtime/cudadrv/driver_graph.h"
#include "runtime/cudadrv/driver_textures.h"
#include "runtime/host_mapped_memory.h"

namespace gpusim::cudadrv {

std::string pointer_text(const void* p) {
  std::ostringstream os;
  os << p;
  return os.str();
}

namespace {

// libcudart's count of runtime calls (by this thread, or by the process); 0 without gpusim's
// libcudart in the process (runtime/cudart/cudart_driver_bridge.cpp).
uint64_t runtime_calls(DriverState& s, bool this_thread_only) {
  if (!s.runtime_calls)
    s.runtime_calls = reinterpret_cast<uint64_t (*)(int)>(dlsym(RTLD_DEFAULT, "__cudaGpusimRuntimeCalls"));
  return s.runtime_calls ? s.runtime_calls(this_thread_only ? 1 : 0) : 0;
}

}  // namespace

// A stream or event handle may be the runtime's before any call initialised this library (a
// program that never calls cuInit, as NVIDIA's runtime initialises the driver): the handles are
// the runtime's table's once initialised, so initialise first. A program that has not called the
// runtime has not initialised the driver either.
bool join_runtime(DriverState& s) {
  if (!s.initialized && runtime_calls(s, false) > 0) initialize(s);
  return s.shares_runtime_device;
}

void bind_runtime_primary_if_due(DriverState& s) {
  if (!s.shares_runtime_device) return;
  const ThreadKey me = this_thread_key();
  std::vector<CUctx_st*>& stack = s.current[me];
  if (!stack.empty() && stack.back()) return;
  if (runtime_calls(s, true) <= s.runtime_calls_at_stack_change[me]) return;
  CUctx_st* primary = &runtime_primary_context(s);
  if (stack.empty())
    stack.push_back(primary);
  else
    stack.back() = primary;
}

CUctx_st& runtime_primary_context(DriverState& s) {
  if (!s.primary) {
    s.primary = std::make_unique<CUctx_st>();
    s.primary->primary = true;
  }
  if (!s.runtime_holds_primary) {
    ++s.primary_references;
    s.runtime_holds_primary = true;
  }
  return *s.primary;
}

void flush_device_output(DriverState& s) {
  if (!s.shares_runtime_device) return;  // this library's own device prints as kernels finish
  if (!s.runtime_flush_output)
    s.runtime_flush_output = reinterpret_cast<void (*)()>(dlsym(RTLD_DEFAULT, "__cudaGpusimFlushDeviceOutput"));
  if (s.runtime_flush_output) s.runtime_flush_output();
}

void note_stack_set_by_driver(DriverState& s) {
  s.runtime_calls_at_stack_change[this_thread_key()] = runtime_calls(s, true);
}

bool& inside_driver_call() {
  thread_local bool inside = false;
  return inside;
}

ThreadKey this_thread_key() {
  static std::atomic<ThreadKey> next{1};
  thread_local const ThreadKey key = next.fetch_add(1, std::memory_order_relaxed);
  return key;
}

DriverState& driver_state() {
  // The one process-wide object of the library (see driver_state.h for why a C ABI needs it).
  // Never destroyed: programs call the driver from their own exit handlers and static
  // destructors, which may run after this library's.
  static DriverState* state = new DriverState;
  return *state;
}

int compute_capability(const DriverState& s) {
  return s.properties.compute_major * 10 + s.properties.compute_minor;
}

void report(const std::string& text) { std::fprintf(stderr, "gpusim libcuda: %s\n", text.c_str()); }

void require_initialized(DriverState& s) {
  // A program that has called the runtime has initialised the driver, as under NVIDIA's runtime
  // (device queries through cudaGetDriverEntryPoint after cudaSetDevice said cuInit was missing).
  if (!s.initialized) join_runtime(s);
  if (!s.initialized)
    throw DriverFailure{CUDA_ERROR_NOT_INITIALIZED, "cuInit has not been called (or failed)"};
}

void require_device(DriverState& s, CUdevice device) {
  require_initialized(s);
  if (device != 0)
    throw DriverFailure{CUDA_ERROR_INVALID_DEVICE,
                        "device " + std::to_string(device) + " does not exist (the simulator has one device, 0)"};
}

bool is_live_context(const DriverState& s, CUctx_st* context) {
  if (!context) return false;
  if (s.primary && s.primary.get() == context) return true;
  return s.created_contexts.count(context) != 0;
}

CUctx_st& current_context(DriverState& s) {
  // Under NVIDIA's runtime the driver is initialised once the runtime has run, and the primary
  // context current on each thread that called it: with gpusim's libcudart sharing its device,
  // the same holds here.
  join_runtime(s);
  require_initialized(s);
  bind_runtime_primary_if_due(s);
  auto it = s.current.find(this_thread_key());
  if (it == s.current.end() || it->second.empty() || !it->second.back())
    throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT,
                        "no current context on this thread (cuCtxSetCurrent / cuCtxCreate first)"};
  CUctx_st* c = it->second.back();
  if (!is_live_context(s, c))
    throw DriverFailure{CUDA_ERROR_CONTEXT_IS_DESTROYED, "the current context was destroyed"};
  return *c;
}

CUctx_st& usable_context(DriverState& s) {
  CUctx_st& c = current_context(s);
  // Silent: the fault was reported when it happened; repeating it on every call would bury it.
  if (c.lost_code != CUDA_SUCCESS) throw DriverFailure{c.lost_code, ""};
  return c;
}

CUmod_st& live_module(DriverState& s, CUmod_st* module) { return live_handle(s.modules, module, "module", "a loaded module"); }

CUfunc_st& live_function(DriverState& s, CUfunc_st* function) {
  if (s.functions.count(function)) return *function;
  if (CUfunc_st* f = runtime_kernel_function(s, function)) return *f;
  throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, "function " + pointer_text(function) + " is not a live kernel handle"};
}

CUstream_st* live_stream(DriverState& s, CUstream_st* stream) {
  // The legacy (0x1) and per-thread (0x2) default streams are the null stream here: launches
  // are synchronous, so every stream is in order with every other.
  if (stream == nullptr || stream == CU_STREAM_LEGACY || stream == CU_STREAM_PER_THREAD) return nullptr;
  join_runtime(s);
  if (!s.streams_table->stream(stream))
    throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, "stream " + pointer_text(stream) + " is not a live stream"};
  return stream;
}

CUevent_st& live_event(DriverState& s, CUevent_st* event) {
  join_runtime(s);
  return live_handle(s.streams_table->events, event, "event", "a live event");
}

bool belongs_to(const CUctx_st* owner, const CUctx_st& c) { return owner == &c || (!owner && c.primary); }

double event_clock(const DriverState& s, const CUctx_st& c) {
  if (s.runtime_now) return s.runtime_now();
  if (s.environment.device.mode == runtime::SimMode::Timing) return c.simulated_seconds;
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void destroy_context_contents(DriverState& s, CUctx_st& context) {
  for (CUmod_st* m : context.modules) {
    for (auto& [name, f] : m->functions) s.functions.erase(f.get());
    if (m->runtime_owned) {
      s.runtime_modules.erase(m->handle);
      for (auto it = s.runtime_kernels.begin(); it != s.runtime_kernels.end();)
        it = it->second->module == m ? s.runtime_kernels.erase(it) : std::next(it);
    }
    s.modules.erase(m);
  }
  for (auto it = s.libraries.begin(); it != s.libraries.end();)  // libraries go with their modules
    it = context.modules.count(it->second->module) ? s.libraries.erase(it) : std::next(it);
  context.modules.clear();
  // libcudart may have destroyed some of them (one set of handles, runtime/shared_streams.h) and
  // a new stream or event taken the address: only those still of this context go.
  for (CUstream_st* st : context.streams) {
    const CUstream_st* live = s.streams_table->stream(st);
    if (!live || live->context != &context) continue;
    forget_capture_stream(s, st);
    s.streams_table->streams.erase(st);
  }
  context.streams.clear();
  for (CUevent_st* e : context.events) {
    const CUevent_st* live = s.streams_table->event(e);
    if (!live || live->context != &context) continue;
    forget_capture_event(s, e);
    s.streams_table->events.erase(e);
  }
  context.events.clear();
  destroy_context_textures(s, context);
  for (const auto& [ptr, bytes] : context.allocations) {
    try {
      s.device->free(ptr);
    } catch (const std::exception& e) {
      report(std::string("freeing a destroyed context's allocation: ") + e.what());
    }
  }
  context.allocations.clear();
  // Page-locked and managed allocations and registrations made in the context go with it, as
  // with CUDA (a program that outlives many contexts does not keep their host memory).
  for (auto it = s.host_mapped.begin(); it != s.host_mapped.end();) {
    if (it->second.context != &context) {
      ++it;
      continue;
    }
    try {
      if (it->second.kind == DriverState::HostMapped::Registered) s.device->unmap_host_memory(it->first);
      else runtime::release_host_mapped(*s.device, {it->first, it->second.span});
      if (it->second.kind == DriverState::HostMapped::Managed)
        s.managed_ranges->remove_allocation(reinterpret_cast<uint64_t>(it->first));
    } catch (const std::exception& e) {
      report(std::string("freeing a destroyed context's host memory: ") + e.what());
    }
    it = s.host_mapped.erase(it);
  }
}

void forget_context(DriverState& s, CUctx_st* context) {
  // A destroyed context leaves every stack it was on; the one below becomes current again.
  for (auto& [thread, stack] : s.current) std::erase(stack, context);
}

}  // namespace gpusim::cudadrv
