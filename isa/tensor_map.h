// The simulator's tensor map: what cuTensorMapEncodeTiled (runtime/cudadrv) writes into a
// CUtensorMap's 128 opaque bytes and what cp.async.bulk.tensor (isa/exec_tensor_copy.cpp) reads
// back, plus the box geometry both sides agree on. CUDA keeps the format private, so this one is
// the simulator's own: a magic word, then the fields below at fixed offsets (tensor_map.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace gpusim::isa::tmap {

constexpr unsigned kBytes = 128;   // sizeof(CUtensorMap)
constexpr unsigned kMaxRank = 5;

struct TensorMap {
  uint32_t rank = 0;
  uint32_t elem_bytes = 0;
  uint32_t data_type = 0;        // CUtensorMapDataType, kept for messages and the OOB NaN fill
  bool is_float = false;
  uint64_t global_address = 0;
  std::array<uint64_t, kMaxRank> dims{};          // elements per dimension, innermost first
  std::array<uint64_t, kMaxRank> strides{};       // bytes between consecutive indices; strides[0] = elem_bytes
  std::array<uint32_t, kMaxRank> box{};           // box size in elements
  std::array<uint32_t, kMaxRank> element_strides{};  // 1..8: every n-th element of the box
  uint32_t swizzle_bytes = 0;    // 0, 32, 64, 128
  bool nan_fill = false;         // CU_TENSOR_MAP_FLOAT_OOB_FILL_NAN_REQUEST_ZERO_FMA

  // im2col mode (cuTensorMapEncodeIm2col; box[] unused): the tensor is N(D)(H)WC, dimension 0
  // the channels, 1..rank-2 the spatial W, H, D, rank-1 the batch. A copy reads
  // pixels_per_column pixels of channels_per_pixel channels each (isa/tensor_im2col.h).
  bool im2col = false;
  std::array<int32_t, kMaxRank - 2> lower_corner{};  // per spatial dimension, W first: offset from 0
  std::array<int32_t, kMaxRank - 2> upper_corner{};  // per spatial dimension, W first: offset from dim - 1
  uint32_t channels_per_pixel = 0;
  uint32_t pixels_per_column = 0;

  // Elements the box holds along dimension d (ceil(box / element stride)), and in total
  // (im2col: pixels x channels).
  uint32_t box_extent(unsigned d) const { return (box[d] + element_strides[d] - 1) / element_strides[d]; }
  uint64_t box_elements() const;
  uint64_t box_bytes() const { return box_elements() * elem_bytes; }
};

// Checks what the CUDA driver documents for cuTensorMapEncodeTiled (rank, alignment, stride and
// box limits, swizzle span), or for cuTensorMapEncodeIm2col when m.im2col (rank 3..5, corner
// ranges, a non-empty bounding box, channel and pixel counts); returns the first violation, or
// nothing when the map is valid.
std::optional<std::string> validate(const TensorMap& m);
void encode(const TensorMap& m, uint8_t out[kBytes]);
// The map stored in `in`; nothing when the bytes are not a map that encode() wrote.
std::optional<TensorMap> decode(const uint8_t in[kBytes]);

// Shared-memory byte offset of box element `linear` (innermost dimension fastest): the box is
// dense, then the swizzle permutes 16-byte chunks by address bits, [4, 4+b) ^= [7, 7+b), on the
// absolute shared address `base + offset`. Returns the swizzled absolute address.
uint32_t box_shared_address(const TensorMap& m, uint32_t base, uint64_t byte_offset);

}  // namespace gpusim::isa::tmap
