// The streams and events of gpusim's two CUDA libraries. Under NVIDIA's stack a cudaStream_t IS a
// CUstream and a cudaEvent_t IS a CUevent (the runtime sits on the driver), and programs rely on
// it: NVRTC code launched with cuLaunchKernel on a cudaStreamCreate'd stream, Triton kernels
// captured into PyTorch's CUDA graph, libraries recording cuEvents on the runtime's streams. So
// both libraries hand out pointers to the objects defined here, kept in one StreamTable: when a
// program loads both, libcudart owns the table and libcuda uses it (runtime/cudart/
// cudart_driver_bridge.cpp); libcuda alone keeps its own.
//
// cuda.h and driver_types.h declare `struct CUstream_st` and `struct CUevent_st` without defining
// them; this header is their one definition in gpusim.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct CUctx_st;  // libcuda's context (runtime/cudadrv/driver_state.h)

struct CUstream_st {
  // The driver context the stream belongs to; null for a stream the runtime made, which belongs to
  // the primary context (the runtime's), as under NVIDIA's runtime.
  CUctx_st* context = nullptr;
  unsigned flags = 0;  // CU_STREAM_NON_BLOCKING == cudaStreamNonBlocking
  int priority = 0;
  unsigned long long id = 0;  // cuStreamGetId / cudaStreamGetId: unique in the process, never reused
  // cudaStreamSetAttribute's values (cudaStreamAttrValue bytes by attribute id): kept to be read
  // back; the simulator models none of them.
  std::map<int, std::vector<unsigned char>> attributes;
};

struct CUevent_st {
  CUctx_st* context = nullptr;  // as for streams: null for an event the runtime made
  unsigned flags = 0;           // CU_EVENT_* == cudaEvent* (blocking sync 1, disable timing 2, interprocess 4)
  bool recorded = false;
  // The clock when recorded: the simulated timeline in timing mode, host seconds in functional
  // mode. One clock per table (the runtime's when shared), so events of either API compare.
  double seconds = 0.0;
  // Last recorded in a capturing stream (cudaEventRecord during stream capture): it stands for
  // work that runs when the graph does, so querying, synchronising or timing it is an error.
  bool captured = false;
};

namespace gpusim::runtime {

inline constexpr unsigned kEventDisableTiming = 2;  // CU_EVENT_DISABLE_TIMING, cudaEventDisableTiming

// Every live stream and event of the process; a handle not in it is stale or foreign.
struct StreamTable {
  std::map<CUstream_st*, std::unique_ptr<CUstream_st>> streams;
  std::map<CUevent_st*, std::unique_ptr<CUevent_st>> events;
  unsigned long long last_stream_id = 0;  // ids count up from 1 (0 is the legacy default stream)

  CUstream_st* add_stream(CUstream_st proto) {
    auto owned = std::make_unique<CUstream_st>(std::move(proto));
    owned->id = ++last_stream_id;
    CUstream_st* raw = owned.get();
    streams.emplace(raw, std::move(owned));
    return raw;
  }
  CUevent_st* add_event(CUevent_st proto) {
    auto owned = std::make_unique<CUevent_st>(proto);
    CUevent_st* raw = owned.get();
    events.emplace(raw, std::move(owned));
    return raw;
  }
  CUstream_st* stream(const void* handle) const {
    auto it = streams.find(static_cast<CUstream_st*>(const_cast<void*>(handle)));
    return it == streams.end() ? nullptr : it->second.get();
  }
  CUevent_st* event(const void* handle) const {
    auto it = events.find(static_cast<CUevent_st*>(const_cast<void*>(handle)));
    return it == events.end() ? nullptr : it->second.get();
  }
  // How the timeline and the statistics name a stream: "default stream" (0, cudaStreamLegacy),
  // "per-thread default stream" (cudaStreamPerThread), "stream N" (N = cudaStreamGetId's id).
  std::string label(const void* handle) const {
    const auto value = reinterpret_cast<uintptr_t>(handle);
    if (value == 0 || value == 1) return "default stream";  // 1: cudaStreamLegacy, CU_STREAM_LEGACY
    if (value == 2) return "per-thread default stream";      // cudaStreamPerThread, CU_STREAM_PER_THREAD
    const CUstream_st* s = stream(handle);
    return s ? "stream " + std::to_string(s->id) : "";
  }
};

}  // namespace gpusim::runtime

namespace gpusim::graph {
class CaptureBridge;  // runtime/graph/capture_bridge.h
}
namespace gpusim::runtime {
class ManagedRanges;  // runtime/managed_ranges.h
}

namespace gpusim::runtime {

// What libcudart hands libcuda when a program loads both (runtime/cudart/cudart_driver_bridge.cpp,
// found by its symbol name): the one stream table, libcudart's lock (libcuda takes it before its
// own, so the two libraries always lock in one order), libcudart's clock (events of both APIs
// read it), libcudart's captures, its per-thread capture mode and its managed-memory hints (advice and prefetches through
// either API, which either API's range queries read). libcuda passes its own captures in return.
struct SharedStreamsLink {
  StreamTable* table = nullptr;
  std::recursive_mutex* lock = nullptr;
  double (*now)() = nullptr;
  graph::CaptureBridge* runtime_captures = nullptr;
  ManagedRanges* managed_ranges = nullptr;
  // The calling thread's stream-capture mode (a graph::CaptureMode): NVIDIA keeps one per thread
  // for both APIs, so cuThreadExchangeStreamCaptureMode exchanges libcudart's.
  int* (*thread_capture_mode)() = nullptr;
};
inline constexpr const char* kShareStreamsSymbol = "__cudaGpusimShareStreams";
using ShareStreams = SharedStreamsLink* (*)(graph::CaptureBridge* driver_captures);

}  // namespace gpusim::runtime
