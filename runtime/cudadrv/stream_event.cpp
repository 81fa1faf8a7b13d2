// Streams and events. Work finishes inside the call that issues it, so streams only need to
// exist (every query answers "done") and an event records the moment it is reached:
//  - GPUSIM_MODE=timing: the context's simulated clock, advanced by each kernel's simulated
//    time; the elapsed time between two events is the simulated time of the kernels launched
//    between them. Copies and memsets add nothing (the model does not time PCIe transfers).
//  - functional mode: host wall time, as a program would see a slow GPU.
// With libcudart loaded and sharing its device, streams and events are libcudart's too (one set of
// handles for both APIs, runtime/shared_streams.h) and events read libcudart's timeline, which
// both libraries' kernels advance.
#include <cuda.h>

#include <algorithm>

#include "runtime/cuda_answers.h"
#include "runtime/cudadrv/driver_graph.h"
#include "runtime/cudadrv/driver_state.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

CUresult create_stream(DriverState& s, CUstream* stream, unsigned flags, int priority) {
  if (!stream) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "stream is null"};
  if (flags & ~unsigned(CU_STREAM_NON_BLOCKING)) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags other than CU_STREAM_NON_BLOCKING"};
  CUctx_st& c = gpusim::cudadrv::usable_context(s);
  CUstream_st proto;
  proto.context = &c;
  proto.flags = flags;
  // Clamped into the range cuCtxGetStreamPriorityRange reports, as CUDA does.
  proto.priority = std::clamp(priority, gpusim::runtime::kGreatestStreamPriority, gpusim::runtime::kLeastStreamPriority);
  CUstream_st* raw = s.streams_table->add_stream(std::move(proto));
  c.streams.insert(raw);
  *stream = raw;
  return CUDA_SUCCESS;
}

}  // namespace

extern "C" {

CUresult cuStreamCreate(CUstream* stream, unsigned int flags) {
  return api_call("cuStreamCreate", [&](DriverState& s) { return create_stream(s, stream, flags, 0); });
}

CUresult cuStreamCreateWithPriority(CUstream* stream, unsigned int flags, int priority) {
  return api_call("cuStreamCreateWithPriority", [&](DriverState& s) { return create_stream(s, stream, flags, priority); });
}

CUresult cuStreamDestroy(CUstream stream) {
  return api_call("cuStreamDestroy", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    CUstream_st* st = gpusim::cudadrv::live_stream(s, stream);
    if (!st) throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, "the default stream cannot be destroyed"};
    gpusim::cudadrv::forget_capture_stream(s, st);
    if (st->context) st->context->streams.erase(st);  // null: a stream libcudart made
    s.streams_table->streams.erase(st);
    return CUDA_SUCCESS;
  });
}

CUresult cuStreamSynchronize(CUstream stream) {
  return api_call("cuStreamSynchronize", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    gpusim::cudadrv::check_not_capturing(s, stream, "cuStreamSynchronize");
    gpusim::cudadrv::flush_device_output(s);
    return CUDA_SUCCESS;
  });
}

CUresult cuStreamQuery(CUstream stream) {
  return api_call("cuStreamQuery", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    gpusim::cudadrv::check_not_capturing(s, stream, "cuStreamQuery");
    return CUDA_SUCCESS;  // everything issued has completed
  });
}

CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned int flags) {
  return api_call("cuStreamWaitEvent", [&](DriverState& s) {
    if (flags & ~unsigned(CU_EVENT_WAIT_EXTERNAL))
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags other than CU_EVENT_WAIT_DEFAULT / _EXTERNAL"};
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    gpusim::cudadrv::live_event(s, event);
    gpusim::cudadrv::capture_event_wait(s, stream, event);  // a captured event forks or joins a capture
    return CUDA_SUCCESS;  // otherwise the event's work is already done
  });
}

CUresult cuEventCreate(CUevent* event, unsigned int flags) {
  return api_call("cuEventCreate", [&](DriverState& s) {
    if (!event) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "event is null"};
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    CUevent_st proto;
    proto.context = &c;
    proto.flags = flags;
    CUevent_st* raw = s.streams_table->add_event(proto);
    c.events.insert(raw);
    *event = raw;
    return CUDA_SUCCESS;
  });
}

CUresult cuEventDestroy(CUevent event) {
  return api_call("cuEventDestroy", [&](DriverState& s) {
    gpusim::cudadrv::require_initialized(s);
    CUevent_st& e = gpusim::cudadrv::live_event(s, event);
    gpusim::cudadrv::forget_capture_event(s, event);
    if (e.context) e.context->events.erase(event);  // null: an event libcudart made
    s.streams_table->events.erase(event);
    return CUDA_SUCCESS;
  });
}

CUresult cuEventRecord(CUevent event, CUstream stream) {
  return api_call("cuEventRecord", [&](DriverState& s) {
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    CUevent_st& e = gpusim::cudadrv::live_event(s, event);
    gpusim::cudadrv::live_stream(s, stream);
    if (!gpusim::cudadrv::belongs_to(e.context, c)) throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, "the event belongs to another context"};
    if (gpusim::cudadrv::capture_event_record(s, stream, event)) return CUDA_SUCCESS;  // an event of the capture
    e.recorded = true;
    e.seconds = gpusim::cudadrv::event_clock(s, c);
    return CUDA_SUCCESS;
  });
}

CUresult cuEventQuery(CUevent event) {
  return api_call("cuEventQuery", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_event(s, event);
    return CUDA_SUCCESS;  // recorded work has always completed
  });
}

CUresult cuEventSynchronize(CUevent event) {
  return api_call("cuEventSynchronize", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    gpusim::cudadrv::live_event(s, event);
    gpusim::cudadrv::flush_device_output(s);
    return CUDA_SUCCESS;
  });
}

CUresult cuEventElapsedTime(float* milliseconds, CUevent start, CUevent end) {
  return api_call("cuEventElapsedTime", [&](DriverState& s) {
    if (!milliseconds) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "milliseconds is null"};
    gpusim::cudadrv::usable_context(s);
    const CUevent_st& a = gpusim::cudadrv::live_event(s, start);
    const CUevent_st& b = gpusim::cudadrv::live_event(s, end);
    if ((a.flags | b.flags) & CU_EVENT_DISABLE_TIMING)
      throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, "an event was created with CU_EVENT_DISABLE_TIMING"};
    // cuda.h: an event never recorded is CUDA_ERROR_INVALID_HANDLE (NOT_READY is for one recorded
    // but not yet complete, which a synchronous simulator never has).
    if (!a.recorded || !b.recorded)
      throw DriverFailure{CUDA_ERROR_INVALID_HANDLE,
                          std::string(!a.recorded ? "start" : "end") + " event has not been recorded (cuEventRecord)"};
    *milliseconds = static_cast<float>((b.seconds - a.seconds) * 1e3);  // one clock (event_clock)
    return CUDA_SUCCESS;
  });
}

// CUDA 12.8 renamed the entry point (cuda.h maps cuEventElapsedTime to _v2); drivers export
// both, and programs built against older headers call the plain name.
#undef cuEventElapsedTime
CUresult cuEventElapsedTime(float* milliseconds, CUevent start, CUevent end) {
  return cuEventElapsedTime_v2(milliseconds, start, end);
}

}  // extern "C"
