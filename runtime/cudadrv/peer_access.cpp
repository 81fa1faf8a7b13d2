// Peer access: the simulator has one device, so no device has a peer (cuDeviceCanAccessPeer
// answers 0, enabling access is refused as on a machine with one GPU), and a "peer" copy is a
// copy between two contexts of that device, i.e. a device-to-device copy.
#include <cuda.h>

#include "runtime/cudadrv/driver_state.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

CUresult copy_between_contexts(DriverState& s, CUdeviceptr dst, CUcontext dst_context, CUdeviceptr src,
                               CUcontext src_context, size_t bytes) {
  gpusim::cudadrv::usable_context(s);
  if (!gpusim::cudadrv::is_live_context(s, dst_context) || !gpusim::cudadrv::is_live_context(s, src_context))
    throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "dstContext or srcContext is not a live context"};
  if (bytes) gpusim::cudadrv::copy_within_pieces(s, dst, src, bytes);
  return CUDA_SUCCESS;
}

}  // namespace

extern "C" {

CUresult cuDeviceCanAccessPeer(int* can_access, CUdevice device, CUdevice peer) {
  return api_call("cuDeviceCanAccessPeer", [&](DriverState& s) {
    if (!can_access) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "canAccessPeer is null"};
    gpusim::cudadrv::require_device(s, device);
    gpusim::cudadrv::require_device(s, peer);
    *can_access = 0;  // a device is not its own peer
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGetP2PAttribute(int* value, CUdevice_P2PAttribute, CUdevice source, CUdevice destination) {
  return api_call("cuDeviceGetP2PAttribute", [&](DriverState& s) {
    if (!value) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "value is null"};
    gpusim::cudadrv::require_device(s, source);
    gpusim::cudadrv::require_device(s, destination);
    throw DriverFailure{CUDA_ERROR_INVALID_DEVICE, "source and destination are the same device (the simulator has one)"};
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxEnablePeerAccess(CUcontext peer, unsigned int flags) {
  return api_call("cuCtxEnablePeerAccess", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    if (flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags are not 0"};
    if (!gpusim::cudadrv::is_live_context(s, peer)) throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "peerContext is not a live context"};
    throw DriverFailure{CUDA_ERROR_PEER_ACCESS_UNSUPPORTED, "the peer context is on the same device: the simulator has one device"};
    return CUDA_SUCCESS;
  });
}

CUresult cuCtxDisablePeerAccess(CUcontext peer) {
  return api_call("cuCtxDisablePeerAccess", [&](DriverState& s) {
    gpusim::cudadrv::usable_context(s);
    if (!gpusim::cudadrv::is_live_context(s, peer)) throw DriverFailure{CUDA_ERROR_INVALID_CONTEXT, "peerContext is not a live context"};
    throw DriverFailure{CUDA_ERROR_PEER_ACCESS_NOT_ENABLED, "peer access was never enabled"};
    return CUDA_SUCCESS;
  });
}

CUresult cuMemcpyPeer(CUdeviceptr dst, CUcontext dst_context, CUdeviceptr src, CUcontext src_context, size_t bytes) {
  return api_call("cuMemcpyPeer", [&](DriverState& s) {
    return copy_between_contexts(s, dst, dst_context, src, src_context, bytes);
  });
}

CUresult cuMemcpyPeerAsync(CUdeviceptr dst, CUcontext dst_context, CUdeviceptr src, CUcontext src_context, size_t bytes,
                           CUstream stream) {
  return api_call("cuMemcpyPeerAsync", [&](DriverState& s) {
    gpusim::cudadrv::live_stream(s, stream);
    return copy_between_contexts(s, dst, dst_context, src, src_context, bytes);
  });
}

}  // extern "C"
