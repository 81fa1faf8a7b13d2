// PTX that nvcc 13 emits for ordinary CUDA C++ (tests/fixtures/ptx_coverage*.cu, cg_cub.cu):
// special registers, 128-bit vectors, conversions, function pointers and virtual calls,
// cooperative grid sync, cp.async with mbarriers, cooperative-groups tiles and CUB collectives,
// each run on the simulator and compared with CPU references or hand-computed values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>

#include "runtime/sim_device.h"
#include "tests/runtime/fixture_util.h"

using namespace gpusim::runtime;

namespace {

LaunchConfig grid(unsigned blocks, unsigned threads, uint32_t dyn = 0) {
  LaunchConfig c;
  c.grid = Dim3{blocks, 1, 1};
  c.block = Dim3{threads, 1, 1};
  c.dynamic_shared_bytes = dyn;
  return c;
}

class PtxCoverage : public ::testing::Test {
 protected:
  void SetUp() override {
    dev = make_sim_device();
    mod = dev->load_ptx("ptx_coverage.ptx", read_fixture("ptx_coverage.ptx"));
  }
  std::unique_ptr<Device> dev;
  ModuleHandle mod = -1;
};

TEST_F(PtxCoverage, SpecialRegistersAndWarpSize) {
  const unsigned n = 96, dyn = 48;
  DevPtr out = dev->alloc(n * 16 * 4);
  dev->launch(mod, "special_regs", grid(1, n, dyn), args(out));
  auto v = dev->download<uint32_t>(out, n * 16);
  for (unsigned t = 0; t < n; ++t) {
    const uint32_t* r = &v[t * 16];
    const unsigned lane = t % 32;
    EXPECT_EQ(r[0], lane) << t;
    EXPECT_EQ(r[1], t / 32) << t;
    EXPECT_GT(r[2], r[1]) << "warpid < nwarpid, thread " << t;
    EXPECT_EQ(r[3], 1u << lane);
    EXPECT_EQ(r[4], (1u << lane) - 1);
    EXPECT_EQ(r[5], uint32_t((2ull << lane) - 1));
    EXPECT_EQ(r[6], ~uint32_t((2ull << lane) - 1));
    EXPECT_EQ(r[7], ~uint32_t((1ull << lane) - 1));
    EXPECT_EQ(r[8], dyn);
    EXPECT_EQ(r[9], dyn) << "nvcc removed the unused static array: total = dynamic";
    EXPECT_EQ(r[10], 32u) << "WARP_SZ";
    EXPECT_EQ(r[11], 1u) << "%smid < %nsmid";
    EXPECT_EQ(r[12], 0u) << "%envreg3";
    EXPECT_EQ(r[13], 1u) << "%clock64 never goes backwards";
    EXPECT_EQ(r[14], 32u) << "warpSize";
  }
}

TEST_F(PtxCoverage, Vector128BitLoadsAndStores) {
  const int n = 64;
  std::vector<int32_t> a(n * 4);
  std::vector<double> d(n * 2);
  std::vector<int64_t> l(n * 2);
  for (int i = 0; i < n * 4; ++i) a[i] = i * 7 - 100;
  for (int i = 0; i < n * 2; ++i) d[i] = i * 0.25 - 3, l[i] = (int64_t(i) << 40) - i;
  DevPtr da = dev->upload(a), dd = dev->upload(d), dl = dev->upload(l);
  DevPtr b = dev->alloc(n * 16), e = dev->alloc(n * 16), m = dev->alloc(n * 16), f = dev->alloc(n * 16);
  dev->launch(mod, "vec128", grid(1, n), args(da, b, dd, e, dl, m, f));
  auto gb = dev->download<int32_t>(b, n * 4);
  auto ge = dev->download<double>(e, n * 2);
  auto gm = dev->download<int64_t>(m, n * 2);
  auto gf = dev->download<float>(f, n * 4);
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(gb[4 * i], a[4 * i] + 1);
    EXPECT_EQ(gb[4 * i + 1], a[4 * i + 1]);
    EXPECT_EQ(gb[4 * i + 2], a[4 * i + 2]);
    EXPECT_EQ(gb[4 * i + 3], a[4 * i + 3] * 2);
    EXPECT_EQ(ge[2 * i], d[2 * i] * 2);
    EXPECT_EQ(ge[2 * i + 1], d[2 * i + 1] - 1);
    EXPECT_EQ(gm[2 * i], l[2 * i]);
    EXPECT_EQ(gm[2 * i + 1], l[2 * i + 1] - 3);
    const int j = 63 - i;
    EXPECT_EQ(gf[4 * i], float(j));
    EXPECT_EQ(gf[4 * i + 1], j + 0.5f);
    EXPECT_EQ(gf[4 * i + 2], float(-j));
    EXPECT_EQ(gf[4 * i + 3], float(2 * j));
  }
}

// bmsk per the PTX ISA's pseudocode, written independently of the executor's version.
uint32_t bmsk_ref(uint32_t a, uint32_t b, bool clamp) {
  const uint32_t start = clamp ? std::min(a, 32u) : (a & 31);
  uint32_t width = clamp ? std::min(b, 32u) : (b & 31);
  if (start >= 32) return 0;
  if (start + width > 32) width = 32 - start;
  const uint64_t bits = ((uint64_t(1) << width) - 1) << start;
  return uint32_t(bits);
}

TEST_F(PtxCoverage, ConversionsSatfinitePackAndBmsk) {
  // (a, b) pairs with hand-computed f16 / bf16 encodings.
  std::vector<float> in = {1.0f, -2.5f, 65520.0f, -1e6f, 0.0f, 1e6f, 3.0f, 0.5f};
  in.resize(16, 0.0f);  // 8 threads read a pair each
  struct Expected { uint16_t h_a, h_b, bf_a, bf_b, hs_a, hs_b; };
  const Expected ex[] = {
      {0x3c00, 0xc100, 0x3f80, 0xc020, 0x3c00, 0xc100},
      {0x7c00, 0xfc00, 0x4780, 0xc974, 0x7bff, 0xfbff},  // 65520 rounds to f16 infinity
      {0x0000, 0x7c00, 0x0000, 0x4974, 0x0000, 0x7bff},
      {0x4200, 0x3800, 0x4040, 0x3f00, 0x4200, 0x3800}};
  const std::vector<int32_t> ints = {5, 7, 40000, -40000, -3, 300, 33, 4, 8, 30, 0, 0, 31, 1, 60, 40};
  DevPtr din = dev->upload(in), dints = dev->upload(ints), out = dev->alloc(8 * 8 * 4);
  dev->launch(mod, "conversions", grid(1, 8), args(din, dints, out));
  auto v = dev->download<uint32_t>(out, 8 * 8);
  for (unsigned i = 0; i < 4; ++i) {
    const uint32_t* r = &v[8 * i];
    // __floats2half2_rn(a, b): a in the low half.
    EXPECT_EQ(r[0], uint32_t(ex[i].h_b) << 16 | ex[i].h_a) << i;
    EXPECT_EQ(r[1], uint32_t(ex[i].bf_b) << 16 | ex[i].bf_a) << i;
    // cvt.rn.satfinite.{f16x2,bf16x2}.f32 d, a, b: a in the high half; bf16 never overflows here.
    EXPECT_EQ(r[2], uint32_t(ex[i].hs_a) << 16 | ex[i].hs_b) << i;
    EXPECT_EQ(r[3], uint32_t(ex[i].bf_a) << 16 | ex[i].bf_b) << i;
  }
  auto sat = [](int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : (x > hi ? hi : x); };
  for (unsigned i = 0; i < 8; ++i) {
    const uint32_t* r = &v[8 * i];
    const int32_t a = ints[2 * i], b = ints[2 * i + 1];
    const uint32_t p16 = uint32_t(uint16_t(sat(a, -32768, 32767))) << 16 | uint16_t(sat(b, -32768, 32767));
    EXPECT_EQ(r[4], p16) << i;
    const uint32_t p8 = 0xabcdu << 16 | uint32_t(sat(a, 0, 255)) << 8 | uint32_t(sat(b, 0, 255));
    EXPECT_EQ(r[5], p8) << i;
    EXPECT_EQ(r[6], bmsk_ref(uint32_t(a & 63), uint32_t(b & 63), true)) << i;
    EXPECT_EQ(r[7], bmsk_ref(uint32_t(a & 63), uint32_t(b & 63), false)) << i;
  }
}

TEST_F(PtxCoverage, FunctionPointerTableAndVirtualCalls) {
  const unsigned n = 64;
  std::vector<int32_t> sel(n);
  for (unsigned i = 0; i < n; ++i) sel[i] = int32_t((i * 5 + i / 7) % 11);
  DevPtr dsel = dev->upload(sel), out = dev->alloc(2 * n * 4);
  dev->launch(mod, "function_pointers", grid(1, n), args(dsel, out));
  auto v = dev->download<int32_t>(out, 2 * n);
  for (int i = 0; i < int(n); ++i) {
    const int op = sel[i] % 3;
    EXPECT_EQ(v[i], op == 0 ? i + 7 : op == 1 ? i * 7 : i - 7) << "lane " << i << " calls table[" << op << "]";
    EXPECT_EQ(v[n + i], (i & 1) ? i * i : i * i / 2) << "virtual area, thread " << i;
  }
}

TEST_F(PtxCoverage, CooperativeGridSyncSeesOtherCtas) {
  const int blocks = 8, threads = 64, n = blocks * threads - 5;
  DevPtr data = dev->alloc(n * 4), out = dev->alloc(n * 4);
  LaunchConfig c = grid(blocks, threads);
  c.cooperative = true;
  dev->launch(mod, "grid_sync", c, args(data, out, n));
  auto v = dev->download<int32_t>(out, n);
  for (int i = 0; i < n; ++i) ASSERT_EQ(v[i], (n - 1 - i) * 2 + 1) << "thread " << i;
}

TEST_F(PtxCoverage, GridSyncWithoutCooperativeLaunchTraps) {
  DevPtr data = dev->alloc(64 * 4), out = dev->alloc(64 * 4);
  // nvcc's grid sync finds no workspace (%envreg1:%envreg2 = 0) and executes trap.
  EXPECT_THROW(dev->launch(mod, "grid_sync", grid(2, 32), args(data, out, 64)), KernelFault);
}

TEST_F(PtxCoverage, CooperativeLaunchTooLargeIsRefused) {
  DevPtr data = dev->alloc(4), out = dev->alloc(4);
  LaunchConfig c = grid(1u << 20, 1024);
  c.cooperative = true;
  try {
    dev->launch(mod, "grid_sync", c, args(data, out, 1));
    FAIL() << "a grid of 2^20 CTAs of 1024 threads cannot be co-resident";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cudaErrorCooperativeLaunchTooLarge"), std::string::npos) << e.what();
  }
}

TEST_F(PtxCoverage, CooperativeGridSyncInTimingMode) {
  SimDeviceOptions o;
  o.mode = SimMode::Timing;
  auto timed = make_sim_device(o);
  ModuleHandle m = timed->load_ptx("ptx_coverage.ptx", read_fixture("ptx_coverage.ptx"));
  const int blocks = 4, threads = 64, n = blocks * threads;
  DevPtr data = timed->alloc(n * 4), out = timed->alloc(n * 4);
  LaunchConfig c = grid(blocks, threads);
  c.cooperative = true;
  const LaunchStats s = timed->launch(m, "grid_sync", c, args(data, out, n));
  EXPECT_GT(s.cycles, 0u);
  auto v = timed->download<int32_t>(out, n);
  for (int i = 0; i < n; ++i) ASSERT_EQ(v[i], (n - 1 - i) * 2 + 1) << "thread " << i;
}

TEST_F(PtxCoverage, CpAsyncCompletionThroughMbarrier) {
  const unsigned n = 128;
  std::vector<int32_t> in(n);
  for (unsigned i = 0; i < n; ++i) in[i] = int32_t(i * i) - 77;
  DevPtr din = dev->upload(in), out = dev->alloc(n * 4);
  dev->launch(mod, "cp_async_mbarrier", grid(1, n), args(din, out));
  auto v = dev->download<int32_t>(out, n);
  for (unsigned i = 0; i < n; ++i) ASSERT_EQ(v[i], in[n - 1 - i]) << i;
}

TEST(PtxCoverageSm90, Fp8ConversionsSaturateAndRoundToEven) {
  auto dev = make_sim_device();
  ModuleHandle mod = dev->load_ptx("ptx_coverage_sm90.ptx", read_fixture("ptx_coverage_sm90.ptx"));
  // Pairs (a, b); __nv_fp8x2_e4m3(make_float2(a, b)) keeps a in the low byte.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> in = {1.0f, -0.5f, 448.0f, 1000.0f, 1.0625f, 1.1875f, 0x1p-9f, nan, 1e6f, -1e6f};
  // Hand-encoded: e4m3 bias 7 (max 448 = 0x7e, NaN 0x7f); e5m2 bias 15 (max 57344 = 0x7b).
  const uint8_t e4[] = {0x38, 0xb0, 0x7e, 0x7e, 0x38, 0x3a, 0x01, 0x7f, 0x7e, 0xfe};
  const uint8_t e5[] = {0x3c, 0xb8, 0x5f, 0x64, 0x3c, 0x3d, 0x18, 0x7f, 0x7b, 0xfb};
  const float back[] = {1.0f, -0.5f, 448.0f, 448.0f, 1.0f, 1.25f, 0x1p-9f, nan, 448.0f, -448.0f};
  const unsigned pairs = 5;
  DevPtr din = dev->upload(in), out = dev->alloc(pairs * 4 * 4);
  dev->launch(mod, "fp8_conversions", grid(1, pairs), args(din, out));
  auto v = dev->download<uint32_t>(out, pairs * 4);
  for (unsigned i = 0; i < pairs; ++i) {
    EXPECT_EQ(v[4 * i], uint32_t(e4[2 * i + 1]) << 8 | e4[2 * i]) << "e4m3 pair " << i;
    EXPECT_EQ(v[4 * i + 1], uint32_t(e5[2 * i + 1]) << 8 | e5[2 * i]) << "e5m2 pair " << i;
    for (unsigned k = 0; k < 2; ++k) {
      float f;
      std::memcpy(&f, &v[4 * i + 2 + k], 4);
      if (std::isnan(back[2 * i + k])) EXPECT_TRUE(std::isnan(f)) << i;
      else EXPECT_EQ(f, back[2 * i + k]) << "pair " << i << " element " << k;
    }
  }
}

TEST(PtxCoverageSm90, ClusterRegistersDescribeOneCtaClusters) {
  auto dev = make_sim_device();
  ModuleHandle mod = dev->load_ptx("ptx_coverage_sm90.ptx", read_fixture("ptx_coverage_sm90.ptx"));
  const unsigned blocks = 3;
  DevPtr out = dev->alloc(blocks * 8 * 4);
  dev->launch(mod, "cluster_regs", grid(blocks, 32), args(out));
  auto v = dev->download<uint32_t>(out, blocks * 8);
  for (unsigned b = 0; b < blocks; ++b) {
    const uint32_t* r = &v[b * 8];
    EXPECT_EQ(r[0], b);       // %clusterid.x = %ctaid.x
    EXPECT_EQ(r[1], blocks);  // %nclusterid.x = %nctaid.x
    EXPECT_EQ(r[2], 0u);
    EXPECT_EQ(r[3], 1u);
    EXPECT_EQ(r[4], 0u);
    EXPECT_EQ(r[5], 1u);
    EXPECT_EQ(r[6], 0u) << "%is_explicit_cluster";
    EXPECT_EQ(r[7], 0u) << "%aggr_smem_size: no shared memory declared or reserved";
  }
}

}  // namespace

namespace {

TEST(PtxCoverageLibraries, CooperativeGroupsTilesMatchCpu) {
  auto dev = make_sim_device();
  ModuleHandle mod = dev->load_ptx("cg_cub.ptx", read_fixture("cg_cub.ptx"));
  const int n = 64;
  std::vector<int32_t> in(n);
  for (int i = 0; i < n; ++i) in[i] = (i * 37 + 11) % 101;
  DevPtr din = dev->upload(in), out = dev->alloc(n * 8 * 4);
  dev->launch(mod, "cg_tiles", grid(1, n), args(din, out));
  auto v = dev->download<int32_t>(out, n * 8);
  for (int i = 0; i < n; ++i) {
    const int w = i / 32 * 32, t8 = i / 8 * 8;
    int s32 = 0, any = 0;
    uint32_t bal = 0;
    for (int k = 0; k < 32; ++k) s32 += in[w + k], any |= in[w + k] > 50, bal |= uint32_t(in[w + k] & 1) << k;
    int m8 = in[t8], sc = 0;
    for (int k = 0; k < 8; ++k) m8 = std::max(m8, in[t8 + k]);
    for (int k = t8; k <= i; ++k) sc += in[k];
    // shfl_down by 1 within a tile of 8: the last lane keeps its own value.
    const int sh = (i % 8 == 7) ? in[i] : in[i + 1];
    int r = 0;
    if (in[i] & 1) {
      int rank = 0, size = 0, sum = 0;
      for (int k = 0; k < 32; ++k)
        if (in[w + k] & 1) rank += (w + k < i), ++size, sum += in[w + k];
      r = rank + 100 * size + sum * 1000;
    }
    const int32_t* g = &v[i * 8];
    EXPECT_EQ(g[0], s32) << i;
    EXPECT_EQ(g[1], m8) << i;
    EXPECT_EQ(g[2], sc) << i;
    EXPECT_EQ(g[3], sh) << i;
    EXPECT_EQ(g[4], any) << i;
    EXPECT_EQ(uint32_t(g[5]), bal) << i;
    EXPECT_EQ(g[6], r) << i;
    EXPECT_EQ(g[7], i % 16) << i;
  }
}

TEST(PtxCoverageLibraries, CubBlockCollectivesMatchCpu) {
  auto dev = make_sim_device();
  ModuleHandle mod = dev->load_ptx("cg_cub.ptx", read_fixture("cg_cub.ptx"));
  const int n = 128;
  std::vector<int32_t> in(n), keys(n * 4);
  for (int i = 0; i < n; ++i) in[i] = (i * 53) % 97 - 40;
  for (int i = 0; i < n * 4; ++i) keys[i] = int32_t((uint32_t(i) * 2654435761u) >> 3) - (1 << 28);
  DevPtr din = dev->upload(in), dkeys = dev->upload(keys);
  DevPtr red = dev->alloc(4), scan = dev->alloc(n * 4), sorted = dev->alloc(n * 16), wred = dev->alloc(16);
  dev->launch(mod, "cub_block", grid(1, n), args(din, dkeys, red, scan, sorted, wred));
  int total = 0;
  for (int x : in) total += x;
  EXPECT_EQ(dev->download<int32_t>(red, 1)[0], total);
  auto gscan = dev->download<int32_t>(scan, n);
  int prefix = 0;
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(gscan[i], prefix) << i;
    prefix += in[i];
  }
  auto gsorted = dev->download<int32_t>(sorted, n * 4);
  std::vector<int32_t> ref = keys;
  std::sort(ref.begin(), ref.end());
  // BlockRadixSort leaves a blocked arrangement: thread t holds ranks 4t..4t+3.
  EXPECT_EQ(gsorted, ref);
  auto gw = dev->download<int32_t>(wred, 4);
  for (int w = 0; w < 4; ++w) {
    int s = 0;
    for (int k = 0; k < 32; ++k) s += in[w * 32 + k];
    EXPECT_EQ(gw[w], s) << "warp " << w;
  }
}

}  // namespace

namespace {

// thrust::transform(x, x + n, y, out, saxpy{a}) as CUB's transform kernel (nvcc 13, sm_80),
// launched the way thrust's host code does: num_items, elements per thread, the functor, the
// output pointer and one kernel_arg<float*> (16 bytes, the pointer first) per input.
TEST(PtxCoverageLibraries, ThrustTransformKernelMatchesCpu) {
  auto dev = make_sim_device();
  const std::string ptx = read_fixture("thrust_transform.ptx");
  ModuleHandle mod = dev->load_ptx("thrust_transform.ptx", ptx);
  const size_t at = ptx.find(".entry ") + 7;
  const std::string kernel = ptx.substr(at, ptx.find('(', at) - at);
  const uint32_t n = 1000;
  const int per_thread = 2;
  const float a = 2.5f;
  std::vector<float> x(n), y(n);
  for (uint32_t i = 0; i < n; ++i) x[i] = float(i) * 0.5f - 7, y[i] = float(i % 13) - 3.25f;
  struct KernelArgPtr { uint64_t ptr, pad; };
  DevPtr dx = dev->upload(x), dy = dev->upload(y), out = dev->alloc(n * 4);
  dev->launch(mod, kernel, grid((n + 256 * per_thread - 1) / (256 * per_thread), 256),
              args(n, per_thread, a, out, KernelArgPtr{dx, 0}, KernelArgPtr{dy, 0}));
  auto v = dev->download<float>(out, n);
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(v[i], a * x[i] + y[i]) << i;
}

}  // namespace

namespace {

TEST(PtxCoverageErrors, IndirectCallThroughANonFunctionAddressFaultsClearly) {
  const std::string ptx =
      ".version 9.0\n.target sm_80\n.address_size 64\n"
      ".visible .entry k(.param .u64 k_p)\n{\n.reg .b64 %rd<4>;\n"
      "ld.param.u64 %rd1, [k_p];\n"
      "{\n.param .b32 retval0;\n"
      "proto : .callprototype (.param .b32 _) _ ();\n"
      "call (retval0), %rd1, (), proto;\n"
      "}\nret;\n}\n";
  auto dev = make_sim_device();
  ModuleHandle mod = dev->load_ptx("bad_call.ptx", ptx);
  try {
    dev->launch(mod, "k", grid(1, 32), args(uint64_t(0x1234)));
    FAIL() << "calling through 0x1234 must fault";
  } catch (const KernelFault& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("not the address of a function"), std::string::npos) << m;
    EXPECT_NE(m.find("bad_call.ptx:11"), std::string::npos) << m;
  }
}

}  // namespace

namespace {

// brx.idx through a .branchtargets list (hand-written: nvcc 13 lowers switches to compare
// trees): lanes pick different targets by index, diverge, and reconverge before the store.
TEST(PtxCoverageIndirectBranch, BrxIdxDivergesAndReconverges) {
  const std::string ptx =
      ".version 9.0\n.target sm_80\n.address_size 64\n"
      ".visible .entry k(.param .u64 k_out)\n{\n.reg .pred %p<2>;\n.reg .b32 %r<8>;\n.reg .b64 %rd<4>;\n"
      "ld.param.u64 %rd1, [k_out];\n"
      "mov.u32 %r1, %tid.x;\n"
      "rem.u32 %r2, %r1, 3;\n"
      "mov.u32 %r3, 0;\n"
      "setp.eq.u32 %p1, %r1, 31;\n"  // lane 31's guard is false: it falls through
      "ts: .branchtargets L0, L1, L2;\n"
      "@!%p1 brx.idx %r2, ts;\n"
      "mov.u32 %r3, 1000;\n"
      "bra.uni DONE;\n"
      "L0:\nadd.u32 %r3, %r1, 100;\nbra.uni DONE;\n"
      "L1:\nmul.lo.u32 %r3, %r1, 2;\nbra.uni DONE;\n"
      "L2:\nsub.u32 %r3, 0, %r1;\n"
      "DONE:\n"
      "mul.wide.u32 %rd2, %r1, 4;\nadd.s64 %rd3, %rd1, %rd2;\nst.global.u32 [%rd3], %r3;\nret;\n}\n";
  auto dev = make_sim_device();
  ModuleHandle mod = dev->load_ptx("brx.ptx", ptx);
  DevPtr out = dev->alloc(64 * 4);
  dev->launch(mod, "k", grid(1, 64), args(out));
  auto v = dev->download<int32_t>(out, 64);
  for (int i = 0; i < 64; ++i) {
    const int expected = i == 31 ? 1000 : i % 3 == 0 ? i + 100 : i % 3 == 1 ? i * 2 : -i;
    EXPECT_EQ(v[i], expected) << "thread " << i;
  }
}

}  // namespace

namespace {

// The timing model runs the same step_warp: indirect calls whose lanes split by target and
// 128-bit vectors give the same results there.
TEST(PtxCoverageTiming, FunctionPointersAndVectorsInTimingMode) {
  SimDeviceOptions o;
  o.mode = SimMode::Timing;
  auto dev = make_sim_device(o);
  ModuleHandle mod = dev->load_ptx("ptx_coverage.ptx", read_fixture("ptx_coverage.ptx"));
  const unsigned n = 64;
  std::vector<int32_t> sel(n);
  for (unsigned i = 0; i < n; ++i) sel[i] = int32_t(i % 5);
  DevPtr dsel = dev->upload(sel), out = dev->alloc(2 * n * 4);
  const LaunchStats s = dev->launch(mod, "function_pointers", grid(1, n), args(dsel, out));
  EXPECT_GT(s.cycles, 0u);
  auto v = dev->download<int32_t>(out, 2 * n);
  for (int i = 0; i < int(n); ++i) {
    const int op = sel[i] % 3;
    EXPECT_EQ(v[i], op == 0 ? i + 7 : op == 1 ? i * 7 : i - 7) << i;
    EXPECT_EQ(v[n + i], (i & 1) ? i * i : i * i / 2) << i;
  }
}

}  // namespace
