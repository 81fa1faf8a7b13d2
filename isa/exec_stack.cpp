// alloca, stacksave, stackrestore: run-time allocation on the current function's stack frame
// (nvcc emits them for alloca() and variable-length arrays). The pointer is a .local address,
// valid until the function returns or a stackrestore to an earlier stacksave releases it.
#include <string>

#include "isa/exec_alu_support.h"

namespace gpusim::isa {
using namespace alu;

namespace {
constexpr uint64_t kMinAlign = 8;  // the PTX ISA's minimum guaranteed alignment
}  // namespace

// alloca.type ptr, size{, immAlign}
void exec_Alloca(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  uint64_t align = kMinAlign;
  if (in.nops > 2) {
    const uint64_t a = ctx.get(in.ops[2], 0);
    if (a == 0 || (a & (a - 1)) || a > (uint64_t(1) << 23)) unsupported(ctx, in, "alignment that is not a power of 2 up to 2^23");
    align = std::max(align, a);
  }
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t size = truncate(ctx.get(in.ops[1], l), t);
    const uint64_t ptr = (ctx.warp().stack_pointer(l) + align - 1) / align * align;
    if (size > kMaxThreadStackBytes || ptr + size > kMaxThreadStackBytes)
      ctx.fail(l, "alloca of " + std::to_string(size) + " bytes overflows the thread's stack (" +
                      std::to_string(kMaxThreadStackBytes) + " bytes at most)");
    ctx.warp().set_stack_pointer(l, ptr + size);
    ctx.set(in.ops[0], l, truncate(ptr, t));
  });
}

// stacksave.type d: d = the stack pointer.
void exec_Stacksave(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, truncate(ctx.warp().stack_pointer(l), t)); });
}

// stackrestore.type a: the stack pointer = a (a value stacksave returned in this frame).
void exec_Stackrestore(ExecContext& ctx, const Instruction& in) {
  const DataType t = require_type(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint64_t sp = truncate(ctx.get(in.ops[0], l), t);
    const CallFrame& f = ctx.warp().frame();
    if (sp < f.local_base + f.fn->local_bytes || sp > kMaxThreadStackBytes)
      ctx.fail(l, "stackrestore to an address outside this function's stack frame");
    ctx.warp().set_stack_pointer(l, sp);
  });
}

}  // namespace gpusim::isa
