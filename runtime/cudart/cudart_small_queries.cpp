// Small device, kernel and memory queries that had no home: cudaOccupancyMaxPotentialClusterSize,
// cudaMemPoolGetAccess, cudaDeviceGetTexture1DLinearMaxWidth, cudaKernelSetAttributeForDevice,
// cudaSetValidDevices and the deprecated 1-D cudaMemcpyArrayToArray. The simulator has one device,
// 0: every call that names another answers cudaErrorInvalidDevice, as a one-GPU machine does.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <string>

#include "runtime/cluster_launch.h"
#include "runtime/cuda_answers.h"
#include "runtime/cudart/cudart_graph.h"
#include "runtime/cudart/cudart_memory.h"
#include "runtime/cudart/cudart_textures.h"
#include "runtime/raw_enum.h"
#include "sim/cluster_dispatch.h"

namespace gpusim::cudart {
namespace {

void check_device(int device) {
  if (device != 0)
    throw ApiError(cudaErrorInvalidDevice, "device " + std::to_string(device) + " (the simulator has one device, 0)");
}

// The largest cluster of `func` with `config`'s block that can be resident: a shape the kernel
// fixes (__cluster_dims__, or cudaFuncAttributeRequiredCluster*) counts as it is; otherwise CUDA's
// portable limit of 8 CTAs, or the chip's cluster.max_ctas (H100: 16) when the kernel allows
// non-portable sizes, lowered until whole clusters fit on a GPC (sim/cluster_dispatch.h, as
// cudaOccupancyMaxActiveClusters counts them). 0 when not even one fits.
int max_potential_cluster(Context& ctx, const void* func, const cudaLaunchConfig_t& config) {
  KernelRecord& k = ctx.kernel(func);
  const runtime::KernelInfo& info = ctx.kernel_info(k);
  const int block = static_cast<int>(config.blockDim.x * config.blockDim.y * config.blockDim.z);
  const int per_sm = max_active_blocks(ctx, func, block, config.dynamicSmemBytes);
  const runtime::Dim3& fixed = info.required_cluster.x != 0 ? info.required_cluster : k.run_time_cluster;
  if (fixed.x != 0 && fixed.y != 0 && fixed.z != 0) {
    const int size = static_cast<int>(fixed.count());
    return sim::max_active_clusters(ctx.config(), per_sm, size) > 0 ? size : 0;
  }
  const int chip = ctx.config().cluster_max_ctas;
  const int limit = k.non_portable_cluster ? chip : std::min(chip, static_cast<int>(runtime::kPortableClusterCtas));
  for (int size = limit; size >= 1; --size)
    if (sim::max_active_clusters(ctx.config(), per_sm, size) > 0) return size;
  return 0;
}

// A memory pool handle this library made (or the device's default pool).
void check_pool(Context& ctx, cudaMemPool_t pool) {
  GraphState& st = graph_state(ctx);
  auto* rec = reinterpret_cast<MemPoolRecord*>(pool);
  if (!pool) throw ApiError(cudaErrorInvalidValue, "null memory pool");
  if (rec != &st.default_pool && !st.pools.count(rec)) throw ApiError(cudaErrorInvalidValue, "unknown or destroyed memory pool");
}

}  // namespace
}  // namespace gpusim::cudart

using namespace gpusim::cudart;

extern "C" {

// The cluster dimension in the configuration is ignored, as CUDA documents.
cudaError_t cudaOccupancyMaxPotentialClusterSize(int* size, const void* func, const cudaLaunchConfig_t* config) {
  return api("cudaOccupancyMaxPotentialClusterSize", [&](Context& ctx) {
    if (!size || !config) throw ApiError(cudaErrorInvalidValue, "null result pointer or launch configuration");
    if (config->blockDim.x == 0 || config->blockDim.y == 0 || config->blockDim.z == 0)
      throw ApiError(cudaErrorInvalidValue, "the launch configuration's block has a zero extent");
    *size = max_potential_cluster(ctx, func, *config);
  });
}

// One device, whose pools it always reaches read-write (cudaMemPoolSetAccess accepts nothing else).
cudaError_t cudaMemPoolGetAccess(cudaMemAccessFlags* flags, cudaMemPool_t pool, cudaMemLocation* location) {
  return api("cudaMemPoolGetAccess", [&](Context& ctx) {
    check_pool(ctx, pool);
    if (!flags || !location) throw ApiError(cudaErrorInvalidValue, "null flags or location pointer");
    if (location->type != cudaMemLocationTypeDevice)
      throw ApiError(cudaErrorInvalidValue, "location type " + std::to_string(gpusim::runtime::raw_enum_value(location->type)) +
                                                " (a pool's access is asked for a device location)");
    check_device(location->id);
    *flags = cudaMemAccessFlagsProtReadWrite;
  });
}

// The device's 1-D linear texture limit in texels (cudaDevAttrMaxTexture1DLinearWidth), for any
// channel format gpusim's textures support.
cudaError_t cudaDeviceGetTexture1DLinearMaxWidth(size_t* width, const cudaChannelFormatDesc* desc, int device) {
  return api("cudaDeviceGetTexture1DLinearMaxWidth", [&](Context& ctx) {
    if (!width || !desc) throw ApiError(cudaErrorInvalidValue, "null result pointer or channel format");
    check_device(device);
    gpusim::isa::tex::Descriptor format;
    describe_format(*desc, format);
    *width = static_cast<size_t>(*gpusim::runtime::cuda_device_attribute(ctx.properties(), cudaDevAttrMaxTexture1DLinearWidth));
  });
}

// cudaFuncSetAttribute on device 0 (kernel handles are the runtime's kernel keys: cudart_library.cpp);
// the attribute's own checks report under cudaFuncSetAttribute's name.
cudaError_t cudaKernelSetAttributeForDevice(cudaKernel_t kernel, cudaFuncAttribute attr, int value, int device) {
  const cudaError_t e = api("cudaKernelSetAttributeForDevice", [&](Context& ctx) {
    check_device(device);
    ctx.kernel(reinterpret_cast<const void*>(kernel));
  });
  if (e != cudaSuccess) return e;
  return cudaFuncSetAttribute(reinterpret_cast<const void*>(kernel), attr, value);
}

// The devices a context may be created on: only device 0 exists. An empty list restores the
// default (every device), as CUDA documents.
cudaError_t cudaSetValidDevices(int* devices, int len) {
  return api("cudaSetValidDevices", [&](Context&) {
    if (len < 0) throw ApiError(cudaErrorInvalidValue, "negative device count " + std::to_string(len));
    if (len > 0 && !devices) throw ApiError(cudaErrorInvalidValue, "null device array with a non-zero count");
    for (int i = 0; i < len; ++i) check_device(devices[i]);
  });
}

// The deprecated 1-D form: `count` bytes from (wOffsetSrc bytes, hOffsetSrc rows) of `src` to the
// same place in `dst`, rows following one another as in the arrays' dense layout
// (cudart_arrays.cpp's cudaMemcpyToArray reads them alike).
cudaError_t cudaMemcpyArrayToArray(cudaArray_t dst, size_t w_dst, size_t h_dst, cudaArray_const_t src, size_t w_src, size_t h_src,
                                   size_t count, cudaMemcpyKind kind) {
  return api("cudaMemcpyArrayToArray", [&](Context& ctx) {
    const int k = gpusim::runtime::raw_enum_value(kind);
    if (k != cudaMemcpyDeviceToDevice && k != cudaMemcpyDefault)
      throw ApiError(cudaErrorInvalidMemcpyDirection, "copy kind " + std::to_string(k) +
                                                          " between CUDA arrays (cudaMemcpyDeviceToDevice or cudaMemcpyDefault)");
    const cudaArray& d = live_array(ctx, dst);
    const cudaArray& s = live_array(ctx, src);
    const size_t to = h_dst * d.pitch + w_dst, from = h_src * s.pitch + w_src;
    if (to > d.bytes() || count > d.bytes() - to)
      throw ApiError(cudaErrorInvalidValue, "the copy reaches past the end of the destination array");
    if (from > s.bytes() || count > s.bytes() - from)
      throw ApiError(cudaErrorInvalidValue, "the copy reaches past the end of the source array");
    copy_memory(ctx, reinterpret_cast<char*>(d.base) + to, reinterpret_cast<const char*>(s.base) + from, count,
                cudaMemcpyDeviceToDevice);
  });
}

// (The deprecated entry points call each other; the warning is about programs calling them.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
cudaError_t cudaMemcpyArrayToArray_ptds(cudaArray_t dst, size_t w_dst, size_t h_dst, cudaArray_const_t src, size_t w_src,
                                        size_t h_src, size_t count, cudaMemcpyKind kind) {
  return cudaMemcpyArrayToArray(dst, w_dst, h_dst, src, w_src, h_src, count, kind);
}
#pragma GCC diagnostic pop

}  // extern "C"
