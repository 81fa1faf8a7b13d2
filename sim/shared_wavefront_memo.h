// The bank passes (wavefronts) of summarised shared-memory ops, remembered per SM memory pipeline.
//
// Why: pricing an isa::AffineAccess with the bank model (SharedBanks::cost_affine) was about 220
// host instructions per shared load or store, the largest cost of the MIO submit path, and a
// kernel's shared accesses repeat a handful of shapes (a tile row read at k = 0..15, the same for
// every warp and every tile). The price depends only on the shape (strides, lanes, row width,
// element size and count) and on the base address modulo one row of banks (banks x bank width
// bytes): moving every lane by a multiple of that row moves each word by a multiple of the bank
// count, which keeps every lane's bank and which words are distinct, so the conflicts and phases
// are the same (also across a wrap around 2^64, a multiple of that row; a priced lane block is
// aligned to its size, so none straddles the wrap). A direct-mapped table: a collision only costs
// a recomputation, never a different answer. Test: tests/sim/shared_wavefront_memo_test.cpp.
#pragma once

#include <array>
#include <cstdint>

#include "isa/affine_access.h"

namespace gpusim::sim {

class SharedWavefrontMemo {
 public:
  static constexpr size_t kEntries = 64;

  // `bank_row_bytes`: banks x bank width, a power of two (SharedBanks checks both).
  explicit SharedWavefrontMemo(uint64_t bank_row_bytes) : base_mask_(bank_row_bytes - 1) {}

  // The remembered wavefronts of an access of this shape, or -1.
  int find(const isa::AffineAccess& a) const {
    const Entry& e = table_[slot_of(a)];
    return e.matches(key_of(a)) ? e.wavefronts : -1;
  }
  void store(const isa::AffineAccess& a, int wavefronts) {
    Entry& e = table_[slot_of(a)];
    e.key = key_of(a);
    e.wavefronts = wavefronts;
  }

 private:
  struct Key {
    uint64_t base_in_row = 0;
    int64_t stride = 0, row_stride = 0;
    uint32_t lanes = 0;  // 0: an empty entry (a summary always has lanes)
    uint32_t shape = 0;  // row_shift, elem_size, elements
  };
  struct Entry {
    Key key;
    int wavefronts = 0;
    bool matches(const Key& k) const {
      return key.lanes == k.lanes && key.base_in_row == k.base_in_row && key.stride == k.stride &&
             key.row_stride == k.row_stride && key.shape == k.shape;
    }
  };
  Key key_of(const isa::AffineAccess& a) const {
    return {a.base & base_mask_, a.stride, a.row_stride, a.lanes,
            uint32_t(a.row_shift) | uint32_t(a.elem_size) << 8 | uint32_t(a.elements) << 16};
  }
  size_t slot_of(const isa::AffineAccess& a) const {
    // A multiplicative hash of the fields that vary most between a kernel's accesses.
    const uint64_t h = ((a.base & base_mask_) ^ uint64_t(a.stride) * 0x9e3779b97f4a7c15u ^
                        uint64_t(a.row_stride) * 0xc2b2ae3d27d4eb4fu ^ uint64_t(a.lanes) * 0x165667b19e3779f9u ^
                        uint64_t(a.elements) << 7) *
                       0x9e3779b97f4a7c15u;
    return size_t(h >> 58);  // the top 6 bits: kEntries slots
  }
  static_assert(kEntries == 64, "slot_of keeps the top 6 bits");

  uint64_t base_mask_;
  std::array<Entry, kEntries> table_{};
};

}  // namespace gpusim::sim
