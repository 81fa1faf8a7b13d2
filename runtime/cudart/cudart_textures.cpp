// Texture and surface objects: cudaCreateTextureObject / cudaCreateSurfaceObject turn CUDA's
// resource and texture descriptors into the shared model's terms (runtime/texture_objects.h),
// which builds the descriptor a kernel's tex/suld/sust read and hands out its device address as
// the handle; the records here answer the Get*Desc queries.
#include <cuda_runtime_api.h>

#include <string>

#include "runtime/cudart/cudart_memory.h"
#include "runtime/cudart/cudart_textures.h"

namespace gpusim::cudart {

namespace {

namespace tex = isa::tex;

namespace textures = runtime::textures;

// The memory and format of a resource, as descriptor fields.
tex::Descriptor describe_resource(Context& ctx, const cudaResourceDesc& r, bool surface) {
  const int type = gpusim::runtime::raw_enum_value(r.resType);
  if (surface && type != cudaResourceTypeArray)
    throw ApiError(cudaErrorInvalidValue, "a surface object needs a CUDA array resource (cudaResourceTypeArray)");
  if (r.flags != 0) throw ApiError(cudaErrorInvalidValue, "cudaResourceDesc::flags must be zero");
  tex::Descriptor format;
  switch (type) {
    case cudaResourceTypeArray: {
      const cudaArray& a = live_array(ctx, r.res.array.array);
      return texture_errors([&] { return textures::describe_array(a, surface); });
    }
    case cudaResourceTypeLinear:
      describe_format(r.res.linear.desc, format);
      return texture_errors([&] {
        return textures::describe_linear(ctx.device(), format, reinterpret_cast<uint64_t>(r.res.linear.devPtr),
                                         r.res.linear.sizeInBytes);
      });
    case cudaResourceTypePitch2D:
      describe_format(r.res.pitch2D.desc, format);
      return texture_errors([&] {
        return textures::describe_pitch2d(ctx.device(), format, reinterpret_cast<uint64_t>(r.res.pitch2D.devPtr),
                                          r.res.pitch2D.width, r.res.pitch2D.height, r.res.pitch2D.pitchInBytes);
      });
    default:
      throw ApiError(cudaErrorNotSupported, "resource type " + std::to_string(type) +
                                                " is not supported (only array, linear and pitch2D)");
  }
}

// `d` already describes the resource: only the address modes of its dimensions are read (a
// program may leave the others unset).
void apply_texture_desc(const cudaTextureDesc& t, tex::Descriptor& d) {
  textures::Sampling s;
  for (unsigned a = 0; a < d.dims; ++a) s.address[a] = gpusim::runtime::raw_enum_value(t.addressMode[a]);
  s.filter = gpusim::runtime::raw_enum_value(t.filterMode);
  const long long read = gpusim::runtime::raw_enum_value(t.readMode);
  if (read != cudaReadModeElementType && read != cudaReadModeNormalizedFloat)
    throw ApiError(cudaErrorInvalidValue, "readMode = " + std::to_string(read));
  s.read_normalized = read == cudaReadModeNormalizedFloat;
  s.normalized_coords = t.normalizedCoords != 0;
  s.srgb = t.sRGB != 0;
  for (unsigned c = 0; c < 4; ++c) s.border[c] = t.borderColor[c];
  texture_errors([&] { textures::apply_sampling(s, d); });
}

uint64_t publish(Context& ctx, const tex::Descriptor& d, ObjectRecord record) {
  const runtime::DevPtr handle = texture_errors([&] { return textures::publish(ctx.device(), d); });
  texture_state(ctx).objects[handle] = record;
  return handle;
}

void destroy(Context& ctx, uint64_t handle, bool surface) {
  if (handle == 0) return;
  auto& objects = texture_state(ctx).objects;
  auto it = objects.find(handle);
  if (it == objects.end() || it->second.surface != surface)
    throw ApiError(cudaErrorInvalidValue, std::string("not a live ") + (surface ? "surface" : "texture") + " object");
  textures::erase(ctx.device(), handle);
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
