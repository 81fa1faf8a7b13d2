// A GPU's copy engine reaches DRAM through the L2, as every client does, so a buffer just uploaded
// (cudaMemcpy) or cleared (cudaMemset) is in the L2 when the next kernel reads it; a memset's lines
// stay there dirty (docs/VALIDATION.md: on the H200 their write-backs landed in the next kernel).
// An outside robotics user's upload-then-process kernel read its 4 MiB input from DRAM here, as if
// the copy had bypassed the L2. With SimDeviceOptions::copies_fill_l2 (gpusim exec), a kernel
// reading 1 MiB just copied or set finds it in the (6 MiB) L2; without it, it misses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <vector>

#include "runtime/sim_device.h"

using namespace gpusim::runtime;

namespace {

// out[i] = in[i] for i < n (one 4-byte word a thread, coalesced).
const char* kCopyKernel = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry pass(.param .u64 in, .param .u64 out, .param .u32 n)
{
  .reg .b32 %r<6>;
  .reg .b64 %rd<6>;
  .reg .pred %p;
  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %tid.x;
  mad.lo.u32 %r4, %r1, %r2, %r3;
  ld.param.u32 %r5, [n];
  setp.ge.u32 %p, %r4, %r5;
  @%p bra DONE;
  ld.param.u64 %rd1, [in];
  ld.param.u64 %rd2, [out];
  mul.wide.u32 %rd3, %r4, 4;
  add.u64 %rd4, %rd1, %rd3;
  ld.global.u32 %r1, [%rd4];
  add.u64 %rd5, %rd2, %rd3;
  st.global.u32 [%rd5], %r1;
DONE:
  ret;
}
)";

double l2_read_hit_rate(bool copies_fill_l2, bool by_memset) {
  SimDeviceOptions o;
  o.mode = SimMode::Timing;
  o.copies_fill_l2 = copies_fill_l2;
  auto dev = make_sim_device(o);
  const ModuleHandle m = dev->load_ptx("pass.ptx", kCopyKernel);
  const uint32_t n = 1 << 18;  // 1 MiB
  const DevPtr in = dev->alloc(n * 4), out = dev->alloc(n * 4);
  if (by_memset) {
    dev->memset(in, 1, n * 4);
  } else {
    std::vector<uint32_t> host(n, 7);
    dev->copy_to_device(in, host.data(), n * 4);
  }
  LaunchConfig c;
  c.grid = Dim3{n / 256, 1, 1};
  c.block = Dim3{256, 1, 1};
  const LaunchStats s = dev->launch(m, "pass", c, args(in, out, n));
  return nlohmann::json::parse(s.report_json).at("l2").at("hit_rate").get<double>();
}

TEST(CopiesFillL2, AKernelFindsWhatACopyOrMemsetJustWroteInTheL2) {
  for (const bool by_memset : {false, true}) {
    SCOPED_TRACE(by_memset ? "memset" : "copy");
    EXPECT_GT(l2_read_hit_rate(true, by_memset), 0.95);
    EXPECT_LT(l2_read_hit_rate(false, by_memset), 0.05);
  }
}

}  // namespace
