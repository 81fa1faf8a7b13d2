// CUDA arrays: allocation, queries and the copies into and out of them (cudaMemcpy2DToArray,
// cudaMemcpy2DFromArray, cudaMemcpy2DArrayToArray, the deprecated 1-D ToArray/FromArray forms,
// cudaMemcpy3D). An array's elements sit densely in one device allocation (cudart_textures.h),
// so every copy is a series of row copies through copy_memory, which checks each side.
#include <cuda_runtime_api.h>

#include <string>
#include <vector>

#include "runtime/cuda_answers.h"
#include "runtime/cudart/cudart_memory.h"
#include "runtime/cudart/cudart_textures.h"

namespace gpusim::cudart {

TextureState& texture_state(Context& ctx) {
  if (!ctx.textures) ctx.textures = std::make_shared<TextureState>();
  return *ctx.textures;
}

cudaArray& live_array(Context& ctx, const cudaArray* a) {
  auto& arrays = texture_state(ctx).arrays;
  auto it = arrays.find(a);
  if (it == arrays.end())
    throw ApiError(cudaErrorInvalidResourceHandle, "the cudaArray_t is not a live CUDA array (never allocated, or freed)");
  return *it->second;
}

void describe_format(const cudaChannelFormatDesc& f, isa::tex::Descriptor& d) {
  const int bits[4] = {f.x, f.y, f.z, f.w};
  unsigned channels = 0;
  for (int b : bits) {
    if (b == 0) break;
    if (b != f.x) throw ApiError(cudaErrorInvalidChannelDescriptor, "channels of different sizes are not supported");
    ++channels;
  }
  for (unsigned c = channels; c < 4; ++c)
    if (bits[c] != 0) throw ApiError(cudaErrorInvalidChannelDescriptor, "a channel follows a zero-sized channel");
  // cudaChannelFormatKind numbers signed, unsigned and float as the descriptor does.
  texture_errors([&] { runtime::textures::set_format(d, channels, static_cast<unsigned>(f.x), gpusim::runtime::raw_enum_value(f.f)); });
}

namespace {

// The extents the device reports as its limits (cudaDeviceProp::maxTexture*, maxSurface*): a GPU
// refuses a larger array with cudaErrorInvalidValue, so a program that passed here would fail there
// (an outside user's 1-D array of 2^20 texels was accepted against the reported 131,072).
void check_extent(Context& ctx, cudaExtent e, unsigned flags) {
  const auto limit = [&](int attr) { return size_t(*gpusim::runtime::cuda_device_attribute(ctx.properties(), attr)); };
  const bool layered = flags & cudaArrayLayered, surface = flags & cudaArraySurfaceLoadStore;
  const bool gather = flags & cudaArrayTextureGather;
  struct Bound {
    const char* what;
    size_t value;
    int attr;
  };
  std::vector<Bound> bounds;
  if (layered && e.height == 0) {  // 1-D layered: width x layers
    bounds = {{"width", e.width, surface ? cudaDevAttrMaxSurface1DLayeredWidth : cudaDevAttrMaxTexture1DLayeredWidth},
              {"layers", e.depth, surface ? cudaDevAttrMaxSurface1DLayeredLayers : cudaDevAttrMaxTexture1DLayeredLayers}};
  } else if (layered) {
    bounds = {{"width", e.width, surface ? cudaDevAttrMaxSurface2DLayeredWidth : cudaDevAttrMaxTexture2DLayeredWidth},
              {"height", e.height, surface ? cudaDevAttrMaxSurface2DLayeredHeight : cudaDevAttrMaxTexture2DLayeredHeight},
              {"layers", e.depth, surface ? cudaDevAttrMaxSurface2DLayeredLayers : cudaDevAttrMaxTexture2DLayeredLayers}};
  } else if (e.height == 0) {
    bounds = {{"width", e.width, surface ? cudaDevAttrMaxSurface1DWidth : cudaDevAttrMaxTexture1DWidth}};
  } else if (e.depth == 0) {
    bounds = {{"width", e.width, surface ? cudaDevAttrMaxSurface2DWidth
                                 : gather ? cudaDevAttrMaxTexture2DGatherWidth : cudaDevAttrMaxTexture2DWidth},
              {"height", e.height, surface ? cudaDevAttrMaxSurface2DHeight
                                   : gather ? cudaDevAttrMaxTexture2DGatherHeight : cudaDevAttrMaxTexture2DHeight}};
  } else {
    // A 3-D texture may instead use the alternate shape (narrower, deeper): either one fits.
    const bool alternate = !surface && e.width <= limit(cudaDevAttrMaxTexture3DWidthAlt) &&
                           e.height <= limit(cudaDevAttrMaxTexture3DHeightAlt) &&
                           e.depth <= limit(cudaDevAttrMaxTexture3DDepthAlt);
    if (alternate) return;
    bounds = {{"width", e.width, surface ? cudaDevAttrMaxSurface3DWidth : cudaDevAttrMaxTexture3DWidth},
              {"height", e.height, surface ? cudaDevAttrMaxSurface3DHeight : cudaDevAttrMaxTexture3DHeight},
              {"depth", e.depth, surface ? cudaDevAttrMaxSurface3DDepth : cudaDevAttrMaxTexture3DDepth}};
  }
  for (const Bound& b : bounds)
    if (b.value > limit(b.attr))
      throw ApiError(cudaErrorInvalidValue, std::string("the array's ") + b.what + " " + std::to_string(b.value) +
                                                " is over the device's limit of " + std::to_string(limit(b.attr)) + " for a " +
                                                (layered ? "layered " : "") + (surface ? "surface " : "") +
                                                (e.height == 0 ? "1-D" : e.depth == 0 || layered ? "2-D" : "3-D") +
                                                " array (cudaDeviceProp's maxTexture* / maxSurface*)");
}

cudaArray* allocate(Context& ctx, const cudaChannelFormatDesc* desc, cudaExtent extent, unsigned flags) {
  if (!desc) throw ApiError(cudaErrorInvalidValue, "null channel descriptor");
  if (flags & ~unsigned(cudaArrayLayered | cudaArraySurfaceLoadStore | cudaArrayTextureGather))
    throw ApiError(cudaErrorNotSupported, "array flags " + std::to_string(flags) +
                                              " (only cudaArrayLayered, cudaArraySurfaceLoadStore and cudaArrayTextureGather)");
  check_extent(ctx, extent, flags);
  isa::tex::Descriptor format;
  describe_format(*desc, format);
  auto a = std::make_unique<cudaArray>();
  static_cast<runtime::textures::ArrayLayout&>(*a) = texture_errors([&] {
    return runtime::textures::allocate_array(ctx.device(), format, extent.width, extent.height, extent.depth,
                                             flags & cudaArrayLayered, flags & cudaArraySurfaceLoadStore);
  });
  a->desc = *desc;
  a->extent = extent;
  a->flags = flags;
  ctx.note_device_bytes(int64_t(a->bytes()));
  cudaArray* handle = a.get();
  texture_state(ctx).arrays.emplace(handle, std::move(a));
  return handle;
}

// One side of a copy: host or device bytes, `pitch` bytes per row, `slice` bytes per slice.
struct Side {
  char* base;
  size_t pitch, slice;
};

Side array_side(const cudaArray& a, size_t x_bytes, size_t y, size_t z, size_t width_bytes, size_t height, size_t depth) {
  const runtime::DevPtr at = texture_errors([&] { return runtime::textures::array_region(a, x_bytes, y, z, width_bytes, height, depth); });
  return {reinterpret_cast<char*>(at), a.pitch, a.pitch * a.rows};
}

void copy_rows(Context& ctx, Side dst, Side src, size_t width_bytes, size_t height, size_t depth, const cudaMemcpyKind& kind) {
  for (size_t z = 0; z < depth; ++z)
    for (size_t y = 0; y < height; ++y)
      copy_memory(ctx, dst.base + z * dst.slice + y * dst.pitch, src.base + z * src.slice + y * src.pitch, width_bytes, kind);
}

void copy_3d(Context& ctx, const cudaMemcpy3DParms* p) {
  if (!p) throw ApiError(cudaErrorInvalidValue, "null cudaMemcpy3DParms");
  if ((p->srcArray != nullptr) == (p->srcPtr.ptr != nullptr) || (p->dstArray != nullptr) == (p->dstPtr.ptr != nullptr))
    throw ApiError(cudaErrorInvalidValue, "cudaMemcpy3D needs exactly one of srcArray/srcPtr and of dstArray/dstPtr");
  const cudaArray* sa = p->srcArray ? &live_array(ctx, p->srcArray) : nullptr;
  const cudaArray* da = p->dstArray ? &live_array(ctx, p->dstArray) : nullptr;
  // Extents (and array positions) count elements when an array takes part, else bytes.
  const size_t elem = sa ? sa->elem_bytes : da ? da->elem_bytes : 1;
  if (sa && da && sa->elem_bytes != da->elem_bytes)
    throw ApiError(cudaErrorInvalidValue, "cudaMemcpy3D between arrays of different element sizes");
  const size_t width = p->extent.width * elem, height = p->extent.height, depth = p->extent.depth;
  if (width == 0 || height == 0 || depth == 0) return;
  auto side = [&](const cudaArray* a, const cudaPitchedPtr& ptr, const cudaPos& pos) -> Side {
    if (a) return array_side(*a, pos.x * elem, pos.y, pos.z, width, height, depth);
    if (ptr.pitch < width) throw ApiError(cudaErrorInvalidPitchValue, "pitch smaller than the copied width");
    const size_t slice = ptr.pitch * (ptr.ysize ? ptr.ysize : height);
    return {static_cast<char*>(ptr.ptr) + pos.z * slice + pos.y * ptr.pitch + pos.x, ptr.pitch, slice};
  };
  copy_rows(ctx, side(da, p->dstPtr, p->dstPos), side(sa, p->srcPtr, p->srcPos), width, height, depth, p->kind);
}

}  // namespace

}  // namespace gpusim::cudart

using gpusim::cudart::api;
using gpusim::cudart::ApiError;
using gpusim::cudart::Context;
using gpusim::cudart::live_array;

extern "C" {

cudaChannelFormatDesc cudaCreateChannelDesc(int x, int y, int z, int w, cudaChannelFormatKind f) {
  cudaChannelFormatDesc d;
  d.x = x, d.y = y, d.z = z, d.w = w, d.f = f;
  return d;
}

cudaError_t cudaMallocArray(cudaArray_t* array, const cudaChannelFormatDesc* desc, size_t width, size_t height,
                            unsigned int flags) {
  return api("cudaMallocArray", [&](Context& ctx) {
    if (!array) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *array = gpusim::cudart::allocate(ctx, desc, cudaExtent{width, height, 0}, flags & ~unsigned(cudaArrayLayered));
  });
}

cudaError_t cudaMalloc3DArray(cudaArray_t* array, const cudaChannelFormatDesc* desc, cudaExtent extent, unsigned int flags) {
  return api("cudaMalloc3DArray", [&](Context& ctx) {
    if (!array) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    if (flags & cudaArrayCubemap) throw ApiError(cudaErrorNotSupported, "cubemap arrays are not supported");
    if (extent.height == 0 && extent.depth != 0 && !(flags & cudaArrayLayered))
      throw ApiError(cudaErrorInvalidValue, "a 3-D array needs a height");
    *array = gpusim::cudart::allocate(ctx, desc, extent, flags);
  });
}

cudaError_t cudaFreeArray(cudaArray_t array) {
  return api("cudaFreeArray", [&](Context& ctx) {
    if (!array) return;
    cudaArray& a = live_array(ctx, array);
    ctx.device().free(a.base);
    ctx.note_device_bytes(-int64_t(a.bytes()));
    gpusim::cudart::texture_state(ctx).arrays.erase(array);
  });
}

cudaError_t cudaArrayGetInfo(cudaChannelFormatDesc* desc, cudaExtent* extent, unsigned int* flags, cudaArray_t array) {
  return api("cudaArrayGetInfo", [&](Context& ctx) {
    const cudaArray& a = live_array(ctx, array);
    if (desc) *desc = a.desc;
    if (extent) *extent = a.extent;
    if (flags) *flags = a.flags;
  });
}

cudaError_t cudaGetChannelDesc(cudaChannelFormatDesc* desc, cudaArray_const_t array) {
  return api("cudaGetChannelDesc", [&](Context& ctx) {
    if (!desc) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *desc = live_array(ctx, array).desc;
  });
}

cudaError_t cudaMemcpy2DToArray(cudaArray_t dst, size_t wOffset, size_t hOffset, const void* src, size_t spitch,
                                size_t width, size_t height, cudaMemcpyKind kind) {
  return api("cudaMemcpy2DToArray", [&](Context& ctx) {
    if (spitch < width) throw ApiError(cudaErrorInvalidPitchValue, "source pitch smaller than the width");
    const gpusim::cudart::Side s{static_cast<char*>(const_cast<void*>(src)), spitch, spitch * height};
    gpusim::cudart::copy_rows(ctx, gpusim::cudart::array_side(live_array(ctx, dst), wOffset, hOffset, 0, width, height, 1),
                              s, width, height, 1, kind);
  });
}

cudaError_t cudaMemcpy2DToArrayAsync(cudaArray_t dst, size_t wOffset, size_t hOffset, const void* src, size_t spitch,
                                     size_t width, size_t height, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy2DToArray(dst, wOffset, hOffset, src, spitch, width, height, kind);
}

cudaError_t cudaMemcpy2DFromArray(void* dst, size_t dpitch, cudaArray_const_t src, size_t wOffset, size_t hOffset,
                                  size_t width, size_t height, cudaMemcpyKind kind) {
  return api("cudaMemcpy2DFromArray", [&](Context& ctx) {
    if (dpitch < width) throw ApiError(cudaErrorInvalidPitchValue, "destination pitch smaller than the width");
    const gpusim::cudart::Side d{static_cast<char*>(dst), dpitch, dpitch * height};
    gpusim::cudart::copy_rows(ctx, d, gpusim::cudart::array_side(live_array(ctx, src), wOffset, hOffset, 0, width, height, 1),
                              width, height, 1, kind);
  });
}

cudaError_t cudaMemcpy2DFromArrayAsync(void* dst, size_t dpitch, cudaArray_const_t src, size_t wOffset, size_t hOffset,
                                       size_t width, size_t height, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy2DFromArray(dst, dpitch, src, wOffset, hOffset, width, height, kind);
}

cudaError_t cudaMemcpy2DArrayToArray(cudaArray_t dst, size_t wOffsetDst, size_t hOffsetDst, cudaArray_const_t src,
                                     size_t wOffsetSrc, size_t hOffsetSrc, size_t width, size_t height, cudaMemcpyKind kind) {
  return api("cudaMemcpy2DArrayToArray", [&](Context& ctx) {
    using gpusim::cudart::array_side;
    gpusim::cudart::copy_rows(ctx, array_side(live_array(ctx, dst), wOffsetDst, hOffsetDst, 0, width, height, 1),
                              array_side(live_array(ctx, src), wOffsetSrc, hOffsetSrc, 0, width, height, 1), width, height, 1,
                              kind);
  });
}

// The deprecated 1-D forms copy `count` bytes starting at (wOffset bytes, hOffset rows), rows
// following one another as in the array's dense layout.
cudaError_t cudaMemcpyToArray(cudaArray_t dst, size_t wOffset, size_t hOffset, const void* src, size_t count,
                              cudaMemcpyKind kind) {
  return api("cudaMemcpyToArray", [&](Context& ctx) {
    const cudaArray& a = live_array(ctx, dst);
    const size_t start = hOffset * a.pitch + wOffset;
    if (start + count > a.bytes()) throw ApiError(cudaErrorInvalidValue, "the copy reaches past the end of the CUDA array");
    gpusim::cudart::copy_memory(ctx, reinterpret_cast<char*>(a.base) + start, src, count, kind);
  });
}

cudaError_t cudaMemcpyFromArray(void* dst, cudaArray_const_t src, size_t wOffset, size_t hOffset, size_t count,
                                cudaMemcpyKind kind) {
  return api("cudaMemcpyFromArray", [&](Context& ctx) {
    const cudaArray& a = live_array(ctx, src);
    const size_t start = hOffset * a.pitch + wOffset;
    if (start + count > a.bytes()) throw ApiError(cudaErrorInvalidValue, "the copy reaches past the end of the CUDA array");
    gpusim::cudart::copy_memory(ctx, dst, reinterpret_cast<char*>(a.base) + start, count, kind);
  });
}

// (The deprecated entry points call each other; the warning is about programs calling them.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
cudaError_t cudaMemcpyToArrayAsync(cudaArray_t dst, size_t wOffset, size_t hOffset, const void* src, size_t count,
                                   cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpyToArray(dst, wOffset, hOffset, src, count, kind);
}

cudaError_t cudaMemcpyFromArrayAsync(void* dst, cudaArray_const_t src, size_t wOffset, size_t hOffset, size_t count,
                                     cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpyFromArray(dst, src, wOffset, hOffset, count, kind);
}
#pragma GCC diagnostic pop

cudaError_t cudaMemcpy3D(const cudaMemcpy3DParms* p) {
  return api("cudaMemcpy3D", [&](Context& ctx) { gpusim::cudart::copy_3d(ctx, p); });
}

cudaError_t cudaMemcpy3DAsync(const cudaMemcpy3DParms* p, cudaStream_t) {
  return api("cudaMemcpy3DAsync", [&](Context& ctx) { gpusim::cudart::copy_3d(ctx, p); });
}

// The peer form names devices instead of a direction: with one simulated device both must be 0.
cudaError_t cudaMemcpy3DPeer(const cudaMemcpy3DPeerParms* p) {
  return api("cudaMemcpy3DPeer", [&](Context& ctx) {
    if (!p) throw ApiError(cudaErrorInvalidValue, "null cudaMemcpy3DPeerParms");
    if (p->srcDevice != 0 || p->dstDevice != 0)
      throw ApiError(cudaErrorInvalidDevice, "3-D peer copy between devices " + std::to_string(p->srcDevice) + " and " +
                                                 std::to_string(p->dstDevice) + ": gpusim simulates one device (0)");
    cudaMemcpy3DParms q = {};
    q.srcArray = p->srcArray;
    q.srcPos = p->srcPos;
    q.srcPtr = p->srcPtr;
    q.dstArray = p->dstArray;
    q.dstPos = p->dstPos;
    q.dstPtr = p->dstPtr;
    q.extent = p->extent;
    q.kind = cudaMemcpyDeviceToDevice;
    gpusim::cudart::copy_3d(ctx, &q);
  });
}
cudaError_t cudaMemcpy3DPeerAsync(const cudaMemcpy3DPeerParms* p, cudaStream_t) { return cudaMemcpy3DPeer(p); }
cudaError_t cudaMemcpy3DPeer_ptds(const cudaMemcpy3DPeerParms* p) { return cudaMemcpy3DPeer(p); }
cudaError_t cudaMemcpy3DPeerAsync_ptsz(const cudaMemcpy3DPeerParms* p, cudaStream_t s) { return cudaMemcpy3DPeerAsync(p, s); }

}  // extern "C"
