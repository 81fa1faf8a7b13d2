// Calls to functions declared without a body (`.extern .func`): the device-side runtime
// functions nvcc emits for printf, malloc, free and assert go to the launch's DeviceServices;
// cudaGraphSetConditional writes the condition behind its handle (isa/graph_conditional.h).
// Each active lane calls once, in lane order, so output and allocation order are deterministic;
// the whole call is one warp-instruction (the timing model sees no memory accesses for it).
#include "isa/exec_device_call.h"

#include <cstdio>

#include "isa/device_printf.h"
#include "isa/device_services.h"
#include "isa/exec_device_launch.h"
#include "isa/graph_conditional.h"
#include "isa/launch_state.h"

namespace gpusim::isa {

namespace {

struct RuntimeFunction {
  const char* name;
  const char* feature;   // for "needs a runtime with device-side ..."; null: needs no DeviceServices
  unsigned arguments;
  unsigned returns;
};

constexpr RuntimeFunction kRuntimeFunctions[] = {
    {"vprintf", "printf", 2, 1},
    {"malloc", "malloc", 1, 1},
    {"free", "free", 1, 0},
    {"__assertfail", "assert", 5, 0},
    {"cudaGraphSetConditional", nullptr, 2, 0},
};

const RuntimeFunction* find_runtime_function(const std::string& name) {
  for (const RuntimeFunction& f : kRuntimeFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

// One lane's view of the call: its .param arguments and return value, and its memory.
class LaneCall {
 public:
  LaneCall(ExecContext& ctx, const Instruction& in, unsigned lane) : ctx_(ctx), in_(in), lane_(lane) {}

  uint64_t argument(unsigned i) const { return param(in_.elems[in_.ops[2].first + i]); }
  void set_return(uint64_t v) const {
    if (in_.ops[0].count == 0) return;  // the caller ignores the return value
    const Operand& r = in_.elems[in_.ops[0].first];
    const unsigned size = param_size(r);
    ctx_.store(StateSpace::Param, ctx_.get(r, lane_), &v, size, lane_);
  }
  DeviceMemoryReader reader() const {
    return [this](uint64_t addr, void* out, size_t size) {
      try {
        ctx_.load(StateSpace::Generic, addr, out, static_cast<unsigned>(size), lane_);
        return true;
      } catch (const ExecError&) {
        return false;
      }
    };
  }
  uint32_t argument_u32(unsigned i) const { return static_cast<uint32_t>(argument(i)); }
  // A lane's store that is the runtime function's, not an access of the program's.
  void write(uint64_t addr, const void* v, unsigned size) const { ctx_.store(StateSpace::Generic, addr, v, size, lane_); }
  uint32_t read_u32(uint64_t addr) const {
    uint32_t v = 0;
    ctx_.load(StateSpace::Generic, addr, &v, 4, lane_);
    return v;
  }
  DeviceThread thread() const {
    return DeviceThread{ctx_.launch().kernel->name, ctx_.cta().ctaid, ctx_.tid(lane_)};
  }

 private:
  unsigned param_size(const Operand& o) const {
    const uint64_t size = ctx_.warp().module().symbols[o.sym].size;
    return size >= 8 ? 8 : size >= 4 ? 4 : static_cast<unsigned>(size);
  }
  uint64_t param(const Operand& o) const {
    uint64_t v = 0;
    ctx_.load(StateSpace::Param, ctx_.get(o, lane_), &v, param_size(o), lane_);
    return v;
  }

  ExecContext& ctx_;
  const Instruction& in_;
  unsigned lane_;
};

// Runs `fn` for one lane, turning what the services and the formatter throw into faults that
// name the lane and the call.
template <typename Fn>
void guarded(ExecContext& ctx, unsigned lane, const std::string& name, Fn fn) {
  try {
    fn();
  } catch (const ExecError&) {
    throw;
  } catch (const DeviceServiceError& e) {
    ctx.fail(lane, name + ": " + e.what(), e.kind());
  } catch (const DeviceAddressError& e) {
    ctx.fail(lane, name + ": " + e.what(), FaultKind::IllegalAddress);
  } catch (const std::exception& e) {
    ctx.fail(lane, name + ": " + e.what());
  }
}

// cudaGraphSetConditional(handle, value): the handle is the address of the condition, tagged.
void set_conditional(const LaneCall& call) {
  const uint64_t handle = call.argument(0);
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(handle));
  bool tagged = false;
  if (handle % 4 == 0) {
    try {
      tagged = call.read_u32(handle + kConditionalTagOffset) == kConditionalHandleTag;
    } catch (const ExecError&) {
    }
  }
  if (!tagged)
    throw DeviceServiceError(std::string("handle ") + hex +
                                 " is not a conditional handle (cudaGraphConditionalHandleCreate makes them; pass the "
                                 "handle itself as a kernel argument)",
                             FaultKind::IllegalAddress);
  const uint32_t value = call.argument_u32(1);
  call.write(handle, &value, 4);
}

}  // namespace

bool is_device_runtime_function(const std::string& name) {
  return find_runtime_function(name) != nullptr || is_device_launch_function(name);
}

void exec_extern_call(ExecContext& ctx, const Instruction& in, const Function& callee) {
  if (ctx.mask == 0) {  // no lane calls (guard false everywhere)
    ctx.warp().advance();
    return;
  }
  if (is_device_launch_function(callee.name)) return exec_device_launch_call(ctx, in, callee);
  const RuntimeFunction* rf = find_runtime_function(callee.name);
  if (!rf)
    ctx.fail_warp("call to '" + callee.name +
                      "', which this module declares without a body; the simulator provides only vprintf (printf), "
                      "malloc, free, __assertfail (assert), cudaGraphSetConditional and the device runtime's launch, "
                      "stream, last-error and device-query functions (dynamic parallelism) as external device functions",
                  FaultKind::Unsupported);
  DeviceServices* services = ctx.launch().services;
  if (!services && rf->feature)
    ctx.fail_warp(callee.name + " needs a runtime with device-side " + rf->feature +
                      " (this launch has no DeviceServices)",
                  FaultKind::Unsupported);
  if (in.ops[2].count != rf->arguments || in.ops[0].count > rf->returns)
    ctx.fail_warp("call to " + callee.name + " passes " + std::to_string(in.ops[2].count) + " arguments and " +
                  std::to_string(in.ops[0].count) + " return values; it takes " + std::to_string(rf->arguments) +
                  " and returns " + std::to_string(rf->returns));

  const std::string name = callee.name;
  // The call's own parameter and string reads are part of the runtime function, not accesses
  // the timing model should see.
  std::vector<MemAccess>* const trace = ctx.trace;
  ctx.trace = nullptr;
  int first_assert_lane = -1;
  std::string first_assert;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const LaneCall call(ctx, in, lane);
    guarded(ctx, lane, name, [&] {
      if (name == "vprintf") {
        const DevicePrintfResult r = format_device_printf(call.reader(), call.argument(0), call.argument(1));
        if (r.arguments >= 0) services->print(call.thread(), r.text);
        call.set_return(static_cast<uint32_t>(r.arguments));
      } else if (name == "malloc") {
        call.set_return(services->malloc(call.thread(), call.argument(0)));
      } else if (name == "free") {
        services->free(call.thread(), call.argument(0));
      } else if (name == "cudaGraphSetConditional") {
        set_conditional(call);
      } else {  // __assertfail(message, file, line, function, charSize)
        const DeviceMemoryReader read = call.reader();
        AssertFailure f;
        f.expression = read_device_string(read, call.argument(0), kDeviceStringCap, true, "assertion text");
        f.file = read_device_string(read, call.argument(1), kDeviceStringCap, true, "assertion file name");
        f.line = static_cast<uint32_t>(call.argument(2));
        f.function = read_device_string(read, call.argument(3), kDeviceStringCap, true, "assertion function name");
        services->assert_failed(call.thread(), f);
        if (first_assert_lane < 0) {
          first_assert_lane = static_cast<int>(lane);
          first_assert = cuda_assert_message(call.thread(), f);
        }
      }
    });
  });
  ctx.trace = trace;
  // A failed assert stops the kernel, as the trap that follows it on a GPU does.
  if (first_assert_lane >= 0) ctx.fail(static_cast<unsigned>(first_assert_lane), first_assert, FaultKind::Assert);
  ctx.warp().advance();
}

std::string cuda_assert_message(const DeviceThread& t, const AssertFailure& f) {
  return f.file + ":" + std::to_string(f.line) + ": " + f.function + ": block: [" + std::to_string(t.ctaid.x) + "," +
         std::to_string(t.ctaid.y) + "," + std::to_string(t.ctaid.z) + "], thread: [" + std::to_string(t.tid.x) +
         "," + std::to_string(t.tid.y) + "," + std::to_string(t.tid.z) + "] Assertion `" + f.expression + "` failed.";
}

}  // namespace gpusim::isa
