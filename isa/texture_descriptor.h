// The descriptor behind a texture or surface object handle.
//
// cudaCreateTextureObject / cudaCreateSurfaceObject (runtime/cudart/cudart_textures.cpp) write one
// of these into device memory and hand out its device address as the 64-bit object handle; tex,
// tld4, suld, sust, txq and suq (isa/exec_texture.cpp) read it back through the handle. The
// descriptor therefore lives in the device's own memory (per device, no global table), and a
// handle that does not point at one (wrong value, destroyed object) fails decode() and faults.
#pragma once

#include <cstdint>
#include <optional>

namespace gpusim::isa::tex {

// Values as CUDA's cudaTextureAddressMode / cudaTextureFilterMode / cudaChannelFormatKind.
enum class AddressMode : uint8_t { Wrap = 0, Clamp = 1, Mirror = 2, Border = 3 };
enum class FilterMode : uint8_t { Point = 0, Linear = 1 };
enum class ChannelKind : uint8_t { Signed = 0, Unsigned = 1, Float = 2 };
// What the memory behind the object is: a CUDA array (dense rows), cudaResourceTypeLinear (1-D
// buffer) or cudaResourceTypePitch2D (rows `pitch` bytes apart).
enum class Resource : uint8_t { Array = 0, Linear = 1, Pitch2D = 2 };

constexpr uint32_t kTextureMagic = 0x58455447;  // "GTEX"
constexpr uint32_t kSurfaceMagic = 0x46525347;  // "GSRF"
constexpr unsigned kBytes = 128;                 // what the runtime allocates per object

struct Descriptor {
  uint32_t magic = 0;
  uint8_t dims = 1;               // 1, 2 or 3 (of a layer, for layered arrays)
  uint8_t layered = 0;            // a layered array: `layers` slices of dims-D images
  uint8_t channels = 1;           // 1, 2 or 4
  uint8_t channel_bits = 32;      // 8, 16 or 32 (every channel the same)
  ChannelKind kind = ChannelKind::Float;
  Resource resource = Resource::Array;
  uint8_t read_normalized = 0;    // cudaReadModeNormalizedFloat (8/16-bit integer channels)
  uint8_t normalized_coords = 0;  // coordinates in [0, 1) instead of texels
  FilterMode filter = FilterMode::Point;
  AddressMode address[3] = {AddressMode::Clamp, AddressMode::Clamp, AddressMode::Clamp};
  uint8_t reserved[3] = {};
  uint64_t base = 0;              // device address of texel (0, 0, 0) of layer 0
  uint64_t width = 1, height = 1, depth = 1, layers = 1;  // texels (layers: 1 when not layered)
  uint64_t pitch = 0;             // bytes from one row to the next
  uint64_t slice_pitch = 0;       // bytes from one depth slice (or layer) to the next
  float border[4] = {0, 0, 0, 0};

  bool is_surface() const { return magic == kSurfaceMagic; }
  unsigned texel_bytes() const { return channels * channel_bits / 8; }
  // Integer texels read as integers (cudaReadModeElementType); otherwise tex returns floats.
  bool integer_result() const { return kind != ChannelKind::Float && !read_normalized; }
};
static_assert(sizeof(Descriptor) <= kBytes, "a descriptor fits the bytes the runtime allocates");

// The descriptor in `bytes` (kBytes of them), or nothing when they hold none (bad magic, a field
// out of range): the handle did not name a live object.
std::optional<Descriptor> decode(const uint8_t* bytes);
void encode(const Descriptor& d, uint8_t* bytes);  // kBytes; the unused tail is zeroed
// Why `d` is not a descriptor tex/suld can use, or "" when it is (the runtime checks this
// before it hands out a handle; decode() checks it again).
const char* invalid_reason(const Descriptor& d);

}  // namespace gpusim::isa::tex
