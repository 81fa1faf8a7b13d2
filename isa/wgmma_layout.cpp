#include "isa/wgmma_layout.h"

#include <cstdio>

namespace gpusim::isa::wgmma {

unsigned swizzle_bytes(Swizzle s) {
  switch (s) {
    case Swizzle::B32: return 32;
    case Swizzle::B64: return 64;
    case Swizzle::B128: return 128;
    default: return 0;
  }
}

const char* swizzle_name(Swizzle s) {
  switch (s) {
    case Swizzle::B32: return "32B swizzle";
    case Swizzle::B64: return "64B swizzle";
    case Swizzle::B128: return "128B swizzle";
    default: return "no swizzle";
  }
}

MatrixDescriptor decode_descriptor(uint64_t bits) {
  constexpr uint64_t k14 = (1u << 14) - 1;
  MatrixDescriptor d;
  d.start = uint32_t(bits & k14) << 4;
  d.leading = uint32_t((bits >> 16) & k14) << 4;
  d.stride = uint32_t((bits >> 32) & k14) << 4;
  d.base_offset = uint32_t((bits >> 49) & 7);
  d.swizzle = Swizzle((bits >> 62) & 3);
  return d;
}

std::string describe(const MatrixDescriptor& d) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "start 0x%x, LBO %u, SBO %u, base offset %u, %s", d.start, d.leading, d.stride,
                d.base_offset, swizzle_name(d.swizzle));
  return buf;
}

namespace {

// Bits [4, 4+b) of a byte address are XORed with bits [7, 7+b): 16-byte chunk c of the r-th
// 16 * 2^b-byte row of a swizzle atom lands at chunk c ^ (r mod 2^b).
uint32_t apply_swizzle(uint32_t addr, Swizzle s) {
  const unsigned bytes = swizzle_bytes(s);
  if (!bytes) return addr;
  const uint32_t chunk_mask = bytes / 16 - 1;
  return addr ^ (((addr >> 7) & chunk_mask) << 4);
}

}  // namespace

uint32_t element_address(const MatrixDescriptor& d, bool k_major, unsigned elem_bytes, unsigned mn, unsigned k) {
  const unsigned width = swizzle_bytes(d.swizzle);  // bytes per row of a swizzle atom
  uint32_t offset = 0;
  if (k_major) {
    // Core matrices of 8 (M/N) rows x 16 bytes of K. A group of 8 rows is SBO from the next.
    const uint32_t kbyte = k * elem_bytes;
    if (width == 0) offset = (mn % 8) * 16 + (mn / 8) * d.stride + (kbyte / 16) * d.leading + kbyte % 16;
    else offset = (mn % 8) * width + (mn / 8) * d.stride + kbyte;  // K always fits one atom row (32 bytes)
  } else {
    // M/N contiguous. Without swizzle: 16-byte runs of M/N, 8 K-rows per core matrix 16 bytes
    // apart; core matrices SBO apart along M/N and LBO apart along K. With a swizzle: runs of
    // `width` bytes, 8 K-rows `width` apart; LBO along M/N past the atom, SBO per 8 K.
    const uint32_t mnbyte = mn * elem_bytes;
    if (width == 0) offset = mnbyte % 16 + (mnbyte / 16) * d.stride + (k % 8) * 16 + (k / 8) * d.leading;
    else offset = mnbyte % width + (mnbyte / width) * d.leading + (k % 8) * width + (k / 8) * d.stride;
  }
  return apply_swizzle(d.start + offset, d.swizzle);
}

RowCol accumulator_element(unsigned thread, unsigned i) {
  const unsigned warp = thread / 32, lane = thread % 32;
  return {16 * warp + lane / 4 + 8 * ((i / 2) % 2), 8 * (i / 4) + 2 * (lane % 4) + i % 2};
}

RowCol register_a_element(unsigned thread, unsigned i, unsigned elem_bytes) {
  const unsigned warp = thread / 32, lane = thread % 32, g = lane / 4, t = lane % 4;
  switch (elem_bytes) {
    case 4: return {16 * warp + g + 8 * (i % 2), t + 4 * (i / 2)};
    case 1: {
      const unsigned reg = i / 4;
      return {16 * warp + g + 8 * (reg % 2), 4 * t + i % 4 + 16 * (reg / 2)};
    }
    default: return {16 * warp + g + 8 * ((i / 2) % 2), 2 * t + i % 2 + 8 * (i / 4)};
  }
}

}  // namespace gpusim::isa::wgmma
