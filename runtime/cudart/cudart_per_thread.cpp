// Per-thread default stream entry points (nvcc --default-stream per-thread, or
// CUDA_API_PER_THREAD_DEFAULT_STREAM): cuda_runtime_api.h renames these calls to _ptds (no stream
// argument) and _ptsz (a stream argument) names. The simulator completes every call in program
// order before it returns, so the per-thread default stream orders work exactly as the legacy one
// does and each variant is its plain call. The variants of the launch, cudaMemcpy, cudaMemset,
// stream, event, capture, graph and pool calls sit next to their plain calls; these are the rest.
#include <cuda_runtime_api.h>

extern "C" {

// --- copies and memsets
cudaError_t cudaMemcpy2D_ptds(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                              enum cudaMemcpyKind kind) {
  return cudaMemcpy2D(dst, dpitch, src, spitch, width, height, kind);
}
cudaError_t cudaMemcpy2DAsync_ptsz(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                                   enum cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpy2DAsync(dst, dpitch, src, spitch, width, height, kind, stream);
}
cudaError_t cudaMemcpy3D_ptds(const struct cudaMemcpy3DParms* p) { return cudaMemcpy3D(p); }
cudaError_t cudaMemcpy3DAsync_ptsz(const struct cudaMemcpy3DParms* p, cudaStream_t stream) { return cudaMemcpy3DAsync(p, stream); }
cudaError_t cudaMemset2D_ptds(void* ptr, size_t pitch, int value, size_t width, size_t height) {
  return cudaMemset2D(ptr, pitch, value, width, height);
}
cudaError_t cudaMemset2DAsync_ptsz(void* ptr, size_t pitch, int value, size_t width, size_t height, cudaStream_t stream) {
  return cudaMemset2DAsync(ptr, pitch, value, width, height, stream);
}

// --- symbols
cudaError_t cudaMemcpyToSymbol_ptds(const void* symbol, const void* src, size_t count, size_t offset, enum cudaMemcpyKind kind) {
  return cudaMemcpyToSymbol(symbol, src, count, offset, kind);
}
cudaError_t cudaMemcpyFromSymbol_ptds(void* dst, const void* symbol, size_t count, size_t offset, enum cudaMemcpyKind kind) {
  return cudaMemcpyFromSymbol(dst, symbol, count, offset, kind);
}
cudaError_t cudaMemcpyToSymbolAsync_ptsz(const void* symbol, const void* src, size_t count, size_t offset,
                                         enum cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpyToSymbolAsync(symbol, src, count, offset, kind, stream);
}
cudaError_t cudaMemcpyFromSymbolAsync_ptsz(void* dst, const void* symbol, size_t count, size_t offset,
                                           enum cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpyFromSymbolAsync(dst, symbol, count, offset, kind, stream);
}

// --- CUDA arrays (cudaMemcpy{To,From}Array are deprecated but still declared and exported)
cudaError_t cudaMemcpy2DToArray_ptds(cudaArray_t dst, size_t w_offset, size_t h_offset, const void* src, size_t spitch,
                                     size_t width, size_t height, enum cudaMemcpyKind kind) {
  return cudaMemcpy2DToArray(dst, w_offset, h_offset, src, spitch, width, height, kind);
}
cudaError_t cudaMemcpy2DToArrayAsync_ptsz(cudaArray_t dst, size_t w_offset, size_t h_offset, const void* src, size_t spitch,
                                          size_t width, size_t height, enum cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpy2DToArrayAsync(dst, w_offset, h_offset, src, spitch, width, height, kind, stream);
}
cudaError_t cudaMemcpy2DFromArray_ptds(void* dst, size_t dpitch, cudaArray_const_t src, size_t w_offset, size_t h_offset,
                                       size_t width, size_t height, enum cudaMemcpyKind kind) {
  return cudaMemcpy2DFromArray(dst, dpitch, src, w_offset, h_offset, width, height, kind);
}
cudaError_t cudaMemcpy2DFromArrayAsync_ptsz(void* dst, size_t dpitch, cudaArray_const_t src, size_t w_offset, size_t h_offset,
                                            size_t width, size_t height, enum cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpy2DFromArrayAsync(dst, dpitch, src, w_offset, h_offset, width, height, kind, stream);
}
cudaError_t cudaMemcpy2DArrayToArray_ptds(cudaArray_t dst, size_t w_offset_dst, size_t h_offset_dst, cudaArray_const_t src,
                                          size_t w_offset_src, size_t h_offset_src, size_t width, size_t height,
                                          enum cudaMemcpyKind kind) {
  return cudaMemcpy2DArrayToArray(dst, w_offset_dst, h_offset_dst, src, w_offset_src, h_offset_src, width, height, kind);
}
// (The warning is about programs calling the deprecated forms; these only pass the call on.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
cudaError_t cudaMemcpyToArray_ptds(cudaArray_t dst, size_t w_offset, size_t h_offset, const void* src, size_t count,
                                   enum cudaMemcpyKind kind) {
  return cudaMemcpyToArray(dst, w_offset, h_offset, src, count, kind);
}
cudaError_t cudaMemcpyToArrayAsync_ptsz(cudaArray_t dst, size_t w_offset, size_t h_offset, const void* src, size_t count,
                                        enum cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpyToArrayAsync(dst, w_offset, h_offset, src, count, kind, stream);
}
cudaError_t cudaMemcpyFromArray_ptds(void* dst, cudaArray_const_t src, size_t w_offset, size_t h_offset, size_t count,
                                     enum cudaMemcpyKind kind) {
  return cudaMemcpyFromArray(dst, src, w_offset, h_offset, count, kind);
}
cudaError_t cudaMemcpyFromArrayAsync_ptsz(void* dst, cudaArray_const_t src, size_t w_offset, size_t h_offset, size_t count,
                                          enum cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpyFromArrayAsync(dst, src, w_offset, h_offset, count, kind, stream);
}
#pragma GCC diagnostic pop

// --- managed memory
cudaError_t cudaMemPrefetchAsync_ptsz(const void* ptr, size_t count, struct cudaMemLocation location, unsigned int flags,
                                      cudaStream_t stream) {
  return cudaMemPrefetchAsync(ptr, count, location, flags, stream);
}
cudaError_t cudaStreamAttachMemAsync_ptsz(cudaStream_t stream, void* ptr, size_t length, unsigned int flags) {
  return cudaStreamAttachMemAsync(stream, ptr, length, flags);
}

// --- launches, host functions, events
cudaError_t cudaLaunchKernelExC_ptsz(const cudaLaunchConfig_t* config, const void* func, void** args) {
  return cudaLaunchKernelExC(config, func, args);
}
cudaError_t cudaLaunchHostFunc_ptsz(cudaStream_t stream, cudaHostFn_t fn, void* user_data) {
  return cudaLaunchHostFunc(stream, fn, user_data);
}
cudaError_t cudaStreamAddCallback_ptsz(cudaStream_t stream, cudaStreamCallback_t callback, void* user_data, unsigned int flags) {
  return cudaStreamAddCallback(stream, callback, user_data, flags);
}
cudaError_t cudaEventRecordWithFlags_ptsz(cudaEvent_t event, cudaStream_t stream, unsigned int flags) {
  return cudaEventRecordWithFlags(event, stream, flags);
}

// --- stream queries
cudaError_t cudaStreamGetFlags_ptsz(cudaStream_t stream, unsigned int* flags) { return cudaStreamGetFlags(stream, flags); }
cudaError_t cudaStreamGetPriority_ptsz(cudaStream_t stream, int* priority) { return cudaStreamGetPriority(stream, priority); }
cudaError_t cudaStreamGetDevice_ptsz(cudaStream_t stream, int* device) { return cudaStreamGetDevice(stream, device); }
cudaError_t cudaStreamGetId_ptsz(cudaStream_t stream, unsigned long long* id) { return cudaStreamGetId(stream, id); }
cudaError_t cudaStreamGetAttribute_ptsz(cudaStream_t stream, cudaStreamAttrID attr, cudaStreamAttrValue* value) {
  return cudaStreamGetAttribute(stream, attr, value);
}
cudaError_t cudaStreamSetAttribute_ptsz(cudaStream_t stream, cudaStreamAttrID attr, const cudaStreamAttrValue* value) {
  return cudaStreamSetAttribute(stream, attr, value);
}
cudaError_t cudaStreamCopyAttributes_ptsz(cudaStream_t dst, cudaStream_t src) { return cudaStreamCopyAttributes(dst, src); }

}  // extern "C"
