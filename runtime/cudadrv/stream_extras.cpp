// What programs ask of streams beyond creating and synchronising them: host functions and
// callbacks, priorities, flags, ids and contexts. Work in a stream is complete when issued
// (stream_event.cpp), so a host function runs at once, in the calling thread, after every
// earlier piece of work, as CUDA orders it. It runs outside the driver's lock; CUDA forbids
// driver calls from inside it, and one here would answer rather than deadlock.
#include <cuda.h>

#include "runtime/cuda_answers.h"
#include "runtime/cudadrv/driver_graph.h"
#include "runtime/cudadrv/driver_state.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

extern "C" {

CUresult cuLaunchHostFunc(CUstream stream, CUhostFn fn, void* user_data) {
  bool captured = false;
  const CUresult r = api_call("cuLaunchHostFunc", [&](DriverState& s) {
    if (!fn) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "fn is null"};
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    gpusim::cudadrv::DriverGraphNode node;  // in a capturing stream: a host node, run by each graph launch
    node.type = gpusim::graph::kHostNode;
    node.host_fn = fn;
    node.user_data = user_data;
    captured = gpusim::cudadrv::record_if_capturing(s, stream, std::move(node));
    return CUDA_SUCCESS;
  });
  if (r == CUDA_SUCCESS && !captured) fn(user_data);
  return r;
}

CUresult cuStreamAddCallback(CUstream stream, CUstreamCallback callback, void* user_data, unsigned int flags) {
  const CUresult r = api_call("cuStreamAddCallback", [&](DriverState& s) {
    if (!callback || flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "callback is null or flags are not 0"};
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    // CUDA supports no stream callbacks in capture (cuLaunchHostFunc is the capturable form):
    // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, the capture invalidated, the callback not run.
    gpusim::cudadrv::check_not_capturing(s, stream, "cuStreamAddCallback");
    return CUDA_SUCCESS;
  });
  if (r == CUDA_SUCCESS) callback(stream, CUDA_SUCCESS, user_data);  // the stream's work succeeded
  return r;
}

CUresult cuStreamGetPriority(CUstream stream, int* priority) {
  return api_call("cuStreamGetPriority", [&](DriverState& s) {
    if (!priority) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "priority is null"};
    gpusim::cudadrv::current_context(s);
    const CUstream_st* st = gpusim::cudadrv::live_stream(s, stream);
    *priority = st ? st->priority : gpusim::runtime::kLeastStreamPriority;
    return CUDA_SUCCESS;
  });
}

CUresult cuStreamGetFlags(CUstream stream, unsigned int* flags) {
  return api_call("cuStreamGetFlags", [&](DriverState& s) {
    if (!flags) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags is null"};
    gpusim::cudadrv::current_context(s);
    const CUstream_st* st = gpusim::cudadrv::live_stream(s, stream);
    *flags = st ? st->flags : unsigned(CU_STREAM_DEFAULT);
    return CUDA_SUCCESS;
  });
}

// The default streams are 0; created streams count up from 1, never reused.
CUresult cuStreamGetId(CUstream stream, unsigned long long* id) {
  return api_call("cuStreamGetId", [&](DriverState& s) {
    if (!id) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "streamId is null"};
    gpusim::cudadrv::current_context(s);
    const CUstream_st* st = gpusim::cudadrv::live_stream(s, stream);
    *id = st ? st->id : 0;
    return CUDA_SUCCESS;
  });
}

CUresult cuStreamGetCtx(CUstream stream, CUcontext* context) {
  return api_call("cuStreamGetCtx", [&](DriverState& s) {
    if (!context) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pctx is null"};
    CUctx_st& current = gpusim::cudadrv::current_context(s);
    const CUstream_st* st = gpusim::cudadrv::live_stream(s, stream);
    // A stream libcudart made belongs to the primary context (the runtime's).
    *context = st && st->context ? st->context : st && s.primary ? s.primary.get() : &current;
    return CUDA_SUCCESS;
  });
}

// Green contexts are not simulated: a stream's green context is always none.
CUresult cuStreamGetCtx_v2(CUstream stream, CUcontext* context, CUgreenCtx* green) {
  if (green) *green = nullptr;
  return cuStreamGetCtx(stream, context);
}

CUresult cuCtxGetStreamPriorityRange(int* least, int* greatest) {
  return api_call("cuCtxGetStreamPriorityRange", [&](DriverState& s) {
    gpusim::cudadrv::current_context(s);
    if (least) *least = gpusim::runtime::kLeastStreamPriority;
    if (greatest) *greatest = gpusim::runtime::kGreatestStreamPriority;
    return CUDA_SUCCESS;
  });
}

// The record happens when issued either way; CU_EVENT_RECORD_EXTERNAL only matters inside graphs.
CUresult cuEventRecordWithFlags(CUevent event, CUstream stream, unsigned int flags) {
  if (flags & ~unsigned(CU_EVENT_RECORD_EXTERNAL))
    return api_call("cuEventRecordWithFlags", [&](DriverState&) -> CUresult {
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags other than CU_EVENT_RECORD_DEFAULT / _EXTERNAL"};
    });
  return cuEventRecord(event, stream);
}

}  // extern "C"
