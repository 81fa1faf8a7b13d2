// CUDA arrays and texture/surface objects in API-neutral terms, shared by gpusim's runtime
// (cudaMallocArray, cudaCreateTextureObject; runtime/cudart/cudart_textures.cpp) and driver
// (cuArrayCreate, cuTexObjectCreate; runtime/cudadrv/textures.cpp) libraries, so that both make
// the same descriptors and refuse the same things.
//
// A CUDA array is one device allocation holding its elements densely, row after row, slice
// after slice (layer after layer). A texture or surface object is a descriptor
// (isa/texture_descriptor.h) written into a small device allocation whose address is the
// object's 64-bit handle; kernels read it through the handle (isa/exec_texture.cpp).
#pragma once

#include <stdexcept>
#include <string>

#include "isa/texture_descriptor.h"
#include "runtime/device.h"

namespace gpusim::runtime::textures {

// What CUDA rejects; each library maps it to its own error code.
enum class Refusal { InvalidValue, NotSupported, InvalidChannel };

class TextureError : public std::runtime_error {
 public:
  TextureError(Refusal refusal, const std::string& what) : std::runtime_error(what), refusal(refusal) {}
  Refusal refusal;
};

// The layout of a CUDA array (each library's array handle derives from it).
struct ArrayLayout {
  isa::tex::Descriptor format;  // channels, channel_bits, kind
  unsigned dims = 1;            // of one image: 1, 2 or 3 (2 for a layered 2-D array)
  bool layered = false;
  bool surface_load_store = false;
  DevPtr base = 0;
  size_t width = 0;             // elements per row
  size_t elem_bytes = 0;
  size_t pitch = 0;             // bytes per row (dense)
  size_t rows = 1;              // rows per slice (height, at least 1)
  size_t slices = 1;            // depth or layers (at least 1)
  size_t bytes() const { return pitch * rows * slices; }
};

// Sets a format's channels (1, 2 or 4 of `bits` = 8, 16 or 32 each) and kind, or refuses it.
void set_format(isa::tex::Descriptor& format, unsigned channels, unsigned bits, long long kind);

// Checks an array's shape and allocates it: height 0 is a 1-D array, depth 0 a 2-D one; a
// layered array has `depth` layers of 1-D (height 0) or 2-D images.
ArrayLayout allocate_array(Device& device, const isa::tex::Descriptor& format, size_t width, size_t height,
                           size_t depth, bool layered, bool surface_load_store);

// A copy of `width_bytes` x `height` rows x `depth` slices at (x_bytes, y, z) of the array:
// the device address of its first byte, or TextureError when it reaches outside.
DevPtr array_region(const ArrayLayout& a, size_t x_bytes, size_t y, size_t z, size_t width_bytes, size_t height,
                    size_t depth);

// The descriptor of an object over an array, a linear buffer or a pitched 2-D buffer (`format`
// gives channels and kind). Surfaces need an array allocated for surface load/store.
isa::tex::Descriptor describe_array(const ArrayLayout& a, bool surface);
isa::tex::Descriptor describe_linear(const Device& device, const isa::tex::Descriptor& format, DevPtr ptr,
                                     size_t bytes);
isa::tex::Descriptor describe_pitch2d(const Device& device, const isa::tex::Descriptor& format, DevPtr ptr,
                                      size_t width, size_t height, size_t pitch);

// How a texture is read (cudaTextureDesc / CUDA_TEXTURE_DESC). Address modes and filter use
// CUDA's numbering (the same in both APIs); only the resource's dimensions' modes are read.
struct Sampling {
  long long address[3] = {0, 0, 0};
  long long filter = 0;
  bool read_normalized = false;  // integer texels promoted to [0,1] / [-1,1] floats
  bool normalized_coords = false;
  bool srgb = false;
  float border[4] = {0, 0, 0, 0};
};
void apply_sampling(const Sampling& s, isa::tex::Descriptor& d);

// Writes a checked descriptor into new device memory and returns its address (the handle);
// erase() zeroes it first (a stale handle never reads as a descriptor) and frees it.
DevPtr publish(Device& device, const isa::tex::Descriptor& d);
void erase(Device& device, DevPtr handle);

}  // namespace gpusim::runtime::textures
