#include "isa/mma_sparse.h"

#include <stdexcept>

namespace gpusim::isa::tensor {

unsigned sparse_selector_count(unsigned k) { return k == 16 ? 4 : k == 32 ? 2 : 0; }

MetadataSlot sparse_metadata_slot(unsigned k, unsigned selector, unsigned row, unsigned chunk) {
  const unsigned words = k / 16;  // metadata words per group: one per 16 dense columns
  const unsigned group = row % 8, upper_row = row / 8;
  return {4 * group + selector * words + chunk / 4, 16 * upper_row + 4 * (chunk % 4)};
}

namespace {
bool is_zero_16bit(uint32_t bits) { return (bits & 0x7fffu) == 0; }  // +-0 in f16 and bf16

std::string nibble_text(uint32_t nibble) {
  std::string s = "0b";
  for (int b = 3; b >= 0; --b) s += char('0' + ((nibble >> b) & 1));
  return s;
}
}  // namespace

SparseExpansion expand_sparse_a(unsigned k, const std::vector<uint32_t>& compressed,
                                const std::vector<uint32_t>& metadata, unsigned selector, bool ordered) {
  if (sparse_selector_count(k) == 0 || selector >= sparse_selector_count(k) || compressed.size() != size_t(16) * k / 2 ||
      metadata.size() != 32)
    throw std::invalid_argument("expand_sparse_a: unsupported shape, selector or operand sizes");
  SparseExpansion out;
  out.dense.assign(size_t(16) * k, 0);
  for (unsigned row = 0; row < 16; ++row)
    for (unsigned chunk = 0; chunk < k / 4; ++chunk) {
      const MetadataSlot slot = sparse_metadata_slot(k, selector, row, chunk);
      const uint32_t nibble = (metadata[slot.lane] >> slot.bit) & 0xfu;
      const unsigned first = nibble & 3u, second = nibble >> 2;
      const uint32_t v0 = compressed[size_t(row) * (k / 2) + 2 * chunk];
      const uint32_t v1 = compressed[size_t(row) * (k / 2) + 2 * chunk + 1];
      const bool undefined = first == second || (ordered && first > second);
      if (undefined && !(is_zero_16bit(v0) && is_zero_16bit(v1)) && out.error.empty()) {
        out.error = "sparse mma metadata " + nibble_text(nibble) + " (bits " + std::to_string(slot.bit + 3) + ".." +
                    std::to_string(slot.bit) + " of lane " + std::to_string(slot.lane) + "'s metadata, row " +
                    std::to_string(row) + " columns " + std::to_string(4 * chunk) + ".." + std::to_string(4 * chunk + 3) +
                    " of A) is undefined by the PTX ISA: " +
                    (first == second ? "both elements get the same column"
                                     : "mma.sp::ordered_metadata needs the first index below the second");
        out.error_lane = slot.lane;
      }
      out.dense[size_t(row) * k + 4 * chunk + second] = v1;
      out.dense[size_t(row) * k + 4 * chunk + first] = v0;
    }
  return out;
}

}  // namespace gpusim::isa::tensor
