// tex, tld4, txq, suld.b, sust.b and suq in hand-written PTX kernels on the simulated device,
// over descriptors built here (as cudaCreateTextureObject would). Expected values come from the
// texel contents chosen so that the sampling rules give them by hand: T(x, y) = 10 x + 100 y is
// linear, so bilinear filtering of it is exact interpolation, clamped at the edges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "isa/texture_descriptor.h"
#include "tests/isa/sm90_kernel_harness.h"

namespace gpusim {
namespace {

namespace tex = isa::tex;

constexpr unsigned kW = 3, kH = 2;

// A float2 texture (channel 0: 10 x + 100 y, channel 1: its negation) and a 4x2 u32 surface.
struct Objects {
  runtime::DevPtr texture = 0, surface = 0, surface_data = 0;
};

runtime::DevPtr publish(test::Sm90Kernel& k, const tex::Descriptor& d) {
  std::vector<uint8_t> bytes(tex::kBytes);
  tex::encode(d, bytes.data());
  return k.upload(bytes);
}

Objects make_objects(test::Sm90Kernel& k, tex::FilterMode filter) {
  std::vector<float> texels;
  for (unsigned y = 0; y < kH; ++y)
    for (unsigned x = 0; x < kW; ++x) texels.push_back(10.0f * x + 100.0f * y), texels.push_back(-(10.0f * x + 100.0f * y));
  tex::Descriptor d;
  d.magic = tex::kTextureMagic;
  d.dims = 2;
  d.channels = 2;
  d.channel_bits = 32;
  d.base = k.upload(texels);
  d.width = kW;
  d.height = kH;
  d.pitch = kW * 8;
  d.slice_pitch = d.pitch * kH;
  d.filter = filter;
  Objects o;
  o.texture = publish(k, d);
  tex::Descriptor s = d;
  s.magic = tex::kSurfaceMagic;
  s.channels = 1;
  s.kind = tex::ChannelKind::Unsigned;
  s.width = 4;
  s.pitch = 16;
  s.slice_pitch = 32;
  s.base = o.surface_data = k.upload(std::vector<uint32_t>(8, 7));
  o.surface = publish(k, s);
  return o;
}

// A kernel k(tex, surf, out) whose body sees %t, %s, %out (u64), %tid (u32), %fx (tid / 2 as f32),
// %fone (1.0f) and scratch registers.
std::string kernel(const std::string& body) {
  return ".version 8.0\n.target sm_80\n.address_size 64\n"
         ".visible .entry k(.param .u64 pt, .param .u64 ps, .param .u64 po)\n{\n"
         "  .reg .u64 %t, %s, %out, %a;\n  .reg .u32 %tid, %r<8>;\n  .reg .f32 %fx, %fone, %f<8>;\n  .reg .pred %p;\n"
         "  ld.param.u64 %t, [pt];\n  ld.param.u64 %s, [ps];\n  ld.param.u64 %out, [po];\n"
         "  mov.u32 %tid, %tid.x;\n  cvt.rn.f32.u32 %fx, %tid;\n  mul.f32 %fx, %fx, 0f3F000000;\n"
         "  mov.f32 %fone, 0f3F800000;\n  mul.wide.u32 %a, %tid, 16;\n  add.u64 %a, %out, %a;\n" +
         body + "  ret;\n}\n";
}

test::KernelRun run(test::Sm90Kernel& k, const Objects& o, const std::string& body, unsigned threads = 8) {
  runtime::LaunchConfig cfg;
  cfg.grid = {1, 1, 1};
  cfg.block = {threads, 1, 1};
  return k.run("texture_instructions_test", kernel(body), cfg, runtime::args(o.texture, o.surface, k.out()));
}

float as_float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

TEST(TextureInstructions, Tex2dBilinearOfALinearFunction) {
  test::Sm90Kernel k(8 * 4);
  const Objects o = make_objects(k, tex::FilterMode::Linear);
  const auto r = run(k, o,
                     "  tex.2d.v4.f32.f32 {%f0, %f1, %f2, %f3}, [%t, {%fx, %fone}];\n"
                     "  st.global.v4.f32 [%a], {%f0, %f1, %f2, %f3};\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned t = 0; t < 8; ++t) {
    // x = t / 2 samples between texel columns x - 0.5 (clamped to [0, 2]); y = 1 is halfway
    // between the rows: 100 * 0.5.
    const float cx = std::min(std::max(t * 0.5f - 0.5f, 0.0f), 2.0f);
    EXPECT_EQ(as_float(r.out[4 * t]), 10 * cx + 50) << "thread " << t;
    EXPECT_EQ(as_float(r.out[4 * t + 1]), -(10 * cx + 50)) << "thread " << t;
    EXPECT_EQ(as_float(r.out[4 * t + 2]), 0.0f);
    EXPECT_EQ(as_float(r.out[4 * t + 3]), 1.0f) << "a missing alpha channel reads 1";
  }
}

TEST(TextureInstructions, TexIntegerCoordinatesClampAndTxqReportsTheExtent) {
  test::Sm90Kernel k(8 * 4);
  const Objects o = make_objects(k, tex::FilterMode::Point);
  const auto r = run(k, o,
                     "  tex.2d.v4.f32.s32 {%f0, %f1, %f2, %f3}, [%t, {%tid, %tid}];\n"
                     "  txq.width.b32 %r0, [%t];\n  txq.height.b32 %r1, [%t];\n"
                     "  mov.b32 %r2, %f0;\n  st.global.v4.u32 [%a], {%r2, %r0, %r1, %tid};\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned t = 0; t < 8; ++t) {
    const unsigned x = std::min(t, kW - 1), y = std::min(t, kH - 1);
    EXPECT_EQ(as_float(r.out[4 * t]), 10.0f * x + 100.0f * y) << "thread " << t;
    EXPECT_EQ(r.out[4 * t + 1], kW);
    EXPECT_EQ(r.out[4 * t + 2], kH);
  }
}

TEST(TextureInstructions, Tld4GathersTheFootprint) {
  test::Sm90Kernel k(8 * 4);
  const Objects o = make_objects(k, tex::FilterMode::Point);
  const auto r = run(k, o,
                     "  tld4.r.2d.v4.f32.f32 {%f0, %f1, %f2, %f3}, [%t, {%fone, %fone}];\n"
                     "  st.global.v4.f32 [%a], {%f0, %f1, %f2, %f3};\n", 1);
  ASSERT_TRUE(r.error.empty()) << r.error;
  // (1, 1): texels (0..1, 0..1) in the order (0,1) (1,1) (1,0) (0,0).
  EXPECT_EQ(as_float(r.out[0]), 100.0f);
  EXPECT_EQ(as_float(r.out[1]), 110.0f);
  EXPECT_EQ(as_float(r.out[2]), 10.0f);
  EXPECT_EQ(as_float(r.out[3]), 0.0f);
}

TEST(TextureInstructions, SurfaceStoreLoadClampAndZero) {
  test::Sm90Kernel k(8 * 4);
  const Objects o = make_objects(k, tex::FilterMode::Point);
  // Threads 0-7 store 1000 + t at (t % 4, t / 4) (x in bytes), then each loads (t + 1) % ... :
  // with .clamp past the right edge, .zero past it, and the element itself.
  const auto r = run(k, o,
                     "  and.b32 %r0, %tid, 3;\n  shl.b32 %r0, %r0, 2;\n  shr.u32 %r1, %tid, 2;\n"
                     "  add.u32 %r2, %tid, 1000;\n  sust.b.2d.b32.trap [%s, {%r0, %r1}], {%r2};\n  bar.sync 0;\n"
                     "  suld.b.2d.b32.trap {%r3}, [%s, {%r0, %r1}];\n"
                     "  add.u32 %r4, %r0, 16;\n"  // four elements further right: outside for every thread
                     "  suld.b.2d.b32.clamp {%r5}, [%s, {%r4, %r1}];\n  suld.b.2d.b32.zero {%r6}, [%s, {%r4, %r1}];\n"
                     "  suq.width.b32 %r7, [%s];\n"
                     "  st.global.v4.u32 [%a], {%r3, %r5, %r6, %r7};\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned t = 0; t < 8; ++t) {
    EXPECT_EQ(r.out[4 * t], 1000 + t) << "thread " << t;
    EXPECT_EQ(r.out[4 * t + 1], 1000 + (t / 4) * 4 + 3) << "clamped to the row's last element, thread " << t;
    EXPECT_EQ(r.out[4 * t + 2], 0u) << ".zero outside, thread " << t;
    EXPECT_EQ(r.out[4 * t + 3], 4u);
  }
}

TEST(TextureInstructions, ThreeDimensionalLayeredAndLevelForms) {
  test::Sm90Kernel k(8 * 4);
  Objects o = make_objects(k, tex::FilterMode::Point);
  // 2x2x2 floats, texel (x, y, z) = x + 2 y + 4 z; as a 3-D texture and as 2 layers of 2x2.
  std::vector<float> cube{0, 1, 2, 3, 4, 5, 6, 7};
  tex::Descriptor d;
  d.magic = tex::kTextureMagic;
  d.dims = 3;
  d.base = k.upload(cube);
  d.width = d.height = d.depth = 2;
  d.pitch = 8;
  d.slice_pitch = 16;
  const runtime::DevPtr volume = publish(k, d);
  d.dims = 2;
  d.depth = 1;
  d.layered = 1;
  d.layers = 2;
  const runtime::DevPtr layers = publish(k, d);
  o.texture = volume;
  o.surface = layers;  // the kernel reads it as a texture through %s
  // Thread t samples at (t & 1, t >> 1 & 1, t >> 2) + 0.5 (texel centres), layer = z.
  const auto r = run(k, o,
                     "  and.b32 %r0, %tid, 1;\n  shr.u32 %r1, %tid, 1;\n  and.b32 %r1, %r1, 1;\n  shr.u32 %r2, %tid, 2;\n"
                     "  cvt.rn.f32.u32 %f4, %r0;\n  cvt.rn.f32.u32 %f5, %r1;\n  cvt.rn.f32.u32 %f6, %r2;\n"
                     "  add.f32 %f4, %f4, 0f3F000000;\n  add.f32 %f5, %f5, 0f3F000000;\n  add.f32 %f6, %f6, 0f3F000000;\n"
                     "  tex.3d.v4.f32.f32 {%f0, %f1, %f2, %f3}, [%t, {%f4, %f5, %f6, %f6}];\n  mov.b32 %r3, %f0;\n"
                     "  tex.a2d.v4.f32.f32 {%f0, %f1, %f2, %f3}, [%s, {%r2, %f4, %f5, %f5}];\n  mov.b32 %r4, %f0;\n"
                     "  tex.level.a2d.v4.f32.f32 {%f0, %f1, %f2, %f3}, [%s, {%r2, %f4, %f5, %f5}], %fone;\n  mov.b32 %r5, %f0;\n"
                     "  txq.array_size.b32 %r6, [%s];\n"
                     "  st.global.v4.u32 [%a], {%r3, %r4, %r5, %r6};\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (unsigned t = 0; t < 8; ++t) {
    EXPECT_EQ(as_float(r.out[4 * t]), float(t)) << "tex.3d, thread " << t;
    EXPECT_EQ(as_float(r.out[4 * t + 1]), float(t)) << "tex.a2d, thread " << t;
    EXPECT_EQ(as_float(r.out[4 * t + 2]), float(t)) << "tex.level reads level 0, thread " << t;
    EXPECT_EQ(r.out[4 * t + 3], 2u);
  }
}

TEST(TextureInstructions, FaultsNameTheProblemAndThePlace) {
  test::Sm90Kernel k(8 * 4);
  const Objects o = make_objects(k, tex::FilterMode::Point);
  auto r = run(k, o, "  mov.u32 %r0, 16;\n  suld.b.2d.b32.trap {%r3}, [%s, {%r0, %tid}];\n", 2);
  EXPECT_NE(r.error.find("outside the 4x2x1 surface"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("thread"), std::string::npos) << r.error;
  r = run(k, o, "  add.u64 %t, %t, 8;\n  tex.2d.v4.f32.f32 {%f0, %f1, %f2, %f3}, [%t, {%fx, %fone}];\n", 1);
  EXPECT_NE(r.error.find("is not a texture object handle"), std::string::npos) << r.error;
  r = run(k, o, "  tex.1d.v4.f32.f32 {%f0, %f1, %f2, %f3}, [%t, {%fx}];\n", 1);
  EXPECT_NE(r.error.find("tex.1d on a 2-D object"), std::string::npos) << r.error;
  r = run(k, o, "  tex.2d.v4.f32.f32 {%f0, %f1, %f2, %f3}, [%s, {%fx, %fone}];\n", 1);
  EXPECT_NE(r.error.find("is a surface object, not a texture object"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace gpusim
