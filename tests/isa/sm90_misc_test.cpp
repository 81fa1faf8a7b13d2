// Small sm_90 instructions: elect.sync, stmatrix (checked against the PTX ISA's m8n8 fragment:
// lane l holds row l/4, columns 2(l%4) and 2(l%4)+1 of each matrix), setmaxnreg's operand
// check, that fence.proxy / fence.mbarrier_init / griddepcontrol run as no-ops, and vector atomics.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tests/isa/sm90_kernel_harness.h"

namespace gpusim {
namespace {

using test::KernelRun;

KernelRun run(const std::string& body, size_t out_words, unsigned threads) {
  const std::string ptx =
      std::string(test::kSm90PtxHeader) +
      ".visible .entry k(.param .u64 p_out)\n{\n"
      "  .reg .u32 %tid, %r<8>, %sb;\n  .reg .u64 %out, %a<2>;\n  .reg .pred %p, %q;\n"
      "  .shared .align 16 .b8 buf[4096];\n"
      "  mov.u32 %tid, %tid.x;\n  ld.param.u64 %out, [p_out];\n  mov.u32 %sb, buf;\n" +
      body + "  ret;\n}\n";
  test::Sm90Kernel k(out_words);
  return k.run("sm90_misc_test", ptx, test::launch_config(threads), runtime::args(k.out()));
}

// Stores %r1 at out[tid].
const char* kStoreR1 =
    "  shl.b32 %r3, %tid, 2;\n  cvt.u64.u32 %a0, %r3;\n  add.u64 %a0, %out, %a0;\n  st.global.u32 [%a0], %r1;\n";

TEST(ElectSync, ElectsTheLowestMemberLane) {
  // Lanes 5..31 of each warp elect among members 0xffffffe0: the leader is lane 5.
  const std::string body = std::string("  and.b32 %r0, %tid, 31;\n  setp.lt.u32 %p, %r0, 5;\n  @%p bra DONE;\n") +
                           "  elect.sync %r1|%q, 0xffffffe0;\n  selp.u32 %r2, 1, 0, %q;\n  shl.b32 %r1, %r1, 8;\n"
                           "  or.b32 %r1, %r1, %r2;\n" + kStoreR1 + "DONE:\n";
  const KernelRun r = run(body, 64, 64);
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned t = 0; t < 64; ++t) {
    const unsigned lane = t % 32;
    EXPECT_EQ(r.out[t], lane < 5 ? 0u : (5u << 8 | (lane == 5 ? 1u : 0u))) << "thread " << t;
  }
}

// Each lane's register j holds (j << 12 | lane << 4 | element) in each half; stmatrix writes the
// four 8x8 matrices (row-major, 16 bytes per row) to buf + 128 j; the kernel dumps buf.
void check_stmatrix(bool trans) {
  const std::string body =
      std::string("  mov.u32 %r0, %tid;\n") +
      // %r4..%r7 = registers of matrices 0..3: low half element 0, high half element 1.
      "  shl.b32 %r1, %r0, 4;\n  shl.b32 %r2, %r1, 16;\n  or.b32 %r2, %r2, 0x10000;\n"
      "  or.b32 %r1, %r1, %r2;\n"  // low half lane<<4 (element 0), high half lane<<4 | 1 (element 1)
      "  mov.u32 %r4, %r1;\n  or.b32 %r5, %r1, 0x10001000;\n  or.b32 %r6, %r1, 0x20002000;\n  or.b32 %r7, %r1, 0x30003000;\n"
      // Row address of lane l: matrix l/8, row l%8.
      "  shl.b32 %r2, %r0, 4;\n  add.u32 %r2, %sb, %r2;\n"
      "  stmatrix.sync.aligned.m8n8.x4" + (trans ? std::string(".trans") : "") +
      ".shared.b16 [%r2], {%r4, %r5, %r6, %r7};\n  bar.warp.sync -1;\n"
      // Dump the 512 bytes: thread t copies word t (and t + 32 ... in a loop of 4).
      "  mov.u32 %r3, 0;\nDUMP:\n  mad.lo.u32 %r6, %r3, 32, %r0;\n  shl.b32 %r6, %r6, 2;\n  add.u32 %r7, %sb, %r6;\n"
      "  ld.shared.u32 %r1, [%r7];\n  cvt.u64.u32 %a0, %r6;\n  add.u64 %a0, %out, %a0;\n  st.global.u32 [%a0], %r1;\n"
      "  add.u32 %r3, %r3, 1;\n  setp.lt.u32 %p, %r3, 4;\n  @%p bra DUMP;\n";
  const KernelRun r = run(body, 128, 32);
  ASSERT_TRUE(r.error.empty()) << r.error;
  std::vector<uint16_t> mem(256);
  for (unsigned w = 0; w < 128; ++w) mem[2 * w] = uint16_t(r.out[w]), mem[2 * w + 1] = uint16_t(r.out[w] >> 16);
  for (unsigned j = 0; j < 4; ++j)
    for (unsigned lane = 0; lane < 32; ++lane)
      for (unsigned e = 0; e < 2; ++e) {
        unsigned row = lane / 4, col = 2 * (lane % 4) + e;
        if (trans) std::swap(row, col);
        const uint16_t want = uint16_t(j << 12 | lane << 4 | e);
        EXPECT_EQ(mem[j * 64 + row * 8 + col], want) << "matrix " << j << " lane " << lane << " element " << e;
      }
}

TEST(Stmatrix, FourMatricesAndTransposed) {
  check_stmatrix(false);
  check_stmatrix(true);
}

TEST(Sm90Misc, FencesGriddepcontrolAndSetmaxnreg) {
  const std::string ok =
      std::string("  fence.proxy.async.shared::cta;\n  fence.mbarrier_init.release.cluster;\n"
                  "  griddepcontrol.wait;\n  griddepcontrol.launch_dependents;\n"
                  "  setmaxnreg.inc.sync.aligned.u32 232;\n  setmaxnreg.dec.sync.aligned.u32 40;\n  mov.u32 %r1, 7;\n") +
      kStoreR1;
  KernelRun r = run(ok, 128, 128);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.out[100], 7u);
  r = run("  setmaxnreg.inc.sync.aligned.u32 250;\n", 1, 128);
  EXPECT_NE(r.error.find("setmaxnreg count 250"), std::string::npos) << r.error;
}

// sm_90 vector atomics (atomicAdd on float2/float4): 64 threads add (1, t, -t, 0.5) to one float4
// with atom.global.add.v4.f32 (each thread's old .x lands in out[16 + t]), (2, t) to one float2
// with red.global.add.v2.f32, and eight halves of value 1..8 to out[8..11] with
// atom.global.add.noftz.v8.f16; a misaligned vector faults naming its 16 bytes.
TEST(VectorAtomics, EachElementIsItsOwnAtomicAdd) {
  const std::string body =
      "  .reg .f32 %f<8>;\n  .reg .b16 %h<8>;\n  .reg .b16 %g<8>;\n"
      "  cvt.rn.f32.u32 %f1, %tid;\n  neg.f32 %f2, %f1;\n  mov.f32 %f0, 0f3F800000;\n  mov.f32 %f3, 0f3F000000;\n"
      "  atom.global.add.v4.f32 {%f4, %f5, %f6, %f7}, [%out], {%f0, %f1, %f2, %f3};\n"
      "  mov.f32 %f0, 0f40000000;\n  red.global.add.v2.f32 [%out+16], {%f0, %f1};\n"
      "  mov.b16 %h0, 0x3C00;\n  mov.b16 %h1, 0x4000;\n  mov.b16 %h2, 0x4200;\n  mov.b16 %h3, 0x4400;\n"
      "  mov.b16 %h4, 0x4500;\n  mov.b16 %h5, 0x4600;\n  mov.b16 %h6, 0x4700;\n  mov.b16 %h7, 0x4800;\n"
      "  atom.global.add.noftz.v8.f16 {%g0, %g1, %g2, %g3, %g4, %g5, %g6, %g7}, [%out+32], "
      "{%h0, %h1, %h2, %h3, %h4, %h5, %h6, %h7};\n"
      "  mov.b32 %r1, %f4;\n  add.u32 %tid, %tid, 16;\n" +
      std::string(kStoreR1);
  const KernelRun r = run(body, 80, 64);
  ASSERT_TRUE(r.error.empty()) << r.error;
  auto f32 = [&](unsigned w) {
    float f;
    std::memcpy(&f, &r.out[w], 4);
    return f;
  };
  EXPECT_EQ(f32(0), 64.0f);
  EXPECT_EQ(f32(1), 2016.0f);  // 0 + 1 + ... + 63
  EXPECT_EQ(f32(2), -2016.0f);
  EXPECT_EQ(f32(3), 32.0f);
  EXPECT_EQ(f32(4), 128.0f);
  EXPECT_EQ(f32(5), 2016.0f);
  // 64 x (1, 2, ..., 8) in f16: 64, 128, ..., 512 (all exact).
  const uint16_t want_halves[8] = {0x5400, 0x5800, 0x5A00, 0x5C00, 0x5D00, 0x5E00, 0x5F00, 0x6000};
  for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(uint16_t(r.out[8 + i / 2] >> (16 * (i % 2))), want_halves[i]) << "half " << i;
  // Each thread saw a different count of earlier adds in .x: its old values are 0..63 once each.
  std::vector<bool> seen(64, false);
  for (unsigned t = 0; t < 64; ++t) {
    const float old = f32(16 + t);
    ASSERT_TRUE(old >= 0 && old < 64 && old == float(int(old))) << old;
    EXPECT_FALSE(seen[size_t(old)]) << old;
    seen[size_t(old)] = true;
  }
  const KernelRun bad = run("  .reg .f32 %f<4>;\n  red.global.add.v4.f32 [%out+8], {%f0, %f1, %f2, %f3};\n", 16, 32);
  EXPECT_NE(bad.error.find("16"), std::string::npos) << bad.error;
  EXPECT_NE(bad.error.find("misaligned"), std::string::npos) << bad.error;
  // An atomic outside shared memory is reported as one (not as a load).
  const KernelRun outside = run("  mov.u32 %r2, 1000000;\n  atom.shared.add.u32 %r1, [%r2], 1;\n", 16, 32);
  EXPECT_NE(outside.error.find("out-of-bounds shared atomic access of 4 bytes"), std::string::npos) << outside.error;
}

}  // namespace
}  // namespace gpusim
