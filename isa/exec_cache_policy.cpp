// L2 cache-policy instructions: createpolicy makes the 64-bit policy a later `.L2::cache_hint`
// load or store names, applypriority and discard change what L2 keeps. The simulator's caches
// take no policy, so none of them changes a result: createpolicy gives a fixed opaque value (a
// program only passes it on), applypriority does nothing, and discard leaves the bytes as they
// were (after discard.global.L2 PTX leaves them undefined; keeping them is one valid outcome).
#include "isa/exec_alu_support.h"

namespace gpusim::isa {
using namespace alu;

namespace {
constexpr uint64_t kOpaquePolicy = 0x1000'0000'0000'0000ull;  // any value will do; non-zero, like a GPU's
}

void exec_CreatepolicyFractional(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, kOpaquePolicy); });
}
void exec_CreatepolicyRange(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, kOpaquePolicy); });
}
void exec_Discard(ExecContext&, const Instruction&) {}
void exec_Applypriority(ExecContext&, const Instruction&) {}

}  // namespace gpusim::isa
