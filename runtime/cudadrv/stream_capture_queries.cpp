// What libraries ask about stream capture before they allocate or synchronise (CuPy, CUB and
// others check whether a stream is capturing). The driver library does not capture streams into
// graphs (cuStreamBeginCapture answers CUDA_ERROR_NOT_SUPPORTED), so every stream answers "not
// capturing"; the per-thread capture mode is kept and exchanged as CUDA documents.
#include <cuda.h>

#include "runtime/cudadrv/driver_state.h"
#include "runtime/cudadrv/raw_enum.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

CUresult capture_info(const char* call, CUstream stream, CUstreamCaptureStatus* status, cuuint64_t* id, CUgraph* graph,
                      const CUgraphNode** dependencies, const CUgraphEdgeData** edges, size_t* count) {
  return api_call(call, [&](DriverState& s) {
    if (!status) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "captureStatus_out is null"};
    gpusim::cudadrv::current_context(s);
    gpusim::cudadrv::live_stream(s, stream);
    *status = CU_STREAM_CAPTURE_STATUS_NONE;
    // The other outputs are defined only while capturing; cleared so a reader sees nothing.
    if (id) *id = 0;
    if (graph) *graph = nullptr;
    if (dependencies) *dependencies = nullptr;
    if (edges) *edges = nullptr;
    if (count) *count = 0;
    return CUDA_SUCCESS;
  });
}

}  // namespace

extern "C" {

CUresult cuStreamIsCapturing(CUstream stream, CUstreamCaptureStatus* status) {
  return capture_info("cuStreamIsCapturing", stream, status, nullptr, nullptr, nullptr, nullptr, nullptr);
}

CUresult cuStreamGetCaptureInfo_v3(CUstream stream, CUstreamCaptureStatus* status, cuuint64_t* id, CUgraph* graph,
                                   const CUgraphNode** dependencies, const CUgraphEdgeData** edges, size_t* count) {
  return capture_info("cuStreamGetCaptureInfo", stream, status, id, graph, dependencies, edges, count);
}

// The CUDA 11.3 and 10.1 forms (cuGetProcAddress hands them out by the caller's version).
CUresult cuStreamGetCaptureInfo_v2(CUstream stream, CUstreamCaptureStatus* status, cuuint64_t* id, CUgraph* graph,
                                   const CUgraphNode** dependencies, size_t* count) {
  return capture_info("cuStreamGetCaptureInfo", stream, status, id, graph, dependencies, nullptr, count);
}
#undef cuStreamGetCaptureInfo
CUresult cuStreamGetCaptureInfo(CUstream stream, CUstreamCaptureStatus* status, cuuint64_t* id) {
  return capture_info("cuStreamGetCaptureInfo", stream, status, id, nullptr, nullptr, nullptr, nullptr);
}

CUresult cuThreadExchangeStreamCaptureMode(CUstreamCaptureMode* mode) {
  return api_call("cuThreadExchangeStreamCaptureMode", [&](DriverState& s) {
    if (!mode) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "mode is null"};
    const long long raw = gpusim::cudadrv::raw_enum_value(*mode);
    if (raw < CU_STREAM_CAPTURE_MODE_GLOBAL || raw > CU_STREAM_CAPTURE_MODE_RELAXED)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "mode " + std::to_string(raw) + " is not a CUstreamCaptureMode"};
    auto it = s.capture_modes.try_emplace(std::this_thread::get_id(), CU_STREAM_CAPTURE_MODE_GLOBAL).first;
    std::swap(it->second, *mode);  // the new mode in, the previous one out
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
