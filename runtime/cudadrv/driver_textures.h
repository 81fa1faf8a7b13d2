// libcuda's CUDA arrays and texture/surface objects: an adapter over the shared model
// (runtime/texture_objects.h), which libcudart's cudaArray_t and cudaTextureObject_t use too.
// arrays.cpp holds cuArray* and the array copies, textures.cpp cuTexObject* and cuSurfObject*.
#pragma once

#include <cuda.h>

#include <map>
#include <memory>

#include "runtime/cudadrv/driver_state.h"
#include "runtime/texture_objects.h"

// The object behind a CUarray: the shared layout, the descriptor the queries return, and the
// context whose destruction frees it.
struct CUarray_st : gpusim::runtime::textures::ArrayLayout {
  CUDA_ARRAY3D_DESCRIPTOR desc{};
  CUctx_st* context = nullptr;
};

namespace gpusim::cudadrv {

struct TextureObjectRecord {
  bool surface = false;
  CUDA_RESOURCE_DESC resource{};
  CUDA_TEXTURE_DESC texture{};
  CUctx_st* context = nullptr;
};

struct DriverTextures {
  std::map<CUarray_st*, std::unique_ptr<CUarray_st>> arrays;
  std::map<CUdeviceptr, TextureObjectRecord> objects;  // by handle (the descriptor's address)
};

DriverTextures& textures(DriverState& s);
// The live array `a` names; INVALID_HANDLE otherwise.
CUarray_st& live_array(DriverState& s, CUarray a);
// A CUarray_format and channel count as the shared model's format; NOT_SUPPORTED for formats
// gpusim does not model (block-compressed, planar, 10-bit, ...).
isa::tex::Descriptor array_format(CUarray_format format, unsigned channels);
// Runs `body`, turning the shared model's refusals into DriverFailures with the driver's codes.
template <typename Body>
auto texture_errors(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const runtime::textures::TextureError& e) {
    throw DriverFailure{e.refusal == runtime::textures::Refusal::NotSupported ? CUDA_ERROR_NOT_SUPPORTED : CUDA_ERROR_INVALID_VALUE,
                        e.what()};
  }
}
// Frees the arrays and objects made in `context` (its destruction).
void destroy_context_textures(DriverState& s, CUctx_st& context);

}  // namespace gpusim::cudadrv
