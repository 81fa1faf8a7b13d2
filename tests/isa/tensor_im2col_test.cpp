// cp.async.bulk.tensor in im2col mode (3-D NWC, 4-D NHWC, 5-D NDHWC) through a tensor map
// passed as a 128-byte kernel parameter. Thread 0 loads pixels_per_column x channels_per_pixel
// elements through an mbarrier, every thread dumps the shared bytes. The expected box comes from
// a CPU im2col written here from the PTX ISA's description in another form than the simulator's
// (a list of every bounding-box position in traversal order, W fastest, read from the start
// position on), plus out-of-bounds fill, and the mode/operand errors name kernel, thread and PC.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "isa/tensor_map.h"
#include "tests/isa/sm90_kernel_harness.h"

namespace gpusim {
namespace {

namespace tmap = isa::tmap;
using MapBytes = std::array<uint8_t, tmap::kBytes>;

struct Im2colCase {
  std::vector<uint64_t> dims;         // C, W, (H, (D,)) N: elements, innermost first
  unsigned elem = 4;
  std::vector<int32_t> lower, upper;  // per spatial dimension, W first
  uint32_t channels = 8, pixels = 16;
  std::vector<uint32_t> estrides;     // per dimension (C's is ignored)
  std::vector<int32_t> coords;        // C, W, (H, (D,)) N
  std::vector<int16_t> offsets;       // per spatial dimension, W first
  bool nan_fill = false;
  bool tile_instruction = false;      // issue .tile on the im2col map (must fault)
  int offset_count = -1;              // offsets the instruction passes (-1: rank - 2)

  unsigned rank() const { return unsigned(dims.size()); }
  std::vector<uint64_t> pitches() const {  // densely packed
    std::vector<uint64_t> p{elem};
    for (unsigned d = 1; d < rank(); ++d) p.push_back(p.back() * dims[d - 1]);
    return p;
  }
  uint64_t tensor_bytes() const { return pitches().back() * dims.back(); }
  uint32_t box_bytes() const { return channels * pixels * elem; }
};

MapBytes make_map(const Im2colCase& c, uint64_t address) {
  tmap::TensorMap m;
  m.rank = c.rank();
  m.elem_bytes = c.elem;
  m.is_float = c.nan_fill;
  m.nan_fill = c.nan_fill;
  m.global_address = address;
  const auto pitches = c.pitches();
  for (unsigned d = 0; d < m.rank; ++d) {
    m.dims[d] = c.dims[d];
    m.strides[d] = pitches[d];
    m.element_strides[d] = c.estrides[d];
  }
  m.im2col = true;
  for (unsigned s = 0; s + 2 < m.rank; ++s) m.lower_corner[s] = c.lower[s], m.upper_corner[s] = c.upper[s];
  m.channels_per_pixel = c.channels;
  m.pixels_per_column = c.pixels;
  EXPECT_FALSE(tmap::validate(m).has_value()) << *tmap::validate(m);
  MapBytes out{};
  tmap::encode(m, out.data());
  return out;
}

std::string kernel(const Im2colCase& c) {
  const unsigned rank = c.rank();
  std::string coords = "{", offs = "{";
  for (unsigned d = 0; d < rank; ++d) coords += (d ? ", %c" : "%c") + std::to_string(d);
  const unsigned noffs = c.offset_count >= 0 ? unsigned(c.offset_count) : rank - 2;
  for (unsigned s = 0; s < noffs; ++s) offs += (s ? ", %o" : "%o") + std::to_string(s);
  coords += "}", offs += "}";
  std::string k = std::string(test::kSm90PtxHeader) +
                  ".visible .entry k(.param .align 64 .b8 tm[128], .param .u64 p_out, .param .u32 p_bytes,\n"
                  "  .param .u32 p_c0, .param .u32 p_c1, .param .u32 p_c2, .param .u32 p_c3, .param .u32 p_c4,\n"
                  "  .param .u16 p_o0, .param .u16 p_o1, .param .u16 p_o2)\n{\n"
                  "  .reg .u32 %tid, %n, %i, %v, %s, %c<5>, %sb, %sbar;\n  .reg .b16 %o<3>;\n"
                  "  .reg .u64 %m, %out, %a;\n  .reg .pred %p, %q;\n"
                  "  .shared .align 1024 .b8 buf[16384];\n  .shared .align 8 .b64 bar;\n"
                  "  mov.u32 %tid, %tid.x;\n  ld.param.u64 %out, [p_out];\n  ld.param.u32 %n, [p_bytes];\n";
  for (unsigned d = 0; d < 5; ++d) k += "  ld.param.u32 %c" + std::to_string(d) + ", [p_c" + std::to_string(d) + "];\n";
  for (unsigned s = 0; s < 3; ++s) k += "  ld.param.u16 %o" + std::to_string(s) + ", [p_o" + std::to_string(s) + "];\n";
  k += "  mov.u32 %sb, buf;\n  mov.u32 %sbar, bar;\n  mov.b64 %m, tm;\n  cvta.param.u64 %m, %m;\n"
       "  setp.ne.u32 %p, %tid, 0;\n  @%p bra INIT_DONE;\n  mbarrier.init.shared::cta.b64 [%sbar], 1;\nINIT_DONE:\n"
       "  bar.sync 0;\n  @%p bra ISSUED;\n  mbarrier.arrive.expect_tx.shared::cta.b64 _, [%sbar], %n;\n";
  const std::string r = std::to_string(rank);
  if (c.tile_instruction)
    k += "  cp.async.bulk.tensor." + r + "d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%sb], [%m, " +
         coords + "], [%sbar];\n";
  else
    k += "  cp.async.bulk.tensor." + r + "d.shared::cluster.global.im2col.mbarrier::complete_tx::bytes [%sb], [%m, " +
         coords + "], [%sbar], " + offs + ";\n";
  k += "ISSUED:\n  mbarrier.try_wait.parity.shared::cta.b64 %q, [%sbar], 0;\n  @!%q bra ISSUED;\n"
       "  shl.b32 %i, %tid, 2;\n"
       "DUMP:\n  setp.ge.u32 %q, %i, %n;\n  @%q bra DUMPED;\n  add.u32 %s, %sb, %i;\n  ld.shared.u32 %v, [%s];\n"
       "  cvt.u64.u32 %a, %i;\n  add.u64 %a, %out, %a;\n  st.global.u32 [%a], %v;\n  add.u32 %i, %i, 512;\n  bra DUMP;\n"
       "DUMPED:\n  ret;\n}\n";
  return k;
}

// Tensor bytes: element i holds i + 1 in its low bytes (never zero, so the fill stands out).
std::vector<uint8_t> tensor_bytes(const Im2colCase& c) {
  std::vector<uint8_t> b(c.tensor_bytes());
  for (uint64_t i = 0; i < b.size() / c.elem; ++i) {
    const uint64_t v = i + 1;
    std::memcpy(b.data() + i * c.elem, &v, c.elem);
  }
  return b;
}

// The CPU reference: every traversal position of the bounding box (W fastest, then H, D, then
// the batch) listed in order; the copy reads `pixels` of them from the start position on,
// shifted by the offsets, `channels` channels each from the channel coordinate.
std::vector<uint8_t> expected_box(const Im2colCase& c) {
  const unsigned spatial = c.rank() - 2;
  std::vector<std::vector<int64_t>> order;  // (w, h, d, n) positions
  std::vector<int64_t> lo(spatial), hi(spatial);
  for (unsigned s = 0; s < spatial; ++s) lo[s] = c.lower[s], hi[s] = int64_t(c.dims[s + 1]) - 1 + c.upper[s];
  const int64_t n0 = c.coords[c.rank() - 1];
  const int64_t batches = int64_t(c.pixels) + 2;  // enough batches for any column
  for (int64_t n = n0; n < n0 + batches * c.estrides[c.rank() - 1]; n += c.estrides[c.rank() - 1]) {
    std::vector<int64_t> p(lo);
    while (true) {
      std::vector<int64_t> entry(p);
      entry.push_back(n);
      order.push_back(entry);
      unsigned s = 0;
      for (; s < spatial; ++s) {
        p[s] += c.estrides[s + 1];
        if (p[s] <= hi[s]) break;
        p[s] = lo[s];
      }
      if (s == spatial) break;
    }
  }
  // The start: the first listed position equal to the instruction's spatial coordinates (in
  // the first batch), which the test cases place on the traversal grid.
  size_t start = 0;
  while (start < order.size()) {
    bool same = true;
    for (unsigned s = 0; s < spatial; ++s) same = same && order[start][s] == c.coords[s + 1];
    if (same) break;
    ++start;
  }
  EXPECT_LT(start, order.size()) << "the test's start coordinates are not on the traversal grid";
  const std::vector<uint8_t> src = tensor_bytes(c);
  const auto pitches = c.pitches();
  std::vector<uint8_t> box(c.box_bytes(), 0);
  for (uint32_t px = 0; px < c.pixels; ++px)
    for (uint32_t ch = 0; ch < c.channels; ++ch) {
      const auto& pos = order.at(start + px);
      const int64_t channel = c.coords[0] + ch, n = pos[spatial];
      bool inside = channel < int64_t(c.dims[0]) && n < int64_t(c.dims.back());
      uint64_t off = uint64_t(channel) * c.elem + uint64_t(n) * pitches.back();
      for (unsigned s = 0; s < spatial; ++s) {
        const int64_t at = pos[s] + c.offsets[s];
        if (at < 0 || at >= int64_t(c.dims[s + 1])) inside = false;
        else off += uint64_t(at) * pitches[s + 1];
      }
      uint8_t* slot = box.data() + (size_t(px) * c.channels + ch) * c.elem;
      if (inside) std::memcpy(slot, src.data() + off, c.elem);
      else if (c.nan_fill) std::memset(slot, 0xff, c.elem), slot[c.elem - 1] = 0x7f;  // 0x7fff..ff
    }
  return box;
}

test::KernelRun run(const Im2colCase& c) {
  test::Sm90Kernel k(16384 / 4);
  const auto d_src = k.upload(tensor_bytes(c));
  const MapBytes map = make_map(c, d_src);
  std::vector<int32_t> cc = c.coords;
  cc.resize(5, 0);
  std::vector<int16_t> oo = c.offsets;
  oo.resize(3, 0);
  return k.run("tensor_im2col_test", kernel(c), test::launch_config(128),
               runtime::args(map, uint64_t(k.out()), c.box_bytes(), cc[0], cc[1], cc[2], cc[3], cc[4], oo[0], oo[1], oo[2]));
}

void expect_box(const Im2colCase& c) {
  const test::KernelRun r = run(c);
  ASSERT_TRUE(r.error.empty()) << r.error;
  const std::vector<uint8_t> want = expected_box(c);
  for (uint32_t i = 0; i < c.pixels * c.channels; ++i)
    EXPECT_EQ(0, std::memcmp(reinterpret_cast<const uint8_t*>(r.out.data()) + i * c.elem, want.data() + i * c.elem, c.elem))
        << "pixel " << i / c.channels << " channel " << i % c.channels;
}

TEST(TensorIm2col, ThreeDimensionalNwcWithPaddingAndNanFill) {
  // W = 10 padded by 1 on each side (3-tap filter: lower -1, upper 1 - 2 = -1), filter tap 2;
  // 16 pixels from W = -1 run through the 10 positions of batch 0 into batch 1.
  Im2colCase c{{8, 10, 2}, 4, {-1}, {-1}, 8, 16, {1, 1, 1}, {0, -1, 0}, {2}};
  c.nan_fill = true;
  expect_box(c);
}

TEST(TensorIm2col, FourDimensionalNhwcCrossingBatchesAndChannelEdge) {
  // 2-byte channels 12..19 of 16 (16..19 lie past C), H 5 x W 6, lower (-1, -1), upper
  // (-1, -1), offsets (1, 2): 40 pixels from (w, h) = (-1, 2) wrap rows and cross into batch 1.
  Im2colCase c{{16, 6, 5, 2}, 2, {-1, -1}, {-1, -1}, 8, 40, {1, 1, 1, 1}, {12, -1, 2, 0}, {1, 2}};
  expect_box(c);
}

TEST(TensorIm2col, FiveDimensionalNdhwcWithWStride) {
  // D 3 x H 3 x W 4, lower (0, 0, -1), upper (0, -1, 0), W stepping by 2, offsets (-1, 1, 0).
  Im2colCase c{{4, 4, 3, 3, 2}, 4, {0, 0, -1}, {0, -1, 0}, 4, 30, {1, 2, 1, 1, 1}, {0, 0, 0, -1, 0}, {-1, 1, 0}};
  expect_box(c);
}

TEST(TensorIm2col, ModeAndOperandMistakesFaultNamingThePlace) {
  Im2colCase c{{8, 10, 2}, 4, {-1}, {-1}, 8, 16, {1, 1, 1}, {0, -1, 0}, {2}};
  c.tile_instruction = true;
  test::KernelRun r = run(c);
  ASSERT_FALSE(r.error.empty());
  EXPECT_NE(r.error.find(".tile on a tensor map built by cuTensorMapEncodeIm2col"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("kernel 'k'"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("thread (0,0,0)"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("PC "), std::string::npos) << r.error;
  c.tile_instruction = false;
  c.dims = {8, 6, 5, 2}, c.lower = {-1, -1}, c.upper = {-1, -1}, c.estrides = {1, 1, 1, 1}, c.coords = {0, 0, 0, 0};
  c.offsets = {0, 0};
  c.offset_count = 1;  // a 4-D im2col copy needs two offsets
  r = run(c);
  ASSERT_FALSE(r.error.empty());
  EXPECT_NE(r.error.find("4d.im2col takes 2 im2col offsets"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("thread (0,0,0)"), std::string::npos) << r.error;
}

TEST(TensorIm2col, EncoderRejectsWhatCudaRejects) {
  tmap::TensorMap m;
  m.rank = 4;
  m.elem_bytes = 2;
  m.global_address = 0x1000;
  m.dims = {16, 6, 5, 2};
  m.strides = {2, 32, 192, 960};
  m.element_strides = {1, 1, 1, 1};
  m.im2col = true;
  m.lower_corner = {-1, -1};
  m.upper_corner = {-1, -1};
  m.channels_per_pixel = 16;
  m.pixels_per_column = 64;
  EXPECT_FALSE(tmap::validate(m).has_value());
  auto bad = m;
  bad.lower_corner[0] = -129;  // 4-D corners are 8-bit
  EXPECT_NE(tmap::validate(bad).value_or("").find("outside [-128, 127]"), std::string::npos);
  bad = m;
  bad.upper_corner[1] = -6;  // H: 5 - 1 - 6 < -1: empty bounding box
  EXPECT_NE(tmap::validate(bad).value_or("").find("bounding box is empty"), std::string::npos);
  bad = m;
  bad.channels_per_pixel = 257;
  EXPECT_TRUE(tmap::validate(bad).has_value());
  bad = m;
  bad.pixels_per_column = 1025;
  EXPECT_TRUE(tmap::validate(bad).has_value());
  bad = m;
  bad.swizzle_bytes = 32;
  bad.channels_per_pixel = 32;  // 64 bytes of channels exceed the 32-byte span
  EXPECT_TRUE(tmap::validate(bad).has_value());
  bad = m;
  bad.rank = 2;
  EXPECT_TRUE(tmap::validate(bad).has_value());
  // A round trip keeps every im2col field.
  MapBytes bytes{};
  tmap::encode(m, bytes.data());
  const auto back = tmap::decode(bytes.data());
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->im2col);
  EXPECT_EQ(back->lower_corner, m.lower_corner);
  EXPECT_EQ(back->upper_corner, m.upper_corner);
  EXPECT_EQ(back->channels_per_pixel, 16u);
  EXPECT_EQ(back->pixels_per_column, 64u);
  EXPECT_EQ(back->box_bytes(), 16u * 64u * 2u);
}

}  // namespace
}  // namespace gpusim
