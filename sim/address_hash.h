// Where a line lives in the memory side: which L2 slice, which DRAM channel, and the line's
// address inside its slice's cache.
//
// Hash. Let n = number of slices, L = line number (line_address / line_bytes), q = L / n,
// r = L % n, and fold(x) = the XOR of x's consecutive b-bit fields, b = ceil(log2 n), i.e.
// x ^ (x >> b) ^ (x >> 2b) ^ ... masked to b bits. Then
//     slice = (r + fold(q)) mod n.
// Consecutive lines go to consecutive slices (for a fixed q, r walks all n slices), so a stream
// spreads evenly. A power-of-two stride of 2^k lines (k >= log2 n) leaves r fixed and steps q by
// 2^(k - log2 n); fold maps 2^b consecutive multiples of a power of two to 2^b different values
// (their bits land in distinct positions of the b-bit field), so such a stride spreads over the
// slices instead of camping on one, which a plain `L mod n` would do.
// The map L -> (slice, q) is one-to-one (given q and the slice, r follows), so q identifies the
// line inside its slice. Inside the slice the set index is spread the same way:
//     local = (q / sets) * sets + ((q % sets) + fold(q / sets)) mod sets,
// so strided streams also use all sets of a slice.
//
// Channels: every DRAM channel serves slices / channels whole slices; slice s uses channel
// s mod channels, so the slices of a channel are `channels` apart and a stream spreads over the
// channels as evenly as over the slices.
#pragma once

#include <cstdint>

namespace gpusim::sim {

class AddressHash {
 public:
  // line_bytes: a power of two; slices a positive multiple of channels; sets_per_slice > 0.
  AddressHash(uint32_t line_bytes, int slices, int channels, uint32_t sets_per_slice);

  int slice_of(uint64_t line_address) const;
  int channel_of_slice(int slice) const { return slice % channels_; }
  // The line-aligned address the slice's cache stores the line under (see the file comment).
  uint64_t local_line_address(uint64_t line_address) const;

 private:
  uint64_t fold(uint64_t x, int bits) const;

  uint32_t line_bytes_;
  uint64_t slices_;
  int channels_;
  uint64_t sets_;
  int slice_bits_;  // b = ceil(log2 slices)
  int set_bits_;    // ceil(log2 sets)
};

}  // namespace gpusim::sim
