// CUDA arrays and texture/surface objects of the runtime library.
//
// A CUDA array is a device allocation holding its elements densely, row after row, slice after
// slice (layer after layer); its cudaArray_t is the host-side record below. A texture or
// surface object is a descriptor (isa/texture_descriptor.h) written into a small device
// allocation whose device address is the object's 64-bit handle: kernels read the descriptor
// through the handle (isa/exec_texture.cpp). The records here answer the Get*Desc queries and
// tell live handles and arrays from stale ones.
#pragma once

#include <cuda_runtime_api.h>

#include <map>
#include <memory>

#include "isa/texture_descriptor.h"
#include "runtime/cudart/cudart_context.h"

// The object behind a cudaArray_t (driver_types.h leaves the struct incomplete).
struct cudaArray {
  cudaChannelFormatDesc desc{};
  cudaExtent extent{};        // as cudaMalloc3DArray took it (height/depth 0 for fewer dimensions)
  unsigned flags = 0;
  gpusim::runtime::DevPtr base = 0;
  size_t elem_bytes = 0;
  size_t pitch = 0;           // bytes per row (dense)
  size_t rows = 1;            // rows per slice (height, at least 1)
  size_t slices = 1;          // depth or layers (at least 1)
  size_t bytes() const { return pitch * rows * slices; }
};

namespace gpusim::cudart {

struct ObjectRecord {
  bool surface = false;
  cudaResourceDesc res{};
  cudaTextureDesc tex{};
  bool has_view = false;
  cudaResourceViewDesc view{};
};

class TextureState {
 public:
  std::map<const cudaArray*, std::unique_ptr<cudaArray>> arrays;
  std::map<uint64_t, ObjectRecord> objects;  // by handle (the descriptor's device address)
};

TextureState& texture_state(Context& ctx);
// The live array `a` names; ApiError(cudaErrorInvalidResourceHandle) when it names none.
cudaArray& live_array(Context& ctx, const cudaArray* a);
// Channels, bits per channel and kind of a channel format gpusim supports (1, 2 or 4 equal
// channels of 8, 16 or 32 bits; signed, unsigned or float); ApiError otherwise.
void describe_format(const cudaChannelFormatDesc& f, isa::tex::Descriptor& d);

}  // namespace gpusim::cudart
