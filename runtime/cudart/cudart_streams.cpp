// Streams and events. The simulator completes every launch and copy before the call returns, so
// each stream is idle whenever the host looks: synchronisation calls only flush device printf
// output (where a GPU would print it), queries report completion, callbacks run at once (after
// all earlier work, which is CUDA's order). Events read the timeline (cudart_context.h).
#include <cuda_runtime_api.h>

#include "runtime/cudart/cudart_context.h"
#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {
namespace {

// Handles are addresses of records the context owns; a handle it does not know is rejected.
struct StreamRecord {
  unsigned flags = 0;
  int priority = 0;
};

void check_stream(Context& ctx, cudaStream_t s) {
  if (s == nullptr || s == cudaStreamLegacy || s == cudaStreamPerThread) return;
  if (!ctx.streams.count(s)) throw ApiError(cudaErrorInvalidResourceHandle, "unknown or destroyed stream");
}

EventRecord& event(Context& ctx, cudaEvent_t e) {
  if (!ctx.events.count(e)) throw ApiError(cudaErrorInvalidResourceHandle, "unknown or destroyed event");
  return *reinterpret_cast<EventRecord*>(e);
}

cudaError_t create_stream(cudaStream_t* stream, unsigned flags, int priority) {
  return api("cudaStreamCreate", [&](Context& ctx) {
    if (!stream) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    auto* rec = new StreamRecord{flags, priority};
    *stream = reinterpret_cast<cudaStream_t>(rec);
    ctx.streams.insert(*stream);
  });
}

cudaError_t create_event(cudaEvent_t* e, unsigned flags) {
  return api("cudaEventCreate", [&](Context& ctx) {
    if (!e) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    auto* rec = new EventRecord;
    rec->timing = !(flags & cudaEventDisableTiming);
    *e = reinterpret_cast<cudaEvent_t>(rec);
    ctx.events.insert(*e);
  });
}

}  // namespace
}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

cudaError_t cudaStreamCreate(cudaStream_t* s) { return create_stream(s, 0, 0); }
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned int flags) { return create_stream(s, flags, 0); }
cudaError_t cudaStreamCreateWithPriority(cudaStream_t* s, unsigned int flags, int priority) {
  return create_stream(s, flags, priority);
}

cudaError_t cudaStreamDestroy(cudaStream_t s) {
  return api("cudaStreamDestroy", [&](Context& ctx) {
    if (!ctx.streams.erase(s)) throw ApiError(cudaErrorInvalidResourceHandle, "unknown or destroyed stream");
    delete reinterpret_cast<StreamRecord*>(s);
  });
}

cudaError_t cudaStreamSynchronize(cudaStream_t s) {
  return api("cudaStreamSynchronize", [&](Context& ctx) {
    check_stream(ctx, s);
    check_not_capturing(ctx, s, "cudaStreamSynchronize");
    release_pool_memory(ctx);
    ctx.flush_device_output();
  });
}
cudaError_t cudaStreamSynchronize_ptsz(cudaStream_t s) { return cudaStreamSynchronize(s); }

cudaError_t cudaStreamQuery(cudaStream_t s) {
  return api("cudaStreamQuery", [&](Context& ctx) {
    check_stream(ctx, s);
    check_not_capturing(ctx, s, "cudaStreamQuery");
  });
}
cudaError_t cudaStreamQuery_ptsz(cudaStream_t s) { return cudaStreamQuery(s); }

cudaError_t cudaStreamGetFlags(cudaStream_t s, unsigned int* flags) {
  return api("cudaStreamGetFlags", [&](Context& ctx) {
    check_stream(ctx, s);
    if (!flags) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *flags = ctx.streams.count(s) ? reinterpret_cast<StreamRecord*>(s)->flags : 0;
  });
}

cudaError_t cudaStreamGetPriority(cudaStream_t s, int* priority) {
  return api("cudaStreamGetPriority", [&](Context& ctx) {
    check_stream(ctx, s);
    if (!priority) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *priority = ctx.streams.count(s) ? reinterpret_cast<StreamRecord*>(s)->priority : 0;
  });
}

cudaError_t cudaDeviceGetStreamPriorityRange(int* least, int* greatest) {
  if (least) *least = 0;
  if (greatest) *greatest = -5;
  return cudaSuccess;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned int flags) {
  return api("cudaStreamWaitEvent", [&](Context& ctx) {
    check_stream(ctx, s);
    event(ctx, e);
    capture_event_wait(ctx, s, e);
  });
}
cudaError_t cudaStreamWaitEvent_ptsz(cudaStream_t s, cudaEvent_t e, unsigned int flags) { return cudaStreamWaitEvent(s, e, flags); }

cudaError_t cudaLaunchHostFunc(cudaStream_t s, cudaHostFn_t fn, void* user_data) {
  bool captured = false;
  cudaError_t status = api("cudaLaunchHostFunc", [&](Context& ctx) {
    check_stream(ctx, s);
    if (!fn) throw ApiError(cudaErrorInvalidValue, "null host function");
    GraphNode node;
    node.type = cudaGraphNodeTypeHost;
    node.host_fn = fn;
    node.user_data = user_data;
    captured = record_if_capturing(ctx, s, std::move(node));
  });
  if (status == cudaSuccess && !captured) fn(user_data);  // outside the lock: the callback may not call CUDA, but must not deadlock
  return status;
}

cudaError_t cudaStreamAddCallback(cudaStream_t s, cudaStreamCallback_t callback, void* user_data, unsigned int flags) {
  cudaError_t status = api("cudaStreamAddCallback", [&](Context& ctx) {
    check_stream(ctx, s);
    if (!callback) throw ApiError(cudaErrorInvalidValue, "null callback");
  });
  if (status == cudaSuccess) callback(s, cudaSuccess, user_data);
  return status;
}

cudaError_t cudaEventCreate(cudaEvent_t* e) { return create_event(e, 0); }
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned int flags) { return create_event(e, flags); }

cudaError_t cudaEventDestroy(cudaEvent_t e) {
  return api("cudaEventDestroy", [&](Context& ctx) {
    if (!ctx.events.erase(e)) throw ApiError(cudaErrorInvalidResourceHandle, "unknown or destroyed event");
    delete reinterpret_cast<EventRecord*>(e);
  });
}

cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s) {
  return api("cudaEventRecord", [&](Context& ctx) {
    check_stream(ctx, s);
    EventRecord& rec = event(ctx, e);
    if (capture_event_record(ctx, s, e)) return;
    rec.recorded = true;
    rec.seconds = ctx.now();
  });
}
cudaError_t cudaEventRecord_ptsz(cudaEvent_t e, cudaStream_t s) { return cudaEventRecord(e, s); }
cudaError_t cudaEventRecordWithFlags(cudaEvent_t e, cudaStream_t s, unsigned int flags) { return cudaEventRecord(e, s); }

cudaError_t cudaEventQuery(cudaEvent_t e) {
  return api("cudaEventQuery", [&](Context& ctx) { event(ctx, e); });
}

cudaError_t cudaEventSynchronize(cudaEvent_t e) {
  return api("cudaEventSynchronize", [&](Context& ctx) {
    event(ctx, e);
    release_pool_memory(ctx);
    ctx.flush_device_output();
  });
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  return api("cudaEventElapsedTime", [&](Context& ctx) {
    if (!ms) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    const EventRecord& a = event(ctx, start);
    const EventRecord& b = event(ctx, end);
    if (!a.timing || !b.timing) throw ApiError(cudaErrorInvalidResourceHandle, "an event was created with cudaEventDisableTiming");
    if (!a.recorded || !b.recorded) throw ApiError(cudaErrorInvalidResourceHandle, "an event has not been recorded");
    *ms = static_cast<float>((b.seconds - a.seconds) * 1000.0);
  });
}

}  // extern "C"
