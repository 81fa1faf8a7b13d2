// CUDA arrays and texture/surface object descriptors for both libraries (runtime/texture_objects.h).
// The checks are CUDA's documented ones (formats, alignments, sizes), made when the object is
// created so that a kernel only ever reads descriptors it can use.
#include "runtime/texture_objects.h"

#include <cstdio>

namespace gpusim::runtime::textures {

namespace tex = isa::tex;

namespace {

[[noreturn]] void refuse(Refusal r, const std::string& why) { throw TextureError(r, why); }

std::string hex(DevPtr p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(p));
  return buf;
}

// What every buffer resource (linear, pitch 2-D) must satisfy: device memory, CUDA's alignment
// (textureAlignment 256), inside its allocation.
void check_buffer(const Device& device, const tex::Descriptor& d) {
  const auto alloc = device.allocation_at(d.base);
  if (!alloc) refuse(Refusal::InvalidValue, "the resource's device pointer " + hex(d.base) + " is not device memory");
  if (d.base % 256) refuse(Refusal::InvalidValue, "the resource's device pointer is not 256-byte aligned (what cudaMalloc returns)");
  if (d.width == 0 || d.height == 0) refuse(Refusal::InvalidValue, "the resource has no texels");
  if (d.pitch < d.width * d.texel_bytes()) refuse(Refusal::InvalidValue, "the row pitch is smaller than a row");
  if (d.base + d.pitch * (d.height - 1) + d.width * d.texel_bytes() > alloc->base + alloc->size)
    refuse(Refusal::InvalidValue, "the resource reaches past the end of its allocation");
}

tex::Descriptor buffer_descriptor(const tex::Descriptor& format) {
  tex::Descriptor d;
  d.magic = tex::kTextureMagic;
  d.channels = format.channels;
  d.channel_bits = format.channel_bits;
  d.kind = format.kind;
  return d;
}

}  // namespace

void set_format(tex::Descriptor& format, unsigned channels, unsigned bits, long long kind) {
  if (channels != 1 && channels != 2 && channels != 4)
    refuse(Refusal::InvalidChannel, "a format has 1, 2 or 4 channels, this one " + std::to_string(channels));
  if (bits != 8 && bits != 16 && bits != 32)
    refuse(Refusal::InvalidChannel, "channels are 8, 16 or 32 bits, not " + std::to_string(bits));
  if (kind != static_cast<int>(tex::ChannelKind::Signed) && kind != static_cast<int>(tex::ChannelKind::Unsigned) &&
      kind != static_cast<int>(tex::ChannelKind::Float))
    refuse(Refusal::NotSupported, "channel format kind " + std::to_string(kind) + " is not supported (only signed, unsigned and float)");
  if (kind == static_cast<int>(tex::ChannelKind::Float) && bits == 8)
    refuse(Refusal::InvalidChannel, "there are no 8-bit float channels");
  format.channels = static_cast<uint8_t>(channels);
  format.channel_bits = static_cast<uint8_t>(bits);
  format.kind = static_cast<tex::ChannelKind>(kind);
}

ArrayLayout allocate_array(Device& device, const tex::Descriptor& format, size_t width, size_t height, size_t depth,
                           bool layered, bool surface_load_store) {
  if (width == 0) refuse(Refusal::InvalidValue, "an array of width 0");
  if (layered && depth == 0) refuse(Refusal::InvalidValue, "a layered array needs its layer count as its depth");
  if (!layered && depth != 0 && height == 0) refuse(Refusal::InvalidValue, "a 3-D array needs a height");
  ArrayLayout a;
  a.format = format;
  a.layered = layered;
  a.surface_load_store = surface_load_store;
  a.dims = height == 0 ? 1 : (depth == 0 || layered) ? 2 : 3;
  a.width = width;
  a.elem_bytes = format.texel_bytes();
  a.pitch = width * a.elem_bytes;
  a.rows = height ? height : 1;
  a.slices = depth ? depth : 1;
  // Overflow-safe size: every factor is bounded by the product staying under 2^62.
  const double bytes = static_cast<double>(a.pitch) * static_cast<double>(a.rows) * static_cast<double>(a.slices);
  if (width > (size_t(1) << 40) || bytes > static_cast<double>(size_t(1) << 62))
    refuse(Refusal::InvalidValue, "an array of " + std::to_string(width) + " x " + std::to_string(a.rows) + " x " +
                                      std::to_string(a.slices) + " elements is too large");
  a.base = device.alloc(a.bytes());
  return a;
}

DevPtr array_region(const ArrayLayout& a, size_t x_bytes, size_t y, size_t z, size_t width_bytes, size_t height,
                    size_t depth) {
  if (x_bytes > a.pitch || width_bytes > a.pitch - x_bytes || y > a.rows || height > a.rows - y || z > a.slices ||
      depth > a.slices - z)
    refuse(Refusal::InvalidValue, "the copy reaches outside the CUDA array (" + std::to_string(a.pitch) + " bytes x " +
                                      std::to_string(a.rows) + " rows x " + std::to_string(a.slices) + ")");
  return a.base + z * a.pitch * a.rows + y * a.pitch + x_bytes;
}

tex::Descriptor describe_array(const ArrayLayout& a, bool surface) {
  if (surface && !a.surface_load_store)
    refuse(Refusal::InvalidValue, "the CUDA array was not allocated for surface load/store (cudaArraySurfaceLoadStore, "
                                  "CUDA_ARRAY3D_SURFACE_LDST)");
  tex::Descriptor d = buffer_descriptor(a.format);
  d.magic = surface ? tex::kSurfaceMagic : tex::kTextureMagic;
  d.resource = tex::Resource::Array;
  d.layered = a.layered;
  d.dims = static_cast<uint8_t>(a.dims);
  d.base = a.base;
  d.width = a.width;
  d.height = a.rows;
  d.depth = d.dims == 3 ? a.slices : 1;
  d.layers = a.layered ? a.slices : 1;
  d.pitch = a.pitch;
  d.slice_pitch = a.pitch * a.rows;
  return d;
}

tex::Descriptor describe_linear(const Device& device, const tex::Descriptor& format, DevPtr ptr, size_t bytes) {
  tex::Descriptor d = buffer_descriptor(format);
  d.resource = tex::Resource::Linear;
  d.dims = 1;
  d.base = ptr;
  d.width = bytes / d.texel_bytes();
  d.pitch = d.width * d.texel_bytes();
  d.slice_pitch = d.pitch;
  check_buffer(device, d);
  return d;
}

tex::Descriptor describe_pitch2d(const Device& device, const tex::Descriptor& format, DevPtr ptr, size_t width,
                                 size_t height, size_t pitch) {
  tex::Descriptor d = buffer_descriptor(format);
  d.resource = tex::Resource::Pitch2D;
  d.dims = 2;
  d.base = ptr;
  d.width = width;
  d.height = height;
  d.pitch = pitch;
  d.slice_pitch = pitch * height;
  if (pitch % 32) refuse(Refusal::InvalidValue, "the row pitch is not a multiple of 32 bytes (texturePitchAlignment)");
  check_buffer(device, d);
  return d;
}

void apply_sampling(const Sampling& s, tex::Descriptor& d) {
  for (unsigned a = 0; a < d.dims; ++a) {
    const long long m = s.address[a];
    if (m < static_cast<int>(tex::AddressMode::Wrap) || m > static_cast<int>(tex::AddressMode::Border))
      refuse(Refusal::InvalidValue, "addressMode[" + std::to_string(a) + "] = " + std::to_string(m));
    d.address[a] = static_cast<tex::AddressMode>(m);
  }
  if (s.filter != static_cast<int>(tex::FilterMode::Point) && s.filter != static_cast<int>(tex::FilterMode::Linear))
    refuse(Refusal::InvalidValue, "filterMode = " + std::to_string(s.filter));
  if (s.srgb) refuse(Refusal::NotSupported, "sRGB textures are not supported");
  d.filter = static_cast<tex::FilterMode>(s.filter);
  d.read_normalized = s.read_normalized && d.kind != tex::ChannelKind::Float;
  if (d.read_normalized && d.channel_bits == 32)
    refuse(Refusal::InvalidValue, "reading as normalized floats needs 8- or 16-bit integer channels");
  if (d.filter == tex::FilterMode::Linear && d.integer_result())
    refuse(Refusal::InvalidValue, "linear filtering needs float results (float channels or integers read as normalized floats)");
  d.normalized_coords = s.normalized_coords;
  for (unsigned c = 0; c < 4; ++c) d.border[c] = s.border[c];
}

DevPtr publish(Device& device, const tex::Descriptor& d) {
  if (const char* why = tex::invalid_reason(d); *why) refuse(Refusal::InvalidValue, why);
  uint8_t bytes[tex::kBytes];
  tex::encode(d, bytes);
  const DevPtr handle = device.alloc(tex::kBytes);
  device.copy_to_device(handle, bytes, tex::kBytes);
  return handle;
}

void erase(Device& device, DevPtr handle) {
  uint8_t zero[tex::kBytes] = {};
  device.copy_to_device(handle, zero, tex::kBytes);
  device.free(handle);
}

}  // namespace gpusim::runtime::textures
