// __device__ / __constant__ variables (cudaMemcpyToSymbol and friends), pitched 2-D and 3-D
// memory, and the peer copies of the one simulated device.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/cudart/cudart_context.h"
#include "runtime/cudart/cudart_graph.h"
#include "runtime/cudart/cudart_memory.h"

namespace gpusim::cudart {

namespace {

// Symbol copies go through the module (a __constant__ lives in the module's constant bank).
void symbol_copy(Context& ctx, const void* symbol, void* host, size_t count, size_t offset, const cudaMemcpyKind& kind_arg,
                 bool to_symbol) {
  const int kind = gpusim::runtime::raw_enum_value(kind_arg);
  VariableRecord& var = ctx.variable(symbol);
  const runtime::ModuleHandle m = ctx.loaded(*var.module);
  if (offset > var.size || count > var.size - offset)
    throw ApiError(cudaErrorInvalidValue, "copy of " + std::to_string(count) + " bytes at offset " + std::to_string(offset) +
                                              " overruns '" + var.name + "' (" + std::to_string(var.size) + " bytes)");
  if (count == 0) return;
  const bool device_side = kind == cudaMemcpyDeviceToDevice || (kind == cudaMemcpyDefault && is_device_side(ctx, host));
  // The symbol is the device side: to it, the other side is host (HostToDevice) or device memory;
  // from it, likewise with DeviceToHost. CUDA refuses the other kinds.
  const int host_kind = to_symbol ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost;
  if (kind != host_kind && kind != cudaMemcpyDeviceToDevice && kind != cudaMemcpyDefault)
    throw ApiError(cudaErrorInvalidMemcpyDirection, std::string("copy kind ") + std::to_string(kind) + " for a copy " +
                                                        (to_symbol ? "to" : "from") + " a symbol (" +
                                                        (to_symbol ? "HostToDevice" : "DeviceToHost") + ", DeviceToDevice or Default)");
  std::vector<uint8_t> bounce;
  if (to_symbol) {
    const void* src = host;
    if (device_side) {
      bounce.resize(count);
      copy_memory(ctx, bounce.data(), host, count, cudaMemcpyDeviceToHost);
      src = bounce.data();
    }
    ctx.device().write_symbol(m, var.name, offset, src, count);
    if (var.managed_host) std::memcpy(static_cast<uint8_t*>(var.managed_host) + offset, src, count);
  } else if (var.managed_host) {
    // A __managed__ variable's host copy is current between launches (host code may have
    // written it since the last one); the device's copy is refreshed from it at each launch.
    copy_memory(ctx, host, static_cast<uint8_t*>(var.managed_host) + offset, count, device_side ? cudaMemcpyDefault : cudaMemcpyHostToHost);
  } else {
    if (device_side) {
      bounce.resize(count);
      ctx.device().read_symbol(m, var.name, offset, bounce.data(), count);
      copy_memory(ctx, host, bounce.data(), count, cudaMemcpyHostToDevice);
    } else {
      ctx.device().read_symbol(m, var.name, offset, host, count);
    }
  }
}

void copy_2d(Context& ctx, void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
             const cudaMemcpyKind& kind) {
  if (width > dpitch || width > spitch)
    throw ApiError(cudaErrorInvalidPitchValue, "2-D copy: width " + std::to_string(width) + " exceeds a pitch (" +
                                                   std::to_string(dpitch) + ", " + std::to_string(spitch) + ")");
  for (size_t row = 0; row < height; ++row)
    copy_memory(ctx, static_cast<uint8_t*>(dst) + row * dpitch, static_cast<const uint8_t*>(src) + row * spitch, width, kind);
}

}  // namespace
}  // namespace gpusim::cudart

using gpusim::cudart::api;
using gpusim::cudart::ApiError;
using gpusim::cudart::Context;

extern "C" {

cudaError_t cudaMemcpyToSymbol(const void* symbol, const void* src, size_t count, size_t offset, enum cudaMemcpyKind kind) {
  return api("cudaMemcpyToSymbol", [&](Context& ctx) {
    gpusim::cudart::symbol_copy(ctx, symbol, const_cast<void*>(src), count, offset, kind, true);
  });
}
cudaError_t cudaMemcpyFromSymbol(void* dst, const void* symbol, size_t count, size_t offset, enum cudaMemcpyKind kind) {
  return api("cudaMemcpyFromSymbol", [&](Context& ctx) {
    gpusim::cudart::symbol_copy(ctx, symbol, dst, count, offset, kind, false);
    ctx.flush_device_output();
  });
}
cudaError_t cudaMemcpyToSymbolAsync(const void* symbol, const void* src, size_t count, size_t offset, enum cudaMemcpyKind kind,
                                    cudaStream_t stream) {
  return api("cudaMemcpyToSymbolAsync", [&](Context& ctx) {
    // Captured: a memcpy node that copies when the graph runs, not now.
    if (gpusim::cudart::capture_target(ctx, stream) &&
        gpusim::cudart::record_if_capturing(ctx, stream, gpusim::cudart::symbol_memcpy_node(
                                                             ctx, symbol, const_cast<void*>(src), count, offset,
                                                             gpusim::runtime::raw_enum_value(kind), true)))
      return;
    gpusim::cudart::symbol_copy(ctx, symbol, const_cast<void*>(src), count, offset, kind, true);
  });
}
cudaError_t cudaMemcpyFromSymbolAsync(void* dst, const void* symbol, size_t count, size_t offset, enum cudaMemcpyKind kind,
                                      cudaStream_t stream) {
  return api("cudaMemcpyFromSymbolAsync", [&](Context& ctx) {
    if (gpusim::cudart::capture_target(ctx, stream) &&
        gpusim::cudart::record_if_capturing(ctx, stream, gpusim::cudart::symbol_memcpy_node(
                                                             ctx, symbol, dst, count, offset, gpusim::runtime::raw_enum_value(kind), false)))
      return;
    gpusim::cudart::symbol_copy(ctx, symbol, dst, count, offset, kind, false);
  });
}

cudaError_t cudaGetSymbolAddress(void** dev_ptr, const void* symbol) {
  return api("cudaGetSymbolAddress", [&](Context& ctx) {
    gpusim::cudart::VariableRecord& var = ctx.variable(symbol);
    const auto info = ctx.device().symbol(ctx.loaded(*var.module), var.name);
    if (!dev_ptr) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *dev_ptr = reinterpret_cast<void*>(info.address);
  });
}

cudaError_t cudaGetSymbolSize(size_t* size, const void* symbol) {
  return api("cudaGetSymbolSize", [&](Context& ctx) {
    if (!size) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *size = ctx.variable(symbol).size;
  });
}

namespace {
// Rows start on 512-byte boundaries, as on current GPUs. The pitch and the whole size are checked
// for overflow: cudaMallocPitch(2^40, 2^40) wrapped to an empty allocation and reported success
// (an outside tester's program; a pitch of 0 for SIZE_MAX).
struct PitchedSize {
  size_t pitch, bytes;
};
PitchedSize pitched_size(size_t width, size_t height, size_t depth) {
  size_t pitch = 0, bytes = 0;
  const bool overflow = width > SIZE_MAX - 511 || __builtin_mul_overflow((width + 511) / 512 * 512, height, &bytes) ||
                        __builtin_mul_overflow(bytes, depth, &bytes);
  if (overflow)
    throw ApiError(cudaErrorMemoryAllocation, std::to_string(width) + " x " +
                                                  std::to_string(height) + (depth != 1 ? " x " + std::to_string(depth) : "") +
                                                  " bytes: the size does not fit in 64 bits");
  pitch = (width + 511) / 512 * 512;
  return {pitch, bytes};
}
}  // namespace

cudaError_t cudaMallocPitch(void** ptr, size_t* pitch, size_t width, size_t height) {
  return api("cudaMallocPitch", [&](Context& ctx) {
    if (!ptr || !pitch) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    const size_t aligned = pitched_size(width, height, 1).pitch;
    *ptr = reinterpret_cast<void*>(ctx.device().alloc(aligned * height));
    *pitch = aligned;
    // The allocation's own size (1 byte for an empty one), which cudaFree subtracts.
    ctx.note_device_bytes(static_cast<int64_t>(ctx.device().allocation_at(reinterpret_cast<gpusim::runtime::DevPtr>(*ptr))->size));
  });
}

cudaError_t cudaMemcpy2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                         enum cudaMemcpyKind kind) {
  return api("cudaMemcpy2D", [&](Context& ctx) {
    gpusim::cudart::copy_2d(ctx, dst, dpitch, src, spitch, width, height, kind);
    ctx.flush_device_output();
  });
}
cudaError_t cudaMemcpy2DAsync(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                              enum cudaMemcpyKind kind, cudaStream_t stream) {
  return api("cudaMemcpy2DAsync", [&](Context& ctx) {
    gpusim::cudart::copy_2d(ctx, dst, dpitch, src, spitch, width, height, kind);
  });
}

cudaError_t cudaMemset2D(void* dst, size_t pitch, int value, size_t width, size_t height) {
  return api("cudaMemset2D", [&](Context& ctx) {
    if (width > pitch) throw ApiError(cudaErrorInvalidPitchValue, "2-D memset: width exceeds the pitch");
    for (size_t row = 0; row < height; ++row) gpusim::cudart::set_memory(ctx, static_cast<uint8_t*>(dst) + row * pitch, value, width);
  });
}
cudaError_t cudaMemset2DAsync(void* dst, size_t pitch, int value, size_t width, size_t height, cudaStream_t stream) {
  return cudaMemset2D(dst, pitch, value, width, height);
}

// cudaMalloc3D: rows padded as cudaMallocPitch pads them; slices are pitch x height bytes.
cudaError_t cudaMalloc3D(struct cudaPitchedPtr* pitched, struct cudaExtent extent) {
  return api("cudaMalloc3D", [&](Context& ctx) {
    if (!pitched) throw ApiError(cudaErrorInvalidValue, "null result pointer");
    *pitched = {};
    const auto [pitch, bytes] = pitched_size(extent.width, extent.height, extent.depth);
    pitched->ptr = bytes ? reinterpret_cast<void*>(ctx.device().alloc(bytes)) : nullptr;
    pitched->pitch = pitch;
    pitched->xsize = extent.width;
    pitched->ysize = extent.height;
    ctx.note_device_bytes(static_cast<int64_t>(bytes));
  });
}

// cudaMemset3D: extent.width bytes of each of extent.height rows of extent.depth slices; the
// slice stride is pitch x ysize (the height the memory was allocated with).
cudaError_t cudaMemset3D(struct cudaPitchedPtr pitched, int value, struct cudaExtent extent) {
  return api("cudaMemset3D", [&](Context& ctx) {
    if (extent.width > pitched.pitch) throw ApiError(cudaErrorInvalidValue, "3-D memset: width exceeds the pitch");
    const size_t slice = pitched.pitch * (pitched.ysize ? pitched.ysize : extent.height);
    for (size_t z = 0; z < extent.depth; ++z)
      for (size_t y = 0; y < extent.height; ++y)
        gpusim::cudart::set_memory(ctx, static_cast<uint8_t*>(pitched.ptr) + z * slice + y * pitched.pitch, value,
                                   extent.width);
  });
}
cudaError_t cudaMemset3DAsync(struct cudaPitchedPtr pitched, int value, struct cudaExtent extent, cudaStream_t) {
  return cudaMemset3D(pitched, value, extent);
}
cudaError_t cudaMemset3D_ptds(struct cudaPitchedPtr pitched, int value, struct cudaExtent extent) {
  return cudaMemset3D(pitched, value, extent);
}
cudaError_t cudaMemset3DAsync_ptsz(struct cudaPitchedPtr pitched, int value, struct cudaExtent extent, cudaStream_t s) {
  return cudaMemset3DAsync(pitched, value, extent, s);
}

// Peer copies: the simulator has one device, so both sides must be device 0 (another number is
// cudaErrorInvalidDevice, as on a machine with one GPU) and the copy is device to device.
cudaError_t cudaMemcpyPeer(void* dst, int dst_device, const void* src, int src_device, size_t count) {
  return api("cudaMemcpyPeer", [&](Context& ctx) {
    if (dst_device != 0 || src_device != 0)
      throw ApiError(cudaErrorInvalidDevice, "peer copy between devices " + std::to_string(src_device) + " and " +
                                                 std::to_string(dst_device) + ": gpusim simulates one device (0)");
    gpusim::cudart::copy_memory(ctx, dst, src, count, cudaMemcpyDeviceToDevice);
  });
}
cudaError_t cudaMemcpyPeerAsync(void* dst, int dst_device, const void* src, int src_device, size_t count, cudaStream_t) {
  return cudaMemcpyPeer(dst, dst_device, src, src_device, count);
}

}  // extern "C"
