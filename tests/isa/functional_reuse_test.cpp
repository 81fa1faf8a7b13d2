// The functional executor runs a host thread's CTAs one after another in one CtaState
// (CtaState::restart) and a warp reuses the storage of its last returned call frame: every CTA and
// every call must still start from the state a fresh one has (registers, .local and .shared
// memory read as zero; gpusim's defined start state), whatever ran before on that thread. Also
// the row forms of mov from special registers (a block whose rows straddle warps) and of scalar
// stores (lanes sharing an address, divergent lanes), against values worked out here.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "runtime/device_memory.h"

namespace gpusim::isa {
namespace {

const char* kPtx = R"(
.version 9.0
.target sm_80
.address_size 64

// Returns what its never-written register holds, then writes it. (Its .local memory is the
// thread's stack, which keeps what an earlier call left, as a real stack does: not tested here.)
.func (.param .b32 ret) dirty()
{
  .reg .b32 %r<4>;
  st.param.b32 [ret], %r3;
  mov.u32 %r3, 77;
  ret;
}

// out[thread] = (the OR of everything read before being written: shared, local, a register,
// three calls of dirty()) and then each of them written, so that a reused CTA or frame that kept its
// predecessor's state would read non-zero.
.visible .entry fresh(.param .u64 p_out)
{
  .local .align 4 .b32 own[1];
  .shared .align 4 .b32 sm[64];
  .reg .b32 %r<20>;
  .reg .b64 %rd<8>;
  .reg .pred %p<2>;
  ld.param.u64 %rd1, [p_out];
  cvta.to.global.u64 %rd2, %rd1;
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mad.lo.s32 %r4, %r2, %r3, %r1;
  mov.u32 %r5, sm;
  shl.b32 %r6, %r1, 2;
  add.s32 %r7, %r5, %r6;
  ld.shared.u32 %r8, [%r7];
  ld.local.u32 %r9, [own];
  or.b32 %r10, %r8, %r9;
  or.b32 %r10, %r10, %r19;
  mov.u32 %r11, 0;
LOOP:
  {
    .param .b32 got;
    call.uni (got), dirty, ();
    ld.param.b32 %r12, [got];
  }
  or.b32 %r10, %r10, %r12;
  add.s32 %r11, %r11, 1;
  setp.lt.s32 %p1, %r11, 3;
  @%p1 bra LOOP;
  add.s32 %r13, %r2, 1;
  st.shared.u32 [%r7], %r13;
  st.local.u32 [own], %r13;
  mov.u32 %r19, %r13;
  mul.wide.s32 %rd3, %r4, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r10;
  ret;
}

// out[linear thread of the grid] = tid.x | tid.y << 8 | tid.z << 16 | laneid << 24, and
// dims[linear] = ntid.x | ntid.y << 8 | ctaid.x << 16 | ctaid.y << 24.
.visible .entry coords(.param .u64 p_out, .param .u64 p_dims)
{
  .reg .b32 %r<30>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [p_out];
  cvta.to.global.u64 %rd1, %rd1;
  ld.param.u64 %rd2, [p_dims];
  cvta.to.global.u64 %rd2, %rd2;
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %tid.y;
  mov.u32 %r3, %tid.z;
  mov.u32 %r4, %laneid;
  mov.u32 %r5, %ntid.x;
  mov.u32 %r6, %ntid.y;
  mov.u32 %r7, %ntid.z;
  mov.u32 %r8, %ctaid.x;
  mov.u32 %r9, %ctaid.y;
  mov.u32 %r10, %nctaid.x;
  // linear = ((ctaid.y * nctaid.x + ctaid.x) * ntid.z + tid.z) * ntid.y + tid.y) * ntid.x + tid.x
  mad.lo.u32 %r11, %r9, %r10, %r8;
  mad.lo.u32 %r11, %r11, %r7, %r3;
  mad.lo.u32 %r11, %r11, %r6, %r2;
  mad.lo.u32 %r11, %r11, %r5, %r1;
  shl.b32 %r12, %r2, 8;
  shl.b32 %r13, %r3, 16;
  shl.b32 %r14, %r4, 24;
  or.b32 %r15, %r1, %r12;
  or.b32 %r15, %r15, %r13;
  or.b32 %r15, %r15, %r14;
  shl.b32 %r16, %r6, 8;
  shl.b32 %r17, %r8, 16;
  shl.b32 %r18, %r9, 24;
  or.b32 %r19, %r5, %r16;
  or.b32 %r19, %r19, %r17;
  or.b32 %r19, %r19, %r18;
  mul.wide.u32 %rd3, %r11, 4;
  add.s64 %rd4, %rd1, %rd3;
  st.global.u32 [%rd4], %r15;
  add.s64 %rd5, %rd2, %rd3;
  st.global.u32 [%rd5], %r19;
  ret;
}

// One warp: every lane stores its lane id + 100 to out[0] (the highest lane's store is the last),
// odd lanes store lane * 3 to out[1 + lane] and even lanes leave theirs, and each lane stores the
// 16-bit register value 0x5a5a to the 16-bit word half[lane] past out[33].
.visible .entry stores(.param .u64 p_out)
{
  .reg .b32 %r<8>;
  .reg .b16 %h<2>;
  .reg .b64 %rd<8>;
  .reg .pred %p<2>;
  ld.param.u64 %rd1, [p_out];
  cvta.to.global.u64 %rd1, %rd1;
  mov.b16 %h1, 0x5a5a;
  mov.u32 %r1, %laneid;
  add.s32 %r2, %r1, 100;
  st.global.u32 [%rd1], %r2;
  and.b32 %r3, %r1, 1;
  setp.eq.u32 %p1, %r3, 0;
  @%p1 bra SKIP;
  mul.lo.u32 %r4, %r1, 3;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3+4], %r4;
SKIP:
  mul.wide.u32 %rd4, %r1, 2;
  add.s64 %rd5, %rd1, %rd4;
  st.global.u16 [%rd5+132], %h1;
  ret;
}
)";

struct Launch {
  LaunchState ls;
  Module module;
  Launch(runtime::DeviceMemory& memory, const std::string& kernel, Dim3 grid, Dim3 block,
         const std::vector<uint64_t>& pointer_params)
      : module(parse_ptx(kPtx, "functional_reuse.ptx")) {
    ls.module = &module;
    ls.kernel = module.find_function(kernel);
    ls.grid = grid;
    ls.block = block;
    ls.dynamic_shared_base = (ls.kernel->static_shared_bytes + 15) / 16 * 16;
    ls.params.resize(8 * pointer_params.size());
    for (size_t i = 0; i < pointer_params.size(); ++i) std::memcpy(ls.params.data() + 8 * i, &pointer_params[i], 8);
    ls.global = &memory;
  }
};

std::vector<uint32_t> read_words(runtime::DeviceMemory& memory, uint64_t addr, size_t n) {
  std::vector<uint32_t> v(n);
  memory.copy_out(v.data(), addr, n * 4);
  return v;
}

TEST(FunctionalReuse, EveryCtaAndCallStartsFromZeroedState) {
  for (unsigned threads : {1u, 2u}) {
    runtime::DeviceMemory memory;
    const unsigned ctas = 9, block = 40;  // two warps, the second of 8 threads
    const uint64_t out = memory.allocate(ctas * block * 4);
    memory.fill(out, 0xff, ctas * block * 4);
    Launch l(memory, "fresh", Dim3{ctas, 1, 1}, Dim3{block, 1, 1}, {out});
    WorkerPool pool(threads);
    run_grid_functional(l.ls, {}, &pool);
    const std::vector<uint32_t> got = read_words(memory, out, ctas * block);
    EXPECT_EQ(got, std::vector<uint32_t>(ctas * block, 0u)) << threads << " threads";
  }
}

TEST(FunctionalReuse, SpecialRegistersOfBlocksWhoseRowsStraddleWarps) {
  // 24 x 3 x 2 threads: a warp starts mid-row; 2 x 2 CTAs, run on one thread one after another.
  const Dim3 grid{2, 2, 1}, block{24, 3, 2};
  const size_t per_cta = block.count(), n = grid.count() * per_cta;
  runtime::DeviceMemory memory;
  const uint64_t out = memory.allocate(n * 4), dims = memory.allocate(n * 4);
  Launch l(memory, "coords", grid, block, {out, dims});
  run_grid_functional(l.ls, {}, nullptr);
  const std::vector<uint32_t> got = read_words(memory, out, n), got_dims = read_words(memory, dims, n);
  for (uint32_t cy = 0; cy < grid.y; ++cy)
    for (uint32_t cx = 0; cx < grid.x; ++cx)
      for (uint32_t t = 0; t < per_cta; ++t) {
        const uint32_t x = t % block.x, y = t / block.x % block.y, z = t / (block.x * block.y), lane = t % 32;
        const size_t linear = (cy * grid.x + cx) * per_cta + t;
        ASSERT_EQ(got[linear], x | y << 8 | z << 16 | lane << 24) << "CTA " << cx << "," << cy << " thread " << t;
        ASSERT_EQ(got_dims[linear], block.x | block.y << 8 | cx << 16 | cy << 24) << "thread " << linear;
      }
}

TEST(FunctionalReuse, ScalarStoresKeepLaneOrderAndSkipInactiveLanes) {
  runtime::DeviceMemory memory;
  const uint64_t out = memory.allocate(64 * 4);
  memory.fill(out, 0x11, 64 * 4);
  Launch l(memory, "stores", Dim3{1, 1, 1}, Dim3{32, 1, 1}, {out});
  run_grid_functional(l.ls, {}, nullptr);
  const std::vector<uint32_t> got = read_words(memory, out, 64);
  EXPECT_EQ(got[0], 131u);  // lane 31's 31 + 100
  for (uint32_t lane = 0; lane < 32; ++lane)
    EXPECT_EQ(got[1 + lane], lane % 2 ? lane * 3 : 0x11111111u) << "lane " << lane;
  for (uint32_t w = 33; w < 49; ++w) EXPECT_EQ(got[w], 0x5a5a5a5au) << "word " << w;
  EXPECT_EQ(got[49], 0x11111111u);
}

}  // namespace
}  // namespace gpusim::isa
