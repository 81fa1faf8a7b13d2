#include "isa/tensor_map.h"

#include <cstring>

namespace gpusim::isa::tmap {

namespace {

constexpr uint32_t kMagic = 0x4d545347;  // "GSTM"
// Byte offsets of the fields in the 128-byte map.
constexpr unsigned kOffRank = 4, kOffElemBytes = 5, kOffType = 6, kOffSwizzle = 7, kOffFlags = 8,
                   kOffElemStrides = 10, kOffAddress = 16, kOffDims = 24, kOffStrides = 64, kOffBox = 96;

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
    if (m.box[d] == 0 || m.box[d] > 256) return "boxDim[" + std::to_string(d) + "] is outside 1..256";
    if (m.element_strides[d] == 0 || m.element_strides[d] > 8)
      return "elementStrides[" + std::to_string(d) + "] is outside 1..8";
  }
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
  out[kOffFlags] = uint8_t((m.is_float ? 1 : 0) | (m.nan_fill ? 2 : 0));
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
  m.is_float = in[kOffFlags] & 1;
  m.nan_fill = in[kOffFlags] & 2;
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
