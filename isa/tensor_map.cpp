#include "isa/tensor_map.h"

#include <cstring>

namespace gpusim::isa::tmap {

namespace {

constexpr uint32_t kMagic = 0x4d545347;  // "GSTM"
// Byte offsets of the fields in the 128-byte map.
constexpr unsigned kOffRank = 4, kOffElemBytes = 5, kOffType = 6, kOffSwizzle = 7, kOffFlags = 8,
                   kOffElemStrides = 10, kOffAddress = 16, kOffDims = 24, kOffStrides = 64, kOffBox = 96,
                   kOffLower = 106, kOffUpper = 112, kOffChannels = 118, kOffPixels = 120;  // im2col: int16 x3, x3, u16, u16
constexpr uint8_t kFlagFloat = 1, kFlagNanFill = 2, kFlagIm2col = 4;

// The im2col corner range the driver allows for a tensor of this rank (CUDA driver API,
// cuTensorMapEncodeIm2col): one 16-bit offset for 3-D, two 8-bit for 4-D, three 5-bit for 5-D.
int32_t corner_limit(unsigned rank) { return rank == 3 ? 32768 : rank == 4 ? 128 : 16; }

std::optional<std::string> validate_im2col(const TensorMap& m) {
  if (m.rank < 3) return "tensorRank " + std::to_string(m.rank) + " is outside 3..5 (im2col)";
  const int32_t limit = corner_limit(m.rank);
  for (unsigned s = 0; s + 2 < m.rank; ++s) {
    const std::string which = "[" + std::to_string(s) + "]";
    for (const int32_t v : {m.lower_corner[s], m.upper_corner[s]})
      if (v < -limit || v >= limit)
        return "pixelBoxLowerCorner" + which + "/pixelBoxUpperCorner" + which + " (" + std::to_string(v) +
               ") is outside [" + std::to_string(-limit) + ", " + std::to_string(limit - 1) + "] for a rank-" +
               std::to_string(m.rank) + " tensor";
    if (int64_t(m.dims[s + 1]) - 1 + m.upper_corner[s] < m.lower_corner[s])
      return "the bounding box is empty along spatial dimension " + std::to_string(s) + " (lower corner " +
             std::to_string(m.lower_corner[s]) + ", upper corner " + std::to_string(m.dims[s + 1]) + " - 1 + " +
             std::to_string(m.upper_corner[s]) + ")";
  }
  if (m.channels_per_pixel == 0 || m.channels_per_pixel > 256)
    return "channelsPerPixel " + std::to_string(m.channels_per_pixel) + " is outside 1..256";
  if (m.pixels_per_column == 0 || m.pixels_per_column > 1024)
    return "pixelsPerColumn " + std::to_string(m.pixels_per_column) + " is outside 1..1024";
  const uint64_t inner = uint64_t(m.channels_per_pixel) * m.elem_bytes;
  if (m.swizzle_bytes && inner > m.swizzle_bytes)
    return "channelsPerPixel * element size (" + std::to_string(inner) + " bytes) exceeds the " +
           std::to_string(m.swizzle_bytes) + "-byte swizzle span";
  return std::nullopt;
}

template <typename T>
void put(uint8_t* out, unsigned off, T v) { std::memcpy(out + off, &v, sizeof v); }
template <typename T>
T get(const uint8_t* in, unsigned off) {
  T v;
  std::memcpy(&v, in + off, sizeof v);
  return v;
}

}  // namespace

uint64_t TensorMap::box_elements() const {
  if (im2col) return uint64_t(pixels_per_column) * channels_per_pixel;
  uint64_t n = 1;
  for (unsigned d = 0; d < rank; ++d) n *= box_extent(d);
  return n;
}

std::optional<std::string> validate(const TensorMap& m) {
  if (m.rank < 1 || m.rank > kMaxRank) return "tensorRank " + std::to_string(m.rank) + " is outside 1..5";
  if (m.elem_bytes == 0) return std::string("unknown element type");
  if (m.global_address % 16) return std::string("globalAddress is not 16-byte aligned");
  for (unsigned d = 0; d < m.rank; ++d) {
    const std::string dim = "dimension " + std::to_string(d);
    if (m.dims[d] == 0 || m.dims[d] > (1ull << 32)) return "globalDim[" + std::to_string(d) + "] is outside 1..2^32";
    if (d > 0 && (m.strides[d] % 16 || m.strides[d] >= (1ull << 40)))
      return "globalStrides[" + std::to_string(d - 1) + "] (" + std::to_string(m.strides[d]) +
             ") is not a multiple of 16 below 2^40";
    if (!m.im2col && (m.box[d] == 0 || m.box[d] > 256)) return "boxDim[" + std::to_string(d) + "] is outside 1..256";
    if (m.element_strides[d] == 0 || m.element_strides[d] > 8)
      return "elementStrides[" + std::to_string(d) + "] is outside 1..8";
  }
  if (m.im2col) return validate_im2col(m);
  if (uint64_t(m.box[0]) * m.elem_bytes % 16) return std::string("boxDim[0] * element size is not a multiple of 16 bytes");
  if (m.swizzle_bytes && uint64_t(m.box[0]) * m.elem_bytes > m.swizzle_bytes)
    return "boxDim[0] * element size (" + std::to_string(uint64_t(m.box[0]) * m.elem_bytes) + " bytes) exceeds the " +
           std::to_string(m.swizzle_bytes) + "-byte swizzle span";
  return std::nullopt;
}

void encode(const TensorMap& m, uint8_t out[kBytes]) {
  std::memset(out, 0, kBytes);
  put(out, 0, kMagic);
  out[kOffRank] = uint8_t(m.rank);
  out[kOffElemBytes] = uint8_t(m.elem_bytes);
  out[kOffType] = uint8_t(m.data_type);
  out[kOffSwizzle] = uint8_t(m.swizzle_bytes / 16);
  out[kOffFlags] = uint8_t((m.is_float ? kFlagFloat : 0) | (m.nan_fill ? kFlagNanFill : 0) | (m.im2col ? kFlagIm2col : 0));
  for (unsigned s = 0; s < kMaxRank - 2; ++s) {
    put(out, kOffLower + 2 * s, int16_t(m.lower_corner[s]));
    put(out, kOffUpper + 2 * s, int16_t(m.upper_corner[s]));
  }
  put(out, kOffChannels, uint16_t(m.channels_per_pixel));
  put(out, kOffPixels, uint16_t(m.pixels_per_column));
  put(out, kOffAddress, m.global_address);
  for (unsigned d = 0; d < kMaxRank; ++d) {
    out[kOffElemStrides + d] = uint8_t(m.element_strides[d]);
    put(out, kOffDims + 8 * d, m.dims[d]);
    put(out, kOffBox + 2 * d, uint16_t(m.box[d]));
    if (d > 0) put(out, kOffStrides + 8 * (d - 1), m.strides[d]);
  }
}

std::optional<TensorMap> decode(const uint8_t in[kBytes]) {
  if (get<uint32_t>(in, 0) != kMagic) return std::nullopt;
  TensorMap m;
  m.rank = in[kOffRank];
  m.elem_bytes = in[kOffElemBytes];
  m.data_type = in[kOffType];
  m.swizzle_bytes = in[kOffSwizzle] * 16u;
  m.is_float = in[kOffFlags] & kFlagFloat;
  m.nan_fill = in[kOffFlags] & kFlagNanFill;
  m.im2col = in[kOffFlags] & kFlagIm2col;
  for (unsigned s = 0; s < kMaxRank - 2; ++s) {
    m.lower_corner[s] = get<int16_t>(in, kOffLower + 2 * s);
    m.upper_corner[s] = get<int16_t>(in, kOffUpper + 2 * s);
  }
  m.channels_per_pixel = get<uint16_t>(in, kOffChannels);
  m.pixels_per_column = get<uint16_t>(in, kOffPixels);
  m.global_address = get<uint64_t>(in, kOffAddress);
  for (unsigned d = 0; d < kMaxRank; ++d) {
    m.element_strides[d] = in[kOffElemStrides + d];
    m.dims[d] = get<uint64_t>(in, kOffDims + 8 * d);
    m.box[d] = get<uint16_t>(in, kOffBox + 2 * d);
    m.strides[d] = d == 0 ? m.elem_bytes : get<uint64_t>(in, kOffStrides + 8 * (d - 1));
  }
  if (validate(m)) return std::nullopt;  // corrupted bytes that still carry the magic word
  return m;
}

uint32_t box_shared_address(const TensorMap& m, uint32_t base, uint64_t byte_offset) {
  const uint32_t addr = base + uint32_t(byte_offset);
  if (!m.swizzle_bytes) return addr;
  const uint32_t chunk_mask = m.swizzle_bytes / 16 - 1;
  return addr ^ (((addr >> 7) & chunk_mask) << 4);
}

}  // namespace gpusim::isa::tmap
