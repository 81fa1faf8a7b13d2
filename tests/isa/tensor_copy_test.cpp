// cp.async.bulk.tensor (tile mode) through a tensor map passed as a __grid_constant__-style
// 128-byte kernel parameter (read through cvta.param, as nvcc emits it). Thread 0 loads a box
// into shared memory through an mbarrier, every thread dumps the shared bytes, and optionally
// thread 0 stores the box to a second tensor. Expected bytes are computed here from the box
// definition (origin + index * element stride, out-of-bounds elements zero) and, for the 128B
// swizzle, from "16-byte chunk c of 128-byte row r lands at chunk c ^ (r % 8)".
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

struct Tensor {
  std::vector<uint64_t> dims;     // elements, innermost first
  std::vector<uint64_t> pitches;  // bytes per index step, [0] = element size
  unsigned elem = 4;
  uint64_t bytes() const { return dims.back() * pitches.back(); }
};

MapBytes make_map(const Tensor& t, uint64_t address, std::vector<uint32_t> box, std::vector<uint32_t> estrides,
                  unsigned swizzle = 0) {
  tmap::TensorMap m;
  m.rank = unsigned(t.dims.size());
  m.elem_bytes = t.elem;
  m.global_address = address;
  for (unsigned d = 0; d < m.rank; ++d) {
    m.dims[d] = t.dims[d];
    m.strides[d] = t.pitches[d];
    m.box[d] = box[d];
    m.element_strides[d] = estrides[d];
  }
  m.swizzle_bytes = swizzle;
  EXPECT_FALSE(tmap::validate(m).has_value()) << *tmap::validate(m);
  MapBytes out{};
  tmap::encode(m, out.data());
  return out;
}

// `local_map`: the map is first copied into a .local array and used from there, as nvcc does with
// a CUtensorMap parameter that lacks __grid_constant__.
std::string kernel(unsigned rank, bool store_back, bool local_map = false) {
  std::string map_address = "  mov.b64 %m, tm;\n  cvta.param.u64 %m, %m;\n";
  if (local_map) {
    map_address = "  .local .align 64 .b8 lm[128];\n  .reg .u64 %w;\n";
    for (int i = 0; i < 128; i += 8)
      map_address += "  ld.param.u64 %w, [tm+" + std::to_string(i) + "];\n  st.local.u64 [lm+" + std::to_string(i) + "], %w;\n";
    map_address += "  mov.u64 %m, lm;\n  cvta.local.u64 %m, %m;\n";
  }
  std::string coords = "{";
  for (unsigned d = 0; d < rank; ++d) coords += (d ? ", %c" : "%c") + std::to_string(d);
  coords += "}";
  const std::string R = std::to_string(rank);
  std::string k =
      std::string(test::kSm90PtxHeader) +
      ".visible .entry k(.param .align 64 .b8 tm[128], .param .align 64 .b8 tm2[128], .param .u64 p_out,\n"
      "  .param .u32 p_c0, .param .u32 p_c1, .param .u32 p_c2, .param .u32 p_c3, .param .u32 p_c4, .param .u32 p_bytes)\n{\n"
      "  .reg .u32 %tid, %n, %i, %v, %s, %c<5>, %sb, %sbar;\n  .reg .u64 %m, %m2, %out, %a;\n  .reg .pred %p, %q;\n"
      "  .shared .align 1024 .b8 buf[16384];\n  .shared .align 8 .b64 bar;\n"
      "  mov.u32 %tid, %tid.x;\n  ld.param.u64 %out, [p_out];\n  ld.param.u32 %n, [p_bytes];\n"
      "  ld.param.u32 %c0, [p_c0];\n  ld.param.u32 %c1, [p_c1];\n  ld.param.u32 %c2, [p_c2];\n"
      "  ld.param.u32 %c3, [p_c3];\n  ld.param.u32 %c4, [p_c4];\n"
      "  mov.u32 %sb, buf;\n  mov.u32 %sbar, bar;\n" + map_address +
      "  mov.b64 %m2, tm2;\n  cvta.param.u64 %m2, %m2;\n"
      "  setp.ne.u32 %p, %tid, 0;\n  @%p bra INIT_DONE;\n  mbarrier.init.shared::cta.b64 [%sbar], 1;\nINIT_DONE:\n"
      "  bar.sync 0;\n  @%p bra ISSUED;\n"
      "  mbarrier.arrive.expect_tx.shared::cta.b64 _, [%sbar], %n;\n"
      "  cp.async.bulk.tensor." + R + "d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%sb], [%m, " +
      coords + "], [%sbar];\n"
      "ISSUED:\n  mbarrier.try_wait.parity.shared::cta.b64 %q, [%sbar], 0;\n  @!%q bra ISSUED;\n"
      "  shl.b32 %i, %tid, 2;\n"
      "DUMP:\n  setp.ge.u32 %q, %i, %n;\n  @%q bra DUMPED;\n  add.u32 %s, %sb, %i;\n  ld.shared.u32 %v, [%s];\n"
      "  cvt.u64.u32 %a, %i;\n  add.u64 %a, %out, %a;\n  st.global.u32 [%a], %v;\n  add.u32 %i, %i, 512;\n  bra DUMP;\n"
      "DUMPED:\n  bar.sync 0;\n";
  if (store_back)
    k += "  @%p bra DONE;\n  fence.proxy.async.shared::cta;\n"
         "  cp.async.bulk.tensor." + R + "d.global.shared::cta.tile.bulk_group [%m2, " + coords + "], [%sb];\n"
         "  cp.async.bulk.commit_group;\n  cp.async.bulk.wait_group 0;\nDONE:\n";
  k += "  ret;\n}\n";
  return k;
}

struct Outcome {
  std::vector<uint8_t> smem;   // the box as it landed in shared memory
  std::vector<uint8_t> dst;    // the second tensor after the store-back
  std::string error;
};

// Tensor bytes: element i holds i + 1 in its low bytes (never zero, so OOB zeros stand out).
std::vector<uint8_t> tensor_bytes(const Tensor& t) {
  std::vector<uint8_t> b(t.bytes(), 0xee);
  const unsigned rank = unsigned(t.dims.size());
  std::vector<uint64_t> idx(rank, 0);
  for (uint64_t n = 1;; ++n) {
    uint64_t off = 0;
    for (unsigned d = 0; d < rank; ++d) off += idx[d] * t.pitches[d];
    std::memcpy(b.data() + off, &n, t.elem);
    unsigned d = 0;
    while (d < rank && ++idx[d] == t.dims[d]) idx[d++] = 0;
    if (d == rank) break;
  }
  return b;
}

Outcome run(const Tensor& t, const MapBytes& load_map_bytes, bool corrupt, const std::vector<int32_t>& c, uint32_t box_bytes,
            bool store_back, const std::vector<uint32_t>& box, const std::vector<uint32_t>& es, bool local_map = false) {
  test::Sm90Kernel k(16384 / 4);
  const std::vector<uint8_t> src = tensor_bytes(t);
  const auto d_src = k.upload(src);
  const auto d_dst = k.upload(std::vector<uint8_t>(src.size(), 0));
  MapBytes m1 = load_map_bytes;
  if (!corrupt) m1 = make_map(t, d_src, box, es);
  else m1[0] ^= 0xff;
  const MapBytes m2 = make_map(t, d_dst, box, es);
  std::vector<int32_t> cc = c;
  cc.resize(5, 0);
  Outcome o;
  const test::KernelRun r = k.run("tensor_copy_test", kernel(unsigned(t.dims.size()), store_back, local_map), test::launch_config(128),
                                  runtime::args(m1, m2, uint64_t(k.out()), cc[0], cc[1], cc[2], cc[3], cc[4], box_bytes));
  if (!r.error.empty()) {
    o.error = r.error;
    return o;
  }
  o.smem.resize(box_bytes);
  std::memcpy(o.smem.data(), r.out.data(), box_bytes);
  o.dst = k.device().download<uint8_t>(d_dst, src.size());
  return o;
}

// The box's elements in shared-memory order (innermost fastest) and where each comes from.
struct BoxElement {
  bool inside;
  uint64_t global_offset;
};
std::vector<BoxElement> box_elements(const Tensor& t, const std::vector<int32_t>& c, const std::vector<uint32_t>& box,
                                     const std::vector<uint32_t>& es) {
  const unsigned rank = unsigned(t.dims.size());
  std::vector<uint32_t> extent(rank);
  uint64_t total = 1;
  for (unsigned d = 0; d < rank; ++d) total *= extent[d] = (box[d] + es[d] - 1) / es[d];
  std::vector<BoxElement> out;
  for (uint64_t linear = 0; linear < total; ++linear) {
    uint64_t rest = linear, off = 0;
    bool inside = true;
    for (unsigned d = 0; d < rank; ++d) {
      const int64_t coord = c[d] + int64_t(rest % extent[d]) * es[d];
      rest /= extent[d];
      if (coord < 0 || coord >= int64_t(t.dims[d])) inside = false;
      else off += uint64_t(coord) * t.pitches[d];
    }
    out.push_back({inside, off});
  }
  return out;
}

void check_box(const Tensor& t, std::vector<int32_t> c, std::vector<uint32_t> box, std::vector<uint32_t> es) {
  uint32_t bytes = t.elem;
  for (unsigned d = 0; d < t.dims.size(); ++d) bytes *= (box[d] + es[d] - 1) / es[d];
  const Outcome o = run(t, {}, false, c, bytes, true, box, es);
  ASSERT_TRUE(o.error.empty()) << o.error;
  const std::vector<uint8_t> src = tensor_bytes(t);
  std::vector<uint8_t> want_dst(src.size(), 0);
  const auto elems = box_elements(t, c, box, es);
  ASSERT_EQ(elems.size() * t.elem, bytes);
  for (size_t i = 0; i < elems.size(); ++i) {
    std::vector<uint8_t> want(t.elem, 0);
    if (elems[i].inside) {
      std::memcpy(want.data(), src.data() + elems[i].global_offset, t.elem);
      std::memcpy(want_dst.data() + elems[i].global_offset, want.data(), t.elem);
    }
    EXPECT_EQ(0, std::memcmp(o.smem.data() + i * t.elem, want.data(), t.elem)) << "box element " << i;
  }
  EXPECT_EQ(o.dst, want_dst) << "store-back: in-bounds box elements written, nothing else";
}

TEST(TensorCopy, TwoDimensionalBoxWithPaddedRowsAndOutOfBounds) {
  const Tensor t{{40, 30}, {4, 48 * 4}, 4};  // 40 x 30 u32, rows padded to 48 elements
  check_box(t, {8, 4}, {16, 8}, {1, 1});     // inside
  check_box(t, {32, 26}, {16, 8}, {1, 1});   // past the right and bottom edges
  check_box(t, {-4, -2}, {16, 8}, {1, 1});   // before the left and top edges
}

TEST(TensorCopy, OneThreeAndFiveDimensionsAndElementStrides) {
  check_box(Tensor{{100}, {2}, 2}, {90}, {24}, {1});
  check_box(Tensor{{8, 5, 3}, {2, 16, 96}, 2}, {0, 3, -1}, {8, 4, 3}, {1, 2, 1});
  check_box(Tensor{{8, 3, 2, 3, 2}, {2, 16, 48, 96, 288}, 2}, {0, 2, 1, -1, 1}, {8, 2, 2, 2, 2}, {1, 1, 1, 1, 1});
  check_box(Tensor{{16, 6}, {4, 64}, 4}, {0, 1}, {8, 6}, {2, 3});  // every 2nd column, every 3rd row
}

TEST(TensorCopy, Swizzle128BPermutesChunksByRow) {
  const Tensor t{{64, 16}, {2, 128}, 2};  // 64 f16 per row: one 128-byte row per box row
  const std::vector<uint32_t> box{64, 8}, es{1, 1};
  test::Sm90Kernel k(1024 / 4);
  const std::vector<uint8_t> src = tensor_bytes(t);
  const auto d_src = k.upload(src);
  const MapBytes m = make_map(t, d_src, box, es, 128);
  const test::KernelRun r = k.run("tensor_copy_test", kernel(2, false), test::launch_config(128),
                                  runtime::args(m, m, uint64_t(k.out()), 0, 4, 0, 0, 0, uint32_t(1024)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  std::vector<uint8_t> smem(1024);
  std::memcpy(smem.data(), r.out.data(), 1024);
  for (unsigned r = 0; r < 8; ++r)
    for (unsigned c = 0; c < 8; ++c)
      EXPECT_EQ(0, std::memcmp(smem.data() + r * 128 + ((c ^ r) * 16), src.data() + (4 + r) * 128 + c * 16, 16))
          << "row " << r << " chunk " << c;
}

TEST(TensorCopy, MalformedTensorMapFaults) {
  const Tensor t{{40, 30}, {4, 48 * 4}, 4};
  const Outcome o = run(t, MapBytes{}, true, {0, 0}, 512, false, {16, 8}, {1, 1});
  ASSERT_FALSE(o.error.empty());
  EXPECT_NE(o.error.find("tensor map"), std::string::npos) << o.error;
  EXPECT_NE(o.error.find("malformed"), std::string::npos) << o.error;
}

// The PTX ISA takes a tensor map only from .param, .const or .global memory: one copied to local
// memory (a CUtensorMap parameter without __grid_constant__, the classic Hopper porting mistake)
// faults as it fails on a GPU, naming the fix; it loaded the right data before.
TEST(TensorCopy, TensorMapInLocalMemoryFaults) {
  const Tensor t{{40, 30}, {4, 48 * 4}, 4};
  const Outcome o = run(t, MapBytes{}, false, {0, 0}, 512, false, {16, 8}, {1, 1}, true);
  ASSERT_FALSE(o.error.empty()) << "the copy ran";
  EXPECT_NE(o.error.find("is in local memory"), std::string::npos) << o.error;
  EXPECT_NE(o.error.find("__grid_constant__"), std::string::npos) << o.error;
}

TEST(TensorCopy, EncoderRejectsWhatCudaRejects) {
  tmap::TensorMap m;
  m.rank = 2;
  m.elem_bytes = 4;
  m.global_address = 0x1000;
  m.dims = {40, 30};
  m.strides = {4, 160};
  m.box = {16, 8};
  m.element_strides = {1, 1};
  EXPECT_FALSE(tmap::validate(m).has_value());
  auto bad = m;
  bad.strides[1] = 100;  // not a multiple of 16
  EXPECT_TRUE(tmap::validate(bad).has_value());
  bad = m;
  bad.box[1] = 257;
  EXPECT_TRUE(tmap::validate(bad).has_value());
  bad = m;
  bad.swizzle_bytes = 32;  // 16 x 4 = 64 bytes of inner box exceed a 32-byte swizzle span
  EXPECT_TRUE(tmap::validate(bad).has_value());
  bad = m;
  bad.global_address = 0x1008;
  EXPECT_TRUE(tmap::validate(bad).has_value());
}

}  // namespace
}  // namespace gpusim
