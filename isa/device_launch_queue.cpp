// The device-side launch queue of one grid (isa/device_launch_queue.h).
#include "isa/device_launch_queue.h"

#include <algorithm>

#include "isa/hex_text.h"
#include "isa/ir.h"

namespace gpusim::isa {

namespace {

// Named device streams get handles no program can mistake for the special ones (0, 3, 4).
constexpr uint64_t kStreamHandleBase = 0x00cd'0000'0000'0000ull;

std::string dims(Dim3 d) {
  return std::to_string(d.x) + "x" + std::to_string(d.y) + "x" + std::to_string(d.z);
}

const char* error_name(int error) {
  switch (error) {
    case cdp_error::kInvalidValue: return "cudaErrorInvalidValue";
    case cdp_error::kInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cdp_error::kLaunchMaxDepthExceeded: return "cudaErrorLaunchMaxDepthExceeded";
    case cdp_error::kLaunchPendingCountExceeded: return "cudaErrorLaunchPendingCountExceeded";
    case cdp_error::kInvalidDeviceFunction: return "cudaErrorInvalidDeviceFunction";
    case cdp_error::kInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
  }
  return "error";
}

}  // namespace

const char* child_stream_name(ChildStream s) {
  switch (s) {
    case ChildStream::Null: return "the block's NULL stream";
    case ChildStream::Named: return "a named stream";
    case ChildStream::FireAndForget: return "cudaStreamFireAndForget";
    case ChildStream::TailLaunch: return "cudaStreamTailLaunch";
  }
  return "?";
}

DeviceLaunchQueue::DeviceLaunchQueue(CdpEnvironment& env, const Module& module, unsigned depth)
    : env_(env), module_(module), depth_(depth) {}

DeviceLaunchQueue::~DeviceLaunchQueue() {
  // Parameter buffers live until the grid's children have been taken (their bytes are copies).
  if (env_.release)
    for (const auto& [addr, r] : buffers_) env_.release(addr);
  env_.pending -= std::min<uint64_t>(env_.pending, children_.size());  // a faulted grid's children never start
}

int DeviceLaunchQueue::fail(const CdpCaller& caller, int error, const std::string& what) {
  error_slot(caller) = error;
  env_.diagnostics.push_back(caller.where + ": device runtime call returns " + error_name(error) + " (" +
                             std::to_string(error) + "): " + what);
  return error;
}

uint64_t DeviceLaunchQueue::parameter_buffer(const CdpCaller& caller, uint64_t function, Dim3 grid, Dim3 block,
                                             uint32_t shared) {
  const int64_t index = function_at_address(function, module_.functions.size());
  if (index < 0)
    throw CdpMisuse("cudaGetParameterBuffer: " + hex_text(function) + " is not the address of a kernel");
  const Function& fn = module_.functions[static_cast<size_t>(index)];
  if (!fn.is_entry) {
    fail(caller, cdp_error::kInvalidDeviceFunction, "'" + fn.name + "' is a __device__ function, not a kernel");
    return 0;
  }
  const std::string what = "launch of '" + fn.name + "' (grid " + dims(grid) + ", block " + dims(block) + ", " +
                           std::to_string(shared) + " bytes of dynamic shared memory)";
  if (depth_ + 1 > env_.max_depth) {
    fail(caller, cdp_error::kLaunchMaxDepthExceeded,
         what + " from a grid at nesting depth " + std::to_string(depth_) + ": CUDA's limit is " +
             std::to_string(env_.max_depth) + " levels below the host launch");
    return 0;
  }
  uint64_t reserved = 0;
  for (const auto& [addr, r] : buffers_) reserved += r.launched ? 0 : 1;
  if (env_.pending + reserved >= env_.pending_limit) {
    fail(caller, cdp_error::kLaunchPendingCountExceeded,
         what + ": " + std::to_string(env_.pending + reserved) +
             " device-side launches are pending, the limit cudaLimitDevRuntimePendingLaunchCount is " +
             std::to_string(env_.pending_limit));
    return 0;
  }
  if (env_.check) {
    int error = cdp_error::kInvalidConfiguration;
    const std::string problem = env_.check(fn, grid, block, shared, &error);
    if (!problem.empty()) {
      fail(caller, error, problem);
      return 0;
    }
  }
  const uint64_t addr = env_.allocate ? env_.allocate(std::max<uint64_t>(fn.param_bytes, 8)) : 0;
  if (!addr) {
    fail(caller, cdp_error::kLaunchPendingCountExceeded, what + ": no device memory left for its parameter buffer");
    return 0;
  }
  buffers_[addr] = Reservation{&fn, grid, block, shared, false};
  return addr;
}

int DeviceLaunchQueue::launch(const CdpCaller& caller, uint64_t buffer, uint64_t stream,
                              const std::function<bool(uint64_t, void*, size_t)>& read) {
  auto it = buffers_.find(buffer);
  if (it == buffers_.end())
    throw CdpMisuse("cudaLaunchDevice: " + hex_text(buffer) +
                    " is not a parameter buffer that cudaGetParameterBuffer returned to this grid");
  Reservation& r = it->second;
  if (r.launched)
    throw CdpMisuse("cudaLaunchDevice: the parameter buffer " + hex_text(buffer) + " of a launch of '" +
                    r.kernel->name + "' was launched before (each buffer is good for one launch)");
  r.launched = true;  // also when the stream is bad: the buffer is spent
  ChildLaunch c;
  c.kernel = r.kernel;
  c.grid = r.grid;
  c.block = r.block;
  c.dynamic_shared_bytes = r.shared;
  c.stream_handle = stream;
  if (stream == kCdpNullStream) {
    c.stream = ChildStream::Null;
  } else if (stream == kCdpTailLaunchStream) {
    c.stream = ChildStream::TailLaunch;
  } else if (stream == kCdpFireAndForgetStream) {
    c.stream = ChildStream::FireAndForget;
  } else {
    const auto cta = streams_.find(caller.cta_linear);
    const bool live = cta != streams_.end() && cta->second.count(stream) && cta->second.at(stream);
    if (!live)
      return fail(caller, cdp_error::kInvalidResourceHandle,
                  "launch of '" + r.kernel->name + "' into stream " + hex_text(stream) +
                      ", which this CTA did not create with cudaStreamCreateWithFlags (or destroyed)");
    c.stream = ChildStream::Named;
  }
  c.params.resize(r.kernel->param_bytes);
  if (!c.params.empty() && !read(buffer, c.params.data(), c.params.size()))
    throw CdpMisuse("cudaLaunchDevice: the parameter buffer " + hex_text(buffer) + " cannot be read");
  c.cta_linear = caller.cta_linear;
  c.sequence = next_sequence_[caller.cta_linear]++;
  c.launched_by = caller.where;
  children_.push_back(std::move(c));
  ++env_.pending;
  return cdp_error::kSuccess;
}

int DeviceLaunchQueue::stream_create(const CdpCaller& caller, uint32_t flags, uint64_t* handle) {
  *handle = 0;
  if (flags != kCdpStreamNonBlocking)
    return fail(caller, cdp_error::kInvalidValue,
                "cudaStreamCreateWithFlags(flags " + std::to_string(flags) +
                    "): device streams must be created with cudaStreamNonBlocking");
  *handle = kStreamHandleBase + 16 * ++next_stream_;
  streams_[caller.cta_linear][*handle] = true;
  return cdp_error::kSuccess;
}

int DeviceLaunchQueue::stream_destroy(const CdpCaller& caller, uint64_t handle) {
  // Work already launched into the stream still runs (CUDA's rule for cudaStreamDestroy).
  auto cta = streams_.find(caller.cta_linear);
  if (cta == streams_.end() || !cta->second.count(handle) || !cta->second[handle])
    return fail(caller, cdp_error::kInvalidResourceHandle,
                "cudaStreamDestroy(" + hex_text(handle) + "): not a live stream this CTA created");
  cta->second[handle] = false;
  return cdp_error::kSuccess;
}

int DeviceLaunchQueue::last_error(const CdpCaller& caller, bool reset) {
  auto it = last_error_.find({caller.cta_linear, caller.thread_linear});
  if (it == last_error_.end()) return cdp_error::kSuccess;
  const int e = it->second;
  if (reset) it->second = cdp_error::kSuccess;
  return e;
}

int DeviceLaunchQueue::device_attribute(int attribute, int* value) const {
  *value = 0;
  return env_.attribute && env_.attribute(attribute, value) ? cdp_error::kSuccess : cdp_error::kInvalidValue;
}

std::vector<ChildLaunch> DeviceLaunchQueue::take_children() {
  std::vector<ChildLaunch> out = std::move(children_);
  children_.clear();
  // Tail launches last; otherwise by launching CTA, then that CTA's issue order.
  std::stable_sort(out.begin(), out.end(), [](const ChildLaunch& a, const ChildLaunch& b) {
    const bool ta = a.stream == ChildStream::TailLaunch, tb = b.stream == ChildStream::TailLaunch;
    if (ta != tb) return tb;
    if (a.cta_linear != b.cta_linear) return a.cta_linear < b.cta_linear;
    return a.sequence < b.sequence;
  });
  return out;
}

}  // namespace gpusim::isa
