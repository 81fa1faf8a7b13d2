// What the wgmma tests (floating-point and integer) share: reference layouts written from the
// PTX ISA's definitions (canonical shared-memory layouts with the row-XOR-chunk swizzle, the
// m64nN accumulator fragment) rather than taken from isa/wgmma_layout.cpp, which they check;
// and the one-warpgroup test kernel around the wgmma instruction under test.
#pragma once

#include <cstdint>
#include <string>

namespace gpusim::test {

// One operand's placement in shared memory, as the PTX ISA's canonical layouts define it.
struct WgmmaPlacement {
  uint32_t base = 0;      // byte address of the operand (aligned to its swizzle atom)
  unsigned swizzle = 0;   // 0, 32, 64, 128 bytes
  bool k_major = true;
  uint32_t lbo = 0, sbo = 0;
  unsigned elem = 2;      // bytes per element (1 for FP8)

  uint64_t descriptor() const {
    const uint64_t mode = swizzle == 128 ? 1 : swizzle == 64 ? 2 : swizzle == 32 ? 3 : 0;
    return uint64_t(base >> 4) | uint64_t(lbo >> 4) << 16 | uint64_t(sbo >> 4) << 32 | mode << 62;
  }
  // Byte address of element (mn, k): mn = A's row or B's column.
  uint32_t address(unsigned mn, unsigned k) const {
    const unsigned per16 = 16 / elem;  // elements in a 16-byte core-matrix row
    if (swizzle == 0) {
      // 8 x 16-byte core matrices; along K (K-major) or M/N (MN-major) the next one is LBO / SBO away.
      if (k_major) return base + (mn / 8) * sbo + (k / per16) * lbo + (mn % 8) * 16 + (k % per16) * elem;
      return base + (mn / per16) * sbo + (k / 8) * lbo + (k % 8) * 16 + (mn % per16) * elem;
    }
    // Rows of `swizzle` bytes, 8 rows an atom; the 16-byte chunk c of atom row r is stored at
    // chunk c XOR (the index of the 128-byte line the row lies in, within the atom).
    const unsigned chunks = swizzle / 16;
    unsigned row, byte_in_row;
    uint32_t group;
    if (k_major) row = mn % 8, byte_in_row = k * elem, group = (mn / 8) * sbo;
    else row = k % 8, byte_in_row = (mn * elem) % swizzle, group = (k / 8) * sbo + (mn * elem / swizzle) * lbo;
    const unsigned line = row * swizzle / 128;
    const unsigned chunk = (byte_in_row / 16) ^ (line % chunks);
    return base + group + row * swizzle + chunk * 16 + byte_in_row % 16;
  }
};

// The accumulator register i of warpgroup thread t holds D(row, col) (PTX ISA: m64nNk16 D
// fragment = mma.m16n8's C fragment repeated every 8 columns, warp w holding rows 16w..16w+15).
inline void accumulator_pos(unsigned t, unsigned i, unsigned& row, unsigned& col) {
  const unsigned w = t / 32, lane = t % 32;
  row = 16 * w + lane / 4 + ((i % 4) >= 2 ? 8 : 0);
  col = (i / 4) * 8 + (lane % 4) * 2 + (i % 2);
}

// "{%d0, %d1, ..}" for `dregs` accumulator registers.
inline std::string wgmma_d_operand(unsigned dregs) {
  std::string d = "{";
  for (unsigned r = 0; r < dregs; ++r) d += (r ? ", %d" : "%d") + std::to_string(r);
  return d + "}";
}

// Kernel "wg" (one warpgroup, 128 threads): copies p_bytes of an image at p_img into dynamic
// shared memory, adds the shared base (in 16-byte units) to the descriptors p_da / p_db, loads
// each thread's `dregs` accumulator registers %d<i> from p_init and four register-A words %a<i>
// from p_afrag, sets %sd to `scale_d`, runs `mma` (which names those registers) between
// wgmma.fence and wait_group 0, and stores the accumulators at p_out (same layout as p_init).
inline std::string wgmma_kernel_text(unsigned dregs, bool scale_d, const std::string& mma) {
  std::string k =
      ".version 8.0\n.target sm_90a\n.address_size 64\n"
      ".extern .shared .align 1024 .b8 smem[];\n"
      ".visible .entry wg(.param .u64 p_img, .param .u32 p_bytes, .param .u64 p_da, .param .u64 p_db,\n"
      "                   .param .u64 p_init, .param .u64 p_afrag, .param .u64 p_out)\n{\n"
      "  .reg .u32 %tid, %i, %bytes, %sbase, %s, %v<4>, %a<4>;\n  .reg .u64 %img, %da, %db, %init, %out, %afrag, %off, %g;\n"
      "  .reg .pred %p, %sd;\n  .reg .b32 %d<" + std::to_string(dregs) + ">;\n";
  k += "  mov.u32 %tid, %tid.x;\n  ld.param.u64 %img, [p_img];\n  ld.param.u32 %bytes, [p_bytes];\n"
       "  ld.param.u64 %da, [p_da];\n  ld.param.u64 %db, [p_db];\n  ld.param.u64 %init, [p_init];\n"
       "  ld.param.u64 %afrag, [p_afrag];\n  ld.param.u64 %out, [p_out];\n"
       "  mov.u32 %sbase, smem;\n  shr.u32 %sbase, %sbase, 4;\n  cvt.u64.u32 %off, %sbase;\n"
       "  add.u64 %da, %da, %off;\n  add.u64 %db, %db, %off;\n"
       "  shl.b32 %i, %tid, 4;\n"
       "COPY:\n  setp.ge.u32 %p, %i, %bytes;\n  @%p bra COPIED;\n  cvt.u64.u32 %off, %i;\n  add.u64 %g, %img, %off;\n"
       "  ld.global.v4.u32 {%v0, %v1, %v2, %v3}, [%g];\n  mov.u32 %s, smem;\n  add.u32 %s, %s, %i;\n  st.shared.v4.u32 [%s], {%v0, %v1, %v2, %v3};\n"
       "  add.u32 %i, %i, 2048;\n  bra COPY;\nCOPIED:\n  bar.sync 0;\n";
  k += "  mul.wide.u32 %off, %tid, " + std::to_string(4 * dregs) + ";\n  add.u64 %init, %init, %off;\n"
       "  add.u64 %out, %out, %off;\n";
  for (unsigned r = 0; r < dregs; ++r) k += "  ld.global.b32 %d" + std::to_string(r) + ", [%init+" + std::to_string(4 * r) + "];\n";
  k += "  mul.wide.u32 %off, %tid, 16;\n  add.u64 %afrag, %afrag, %off;\n";
  for (unsigned r = 0; r < 4; ++r) k += "  ld.global.b32 %a" + std::to_string(r) + ", [%afrag+" + std::to_string(4 * r) + "];\n";
  k += std::string("  setp.") + (scale_d ? "ne" : "eq") + ".u32 %sd, %tid, 4096;\n";  // %tid < 128: true / false
  k += "  wgmma.fence.sync.aligned;\n  " + mma + ";\n";
  k += "  wgmma.commit_group.sync.aligned;\n  wgmma.wait_group.sync.aligned 0;\n";
  for (unsigned r = 0; r < dregs; ++r) k += "  st.global.b32 [%out+" + std::to_string(4 * r) + "], %d" + std::to_string(r) + ";\n";
  k += "  ret;\n}\n";
  return k;
}

}  // namespace gpusim::test
