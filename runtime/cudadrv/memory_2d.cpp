// Pitched memory: cuMemAllocPitch, the 2-D and 3-D copies (cuMemcpy2D, 2DUnaligned, 3D and their
// Async forms) and the 2-D memsets. A copy is done row by row over the same copy paths as the
// 1-D calls (memory.cpp), so host, device, host-mapped and virtual-memory addresses all work;
// a CUDA array side (CU_MEMORYTYPE_ARRAY) is its dense rows in device memory (driver_textures.h).
#include <cuda.h>

#include <cstring>

#include "runtime/cudadrv/driver_graph.h"
#include "runtime/cudadrv/driver_state.h"
#include "runtime/cudadrv/driver_textures.h"
#include "runtime/raw_enum.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

// Rows start on 512-byte boundaries, as cudaMallocPitch lays them out (cudart_symbols.cpp).
constexpr size_t kPitchAlignment = 512;

// One side of a copy: where byte (x, y, z) is, and whether that is device memory.
struct CopySide {
  bool device = false;
  uint64_t base = 0;  // host or device address of (0, 0, 0)
  size_t pitch = 0;
  size_t height = 0;  // rows per slice (3-D)
  uint64_t at(size_t y, size_t z) const { return base + (z * height + y) * pitch; }
};

// The extent the copy covers (width in bytes), for the check that an array side holds it.
struct Extent {
  size_t width, height, depth;
};

CopySide side(DriverState& s, const char* which, long long type, const void* host, CUdeviceptr device, CUarray array,
              size_t x, size_t y, size_t z, size_t pitch, size_t height, const Extent& extent) {
  CopySide out;
  out.pitch = pitch;
  out.height = height;
  switch (type) {
    case CU_MEMORYTYPE_HOST:
      if (!host) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string(which) + "Host is null"};
      out.base = reinterpret_cast<uint64_t>(host);
      break;
    case CU_MEMORYTYPE_DEVICE:
      if (!device) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string(which) + "Device is null"};
      out.base = device;
      out.device = true;
      break;
    case CU_MEMORYTYPE_UNIFIED:  // the address says which
      if (!device) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string(which) + "Device is null"};
      out.base = device;
      out.device = s.device->allocation_at(device).has_value();
      break;
    case CU_MEMORYTYPE_ARRAY: {  // dense rows; x is in bytes, as for the other kinds
      const CUarray_st& a = gpusim::cudadrv::live_array(s, array);
      out.device = true;
      out.pitch = a.pitch;
      out.height = a.rows;
      out.base = gpusim::cudadrv::texture_errors([&] {
        return gpusim::runtime::textures::array_region(a, x, y, z, extent.width, extent.height, extent.depth);
      });
      return out;
    }
    default:
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, std::string(which) + "MemoryType " + std::to_string(type) + " is not a CUmemorytype"};
  }
  out.base += x + (z * height + y) * pitch;
  return out;
}

void copy_row(DriverState& s, const CopySide& dst, const CopySide& src, uint64_t to, uint64_t from, size_t bytes) {
  if (dst.device && src.device) return gpusim::cudadrv::copy_within_pieces(s, to, from, bytes);
  if (dst.device) return gpusim::cudadrv::copy_in_pieces(s, to, reinterpret_cast<const void*>(from), bytes);
  if (src.device) return gpusim::cudadrv::copy_out_pieces(s, reinterpret_cast<void*>(to), from, bytes);
  std::memmove(reinterpret_cast<void*>(to), reinterpret_cast<const void*>(from), bytes);
}

// Width x Height x Depth bytes; each side's pitch must hold a row, and its height a slice's rows.
CUresult copy_3d(DriverState& s, const CopySide& dst, const CopySide& src, size_t width, size_t height, size_t depth) {
  gpusim::cudadrv::usable_context(s);
  if (width == 0 || height == 0 || depth == 0) return CUDA_SUCCESS;
  if ((height > 1 || depth > 1) && (src.pitch < width || dst.pitch < width))
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "WidthInBytes " + std::to_string(width) + " exceeds a pitch (src " +
                                                      std::to_string(src.pitch) + ", dst " + std::to_string(dst.pitch) + ")"};
  if (depth > 1 && (src.height < height || dst.height < height))
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "Height " + std::to_string(height) + " exceeds srcHeight or dstHeight"};
  for (size_t z = 0; z < depth; ++z)
    for (size_t y = 0; y < height; ++y) copy_row(s, dst, src, dst.at(y, z), src.at(y, z), width);
  return CUDA_SUCCESS;
}

CUresult copy_2d(DriverState& s, const CUDA_MEMCPY2D* c) {
  if (!c) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pCopy is null"};
  const Extent extent{c->WidthInBytes, c->Height, 1};
  const CopySide src = side(s, "src", gpusim::runtime::raw_enum_value(c->srcMemoryType), c->srcHost, c->srcDevice, c->srcArray,
                            c->srcXInBytes, c->srcY, 0, c->srcPitch, 0, extent);
  const CopySide dst = side(s, "dst", gpusim::runtime::raw_enum_value(c->dstMemoryType), c->dstHost, c->dstDevice, c->dstArray,
                            c->dstXInBytes, c->dstY, 0, c->dstPitch, 0, extent);
  return copy_3d(s, dst, src, c->WidthInBytes, c->Height, 1);
}

CUresult copy_3d(DriverState& s, const CUDA_MEMCPY3D* c) {
  if (!c) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "pCopy is null"};
  if (c->reserved0 || c->reserved1 || c->srcLOD || c->dstLOD)
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "reserved0/1 must be null and the LODs 0"};
  const Extent extent{c->WidthInBytes, c->Height, c->Depth};
  const CopySide src = side(s, "src", gpusim::runtime::raw_enum_value(c->srcMemoryType), c->srcHost, c->srcDevice, c->srcArray,
                            c->srcXInBytes, c->srcY, c->srcZ, c->srcPitch, c->srcHeight, extent);
  const CopySide dst = side(s, "dst", gpusim::runtime::raw_enum_value(c->dstMemoryType), c->dstHost, c->dstDevice, c->dstArray,
                            c->dstXInBytes, c->dstY, c->dstZ, c->dstPitch, c->dstHeight, extent);
  return copy_3d(s, dst, src, c->WidthInBytes, c->Height, c->Depth);
}

template <typename T>
CUresult fill_2d(DriverState& s, CUdeviceptr dst, size_t pitch, T value, size_t width, size_t height) {
  gpusim::cudadrv::usable_context(s);
  if (width == 0 || height == 0) return CUDA_SUCCESS;
  if (dst % sizeof(T) || (height > 1 && pitch % sizeof(T)))
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "the destination or pitch is not aligned to the element size"};
  if (height > 1 && pitch < width * sizeof(T))
    throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "a row of " + std::to_string(width * sizeof(T)) +
                                                      " bytes does not fit the pitch " + std::to_string(pitch)};
  for (size_t y = 0; y < height; ++y) gpusim::cudadrv::fill_pieces(s, dst + y * pitch, &value, sizeof(T), width);
  return CUDA_SUCCESS;
}

// The 2-D copy as the 3-D one it is (one slice), for a graph's memcpy node.
CUDA_MEMCPY3D as_3d(const CUDA_MEMCPY2D& c) {
  CUDA_MEMCPY3D out{};
  out.srcXInBytes = c.srcXInBytes, out.srcY = c.srcY, out.srcMemoryType = c.srcMemoryType;
  out.srcHost = c.srcHost, out.srcDevice = c.srcDevice, out.srcArray = c.srcArray, out.srcPitch = c.srcPitch;
  out.dstXInBytes = c.dstXInBytes, out.dstY = c.dstY, out.dstMemoryType = c.dstMemoryType;
  out.dstHost = c.dstHost, out.dstDevice = c.dstDevice, out.dstArray = c.dstArray, out.dstPitch = c.dstPitch;
  out.WidthInBytes = c.WidthInBytes, out.Height = c.Height, out.Depth = 1;
  return out;
}

}  // namespace

void gpusim::cudadrv::memcpy_3d(DriverState& s, const CUDA_MEMCPY3D& copy) { copy_3d(s, &copy); }

extern "C" {

CUresult cuMemAllocPitch(CUdeviceptr* ptr, size_t* pitch, size_t width, size_t height, unsigned int element_bytes) {
  return api_call("cuMemAllocPitch", [&](DriverState& s) {
    if (!ptr || !pitch) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "dptr or pPitch is null"};
    if (element_bytes != 4 && element_bytes != 8 && element_bytes != 16)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "ElementSizeBytes must be 4, 8 or 16"};
    if (width == 0 || height == 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "zero width or height"};
    CUctx_st& c = gpusim::cudadrv::usable_context(s);
    const size_t aligned = (width + kPitchAlignment - 1) / kPitchAlignment * kPitchAlignment;
    const CUdeviceptr p = s.device->alloc(aligned * height);
    c.allocations[p] = aligned * height;  // cuMemFree releases it as any allocation
    *ptr = p;
    *pitch = aligned;
    return CUDA_SUCCESS;
  });
}

CUresult cuMemcpy2D(const CUDA_MEMCPY2D* copy) {
  return api_call("cuMemcpy2D", [&](DriverState& s) {
    gpusim::cudadrv::flush_device_output(s);  // a blocking copy synchronises
    return copy_2d(s, copy);
  });
}
// The same copy: the simulator has no alignment-dependent fast path to fall back from.
CUresult cuMemcpy2DUnaligned(const CUDA_MEMCPY2D* copy) {
  return api_call("cuMemcpy2DUnaligned", [&](DriverState& s) { return copy_2d(s, copy); });
}
CUresult cuMemcpy2DAsync(const CUDA_MEMCPY2D* copy, CUstream stream) {
  return api_call("cuMemcpy2DAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (copy && gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::memcpy_node(as_3d(*copy)))) return CUDA_SUCCESS;
    return copy_2d(s, copy);
  });
}
CUresult cuMemcpy3D(const CUDA_MEMCPY3D* copy) {
  return api_call("cuMemcpy3D", [&](DriverState& s) {
    gpusim::cudadrv::flush_device_output(s);  // a blocking copy synchronises
    return copy_3d(s, copy);
  });
}
CUresult cuMemcpy3DAsync(const CUDA_MEMCPY3D* copy, CUstream stream) {
  return api_call("cuMemcpy3DAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (copy && gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::memcpy_node(*copy))) return CUDA_SUCCESS;
    return copy_3d(s, copy);
  });
}

CUresult cuMemsetD2D8(CUdeviceptr dst, size_t pitch, unsigned char value, size_t width, size_t height) {
  return api_call("cuMemsetD2D8", [&](DriverState& s) { return fill_2d<uint8_t>(s, dst, pitch, value, width, height); });
}
CUresult cuMemsetD2D16(CUdeviceptr dst, size_t pitch, unsigned short value, size_t width, size_t height) {
  return api_call("cuMemsetD2D16", [&](DriverState& s) { return fill_2d<uint16_t>(s, dst, pitch, value, width, height); });
}
CUresult cuMemsetD2D32(CUdeviceptr dst, size_t pitch, unsigned int value, size_t width, size_t height) {
  return api_call("cuMemsetD2D32", [&](DriverState& s) { return fill_2d<uint32_t>(s, dst, pitch, value, width, height); });
}
CUresult cuMemsetD2D8Async(CUdeviceptr dst, size_t pitch, unsigned char value, size_t width, size_t height, CUstream stream) {
  return api_call("cuMemsetD2D8Async", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::memset_node(dst, pitch, value, sizeof(uint8_t), width, height)))
      return CUDA_SUCCESS;
    return fill_2d<uint8_t>(s, dst, pitch, value, width, height);
  });
}
CUresult cuMemsetD2D16Async(CUdeviceptr dst, size_t pitch, unsigned short value, size_t width, size_t height, CUstream stream) {
  return api_call("cuMemsetD2D16Async", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::memset_node(dst, pitch, value, sizeof(uint16_t), width, height)))
      return CUDA_SUCCESS;
    return fill_2d<uint16_t>(s, dst, pitch, value, width, height);
  });
}
CUresult cuMemsetD2D32Async(CUdeviceptr dst, size_t pitch, unsigned int value, size_t width, size_t height, CUstream stream) {
  return api_call("cuMemsetD2D32Async", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    if (gpusim::cudadrv::record_if_capturing(s, stream, gpusim::cudadrv::memset_node(dst, pitch, value, sizeof(uint32_t), width, height)))
      return CUDA_SUCCESS;
    return fill_2d<uint32_t>(s, dst, pitch, value, width, height);
  });
}

}  // extern "C"
