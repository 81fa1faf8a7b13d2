// CUDA arrays and texture/surface objects of the runtime library: an adapter over the shared
// model (runtime/texture_objects.h). The records here answer the Get*Desc queries and tell live
// handles and arrays from stale ones.
#pragma once

#include <cuda_runtime_api.h>

#include <map>
#include <memory>

#include "isa/texture_descriptor.h"
#include "runtime/texture_objects.h"
#include "runtime/cudart/cudart_context.h"

// The object behind a cudaArray_t (driver_types.h leaves the struct incomplete): the shared
// layout plus what the runtime's queries return.
struct cudaArray : gpusim::runtime::textures::ArrayLayout {
  cudaChannelFormatDesc desc{};
  cudaExtent extent{};        // as cudaMalloc3DArray took it (height/depth 0 for fewer dimensions)
  unsigned flags = 0;
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
// Runs `body`, turning the shared model's refusals into ApiErrors with the runtime's codes.
template <typename Body>
auto texture_errors(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const runtime::textures::TextureError& e) {
    const cudaError_t code = e.refusal == runtime::textures::Refusal::NotSupported     ? cudaErrorNotSupported
                             : e.refusal == runtime::textures::Refusal::InvalidChannel ? cudaErrorInvalidChannelDescriptor
                                                                                      : cudaErrorInvalidValue;
    throw ApiError(code, e.what());
  }
}

}  // namespace gpusim::cudart
