// The im2col mode of cp.async.bulk.tensor: which tensor element lands in each slot of the
// shared-memory box, as a pure function of the tensor map and the instruction's coordinates.
//
// Reference: PTX ISA 9.0, "Tensor copy: im2col mode", with the map's fields from
// cuTensorMapEncodeIm2col (CUDA driver API). The tensor is N(D)(H)WC: dimension 0 holds the
// channels, 1..rank-2 the spatial W, H, D, rank-1 the batch N. The bounding box spans, in each
// spatial dimension s, [lower_corner[s], dims[s] - 1 + upper_corner[s]]. The copy reads
// pixels_per_column pixels: the first at the instruction's spatial and batch coordinates, the
// next ones stepping W by its element stride, wrapping to the box's lower corner and stepping H
// (then D, then N) when W passes the box's upper corner. The pixel actually read is the
// traversal position plus the instruction's im2col offsets (a filter tap), and from it
// channels_per_pixel consecutive channels starting at the channel coordinate. Pixel p's channel c
// is box slot p * channels_per_pixel + c; elements outside the tensor are out of bounds (filled).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "isa/tensor_map.h"

namespace gpusim::isa::tmap {

struct ElementSource {
  bool inside = false;   // false: outside the tensor (the load fills it)
  uint64_t address = 0;  // global address when inside
};

// coords: the instruction's tensor coordinates (C, W, H, D, N order, rank of them); offsets:
// its im2col offsets, one per spatial dimension (W first). m.im2col must be set.
std::vector<ElementSource> im2col_sources(const TensorMap& m, const std::array<int64_t, kMaxRank>& coords,
                                          const std::array<int32_t, kMaxRank - 2>& offsets);

}  // namespace gpusim::isa::tmap
