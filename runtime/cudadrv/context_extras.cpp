// Context queries and settings beyond the basics (context.cpp): ids, the device of a given
// context, flags set after creation, the persisting-L2 reset, and the profiler brackets. The
// simulator has no persisting L2 lines to reset and is always "profiling" (its statistics), so
// those calls check their context and succeed.
#include <cuda.h>
#include <cudaProfiler.h>

#include "runtime/cudadrv/driver_state.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

// `context`, or the current one when null.
CUctx_st& context_or_current(DriverState& s, CUcontext context) {
  if (!context) return gpusim::cudadrv::current_context(s);
  gpusim::cudadrv::require_initialized(s);
  if (!gpusim::cudadrv::is_live_context(s, context)) throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "not a live context"};
  return *context;
}

}  // namespace

extern "C" {

CUresult cuCtxGetId(CUcontext context, unsigned long long* id) {
  return api_call("cuCtxGetId", [&](DriverState& s) {
    if (!id) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "ctxId is null"};
    CUctx_st& c = context_or_current(s, context);
    if (c.id == 0) c.id = s.next_context_id++;
    *id = c.id;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxGetDevice_v2(CUdevice* device, CUcontext context) {
  return api_call("cuCtxGetDevice_v2", [&](DriverState& s) {
    if (!device) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "device is null"};
    *device = context_or_current(s, context).device;
    return CUDA_SUCCESS;
  });
}

// Scheduling and memory-operation flags: kept and reported (every operation is synchronous here).
CUresult cuCtxSetFlags(unsigned int flags) {
  return api_call("cuCtxSetFlags", [&](DriverState& s) {
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    if (flags & ~unsigned(CU_CTX_FLAGS_MASK)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags outside CU_CTX_FLAGS_MASK"};
    c.flags = flags;
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxResetPersistingL2Cache() {
  return api_call("cuCtxResetPersistingL2Cache", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    return CUDA_SUCCESS;
  });
}

CUresult cuProfilerStart() {
  return api_call("cuProfilerStart", [&](DriverState& s) {
    gpusim::cudadrv::current_context(s);
    return CUDA_SUCCESS;
  });
}

CUresult cuProfilerStop() {
  return api_call("cuProfilerStop", [&](DriverState& s) {
    gpusim::cudadrv::current_context(s);
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
