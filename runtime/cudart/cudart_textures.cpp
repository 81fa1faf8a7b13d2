// Texture and surface objects: cudaCreateTextureObject / cudaCreateSurfaceObject build the
// descriptor a kernel's tex/suld/sust read (isa/texture_descriptor.h) from CUDA's resource and
// texture descriptors, write it into a small device allocation and return its device address
// as the handle. What CUDA rejects at creation is rejected here with the reason, so that kernels
// only ever see descriptors they can use.
#include <cuda_runtime_api.h>

#include <cstdio>
#include <string>

#include "runtime/cudart/cudart_memory.h"
#include "runtime/cudart/cudart_textures.h"

namespace gpusim::cudart {

namespace {

namespace tex = isa::tex;

// The memory and format of a resource, as descriptor fields.
tex::Descriptor describe_resource(Context& ctx, const cudaResourceDesc& r, bool surface) {
  tex::Descriptor d;
  d.magic = surface ? tex::kSurfaceMagic : tex::kTextureMagic;
  const int type = gpusim::runtime::raw_enum_value(r.resType);
  if (surface && type != cudaResourceTypeArray)
    throw ApiError(cudaErrorInvalidValue, "a surface object needs a CUDA array resource (cudaResourceTypeArray)");
  if (r.flags != 0) throw ApiError(cudaErrorInvalidValue, "cudaResourceDesc::flags must be zero");
  switch (type) {
    case cudaResourceTypeArray: {
      const cudaArray& a = live_array(ctx, r.res.array.array);
      if (surface && !(a.flags & cudaArraySurfaceLoadStore))
        throw ApiError(cudaErrorInvalidValue, "the CUDA array was not allocated with cudaArraySurfaceLoadStore");
      describe_format(a.desc, d);
      d.resource = tex::Resource::Array;
      d.layered = (a.flags & cudaArrayLayered) != 0;
      d.dims = uint8_t(a.extent.height == 0 ? 1 : (a.extent.depth == 0 || d.layered) ? 2 : 3);
      d.base = a.base;
      d.width = a.extent.width;
      d.height = a.rows;
      d.depth = d.dims == 3 ? a.slices : 1;
      d.layers = d.layered ? a.slices : 1;
      d.pitch = a.pitch;
      d.slice_pitch = a.pitch * a.rows;
      return d;
    }
    case cudaResourceTypeLinear: case cudaResourceTypePitch2D: {
      const bool linear = type == cudaResourceTypeLinear;
      const void* ptr = linear ? r.res.linear.devPtr : r.res.pitch2D.devPtr;
      describe_format(linear ? r.res.linear.desc : r.res.pitch2D.desc, d);
      if (!is_device_side(ctx, ptr)) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "the resource's devPtr %p is not device memory", ptr);
        throw ApiError(cudaErrorInvalidValue, buf);
      }
      d.base = reinterpret_cast<uint64_t>(ptr);
      // CUDA's alignment rules (cudaDeviceProp::textureAlignment, texturePitchAlignment).
      if (d.base % 256) throw ApiError(cudaErrorInvalidValue, "the resource's devPtr is not 256-byte aligned (what cudaMalloc returns)");
      d.resource = linear ? tex::Resource::Linear : tex::Resource::Pitch2D;
      d.dims = linear ? 1 : 2;
      if (linear) {
        d.width = r.res.linear.sizeInBytes / d.texel_bytes();
        d.pitch = d.width * d.texel_bytes();
      } else {
        d.width = r.res.pitch2D.width;
        d.height = r.res.pitch2D.height;
        d.pitch = r.res.pitch2D.pitchInBytes;
        if (d.pitch % 32) throw ApiError(cudaErrorInvalidValue, "pitchInBytes is not a multiple of 32 (texturePitchAlignment)");
      }
      if (d.width == 0 || d.height == 0) throw ApiError(cudaErrorInvalidValue, "the resource has no texels");
      if (d.pitch < d.width * d.texel_bytes()) throw ApiError(cudaErrorInvalidValue, "pitchInBytes is smaller than a row");
      const auto alloc = ctx.device().allocation_at(d.base);
      if (alloc && d.base + d.pitch * (d.height - 1) + d.width * d.texel_bytes() > alloc->base + alloc->size)
        throw ApiError(cudaErrorInvalidValue, "the resource reaches past the end of its allocation");
      d.slice_pitch = d.pitch * d.height;
      return d;
    }
    default:
      throw ApiError(cudaErrorNotSupported, "resource type " + std::to_string(type) +
                                                " is not supported (only array, linear and pitch2D)");
  }
}

// `d` already describes the resource: only the address modes of its dimensions are read (a
// program may leave the others unset).
void apply_texture_desc(const cudaTextureDesc& t, tex::Descriptor& d) {
  for (unsigned a = 0; a < d.dims; ++a) {
    const int m = gpusim::runtime::raw_enum_value(t.addressMode[a]);
    if (m < cudaAddressModeWrap || m > cudaAddressModeBorder)
      throw ApiError(cudaErrorInvalidValue, "addressMode[" + std::to_string(a) + "] = " + std::to_string(m));
    d.address[a] = tex::AddressMode(m);
  }
  const int filter = gpusim::runtime::raw_enum_value(t.filterMode), read = gpusim::runtime::raw_enum_value(t.readMode);
  if (filter != cudaFilterModePoint && filter != cudaFilterModeLinear)
    throw ApiError(cudaErrorInvalidValue, "filterMode = " + std::to_string(filter));
  if (read != cudaReadModeElementType && read != cudaReadModeNormalizedFloat)
    throw ApiError(cudaErrorInvalidValue, "readMode = " + std::to_string(read));
  if (t.sRGB) throw ApiError(cudaErrorNotSupported, "sRGB textures are not supported");
  d.filter = tex::FilterMode(filter);
  d.read_normalized = read == cudaReadModeNormalizedFloat && d.kind != tex::ChannelKind::Float;
  if (d.read_normalized && d.channel_bits == 32)
    throw ApiError(cudaErrorInvalidValue, "cudaReadModeNormalizedFloat needs 8- or 16-bit integer channels");
  if (d.filter == tex::FilterMode::Linear && d.integer_result())
    throw ApiError(cudaErrorInvalidValue, "linear filtering needs float results (float channels or cudaReadModeNormalizedFloat)");
  d.normalized_coords = t.normalizedCoords != 0;
  for (unsigned c = 0; c < 4; ++c) d.border[c] = t.borderColor[c];
}

uint64_t publish(Context& ctx, const tex::Descriptor& d, ObjectRecord record) {
  if (const char* why = tex::invalid_reason(d); *why) throw ApiError(cudaErrorInvalidValue, why);
  uint8_t bytes[tex::kBytes];
  tex::encode(d, bytes);
  const runtime::DevPtr handle = ctx.device().alloc(tex::kBytes);
  ctx.device().copy_to_device(handle, bytes, tex::kBytes);
  texture_state(ctx).objects[handle] = record;
  return handle;
}

void destroy(Context& ctx, uint64_t handle, bool surface) {
  if (handle == 0) return;
  auto& objects = texture_state(ctx).objects;
  auto it = objects.find(handle);
  if (it == objects.end() || it->second.surface != surface)
    throw ApiError(cudaErrorInvalidValue, std::string("not a live ") + (surface ? "surface" : "texture") + " object");
  // Zeroed first, so that a stale handle whose memory is reused never reads as a descriptor.
  uint8_t zero[tex::kBytes] = {};
  ctx.device().copy_to_device(handle, zero, tex::kBytes);
  ctx.device().free(handle);
  objects.erase(it);
}

const ObjectRecord& record(Context& ctx, uint64_t handle, bool surface) {
  auto& objects = texture_state(ctx).objects;
  auto it = objects.find(handle);
  if (it == objects.end() || it->second.surface != surface)
    throw ApiError(cudaErrorInvalidValue, std::string("not a live ") + (surface ? "surface" : "texture") + " object");
  return it->second;
}

}  // namespace

}  // namespace gpusim::cudart

using gpusim::cudart::api;
using gpusim::cudart::ApiError;
using gpusim::cudart::Context;

extern "C" {

cudaError_t cudaCreateTextureObject(cudaTextureObject_t* pTexObject, const cudaResourceDesc* pResDesc,
                                    const cudaTextureDesc* pTexDesc, const cudaResourceViewDesc* pResViewDesc) {
  return api("cudaCreateTextureObject", [&](Context& ctx) {
    if (!pTexObject || !pResDesc || !pTexDesc) throw ApiError(cudaErrorInvalidValue, "null argument");
    if (pResViewDesc) throw ApiError(cudaErrorNotSupported, "resource views (pResViewDesc) are not supported");
    gpusim::isa::tex::Descriptor d = gpusim::cudart::describe_resource(ctx, *pResDesc, false);
    gpusim::cudart::apply_texture_desc(*pTexDesc, d);
    gpusim::cudart::ObjectRecord rec;
    rec.res = *pResDesc;
    rec.tex = *pTexDesc;
    *pTexObject = gpusim::cudart::publish(ctx, d, rec);
  });
}

cudaError_t cudaDestroyTextureObject(cudaTextureObject_t texObject) {
  return api("cudaDestroyTextureObject", [&](Context& ctx) { gpusim::cudart::destroy(ctx, texObject, false); });
}

cudaError_t cudaGetTextureObjectResourceDesc(cudaResourceDesc* pResDesc, cudaTextureObject_t texObject) {
  return api("cudaGetTextureObjectResourceDesc", [&](Context& ctx) {
    if (!pResDesc) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *pResDesc = gpusim::cudart::record(ctx, texObject, false).res;
  });
}

cudaError_t cudaGetTextureObjectTextureDesc(cudaTextureDesc* pTexDesc, cudaTextureObject_t texObject) {
  return api("cudaGetTextureObjectTextureDesc", [&](Context& ctx) {
    if (!pTexDesc) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *pTexDesc = gpusim::cudart::record(ctx, texObject, false).tex;
  });
}

cudaError_t cudaCreateSurfaceObject(cudaSurfaceObject_t* pSurfObject, const cudaResourceDesc* pResDesc) {
  return api("cudaCreateSurfaceObject", [&](Context& ctx) {
    if (!pSurfObject || !pResDesc) throw ApiError(cudaErrorInvalidValue, "null argument");
    const gpusim::isa::tex::Descriptor d = gpusim::cudart::describe_resource(ctx, *pResDesc, true);
    gpusim::cudart::ObjectRecord rec;
    rec.surface = true;
    rec.res = *pResDesc;
    *pSurfObject = gpusim::cudart::publish(ctx, d, rec);
  });
}

cudaError_t cudaDestroySurfaceObject(cudaSurfaceObject_t surfObject) {
  return api("cudaDestroySurfaceObject", [&](Context& ctx) { gpusim::cudart::destroy(ctx, surfObject, true); });
}

cudaError_t cudaGetSurfaceObjectResourceDesc(cudaResourceDesc* pResDesc, cudaSurfaceObject_t surfObject) {
  return api("cudaGetSurfaceObjectResourceDesc", [&](Context& ctx) {
    if (!pResDesc) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *pResDesc = gpusim::cudart::record(ctx, surfObject, true).res;
  });
}

}  // extern "C"
