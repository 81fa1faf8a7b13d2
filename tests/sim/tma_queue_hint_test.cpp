// A TMA copy from global memory must not be issued on the MIO queue's room alone: the memory
// pipeline queues it as LG (its accesses include global reads), so an MIO hint let a sub-core
// submit it to a full LG queue, which threw "submit to a full LG queue" in timing mode
// (FlashAttention-style kernels with several TMA boxes per stage hit it).
#include <gtest/gtest.h>

#include "isa/ptx_parser.h"
#include "sim/gpu_config.h"
#include "sim/instruction_timing.h"

namespace gpusim::sim {
namespace {

TEST(TmaQueueHint, GlobalSourcedBulkCopiesAreNotIssuedAsMioOnly) {
  const isa::Module module = isa::parse_ptx(R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry k(.param .align 64 .b8 map[128])
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<2>;
  mov.b64 %rd1, map;
  cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%r1], [%rd1, {%r2, %r3}], [%r1];
  cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%r1], [%rd1], 16, [%r2];
  ret;
}
)", "tma.ptx");
  const isa::Function& fn = module.functions.at(0);
  const FunctionTiming timing(fn, GpuConfig{});
  int checked = 0;
  for (uint32_t pc = 0; pc < fn.code.size(); ++pc) {
    const isa::Opcode op = fn.code[pc].op;
    if (op != isa::Opcode::CpAsyncBulkTensor && op != isa::Opcode::CpAsyncBulk) continue;
    EXPECT_NE(timing.at(pc).queue, QueueHint::Mio) << "pc " << pc;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace
}  // namespace gpusim::sim
