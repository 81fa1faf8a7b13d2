// Calls into the CUDA device runtime for dynamic parallelism (CDP2): the `.extern .func`s nvcc 13
// emits for a device-side <<<>>> (__cudaCDP2GetParameterBufferV2 + __cudaCDP2LaunchDeviceV2) and
// for device-side streams, last error, device and attribute queries. libcudadevrt's own PTX for
// them is never linked (isa::is_device_runtime_function names them); they go to the grid's
// DeviceLaunchQueue (isa/device_launch_queue.h) through its DeviceServices. Lanes call in lane
// order, so a warp's launches queue in lane order.
#include "isa/exec_device_launch.h"

#include <cstring>

#include "isa/device_launch_queue.h"
#include "isa/kernel_names.h"
#include "isa/device_services.h"
#include "isa/launch_state.h"
#include "isa/warp.h"

namespace gpusim::isa {

namespace {

enum class Call {
  GetParameterBuffer, LaunchDevice, StreamCreate, StreamDestroy, GetLastError, PeekAtLastError, GetDevice,
  GetDeviceCount, DeviceGetAttribute, DeviceSynchronize
};

struct CdpFunction {
  const char* name;
  Call call;
  unsigned arguments;
};

// CDP2's names, and the unprefixed ones of a CDP1 build (-DCUDA_FORCE_CDP1_IF_SUPPORTED), whose
// launches behave the same; CDP1's cudaDeviceSynchronize is refused with a clear message.
constexpr CdpFunction kCdpFunctions[] = {
    {"__cudaCDP2GetParameterBufferV2", Call::GetParameterBuffer, 4},
    {"__cudaCDP2LaunchDeviceV2", Call::LaunchDevice, 2},
    {"__cudaCDP2LaunchDeviceV2_ptsz", Call::LaunchDevice, 2},
    {"__cudaCDP2StreamCreateWithFlags", Call::StreamCreate, 2},
    {"__cudaCDP2StreamDestroy", Call::StreamDestroy, 1},
    {"__cudaCDP2GetLastError", Call::GetLastError, 0},
    {"__cudaCDP2PeekAtLastError", Call::PeekAtLastError, 0},
    {"__cudaCDP2GetDevice", Call::GetDevice, 1},
    {"__cudaCDP2GetDeviceCount", Call::GetDeviceCount, 1},
    {"__cudaCDP2DeviceGetAttribute", Call::DeviceGetAttribute, 3},
    {"cudaGetParameterBufferV2", Call::GetParameterBuffer, 4},
    {"cudaLaunchDeviceV2", Call::LaunchDevice, 2},
    {"cudaDeviceSynchronize", Call::DeviceSynchronize, 0},
};

const CdpFunction* find_cdp_function(const std::string& name) {
  for (const CdpFunction& f : kCdpFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

// "kernel 'k', CTA (x,y,z), warp w, function 'f', PC n (file:line), thread (x,y,z) lane l", as
// the executor's fault reports name a lane: for launch errors that are not faults.
std::string where(ExecContext& ctx, unsigned lane) {
  const Dim3 t = ctx.tid(lane);
  std::string s = ctx.cta().where() + ", warp " + std::to_string(ctx.warp().id());
  if (!ctx.warp().done() && ctx.warp().frame().fn->name != ctx.launch().kernel->name)
    s += ", function '" + readable_function_name(ctx.warp().frame().fn->name) + "'";
  s += ", PC " + std::to_string(ctx.pc);
  if (ctx.inst) s += " (" + ctx.warp().module().source_name + ":" + std::to_string(ctx.inst->line) + ")";
  return s + ", thread (" + std::to_string(t.x) + "," + std::to_string(t.y) + "," + std::to_string(t.z) + ") lane " +
         std::to_string(lane);
}

// One lane's .param arguments and return value.
class CdpLane {
 public:
  CdpLane(ExecContext& ctx, const Instruction& in, unsigned lane) : ctx_(ctx), in_(in), lane_(lane) {}

  uint64_t address(unsigned i) const { return ctx_.get(in_.elems[in_.ops[2].first + i], lane_); }
  uint64_t u64(unsigned i) const { return load(address(i), 8); }
  uint32_t u32(unsigned i) const { return static_cast<uint32_t>(load(address(i), 4)); }
  Dim3 dim3(unsigned i) const {
    const uint64_t a = address(i);
    return Dim3{static_cast<uint32_t>(load(a, 4)), static_cast<uint32_t>(load(a + 4, 4)),
                static_cast<uint32_t>(load(a + 8, 4))};
  }
  void set_return(uint64_t v, unsigned size) const {
    if (in_.ops[0].count == 0) return;  // the caller ignores the return value
    ctx_.store(StateSpace::Param, ctx_.get(in_.elems[in_.ops[0].first], lane_), &v, size, lane_);
  }
  // A result the runtime function writes through a pointer argument (a generic address).
  void write(uint64_t addr, const void* v, unsigned size) const { ctx_.store(StateSpace::Generic, addr, v, size, lane_); }
  bool read(uint64_t addr, void* out, size_t size) const {
    try {
      for (size_t done = 0; done < size;) {  // in the widest naturally aligned pieces
        unsigned piece = 8;
        while (piece > 1 && ((addr + done) % piece != 0 || size - done < piece)) piece /= 2;
        ctx_.load(StateSpace::Generic, addr + done, static_cast<uint8_t*>(out) + done, piece, lane_);
        done += piece;
      }
      return true;
    } catch (const ExecError&) {
      return false;
    }
  }
  CdpCaller caller() const {
    CdpCaller c;
    c.cta_linear = ctx_.cta().linear_id;
    c.thread_linear = ctx_.lane_thread_linear(lane_);
    c.where = where(ctx_, lane_);
    return c;
  }

 private:
  uint64_t load(uint64_t addr, unsigned size) const {
    uint64_t v = 0;
    ctx_.load(StateSpace::Param, addr, &v, size, lane_);
    return v;
  }

  ExecContext& ctx_;
  const Instruction& in_;
  unsigned lane_;
};

void call_one(const CdpFunction& f, DeviceLaunchQueue& q, const CdpLane& lane) {
  const CdpCaller caller = lane.caller();
  switch (f.call) {
    case Call::GetParameterBuffer:
      lane.set_return(q.parameter_buffer(caller, lane.u64(0), lane.dim3(1), lane.dim3(2), lane.u32(3)), 8);
      return;
    case Call::LaunchDevice: {
      auto read = [&](uint64_t addr, void* out, size_t size) { return lane.read(addr, out, size); };
      lane.set_return(static_cast<uint32_t>(q.launch(caller, lane.u64(0), lane.u64(1), read)), 4);
      return;
    }
    case Call::StreamCreate: {
      uint64_t handle = 0;
      const int e = q.stream_create(caller, lane.u32(1), &handle);
      lane.write(lane.u64(0), &handle, 8);
      lane.set_return(static_cast<uint32_t>(e), 4);
      return;
    }
    case Call::StreamDestroy:
      lane.set_return(static_cast<uint32_t>(q.stream_destroy(caller, lane.u64(0))), 4);
      return;
    case Call::GetLastError:
    case Call::PeekAtLastError:
      lane.set_return(static_cast<uint32_t>(q.last_error(caller, f.call == Call::GetLastError)), 4);
      return;
    case Call::GetDevice:
    case Call::GetDeviceCount: {
      const int32_t v = f.call == Call::GetDevice ? 0 : 1;  // one device, number 0
      lane.write(lane.u64(0), &v, 4);
      lane.set_return(0, 4);
      return;
    }
    case Call::DeviceGetAttribute: {
      int value = 0;
      int e = static_cast<int32_t>(lane.u32(2)) == 0 ? q.device_attribute(static_cast<int>(lane.u32(1)), &value)
                                                    : cdp_error::kInvalidValue;  // no device but 0
      const int32_t v = value;
      lane.write(lane.u64(0), &v, 4);
      lane.set_return(static_cast<uint32_t>(e), 4);
      return;
    }
    case Call::DeviceSynchronize:
      break;
  }
}

}  // namespace

bool is_device_launch_function(const std::string& name) { return find_cdp_function(name) != nullptr; }

void exec_device_launch_call(ExecContext& ctx, const Instruction& in, const Function& callee) {
  const CdpFunction* f = find_cdp_function(callee.name);
  if (!f) ctx.fail_warp("'" + callee.name + "' is not a device-runtime function gpusim provides", FaultKind::Unsupported);
  if (f->call == Call::DeviceSynchronize)
    ctx.fail_warp("device-side cudaDeviceSynchronize (legacy dynamic parallelism, CDP1, built with "
                  "-DCUDA_FORCE_CDP1_IF_SUPPORTED) is not supported: gpusim implements CUDA 12's dynamic parallelism "
                  "(CDP2), which removed it; a parent sees its children's results only in a later grid, e.g. a "
                  "kernel launched into cudaStreamTailLaunch",
                  FaultKind::Unsupported);
  DeviceServices* services = ctx.launch().services;
  DeviceLaunchQueue* queue = services ? services->launch_queue() : nullptr;
  if (!queue)
    ctx.fail_warp(callee.name + " (dynamic parallelism) needs a runtime that runs device-side launches (this "
                      "launch has none)",
                  FaultKind::Unsupported);
  if (in.ops[2].count != f->arguments)
    ctx.fail_warp("call to " + callee.name + " passes " + std::to_string(in.ops[2].count) + " arguments; it takes " +
                  std::to_string(f->arguments));
  // The call's own reads and writes belong to the runtime, not to the timing model's accesses.
  std::vector<MemAccess>* const trace = ctx.trace;
  ctx.trace = nullptr;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    try {
      call_one(*f, *queue, CdpLane(ctx, in, lane));
    } catch (const CdpMisuse& e) {
      ctx.fail(lane, e.what());
    }
  });
  ctx.trace = trace;
  ctx.warp().advance();
}

}  // namespace gpusim::isa
