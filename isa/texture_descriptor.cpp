#include "isa/texture_descriptor.h"

#include <cstring>

namespace gpusim::isa::tex {

const char* invalid_reason(const Descriptor& d) {
  if (d.magic != kTextureMagic && d.magic != kSurfaceMagic) return "not a texture or surface descriptor";
  if (d.dims < 1 || d.dims > 3) return "dimensionality is not 1, 2 or 3";
  if (d.channels != 1 && d.channels != 2 && d.channels != 4) return "channel count is not 1, 2 or 4";
  if (d.channel_bits != 8 && d.channel_bits != 16 && d.channel_bits != 32) return "channel size is not 8, 16 or 32 bits";
  if (d.kind > ChannelKind::Float) return "unknown channel kind";
  if (d.kind == ChannelKind::Float && d.channel_bits == 8) return "8-bit float channels do not exist";
  if (d.resource > Resource::Pitch2D) return "unknown resource type";
  if (d.filter > FilterMode::Linear) return "unknown filter mode";
  for (AddressMode m : d.address)
    if (m > AddressMode::Border) return "unknown address mode";
  if (d.width == 0 || d.height == 0 || d.depth == 0 || d.layers == 0) return "an extent is zero";
  if (d.pitch < d.width * d.texel_bytes()) return "row pitch smaller than a row";
  if (d.read_normalized && d.kind != ChannelKind::Float && d.channel_bits == 32)
    return "normalized-float reads need 8- or 16-bit integer channels";
  return "";
}

std::optional<Descriptor> decode(const uint8_t* bytes) {
  Descriptor d;
  std::memcpy(&d, bytes, sizeof d);
  if (*invalid_reason(d)) return std::nullopt;
  return d;
}

void encode(const Descriptor& d, uint8_t* bytes) {
  std::memset(bytes, 0, kBytes);
  std::memcpy(bytes, &d, sizeof d);
}

}  // namespace gpusim::isa::tex
