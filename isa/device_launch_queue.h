// Device-side kernel launches (CUDA Dynamic Parallelism as CUDA 12/13 define it, "CDP2") of one
// running grid. The executor (isa/exec_device_launch.cpp) turns nvcc's calls into the device
// runtime (__cudaCDP2GetParameterBufferV2, __cudaCDP2LaunchDeviceV2, streams, last error) into
// calls on this queue; the runtime that owns the device runs the queued child grids after the
// launching grid has finished (runtime/child_grids.h), in the order child_launches() gives.
//
// Order (deterministic, and one CDP2 allows): children start only after their parent grid has
// ended; they are ordered by the launching CTA's linear index, then by the order that CTA's
// threads issued them (within a warp's call, by lane). Launches into the tail-launch stream come
// after all other children of the grid (and all of those children's descendants).
// Calls arrive one at a time: the functional executor and the timing model run calls to
// functions without a body in their serial part, so the queue needs no lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "isa/exec_context.h"

namespace gpusim::isa {

struct Function;
struct Module;

// The cudaError_t values the device runtime returns (driver_types.h; isa/ holds no CUDA headers).
namespace cdp_error {
constexpr int kSuccess = 0;
constexpr int kInvalidValue = 1;
constexpr int kInvalidConfiguration = 9;
constexpr int kLaunchMaxDepthExceeded = 65;
constexpr int kLaunchPendingCountExceeded = 69;
constexpr int kInvalidDeviceFunction = 98;
constexpr int kInvalidResourceHandle = 400;
}  // namespace cdp_error

// The cudaStream_t values device code passes with a special meaning (cuda_device_runtime_api.h).
constexpr uint64_t kCdpNullStream = 0;
constexpr uint64_t kCdpTailLaunchStream = 3;
constexpr uint64_t kCdpFireAndForgetStream = 4;
constexpr uint32_t kCdpStreamNonBlocking = 1;  // the only flag device streams may be created with

// CUDA's limits: nesting depth 24 (a host-launched grid has depth 0; a grid at depth 24 cannot
// launch), and cudaLimitDevRuntimePendingLaunchCount's default of 2048 launches not yet started.
constexpr unsigned kCdpMaxDepth = 24;
constexpr uint64_t kCdpDefaultPendingLaunchLimit = 2048;

enum class ChildStream { Null, Named, FireAndForget, TailLaunch };
const char* child_stream_name(ChildStream s);

// Who makes a device-runtime call: orders launches, keys the per-thread last error, names the
// caller in messages.
struct CdpCaller {
  uint64_t cta_linear = 0;    // linear CTA index in the grid
  uint32_t thread_linear = 0; // linear thread index in the CTA
  std::string where;          // "kernel 'k', CTA (x,y,z), warp w, PC n (file:line), thread (x,y,z)"
};

// One queued child grid: its configuration and its parameter bytes, copied at launch time.
struct ChildLaunch {
  const Function* kernel = nullptr;
  Dim3 grid, block;
  uint32_t dynamic_shared_bytes = 0;
  std::vector<uint8_t> params;
  ChildStream stream = ChildStream::Null;
  uint64_t stream_handle = 0;
  uint64_t cta_linear = 0, sequence = 0;  // the order keys
  std::string launched_by;                 // CdpCaller::where of the launching thread
};

// What the runtime provides to every grid of one host launch's tree.
struct CdpEnvironment {
  unsigned max_depth = kCdpMaxDepth;
  uint64_t pending_limit = kCdpDefaultPendingLaunchLimit;
  uint64_t pending = 0;  // children queued (by any grid of the tree) and not yet started
  // The launch checks a host launch gets: "" when the configuration is valid, else the reason
  // (*error set to the cudaError_t a device launch returns).
  std::function<std::string(const Function& kernel, Dim3 grid, Dim3 block, uint32_t shared, int* error)> check;
  // Device memory for parameter buffers (0: none left), and its release.
  std::function<uint64_t(uint64_t bytes)> allocate;
  std::function<void(uint64_t addr)> release;
  // cudaDeviceGetAttribute on the device: false when the attribute is not modelled.
  std::function<bool(int attribute, int* value)> attribute;
  // Launch errors the device code gets back (they are not faults): one line each, printed by the
  // runtime so that a program that ignores them is still told.
  std::vector<std::string> diagnostics;
};

class DeviceLaunchQueue {
 public:
  // `module`: the grid's module (child kernels are resolved in it); `depth`: the grid's depth.
  DeviceLaunchQueue(CdpEnvironment& env, const Module& module, unsigned depth);
  ~DeviceLaunchQueue();
  DeviceLaunchQueue(const DeviceLaunchQueue&) = delete;
  DeviceLaunchQueue& operator=(const DeviceLaunchQueue&) = delete;

  unsigned depth() const { return depth_; }

  // cudaGetParameterBuffer(V2): a buffer of the child's parameter size, or 0 with the thread's
  // last error set (invalid function, configuration, depth or pending-count limit). Throws
  // CdpMisuse when `function` is not the address of a function at all.
  uint64_t parameter_buffer(const CdpCaller& caller, uint64_t function, Dim3 grid, Dim3 block, uint32_t shared);
  // cudaLaunchDevice(V2): queues the child whose parameters are in `buffer` (read through `read`
  // now: later writes to the buffer do not change the launch). Returns the cudaError_t. Throws
  // CdpMisuse for a buffer parameter_buffer did not return to this grid, or one launched before.
  int launch(const CdpCaller& caller, uint64_t buffer, uint64_t stream,
             const std::function<bool(uint64_t addr, void* out, size_t size)>& read);
  // cudaStreamCreateWithFlags / cudaStreamDestroy on the device (streams are per CTA).
  int stream_create(const CdpCaller& caller, uint32_t flags, uint64_t* handle);
  int stream_destroy(const CdpCaller& caller, uint64_t handle);
  // cudaGetLastError (reset) / cudaPeekAtLastError of the calling thread.
  int last_error(const CdpCaller& caller, bool reset);
  int device_attribute(int attribute, int* value) const;

  // The queued children in the order they run (see the top of this file); empties the queue.
  std::vector<ChildLaunch> take_children();
  size_t queued() const { return children_.size(); }

 private:
  struct Reservation {
    const Function* kernel = nullptr;
    Dim3 grid, block;
    uint32_t shared = 0;
    bool launched = false;
  };
  int fail(const CdpCaller& caller, int error, const std::string& what);
  int& error_slot(const CdpCaller& caller) { return last_error_[{caller.cta_linear, caller.thread_linear}]; }

  CdpEnvironment& env_;
  const Module& module_;
  unsigned depth_;
  std::map<uint64_t, Reservation> buffers_;  // parameter buffers handed out, by address
  std::vector<ChildLaunch> children_;
  std::map<uint64_t, uint64_t> next_sequence_;                       // per CTA
  std::map<std::pair<uint64_t, uint32_t>, int> last_error_;         // per (CTA, thread)
  std::map<uint64_t, std::map<uint64_t, bool>> streams_;            // per CTA: handle -> live
  uint64_t next_stream_ = 0;
};

// Misuse of the device runtime that CUDA leaves undefined (a launch of a buffer that is not a
// parameter buffer, a launch through a pointer that is not a kernel). The executor stops the
// grid with a fault naming the kernel, CTA, thread and PC.
class CdpMisuse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gpusim::isa
