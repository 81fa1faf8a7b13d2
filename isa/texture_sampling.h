// Texture sampling as the CUDA C++ Programming Guide's "Texture Fetching" appendix describes it,
// independent of how texels are stored or fetched (isa/exec_texture.cpp supplies the reader).
//
//   - Normalized coordinates are scaled by the extent (x * N); unnormalized ones are used as
//     they are. Wrap and mirror need normalized coordinates; with unnormalized ones they act
//     as clamp (the guide: "only supported for normalized texture coordinates").
//   - Point filtering reads texel floor(x); linear filtering reads the 2 (1-D), 4 (2-D) or 8
//     (3-D) texels around x - 0.5 and weights them with the fraction rounded to 9-bit fixed
//     point with 8 fractional bits (alpha = round(frac * 256) / 256), as the hardware does.
//   - The address mode acts on each texel index: wrap (i mod N), mirror (i reflected, period
//     2N), clamp (to [0, N-1]), border (an index outside reads the border colour).
//   - Integer coordinates (tex .s32 coordinates, tex1Dfetch) are texel indices: no scaling,
//     no filtering. Linear-memory resources read zero outside [0, width).
//   - Texel values: 8/16-bit integer channels read as floats in [0, 1] ([-1, 1] signed) with
//     cudaReadModeNormalizedFloat, 16-bit float channels as floats, integer channels with
//     cudaReadModeElementType as 32-bit integers. Channels the format lacks read as 0, and
//     the fourth (alpha) as 1 (1.0f for float results).
#pragma once

#include <array>
#include <cstdint>

#include "isa/texture_descriptor.h"

namespace gpusim::isa::tex {

// Reads the `size` bytes of one texel at a device address (the caller checks nothing else).
class TexelReader {
 public:
  virtual ~TexelReader() = default;
  virtual void read(uint64_t addr, void* out, unsigned size) = 0;
};

// Coordinates of one fetch: x, y, z as floats (or as integers when `integer`), and the layer
// of a layered texture (clamped to the layers there are).
struct Coords {
  bool integer = false;
  float f[3] = {0, 0, 0};
  int32_t i[3] = {0, 0, 0};
  uint32_t layer = 0;
};

// The four result registers' bits: floats (f32 bits) or, for integer_result() descriptors,
// 32-bit integers.
using Result = std::array<uint32_t, 4>;

Result sample(const Descriptor& d, const Coords& c, TexelReader& reader);
// tld4 (tex2Dgather): channel `component` (0-3) of the four texels linear filtering of (x, y)
// would weight, in the order (i0, j1), (i1, j1), (i1, j0), (i0, j0) where i0 = floor(x - 0.5).
Result gather(const Descriptor& d, const Coords& c, unsigned component, TexelReader& reader);

// The 9-bit fixed-point weight linear filtering uses for a fractional position in [0, 1).
float filter_weight(float frac);

}  // namespace gpusim::isa::tex
