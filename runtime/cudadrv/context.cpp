// Contexts: the primary context (retain/release/reset) and created ones, the per-thread stack
// of current contexts, synchronisation and limits. All contexts share the one simulated device
// and its memory; each owns its allocations, modules, streams and events.
#include <cuda.h>

#include <cstring>

#include "runtime/cudadrv/driver_graph.h"
#include "isa/hex_text.h"
#include "runtime/cudadrv/driver_state.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

static_assert(int(gpusim::runtime::DeviceLimit::StackSize) == CU_LIMIT_STACK_SIZE &&
              int(gpusim::runtime::DeviceLimit::PrintfFifoSize) == CU_LIMIT_PRINTF_FIFO_SIZE &&
              int(gpusim::runtime::DeviceLimit::MallocHeapSize) == CU_LIMIT_MALLOC_HEAP_SIZE);

// The calling thread's stack, about to be changed by this library: the runtime's binding of the
// primary context (if due) is applied first, then the change recorded (driver_state.h).
std::vector<CUctx_st*>& stack_to_change(DriverState& s) {
  gpusim::cudadrv::bind_runtime_primary_if_due(s);
  gpusim::cudadrv::note_stack_set_by_driver(s);
  return s.current[gpusim::cudadrv::this_thread_key()];
}

// The context flags cuda.h defines (CU_CTX_FLAGS_MASK): one scheduling policy (auto, spin,
// yield or blocking sync, not a mix), map-host, local-memory resize, core dumps, sync memops.
void check_context_flags(unsigned flags) {
  const unsigned schedule = flags & CU_CTX_SCHED_MASK;
  if ((flags & ~unsigned(CU_CTX_FLAGS_MASK)) || (schedule & (schedule - 1)))
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE,
                        "flags " + gpusim::isa::hex_text(flags) + ": unknown bits or more than one CU_CTX_SCHED_* policy"};
}

CUctx_st& new_context(DriverState& s, CUdevice device, unsigned flags) {
  check_context_flags(flags);
  auto c = std::make_unique<CUctx_st>();
  c->device = device;
  c->flags = flags;
  CUctx_st* raw = c.get();
  s.created_contexts.emplace(raw, std::move(c));
  return *raw;
}

void push(DriverState& s, CUctx_st* context) { stack_to_change(s).push_back(context); }

void destroy_created(DriverState& s, CUctx_st* context) {
  auto it = s.created_contexts.find(context);
  if (it == s.created_contexts.end())
    throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "not a context made by cuCtxCreate (the primary context is released, not destroyed)"};
  gpusim::cudadrv::destroy_context_contents(s, *context);
  gpusim::cudadrv::forget_context(s, context);
  s.created_contexts.erase(it);
}

}  // namespace

extern "C" {

CUresult cuDevicePrimaryCtxRetain(CUcontext* context, CUdevice device) {
  return api_call("cuDevicePrimaryCtxRetain", [&](DriverState& s) {
    if (!context) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "context is null"};
    gpusim::cudadrv::require_device(s, device);
    if (!s.primary) {
      s.primary = std::make_unique<CUctx_st>();
      s.primary->device = device;
      s.primary->primary = true;
    }
    ++s.primary_references;
    *context = s.primary.get();
    return CUDA_SUCCESS;
  });
}

CUresult cuDevicePrimaryCtxRelease(CUdevice device) {
  return api_call("cuDevicePrimaryCtxRelease", [&](DriverState& s) {
    gpusim::cudadrv::require_device(s, device);
    if (!s.primary || s.primary_references == 0)
      throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "the primary context is not retained"};
    // Released to zero references, the primary context is destroyed with everything it holds.
    if (--s.primary_references == 0) {
      gpusim::cudadrv::destroy_context_contents(s, *s.primary);
      gpusim::cudadrv::forget_context(s, s.primary.get());
      s.primary.reset();
      s.runtime_holds_primary = false;  // the program released the runtime's reference too
    }
    return CUDA_SUCCESS;
  });
}

CUresult cuDevicePrimaryCtxReset(CUdevice device) {
  return api_call("cuDevicePrimaryCtxReset", [&](DriverState& s) {
    gpusim::cudadrv::require_device(s, device);
    // Frees everything and clears a sticky fault; the references stay, and the next use finds a
    // fresh context behind the same handle (the simulator, unlike silicon, can always recover).
    if (s.primary) {
      gpusim::cudadrv::destroy_context_contents(s, *s.primary);
      s.primary->lost_code = CUDA_SUCCESS;
      s.primary->lost_reason.clear();
      s.primary->simulated_seconds = 0;
      s.primary->limits.clear();
    }
    return CUDA_SUCCESS;
  });
}

CUresult cuDevicePrimaryCtxGetState(CUdevice device, unsigned int* flags, int* active) {
  return api_call("cuDevicePrimaryCtxGetState", [&](DriverState& s) {
    if (!flags || !active) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags or active is null"};
    gpusim::cudadrv::require_device(s, device);
    *flags = s.primary ? s.primary->flags : 0;
    *active = s.primary && s.primary_references > 0;
    return CUDA_SUCCESS;
  });
}

CUresult cuDevicePrimaryCtxSetFlags(CUdevice device, unsigned int flags) {
  return api_call("cuDevicePrimaryCtxSetFlags", [&](DriverState& s) {
    gpusim::cudadrv::require_device(s, device);
    check_context_flags(flags);
    if (!s.primary) {
      s.primary = std::make_unique<CUctx_st>();
      s.primary->primary = true;
    }
    s.primary->flags = flags;  // scheduling flags: nothing to schedule on a synchronous simulator
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxCreate(CUcontext* context, CUctxCreateParams* params, unsigned int flags, CUdevice device) {
  return api_call("cuCtxCreate", [&](DriverState& s) {
    if (!context) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "context is null"};
    gpusim::cudadrv::require_device(s, device);
    if (params && (params->numExecAffinityParams > 0 || params->cigParams))
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "execution affinity and CIG contexts are not simulated"};
    CUctx_st& c = new_context(s, device, flags);
    push(s, &c);  // a new context becomes current, as in CUDA
    *context = &c;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxDestroy(CUcontext context) {
  return api_call("cuCtxDestroy", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    destroy_created(s, context);
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxPushCurrent(CUcontext context) {
  return api_call("cuCtxPushCurrent", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    if (!gpusim::cudadrv::is_live_context(s, context))
      throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "not a live context"};
    push(s, context);
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxPopCurrent(CUcontext* context) {
  return api_call("cuCtxPopCurrent", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    std::vector<CUctx_st*>& stack = stack_to_change(s);
    if (stack.empty()) throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "no context is current on this thread"};
    if (context) *context = stack.back();
    stack.pop_back();
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxSetCurrent(CUcontext context) {
  return api_call("cuCtxSetCurrent", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    std::vector<CUctx_st*>& stack = stack_to_change(s);
    if (!context) {  // unbinds the current context
      if (!stack.empty()) stack.pop_back();
      return CUDA_SUCCESS;
    }
    if (!gpusim::cudadrv::is_live_context(s, context))
      throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "not a live context"};
    if (stack.empty())
      stack.push_back(context);
    else
      stack.back() = context;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxGetCurrent(CUcontext* context) {
  return api_call("cuCtxGetCurrent", [&](DriverState& s) {
    if (!context) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "context is null"};
    // After a runtime call on this thread the runtime's primary context is current, as under
    // NVIDIA's runtime (which calls cuInit and binds it); before one, none is.
    gpusim::cudadrv::join_runtime(s);
    gpusim::cudadrv::require_initialized(s);
    gpusim::cudadrv::bind_runtime_primary_if_due(s);
    const std::vector<CUctx_st*>& stack = s.current[gpusim::cudadrv::this_thread_key()];
    *context = stack.empty() ? nullptr : stack.back();
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxGetDevice(CUdevice* device) {
  return api_call("cuCtxGetDevice", [&](DriverState& s) {
    if (!device) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "device is null"};
    *device = gpusim::cudadrv::current_context(s).device;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxGetFlags(unsigned int* flags) {
  return api_call("cuCtxGetFlags", [&](DriverState& s) {
    if (!flags) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags is null"};
    *flags = gpusim::cudadrv::current_context(s).flags;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxGetApiVersion(CUcontext context, unsigned int* version) {
  return api_call("cuCtxGetApiVersion", [&](DriverState& s) {
    if (!version) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "version is null"};
    if (context && !gpusim::cudadrv::is_live_context(s, context))
      throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "not a live context"};
    if (!context) gpusim::cudadrv::current_context(s);
    *version = 3020;  // the context API version every CUDA since 3.2 reports
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxSynchronize() {
  // Launches and copies finish inside their calls; what is left to report is a sticky fault.
  return api_call("cuCtxSynchronize", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::check_capture_safe(s, "cuCtxSynchronize");
    gpusim::cudadrv::flush_device_output(s);
    return CUDA_SUCCESS;
  });
}

// A program may pass any integer as a CUlimit: read it as an integer (reading an out-of-range
// value through the enum type is undefined behaviour) and refuse what CUDA does not define.
static CUlimit checked_limit(const CUlimit& limit_arg) {
  int raw = 0;
  std::memcpy(&raw, &limit_arg, sizeof raw);
  if (raw < 0 || raw >= CU_LIMIT_MAX)
    throw gpusim::cudadrv::DriverFailure{CUDA_ERROR_UNSUPPORTED_LIMIT, "unknown limit " + std::to_string(raw)};
  return static_cast<CUlimit>(raw);
}

CUresult cuCtxSetLimit(CUlimit limit_arg, size_t value) {
  return api_call("cuCtxSetLimit", [&](DriverState& s) {
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    const CUlimit limit = checked_limit(limit_arg);
    // Stack, printf FIFO and malloc heap are the simulated device's (CUlimit and DeviceLimit share
    // their values); the others are recorded and reported back.
    if (limit <= CU_LIMIT_MALLOC_HEAP_SIZE)
      s.device->set_limit(static_cast<gpusim::runtime::DeviceLimit>(limit), value);
    else
      c.limits[limit] = value;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxGetLimit(size_t* value, CUlimit limit_arg) {
  return api_call("cuCtxGetLimit", [&](DriverState& s) {
    if (!value) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "value is null"};
    CUctx_st& c = gpusim::cudadrv::current_context(s);
    const CUlimit limit = checked_limit(limit_arg);
    if (limit <= CU_LIMIT_MALLOC_HEAP_SIZE) {
      *value = s.device->get_limit(static_cast<gpusim::runtime::DeviceLimit>(limit));
      return CUDA_SUCCESS;
    }
    auto it = c.limits.find(limit);
    if (it != c.limits.end()) {
      *value = it->second;
      return CUDA_SUCCESS;
    }
    switch (limit) {  // CUDA's documented defaults
      case CU_LIMIT_DEV_RUNTIME_SYNC_DEPTH: *value = 2; break;
      case CU_LIMIT_DEV_RUNTIME_PENDING_LAUNCH_COUNT: *value = 2048; break;
      case CU_LIMIT_MAX_L2_FETCH_GRANULARITY: *value = 32; break;
      default: *value = 0;
    }
    return CUDA_SUCCESS;
  });
}

// The pre-CUDA-13 cuCtxCreate (exported as cuCtxCreate_v2): binaries built against CUDA 11/12
// headers still call it.
CUresult cuCtxCreate_v2(CUcontext* context, unsigned int flags, CUdevice device) {
  return cuCtxCreate(context, nullptr, flags, device);
}

}  // extern "C"
