// CUDA arrays in the driver API: cuArrayCreate / cuArray3DCreate, their descriptors, destruction,
// and the 1-D copies into and out of them (cuMemcpyHtoA, AtoH, DtoA, AtoD, AtoA and the Async
// forms). An array's elements sit densely in one device allocation (runtime/texture_objects.h),
// so a copy is a copy to or from the device address of its byte range, checked against the array;
// cuMemcpy2D/3D reach arrays through memory_2d.cpp with the same check.
#include <cuda.h>

#include "runtime/cudadrv/driver_graph.h"
#include "runtime/cudadrv/driver_textures.h"
#include "runtime/raw_enum.h"

namespace gpusim::cudadrv {

namespace textures_model = runtime::textures;

DriverTextures& textures(DriverState& s) {
  if (!s.texture_model) s.texture_model = std::make_shared<DriverTextures>();
  return *s.texture_model;
}

CUarray_st& live_array(DriverState& s, CUarray a) {
  auto& arrays = textures(s).arrays;
  auto it = arrays.find(a);
  if (it == arrays.end()) throw DriverFailure{CUDA_ERROR_INVALID_HANDLE, "the CUarray is not a live CUDA array (never created, or destroyed)"};
  return *it->second;
}

isa::tex::Descriptor array_format(CUarray_format format, unsigned channels) {
  unsigned bits = 0;
  isa::tex::ChannelKind kind = isa::tex::ChannelKind::Unsigned;
  switch (runtime::raw_enum_value(format)) {
    case CU_AD_FORMAT_UNSIGNED_INT8: bits = 8; break;
    case CU_AD_FORMAT_UNSIGNED_INT16: bits = 16; break;
    case CU_AD_FORMAT_UNSIGNED_INT32: bits = 32; break;
    case CU_AD_FORMAT_SIGNED_INT8: bits = 8, kind = isa::tex::ChannelKind::Signed; break;
    case CU_AD_FORMAT_SIGNED_INT16: bits = 16, kind = isa::tex::ChannelKind::Signed; break;
    case CU_AD_FORMAT_SIGNED_INT32: bits = 32, kind = isa::tex::ChannelKind::Signed; break;
    case CU_AD_FORMAT_HALF: bits = 16, kind = isa::tex::ChannelKind::Float; break;
    case CU_AD_FORMAT_FLOAT: bits = 32, kind = isa::tex::ChannelKind::Float; break;
    default:
      throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED,
                          "array format " + std::to_string(runtime::raw_enum_value(format)) +
                              " is not supported by gpusim (8/16/32-bit integers, half and float are)"};
  }
  isa::tex::Descriptor d;
  texture_errors([&] { textures_model::set_format(d, channels, bits, static_cast<int>(kind)); });
  return d;
}

void destroy_context_textures(DriverState& s, CUctx_st& context) {
  if (!s.texture_model) return;
  DriverTextures& t = *s.texture_model;
  for (auto it = t.objects.begin(); it != t.objects.end();) {
    if (it->second.context != &context) {
      ++it;
      continue;
    }
    try {
      textures_model::erase(*s.device, it->first);
    } catch (const std::exception&) {  // the device went first (a reset): nothing to give back
    }
    it = t.objects.erase(it);
  }
  for (auto it = t.arrays.begin(); it != t.arrays.end();) {
    if (it->second->context != &context) {
      ++it;
      continue;
    }
    try {
      s.device->free(it->second->base);
    } catch (const std::exception&) {
    }
    it = t.arrays.erase(it);
  }
}

}  // namespace gpusim::cudadrv

namespace {

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

constexpr unsigned kKnownFlags = CUDA_ARRAY3D_LAYERED | CUDA_ARRAY3D_SURFACE_LDST | CUDA_ARRAY3D_TEXTURE_GATHER;

CUarray make_array(DriverState& s, const CUDA_ARRAY3D_DESCRIPTOR& desc) {
  CUctx_st& context = gpusim::cudadrv::usable_context(s);
  if (desc.Flags & ~kKnownFlags)
    throw DriverFailure{CUDA_ERROR_NOT_SUPPORTED,
                        "array flags " + std::to_string(desc.Flags) +
                            " (gpusim supports CUDA_ARRAY3D_LAYERED, _SURFACE_LDST and _TEXTURE_GATHER; not cubemaps, "
                            "sparse or deferred-mapping arrays)"};
  const gpusim::isa::tex::Descriptor format = gpusim::cudadrv::array_format(desc.Format, desc.NumChannels);
  auto a = std::make_unique<CUarray_st>();
  static_cast<gpusim::runtime::textures::ArrayLayout&>(*a) = gpusim::cudadrv::texture_errors([&] {
    return gpusim::runtime::textures::allocate_array(*s.device, format, desc.Width, desc.Height, desc.Depth,
                                                     desc.Flags & CUDA_ARRAY3D_LAYERED, desc.Flags & CUDA_ARRAY3D_SURFACE_LDST);
  });
  a->desc = desc;
  a->context = &context;
  CUarray handle = a.get();
  gpusim::cudadrv::textures(s).arrays.emplace(handle, std::move(a));
  return handle;
}

// The device address of `bytes` at byte `offset` of the array (its elements are dense).
CUdeviceptr array_bytes(DriverState& s, CUarray a, size_t offset, size_t bytes) {
  const CUarray_st& array = gpusim::cudadrv::live_array(s, a);
  if (offset > array.bytes() || bytes > array.bytes() - offset)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::to_string(bytes) + " bytes at offset " + std::to_string(offset) +
                                                      " reach outside the " + std::to_string(array.bytes()) + "-byte CUDA array"};
  return array.base + offset;
}

// A copy with an array on one or both sides, as the device-address copy it is (captured as one).
CUresult copy(DriverState& s, const char* call, CUstream* stream, CUmemorytype dst_type, CUdeviceptr dst,
              CUmemorytype src_type, CUdeviceptr src, size_t bytes) {
  if (stream) {
    gpusim::cudadrv::live_stream(s, *stream);
    if (gpusim::cudadrv::record_if_capturing(s, *stream, gpusim::cudadrv::linear_memcpy_node(dst_type, dst, src_type, src, bytes)))
      return CUDA_SUCCESS;
  } else {
    gpusim::cudadrv::check_capture_safe(s, call);
  }
  gpusim::cudadrv::usable_context(s);
  if (bytes == 0) return CUDA_SUCCESS;
  if (dst_type == CU_MEMORYTYPE_HOST) {
    gpusim::cudadrv::flush_device_output(s);  // a blocking copy to the host synchronises
    gpusim::cudadrv::copy_out_pieces(s, reinterpret_cast<void*>(dst), src, bytes);
  } else if (src_type == CU_MEMORYTYPE_HOST) {
    gpusim::cudadrv::copy_in_pieces(s, dst, reinterpret_cast<const void*>(src), bytes);
  } else {
    gpusim::cudadrv::copy_within_pieces(s, dst, src, bytes);
  }
  return CUDA_SUCCESS;
}

}  // namespace

extern "C" {

CUresult cuArrayCreate(CUarray* array, const CUDA_ARRAY_DESCRIPTOR* desc) {
  return api_call("cuArrayCreate", [&](DriverState& s) {
    if (!array || !desc) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pHandle or pAllocateArray is null"};
    CUDA_ARRAY3D_DESCRIPTOR d{};
    d.Width = desc->Width;
    d.Height = desc->Height;
    d.Format = desc->Format;
    d.NumChannels = desc->NumChannels;
    *array = make_array(s, d);
    return CUDA_SUCCESS;
  });
}

CUresult cuArray3DCreate(CUarray* array, const CUDA_ARRAY3D_DESCRIPTOR* desc) {
  return api_call("cuArray3DCreate", [&](DriverState& s) {
    if (!array || !desc) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pHandle or pAllocateArray is null"};
    *array = make_array(s, *desc);
    return CUDA_SUCCESS;
  });
}

CUresult cuArrayDestroy(CUarray array) {
  return api_call("cuArrayDestroy", [&](DriverState& s) {
    CUarray_st& a = gpusim::cudadrv::live_array(s, array);
    s.device->free(a.base);
    gpusim::cudadrv::textures(s).arrays.erase(&a);
    return CUDA_SUCCESS;
  });
}

CUresult cuArrayGetDescriptor(CUDA_ARRAY_DESCRIPTOR* desc, CUarray array) {
  return api_call("cuArrayGetDescriptor", [&](DriverState& s) {
    if (!desc) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pArrayDescriptor is null"};
    const CUarray_st& a = gpusim::cudadrv::live_array(s, array);
    desc->Width = a.desc.Width;
    desc->Height = a.desc.Height;
    desc->Format = a.desc.Format;
    desc->NumChannels = a.desc.NumChannels;
    return CUDA_SUCCESS;
  });
}

CUresult cuArray3DGetDescriptor(CUDA_ARRAY3D_DESCRIPTOR* desc, CUarray array) {
  return api_call("cuArray3DGetDescriptor", [&](DriverState& s) {
    if (!desc) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pArrayDescriptor is null"};
    *desc = gpusim::cudadrv::live_array(s, array).desc;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemcpyHtoA(CUarray dst, size_t offset, const void* src, size_t bytes) {
  return api_call("cuMemcpyHtoA", [&](DriverState& s) {
    return copy(s, "cuMemcpyHtoA", nullptr, CU_MEMORYTYPE_DEVICE, array_bytes(s, dst, offset, bytes), CU_MEMORYTYPE_HOST,
                reinterpret_cast<CUdeviceptr>(src), bytes);
  });
}

CUresult cuMemcpyAtoH(void* dst, CUarray src, size_t offset, size_t bytes) {
  return api_call("cuMemcpyAtoH", [&](DriverState& s) {
    return copy(s, "cuMemcpyAtoH", nullptr, CU_MEMORYTYPE_HOST, reinterpret_cast<CUdeviceptr>(dst), CU_MEMORYTYPE_DEVICE,
                array_bytes(s, src, offset, bytes), bytes);
  });
}

CUresult cuMemcpyDtoA(CUarray dst, size_t offset, CUdeviceptr src, size_t bytes) {
  return api_call("cuMemcpyDtoA", [&](DriverState& s) {
    return copy(s, "cuMemcpyDtoA", nullptr, CU_MEMORYTYPE_DEVICE, array_bytes(s, dst, offset, bytes), CU_MEMORYTYPE_DEVICE,
                src, bytes);
  });
}

CUresult cuMemcpyAtoD(CUdeviceptr dst, CUarray src, size_t offset, size_t bytes) {
  return api_call("cuMemcpyAtoD", [&](DriverState& s) {
    return copy(s, "cuMemcpyAtoD", nullptr, CU_MEMORYTYPE_DEVICE, dst, CU_MEMORYTYPE_DEVICE, array_bytes(s, src, offset, bytes),
                bytes);
  });
}

CUresult cuMemcpyAtoA(CUarray dst, size_t dst_offset, CUarray src, size_t src_offset, size_t bytes) {
  return api_call("cuMemcpyAtoA", [&](DriverState& s) {
    return copy(s, "cuMemcpyAtoA", nullptr, CU_MEMORYTYPE_DEVICE, array_bytes(s, dst, dst_offset, bytes),
                CU_MEMORYTYPE_DEVICE, array_bytes(s, src, src_offset, bytes), bytes);
  });
}

CUresult cuMemcpyHtoAAsync(CUarray dst, size_t offset, const void* src, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyHtoAAsync", [&](DriverState& s) {
    return copy(s, "cuMemcpyHtoAAsync", &stream, CU_MEMORYTYPE_DEVICE, array_bytes(s, dst, offset, bytes),
                CU_MEMORYTYPE_HOST, reinterpret_cast<CUdeviceptr>(src), bytes);
  });
}

CUresult cuMemcpyAtoHAsync(void* dst, CUarray src, size_t offset, size_t bytes, CUstream stream) {
  return api_call("cuMemcpyAtoHAsync", [&](DriverState& s) {
    return copy(s, "cuMemcpyAtoHAsync", &stream, CU_MEMORYTYPE_HOST, reinterpret_cast<CUdeviceptr>(dst),
                CU_MEMORYTYPE_DEVICE, array_bytes(s, src, offset, bytes), bytes);
  });
}

}  // extern "C"
