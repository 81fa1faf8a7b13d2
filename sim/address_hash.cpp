// Address -> L2 slice / DRAM channel / local line hash (definition in address_hash.h).
#include "sim/address_hash.h"

#include <bit>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

namespace {
int ceil_log2(uint64_t n) { return n <= 1 ? 0 : int(std::bit_width(n - 1)); }
}  // namespace

AddressHash::AddressHash(uint32_t line_bytes, int slices, int channels, uint32_t sets_per_slice)
    : line_bytes_(line_bytes), slices_(uint64_t(slices)), channels_(channels), sets_(sets_per_slice) {
  if (!std::has_single_bit(line_bytes))
    throw std::invalid_argument("address hash: l2.line_bytes (" + std::to_string(line_bytes) +
                                ") must be a power of two");
  if (slices <= 0 || channels <= 0 || slices % channels != 0)
    throw std::invalid_argument("address hash: l2.slices (" + std::to_string(slices) +
                                ") must be a positive multiple of dram.channels (" + std::to_string(channels) +
                                "): each DRAM channel serves a whole number of L2 slices");
  if (sets_per_slice == 0) throw std::invalid_argument("address hash: an L2 slice needs at least one set");
  slice_bits_ = ceil_log2(slices_);
  set_bits_ = ceil_log2(sets_);
}

uint64_t AddressHash::fold(uint64_t x, int bits) const {
  if (bits == 0) return 0;
  const uint64_t mask = (uint64_t(1) << bits) - 1;
  uint64_t h = 0;
  for (; x != 0; x >>= bits) h ^= x & mask;
  return h;
}

int AddressHash::slice_of(uint64_t line_address) const {
  const uint64_t line = line_address / line_bytes_;
  const uint64_t q = line / slices_, r = line % slices_;
  return int((r + fold(q, slice_bits_)) % slices_);
}

uint64_t AddressHash::local_line_address(uint64_t line_address) const {
  const uint64_t q = line_address / line_bytes_ / slices_;
  const uint64_t high = q / sets_;
  const uint64_t set = (q % sets_ + fold(high, set_bits_)) % sets_;
  return (high * sets_ + set) * line_bytes_;
}

}  // namespace gpusim::sim
