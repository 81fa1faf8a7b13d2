// The functional executor tells a FunctionalProgress of every round (the status line of long
// functional launches, sim/functional_progress_line.h): the instructions it reports add up to
// what the grid executed, and each CTA's end is reported once, also from a pool's threads.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "runtime/device_memory.h"

namespace gpusim::isa {
namespace {

// Four warp-instructions per warp: out[tid] = tid.
const char* kPtx = R"(
.version 8.0
.target sm_70
.address_size 64
.visible .entry ids(.param .u64 p_out)
{
  .reg .b32 %r1;
  .reg .b64 %rd<3>;
  ld.param.u64 %rd1, [p_out];
  mov.u32 %r1, %tid.x;
  st.global.u32 [%rd1], %r1;
  ret;
}
)";

struct Counting final : FunctionalProgress {
  std::atomic<uint64_t> instructions{0}, finished{0};
  void on_round(uint64_t warp_instructions, bool cta_finished) override {
    instructions += warp_instructions;
    finished += cta_finished;
  }
};

TEST(FunctionalProgress, RoundsAddUpToTheGridOnEveryThreadCount) {
  const Module module = parse_ptx(kPtx, "ids.ptx");
  for (unsigned threads : {1u, 2u}) {
    runtime::DeviceMemory memory;
    const uint64_t out = memory.allocate(4);
    LaunchState ls;
    ls.module = &module;
    ls.kernel = module.find_function("ids");
    ls.grid = Dim3{10, 1, 1};
    ls.block = Dim3{64, 1, 1};  // two warps
    ls.params.resize(8);
    std::memcpy(ls.params.data(), &out, 8);
    ls.global = &memory;
    Counting counting;
    FunctionalLimits limits;
    limits.progress = &counting;
    WorkerPool pool(threads);
    run_grid_functional(ls, limits, &pool);
    EXPECT_EQ(counting.instructions.load(), 10u * 2 * 4) << threads << " threads";
    EXPECT_EQ(counting.finished.load(), 10u) << threads << " threads";
  }
}

}  // namespace
}  // namespace gpusim::isa
