// Sparse warp MMA (mma.sp / mma.sp::ordered_metadata) with 2:4-sparse .f16/.bf16 A: how the
// compressed A fragment, the metadata registers and the sparsity selector describe the dense
// 16 x K matrix A (PTX ISA "Sparse matrix storage" and "Matrix Fragments for sparse mma.m16n8k16
// / m16n8k32 with .f16 and .bf16 types"). Pure functions, tested without a warp.
//
// Compressed A: each row keeps the 2 non-zero elements of every 4-wide chunk, so it is a 16 x K/2
// matrix whose fragment is the dense m16n8k(K/2) one. B, C and D are the dense m16n8kK ones.
// Metadata: every chunk has a 4-bit nibble, bits [1:0] the column (0..3) of the chunk's first
// stored element and bits [3:2] that of the second. The lanes of group g (lanes 4g..4g+3)
// describe rows g and g+8; within a metadata word row g's nibbles fill bits 0-15 and row
// g+8's bits 16-31, chunk c of the word's 16 columns at bit 4c (TVM's mma.sp test builds the
// words this way and checks them on sm_80 hardware).
//   m16n8k16: one word per group, from lane 4g + selector (selector 0..3).
//   m16n8k32: two words per group, columns 0-15 from lane 4g + 2*selector and columns 16-31
//             from lane 4g + 2*selector + 1 (selector 0 or 1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpusim::isa::tensor {

// Modifiers::variant of an mma: dense (0), .sp, .sp::ordered_metadata.
namespace MmaVariant {
constexpr uint8_t Sparse = 6, SparseOrdered = 7;
}

// Selector values the ISA defines for a sparse f16/bf16 shape (k16: 4, k32: 2); 0 = no such shape.
unsigned sparse_selector_count(unsigned k);

// The metadata nibble of dense A's row `row`, chunk `chunk` (columns 4*chunk .. 4*chunk+3).
struct MetadataSlot {
  unsigned lane = 0, bit = 0;
};
MetadataSlot sparse_metadata_slot(unsigned k, unsigned selector, unsigned row, unsigned chunk);

// Dense A (16 x k element bits, row-major) from compressed A (16 x k/2) and the 32 lanes'
// metadata words; `error` is set (and names `error_lane`) when a nibble the ISA leaves undefined
// positions a non-zero element: a repeated index, or with ordered metadata a descending pair.
// A chunk whose two stored elements are both zero gives the same product wherever they go, so
// it is accepted with any metadata (zero-filled padding tiles often carry zero metadata).
struct SparseExpansion {
  std::vector<uint32_t> dense;
  std::string error;
  unsigned error_lane = 0;
};
SparseExpansion expand_sparse_a(unsigned k, const std::vector<uint32_t>& compressed,
                                const std::vector<uint32_t>& metadata, unsigned selector, bool ordered);

}  // namespace gpusim::isa::tensor
