// sm_90 hints CUTLASS 3.x's TMA producers issue (prefetch.tensormap, fence.proxy.tensormap::generic,
// cp.async.bulk.prefetch(.tensor), membar.proxy.alias): they parse, and they run as what they are
// to a program's results, nothing. They were parse errors that refused the whole module, so every
// kernel of the program's file failed with cudaErrorInvalidPtx (an outside user's Hopper port).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "runtime/device_memory.h"

namespace gpusim::isa {
namespace {

const char* kHintsPtx = R"(
.version 8.0
.target sm_90a
.address_size 64
.visible .entry hints(.param .u64 out, .param .align 64 .b8 tmap[128])
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<6>;
  ld.param.u64 %rd1, [out];
  mov.u64 %rd2, tmap;
  prefetch.param.tensormap [tmap];
  prefetch.tensormap [%rd2];
  fence.proxy.tensormap::generic.release.gpu;
  fence.proxy.tensormap::generic.acquire.gpu [%rd2], 128;
  membar.proxy.alias;
  cp.async.bulk.prefetch.L2.global [%rd1], 256;
  mov.u32 %r1, 0;
  cp.async.bulk.prefetch.tensor.2d.L2.global.tile [%rd2, {%r1, %r1}];
  mov.u32 %r2, 42;
  st.global.u32 [%rd1], %r2;
  ret;
}
)";

TEST(TensormapHints, ParseAndChangeNothing) {
  const Module module = parse_ptx(kHintsPtx, "hints.ptx");
  const Function* fn = module.find_function("hints");
  ASSERT_NE(fn, nullptr);
  for (const Instruction& in : fn->code) EXPECT_NE(in.op, Opcode::Unimplemented) << in.text;
  runtime::DeviceMemory memory;
  const uint64_t out = memory.allocate(256);
  memory.fill(out, 0, 256);
  LaunchState ls;
  ls.module = &module;
  ls.kernel = fn;
  ls.grid = Dim3{1, 1, 1};
  ls.block = Dim3{32, 1, 1};
  ls.params.assign(fn->param_bytes, 0);
  std::memcpy(ls.params.data(), &out, 8);
  ls.global = &memory;
  run_grid_functional(ls);
  uint32_t got = 0;
  memory.copy_out(&got, out, 4);
  EXPECT_EQ(got, 42u);
}

TEST(TensormapHints, MisformedOnesAreStillParseErrors) {
  // A bulk prefetch names its source space and takes a size; the tensor form needs a dimension.
  for (const char* bad : {"cp.async.bulk.prefetch.L2 [%rd1], 256;", "cp.async.bulk.prefetch.L2.global [%rd1];",
                          "cp.async.bulk.prefetch.tensor.L2.global.tile [%rd2, {%r1, %r1}];"}) {
    std::string text = kHintsPtx;
    const std::string good = "membar.proxy.alias;";
    text.replace(text.find(good), good.size(), bad);
    EXPECT_THROW(parse_ptx(text, "bad.ptx"), std::exception) << bad;
  }
}

}  // namespace
}  // namespace gpusim::isa
