// Texture and surface objects in the driver API: cuTexObjectCreate / cuSurfObjectCreate turn the
// driver's resource and texture descriptors into the shared model's terms (runtime/texture_objects.h),
// which builds the descriptor kernels read and hands out its device address as the handle, the
// same as cudaCreateTextureObject. One difference from the runtime API is the driver's: integer
// texels of 8 or 16 bits read as normalized floats unless CU_TRSF_READ_AS_INTEGER is set (32-bit
// ones always read as integers, as CUDA documents).
#include <cuda.h>

#include "runtime/cudadrv/driver_textures.h"
#include "runtime/raw_enum.h"

namespace {

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;
using gpusim::cudadrv::texture_errors;
namespace tex = gpusim::isa::tex;
namespace model = gpusim::runtime::textures;

constexpr unsigned kKnownTextureFlags = CU_TRSF_READ_AS_INTEGER | CU_TRSF_NORMALIZED_COORDINATES | CU_TRSF_SRGB |
                                        CU_TRSF_DISABLE_TRILINEAR_OPTIMIZATION | CU_TRSF_SEAMLESS_CUBEMAP;

tex::Descriptor describe_resource(DriverState& s, const CUDA_RESOURCE_DESC& r, bool surface) {
  const long long type = gpusim::runtime::raw_enum_value(r.resType);
  if (surface && type != CU_RESOURCE_TYPE_ARRAY)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "a surface object needs a CUDA array resource (CU_RESOURCE_TYPE_ARRAY)"};
  if (r.flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "CUDA_RESOURCE_DESC::flags must be zero"};
  switch (type) {
    case CU_RESOURCE_TYPE_ARRAY: {
      const CUarray_st& a = gpusim::cudadrv::live_array(s, r.res.array.hArray);
      return texture_errors([&] { return model::describe_array(a, surface); });
    }
    case CU_RESOURCE_TYPE_LINEAR: {
      const tex::Descriptor format = gpusim::cudadrv::array_format(r.res.linear.format, r.res.linear.numChannels);
      return texture_errors(
          [&] { return model::describe_linear(*s.device, format, r.res.linear.devPtr, r.res.linear.sizeInBytes); });
    }
    case CU_RESOURCE_TYPE_PITCH2D: {
      const tex::Descriptor format = gpusim::cudadrv::array_format(r.res.pitch2D.format, r.res.pitch2D.numChannels);
      return texture_errors([&] {
        return model::describe_pitch2d(*s.device, format, r.res.pitch2D.devPtr, r.res.pitch2D.width, r.res.pitch2D.height,
                                       r.res.pitch2D.pitchInBytes);
      });
    }
    default:
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "resource type " + std::to_string(type) +
                                                        " is not supported by gpusim (array, linear and pitch2D are; "
                                                        "not mipmapped arrays)"};
  }
}

void apply_texture_desc(const CUDA_TEXTURE_DESC& t, tex::Descriptor& d) {
  if (t.flags & ~kKnownTextureFlags) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "unknown texture flags " + std::to_string(t.flags)};
  model::Sampling s;
  for (unsigned a = 0; a < d.dims; ++a) s.address[a] = gpusim::runtime::raw_enum_value(t.addressMode[a]);
  s.filter = gpusim::runtime::raw_enum_value(t.filterMode);
  s.read_normalized = !(t.flags & CU_TRSF_READ_AS_INTEGER) && d.channel_bits < 32;
  s.normalized_coords = t.flags & CU_TRSF_NORMALIZED_COORDINATES;
  s.srgb = t.flags & CU_TRSF_SRGB;
  for (unsigned c = 0; c < 4; ++c) s.border[c] = t.borderColor[c];
  texture_errors([&] { model::apply_sampling(s, d); });
}

CUdeviceptr publish(DriverState& s, const tex::Descriptor& d, gpusim::cudadrv::TextureObjectRecord record) {
  record.context = &gpusim::cudadrv::usable_context(s);
  const CUdeviceptr handle = texture_errors([&] { return model::publish(*s.device, d); });
  gpusim::cudadrv::textures(s).objects[handle] = record;
  return handle;
}

gpusim::cudadrv::TextureObjectRecord& live_object(DriverState& s, CUdeviceptr handle, bool surface) {
  auto& objects = gpusim::cudadrv::textures(s).objects;
  auto it = objects.find(handle);
  if (it == objects.end() || it->second.surface != surface)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string("not a live ") + (surface ? "surface" : "texture") + " object"};
  return it->second;
}

CUresult destroy(DriverState& s, CUdeviceptr handle, bool surface) {
  live_object(s, handle, surface);
  model::erase(*s.device, handle);
  gpusim::cudadrv::textures(s).objects.erase(handle);
  return CUDA_SUCCESS;
}

}  // namespace

extern "C" {

CUresult cuTexObjectCreate(CUtexObject* object, const CUDA_RESOURCE_DESC* res, const CUDA_TEXTURE_DESC* tex_desc,
                           const CUDA_RESOURCE_VIEW_DESC* view) {
  return api_call("cuTexObjectCreate", [&](DriverState& s) {
    if (!object || !res || !tex_desc) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pTexObject, pResDesc or pTexDesc is null"};
    if (view) throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED, "resource views (pResViewDesc) are not supported by gpusim"};
    gpusim::cudadrv::usable_context(s);
    tex::Descriptor d = describe_resource(s, *res, false);
    apply_texture_desc(*tex_desc, d);
    gpusim::cudadrv::TextureObjectRecord record;
    record.resource = *res;
    record.texture = *tex_desc;
    *object = publish(s, d, record);
    return CUDA_SUCCESS;
  });
}

CUresult cuTexObjectDestroy(CUtexObject object) {
  return api_call("cuTexObjectDestroy", [&](DriverState& s) { return destroy(s, object, false); });
}

CUresult cuTexObjectGetResourceDesc(CUDA_RESOURCE_DESC* res, CUtexObject object) {
  return api_call("cuTexObjectGetResourceDesc", [&](DriverState& s) {
    if (!res) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pResDesc is null"};
    *res = live_object(s, object, false).resource;
    return CUDA_SUCCESS;
  });
}

CUresult cuTexObjectGetTextureDesc(CUDA_TEXTURE_DESC* tex_desc, CUtexObject object) {
  return api_call("cuTexObjectGetTextureDesc", [&](DriverState& s) {
    if (!tex_desc) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pTexDesc is null"};
    *tex_desc = live_object(s, object, false).texture;
    return CUDA_SUCCESS;
  });
}

CUresult cuSurfObjectCreate(CUsurfObject* object, const CUDA_RESOURCE_DESC* res) {
  return api_call("cuSurfObjectCreate", [&](DriverState& s) {
    if (!object || !res) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pSurfObject or pResDesc is null"};
    gpusim::cudadrv::usable_context(s);
    const tex::Descriptor d = describe_resource(s, *res, true);
    gpusim::cudadrv::TextureObjectRecord record;
    record.surface = true;
    record.resource = *res;
    *object = publish(s, d, record);
    return CUDA_SUCCESS;
  });
}

CUresult cuSurfObjectDestroy(CUsurfObject object) {
  return api_call("cuSurfObjectDestroy", [&](DriverState& s) { return destroy(s, object, true); });
}

CUresult cuSurfObjectGetResourceDesc(CUDA_RESOURCE_DESC* res, CUsurfObject object) {
  return api_call("cuSurfObjectGetResourceDesc", [&](DriverState& s) {
    if (!res) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pResDesc is null"};
    *res = live_object(s, object, true).resource;
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
