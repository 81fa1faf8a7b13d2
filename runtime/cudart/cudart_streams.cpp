// Streams and events. The simulator completes every launch and copy before the call returns, so
// each stream is idle whenever the host looks: synchronisation calls only flush device printf
// output (where a GPU would print it), queries report completion, callbacks run at once (after
// all earlier work, which is CUDA's order). Events read the timeline (cudart_context.h).
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include "isa/hex_text.h"
#include "runtime/cudart/cudart_context.h"
#include "runtime/cudart/cudart_graph.h"
#include "runtime/cuda_answers.h"
#include "runtime/diagnostic_stream.h"

namespace gpusim::cudart {
namespace {


}  // namespace

std::string unknown_stream_text(const void* s) {
  char text[192];
  std::snprintf(text, sizeof text,
                "unknown or destroyed stream %p (destroyed, by cudaStreamDestroy or cudaDeviceReset, or never created by "
                "cudaStreamCreate)",
                s);
  return text;
}

void check_stream_handle(Context& ctx, const void* s) {
  if (s == nullptr || s == cudaStreamLegacy || s == cudaStreamPerThread) return;
  if (!ctx.stream_table.stream(s)) throw ApiError(cudaErrorInvalidResourceHandle, unknown_stream_text(s));
}

namespace {

// The values cudaDeviceGetStreamPriorityRange reports (shared with libcuda).
constexpr int kLeastPriority = runtime::kLeastStreamPriority, kGreatestPriority = runtime::kGreatestStreamPriority;

// Stream ids (cudaStreamGetId): the legacy default stream is 0, the per-thread default streams
// and created streams (by either API) count up from 1 in the order they are first seen.
unsigned long long next_stream_id(Context& ctx) { return ++ctx.stream_table.last_stream_id; }

// A created stream's record (the handle points at it; runtime/shared_streams.h), null for the
// default streams, an error for an unknown handle.
CUstream_st* record_of(Context& ctx, cudaStream_t s) {
  check_stream_handle(ctx, s);
  return ctx.stream_table.stream(s);
}

CUevent_st& event(Context& ctx, cudaEvent_t e) {
  CUevent_st* rec = ctx.stream_table.event(e);
  if (!rec)
    throw ApiError(cudaErrorInvalidResourceHandle, "unknown or destroyed event " +
                                                       gpusim::isa::hex_text(reinterpret_cast<uintptr_t>(e)) +
                                                       " (destroyed, by cudaEventDestroy or cudaDeviceReset, or never created)");
  return *rec;
}

cudaStreamAttrValue attribute_value(const std::vector<unsigned char>& bytes) {
  cudaStreamAttrValue value{};
  std::memcpy(&value, bytes.data(), std::min(bytes.size(), sizeof value));
  return value;
}

cudaError_t create_stream(cudaStream_t* stream, unsigned flags, int priority) {
  return api("cudaStreamCreate", [&](Context& ctx) {
    if (!stream) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (flags & ~unsigned(cudaStreamNonBlocking))
      throw ApiError(cudaErrorInvalidValue, "stream flags other than cudaStreamDefault and cudaStreamNonBlocking");
    // CUDA clamps a priority outside the range to the nearest end of it.
    priority = std::min(kLeastPriority, std::max(kGreatestPriority, priority));
    CUstream_st proto;
    proto.flags = flags;
    proto.priority = priority;
    *stream = ctx.stream_table.add_stream(std::move(proto));
  });
}

cudaError_t create_event(cudaEvent_t* e, unsigned flags) {
  return api("cudaEventCreate", [&](Context& ctx) {
    if (!e) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (flags & ~unsigned(cudaEventBlockingSync | cudaEventDisableTiming | cudaEventInterprocess))
      throw ApiError(cudaErrorInvalidValue, "event flags other than cudaEventBlockingSync, DisableTiming and Interprocess");
    if ((flags & cudaEventInterprocess) && !(flags & cudaEventDisableTiming))
      throw ApiError(cudaErrorInvalidValue, "cudaEventInterprocess needs cudaEventDisableTiming");
    CUevent_st proto;
    proto.flags = flags;
    *e = ctx.stream_table.add_event(proto);
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
    if (!ctx.stream_table.stream(s)) throw ApiError(cudaErrorInvalidResourceHandle, unknown_stream_text(s));
    forget_capture_stream(ctx, s);  // its handle may be reused by the next stream
    ctx.stream_table.streams.erase(s);
  });
}

cudaError_t cudaStreamSynchronize(cudaStream_t s) {
  return api("cudaStreamSynchronize", [&](Context& ctx) {
    check_stream_handle(ctx, s);
    check_not_capturing(ctx, s, "cudaStreamSynchronize");
    release_pool_memory(ctx);
    ctx.flush_device_output();
  });
}
cudaError_t cudaStreamSynchronize_ptsz(cudaStream_t s) { return cudaStreamSynchronize(s); }

cudaError_t cudaStreamQuery(cudaStream_t s) {
  return probe_api("cudaStreamQuery", [&](Context& ctx) {
    check_stream_handle(ctx, s);
    check_not_capturing(ctx, s, "cudaStreamQuery");
  });
}
cudaError_t cudaStreamQuery_ptsz(cudaStream_t s) { return cudaStreamQuery(s); }

cudaError_t cudaStreamGetFlags(cudaStream_t s, unsigned int* flags) {
  return api("cudaStreamGetFlags", [&](Context& ctx) {
    check_stream_handle(ctx, s);
    if (!flags) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    const CUstream_st* rec = ctx.stream_table.stream(s);
    *flags = rec ? rec->flags : 0;
  });
}

cudaError_t cudaStreamGetPriority(cudaStream_t s, int* priority) {
  return api("cudaStreamGetPriority", [&](Context& ctx) {
    check_stream_handle(ctx, s);
    if (!priority) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    const CUstream_st* rec = ctx.stream_table.stream(s);
    *priority = rec ? rec->priority : 0;
  });
}

cudaError_t cudaDeviceGetStreamPriorityRange(int* least, int* greatest) {
  if (least) *least = kLeastPriority;
  if (greatest) *greatest = kGreatestPriority;
  return cudaSuccess;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned int flags) {
  return api("cudaStreamWaitEvent", [&](Context& ctx) {
    if (flags & ~unsigned(cudaEventWaitExternal))
      throw ApiError(cudaErrorInvalidValue, "flags other than cudaEventWaitDefault and cudaEventWaitExternal");
    check_stream_handle(ctx, s);
    event(ctx, e);
    // An external wait in a capture is an event-wait node of the graph (it waits for the event's
    // latest record when the graph runs), not a join of another captured stream.
    if (flags & cudaEventWaitExternal) {
      GraphNode node;
      node.type = cudaGraphNodeTypeWaitEvent;
      node.event = e;
      if (record_if_capturing(ctx, s, std::move(node))) return;
    }
    capture_event_wait(ctx, s, e);
  });
}
cudaError_t cudaStreamWaitEvent_ptsz(cudaStream_t s, cudaEvent_t e, unsigned int flags) { return cudaStreamWaitEvent(s, e, flags); }

cudaError_t cudaLaunchHostFunc(cudaStream_t s, cudaHostFn_t fn, void* user_data) {
  bool captured = false;
  cudaError_t status = api("cudaLaunchHostFunc", [&](Context& ctx) {
    check_stream_handle(ctx, s);
    if (!fn) throw ApiError(cudaErrorInvalidValue, "null host function");
    GraphNode node;
    node.type = cudaGraphNodeTypeHost;
    node.host_fn = fn;
    node.user_data = user_data;
    captured = record_if_capturing(ctx, s, std::move(node));
  });
  if (status == cudaSuccess && !captured) {
    HostCallbackScope scope;  // outside the lock: a CUDA call from the function fails instead of deadlocking
    fn(user_data);
  }
  return status;
}

cudaError_t cudaStreamAddCallback(cudaStream_t s, cudaStreamCallback_t callback, void* user_data, unsigned int flags) {
  cudaError_t status = api("cudaStreamAddCallback", [&](Context& ctx) {
    check_stream_handle(ctx, s);
    if (!callback) throw ApiError(cudaErrorInvalidValue, "null callback");
    if (flags != 0) throw ApiError(cudaErrorInvalidValue, "flags must be 0");
    // Not capturable (cudaLaunchHostFunc is): cudaErrorStreamCaptureUnsupported, capture invalidated.
    check_not_capturing(ctx, s, "cudaStreamAddCallback");
  });
  if (status == cudaSuccess) {
    HostCallbackScope scope;
    callback(s, cudaSuccess, user_data);
  }
  return status;
}

cudaError_t cudaEventCreate(cudaEvent_t* e) { return create_event(e, 0); }
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned int flags) { return create_event(e, flags); }

cudaError_t cudaEventDestroy(cudaEvent_t e) {
  return api("cudaEventDestroy", [&](Context& ctx) {
    event(ctx, e);
    forget_capture_event(ctx, e);
    ctx.stream_table.events.erase(e);
  });
}

namespace {

void record_event(Context& ctx, cudaEvent_t e, cudaStream_t s, unsigned flags) {
  check_stream_handle(ctx, s);
  CUevent_st& rec = event(ctx, e);
  if (flags & cudaEventRecordExternal) {
    // In a capture an external record is an event-record node: the event is recorded each time
    // the graph runs (it was dropped, leaving the event's earlier time: an outside user's report).
    GraphNode node;
    node.type = cudaGraphNodeTypeEventRecord;
    node.event = e;
    if (record_if_capturing(ctx, s, std::move(node))) return;
  } else if (capture_event_record(ctx, s, e)) {
    rec.captured = true;
    return;
  }
  rec.captured = false;
  rec.recorded = true;
  rec.seconds = ctx.now();
}

// CUDA refuses to query, synchronise or time an event whose last record was captured.
const CUevent_st& uncaptured_event(Context& ctx, cudaEvent_t e) {
  const CUevent_st& rec = event(ctx, e);
  if (rec.captured)
    throw ApiError(cudaErrorCapturedEvent,
                   "the event was last recorded in a capturing stream, so it stands for work that runs when the graph "
                   "does; record it outside the capture (or give the graph an event-record node) to wait for it");
  return rec;
}

}  // namespace

cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s) {
  return api("cudaEventRecord", [&](Context& ctx) { record_event(ctx, e, s, 0); });
}
cudaError_t cudaEventRecord_ptsz(cudaEvent_t e, cudaStream_t s) { return cudaEventRecord(e, s); }
cudaError_t cudaEventRecordWithFlags(cudaEvent_t e, cudaStream_t s, unsigned int flags) {
  return api("cudaEventRecordWithFlags", [&](Context& ctx) {
    if (flags & ~unsigned(cudaEventRecordExternal))
      throw ApiError(cudaErrorInvalidValue, "flags other than cudaEventRecordDefault and cudaEventRecordExternal");
    record_event(ctx, e, s, flags);
  });
}

cudaError_t cudaEventQuery(cudaEvent_t e) {
  return probe_api("cudaEventQuery", [&](Context& ctx) { uncaptured_event(ctx, e); });
}

cudaError_t cudaEventSynchronize(cudaEvent_t e) {
  return api("cudaEventSynchronize", [&](Context& ctx) {
    uncaptured_event(ctx, e);
    release_pool_memory(ctx);
    ctx.flush_device_output();
  });
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  return api("cudaEventElapsedTime", [&](Context& ctx) {
    if (!ms) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    const CUevent_st& a = uncaptured_event(ctx, start);
    const CUevent_st& b = uncaptured_event(ctx, end);
    // Say which of the two events is wrong: a timing helper with a dozen events otherwise leaves
    // the user to guess.
    auto check_timed = [](const CUevent_st& rec, const char* role, cudaEvent_t handle) {
      const std::string which = std::string("the ") + role + " event (" + gpusim::isa::hex_text(reinterpret_cast<uintptr_t>(handle)) + ")";
      if (rec.flags & cudaEventDisableTiming)
        throw ApiError(cudaErrorInvalidResourceHandle, which + " was created with cudaEventDisableTiming");
      if (!rec.recorded)
        throw ApiError(cudaErrorInvalidResourceHandle, which + " has not been recorded: cudaEventRecord it before timing");
    };
    check_timed(a, "start", start);
    check_timed(b, "end", end);
    *ms = static_cast<float>((b.seconds - a.seconds) * 1000.0);
    // Functional mode has no GPU clock: the events hold host time, how long the simulation took.
    // Programs print it as kernel time (two outside users read "689 ms, 0.00 GCUPS" as GPU speed).
    if (ctx.environment().device.mode == gpusim::runtime::SimMode::Functional && !ctx.host_event_time_said &&
        !ctx.environment().quiet) {
      ctx.host_event_time_said = true;
      std::fprintf(gpusim::runtime::diagnostic_stream(),
                   "gpusim: note: cudaEventElapsedTime in functional mode gives host time (how long the simulation "
                   "took), not a GPU's; --mode timing gives the simulated GPU's time\n");
    }
  });
}

cudaError_t cudaStreamGetDevice(cudaStream_t s, int* device) {
  return api("cudaStreamGetDevice", [&](Context& ctx) {
    check_stream_handle(ctx, s);
    if (!device) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *device = ctx.current_device;  // the one simulated device
  });
}

cudaError_t cudaStreamGetId(cudaStream_t s, unsigned long long* id) {
  return api("cudaStreamGetId", [&](Context& ctx) {
    CUstream_st* rec = record_of(ctx, s);
    if (!id) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (rec) {
      *id = rec->id;
    } else if (s == cudaStreamPerThread) {
      thread_local unsigned long long per_thread_id = 0;  // one per-thread default stream per host thread
      if (!per_thread_id) per_thread_id = next_stream_id(ctx);
      *id = per_thread_id;
    } else {
      *id = 0;  // the legacy default stream
    }
  });
}

// Stream attributes share cudaLaunchAttributeValue with launch attributes; a stream takes these.
static bool is_stream_attribute(int id) {
  return id == cudaStreamAttributeAccessPolicyWindow || id == cudaStreamAttributeSynchronizationPolicy ||
         id == cudaStreamAttributeMemSyncDomainMap || id == cudaStreamAttributeMemSyncDomain ||
         id == cudaStreamAttributePriority;
}

cudaError_t cudaStreamGetAttribute(cudaStream_t s, cudaStreamAttrID attr, cudaStreamAttrValue* value) {
  return api("cudaStreamGetAttribute", [&](Context& ctx) {
    CUstream_st* rec = record_of(ctx, s);
    const int id = gpusim::runtime::raw_enum_value(attr);
    if (!value) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (!is_stream_attribute(id)) throw ApiError(cudaErrorInvalidValue, "attribute " + std::to_string(id) + " is not a stream attribute");
    *value = {};
    if (id == cudaStreamAttributePriority) {
      value->priority = rec ? rec->priority : 0;
    } else if (rec && rec->attributes.count(id)) {
      *value = attribute_value(rec->attributes.at(id));
    } else if (id == cudaStreamAttributeSynchronizationPolicy) {
      value->syncPolicy = cudaSyncPolicyAuto;
    }
  });
}

cudaError_t cudaStreamSetAttribute(cudaStream_t s, cudaStreamAttrID attr, const cudaStreamAttrValue* value) {
  return api("cudaStreamSetAttribute", [&](Context& ctx) {
    CUstream_st* rec = record_of(ctx, s);
    const int id = gpusim::runtime::raw_enum_value(attr);
    if (!value) throw ApiError(cudaErrorInvalidValue, "null attribute value");
    if (!is_stream_attribute(id)) throw ApiError(cudaErrorInvalidValue, "attribute " + std::to_string(id) + " is not a stream attribute");
    if (!rec) throw ApiError(cudaErrorInvalidResourceHandle, "gpusim keeps stream attributes only for streams the program created");
    if (id == cudaStreamAttributeAccessPolicyWindow && (value->accessPolicyWindow.hitRatio < 0.0f || value->accessPolicyWindow.hitRatio > 1.0f))
      throw ApiError(cudaErrorInvalidValue, "accessPolicyWindow.hitRatio is outside [0, 1]");
    if (id == cudaStreamAttributePriority)
      rec->priority = std::min(kLeastPriority, std::max(kGreatestPriority, value->priority));
    else
      rec->attributes[id].assign(reinterpret_cast<const unsigned char*>(value), reinterpret_cast<const unsigned char*>(value) + sizeof *value);
  });
}

cudaError_t cudaStreamCopyAttributes(cudaStream_t dst, cudaStream_t src) {
  return api("cudaStreamCopyAttributes", [&](Context& ctx) {
    CUstream_st* to = record_of(ctx, dst);
    CUstream_st* from = record_of(ctx, src);
    if (!to) throw ApiError(cudaErrorInvalidResourceHandle, "gpusim keeps stream attributes only for streams the program created");
    to->attributes = from ? from->attributes : std::map<int, std::vector<unsigned char>>{};
    to->priority = from ? from->priority : 0;
  });
}

// Managed memory is visible to every stream and the host at once in the simulator, so attaching
// it to a stream changes nothing; the arguments are checked as CUDA checks them.
cudaError_t cudaStreamAttachMemAsync(cudaStream_t s, void* ptr, size_t length, unsigned int flags) {
  return api("cudaStreamAttachMemAsync", [&](Context& ctx) {
    check_stream_handle(ctx, s);
    if (flags != cudaMemAttachGlobal && flags != cudaMemAttachHost && flags != cudaMemAttachSingle)
      throw ApiError(cudaErrorInvalidValue, "flags must be one of cudaMemAttachGlobal, cudaMemAttachHost, cudaMemAttachSingle");
    if (flags == cudaMemAttachSingle && (s == nullptr || s == cudaStreamLegacy))
      throw ApiError(cudaErrorInvalidValue, "cudaMemAttachSingle needs a stream other than the legacy default stream");
    auto region = ctx.device().allocation_at(reinterpret_cast<gpusim::runtime::DevPtr>(ptr));
    if (const gpusim::cudart::VariableRecord* var = ctx.managed_variable_at(ptr))  // a __managed__ variable's host copy
      region = gpusim::runtime::AllocationInfo{reinterpret_cast<gpusim::runtime::DevPtr>(var->managed_host), var->size, true};
    else if (region && !ctx.is_managed(reinterpret_cast<void*>(region->base)))
      region.reset();
    if (!region)
      throw ApiError(cudaErrorInvalidValue, "the pointer is not managed memory (cudaMallocManaged or __managed__)");
    if (length != 0 && (region->base != reinterpret_cast<gpusim::runtime::DevPtr>(ptr) || length != region->size))
      throw ApiError(cudaErrorInvalidValue, "length must be 0 or the whole cudaMallocManaged allocation");
  });
}

}  // extern "C"
