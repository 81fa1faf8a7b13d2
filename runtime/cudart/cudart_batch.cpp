// CUDA 12.8+/13 batched memory calls: cudaMemcpyBatchAsync, cudaMemPrefetchBatchAsync,
// cudaMemDiscardBatchAsync, cudaMemDiscardAndPrefetchBatchAsync (and their _ptsz names). A
// batch is its copies or prefetches in order on the stream, each through the single call's path
// (so stream capture records them as nodes); the batch's own arguments are checked first, as
// CUDA documents them, so a bad batch does nothing. The discard is in cudart_managed.cpp.
#include <cuda_runtime_api.h>

#include <string>

#include "runtime/cudart/cudart_context.h"
#include "runtime/raw_enum.h"

namespace gpusim::cudart {
namespace {

// The stream a batch goes on: any but the legacy NULL stream.
void check_batch_stream(cudaStream_t stream, const char* call) {
  if (stream == nullptr || stream == cudaStreamLegacy)
    throw ApiError(cudaErrorInvalidValue, std::string(call) + ": the legacy NULL stream cannot take a batch");
}

// `indices[0..n)` split `count` items into runs: the first is 0, each greater than the one
// before, the last below `count`.
void check_runs(const size_t* indices, size_t n, size_t count, const char* what, const char* call) {
  if (n == 0 || n > count || !indices)
    throw ApiError(cudaErrorInvalidValue, std::string(call) + ": " + what + " must list 1 to count (" +
                                              std::to_string(count) + ") entries");
  if (indices[0] != 0) throw ApiError(cudaErrorInvalidValue, std::string(call) + ": " + what + "[0] must be 0");
  for (size_t k = 1; k < n; ++k)
    if (indices[k] <= indices[k - 1] || indices[k] >= count)
      throw ApiError(cudaErrorInvalidValue, std::string(call) + ": " + what + "[" + std::to_string(k) + "] = " +
                                                std::to_string(indices[k]) +
                                                " must be greater than the one before and less than count");
}

// The run of `indices` item `i` belongs to.
size_t run_of(const size_t* indices, size_t n, size_t i) {
  size_t k = 0;
  while (k + 1 < n && indices[k + 1] <= i) ++k;
  return k;
}

cudaError_t check_batch(const char* call, void* const* pointers, const size_t* sizes, size_t count, cudaStream_t stream,
                        const size_t* indices, size_t n, const char* what) {
  return api(call, [&](Context&) {
    if (count == 0 || !pointers || !sizes) throw ApiError(cudaErrorInvalidValue, std::string(call) + ": an empty batch");
    check_batch_stream(stream, call);
    if (indices) check_runs(indices, n, count, what, call);
  });
}

}  // namespace
}  // namespace gpusim::cudart

using gpusim::cudart::api;
using gpusim::cudart::ApiError;
using gpusim::cudart::Context;

extern "C" {

cudaError_t cudaMemcpyBatchAsync(void* const* dsts, const void* const* srcs, const size_t* sizes, size_t count,
                                 struct cudaMemcpyAttributes* attrs, size_t* attrsIdxs, size_t numAttrs,
                                 cudaStream_t stream) {
  if (const cudaError_t e = gpusim::cudart::check_batch("cudaMemcpyBatchAsync", dsts, sizes, count, stream, attrsIdxs,
                                                        numAttrs, "attrsIdxs");
      e != cudaSuccess)
    return e;
  const cudaError_t checked = api("cudaMemcpyBatchAsync", [&](Context&) {
    if (!srcs || !attrs) throw ApiError(cudaErrorInvalidValue, "cudaMemcpyBatchAsync: null srcs or attrs");
    for (size_t k = 0; k < numAttrs; ++k) {
      const int order = gpusim::runtime::raw_enum_value(attrs[k].srcAccessOrder);
      if (order < cudaMemcpySrcAccessOrderStream || order > cudaMemcpySrcAccessOrderAny)
        throw ApiError(cudaErrorInvalidValue, "cudaMemcpyBatchAsync: attrs[" + std::to_string(k) +
                                                  "].srcAccessOrder " + std::to_string(order) +
                                                  " is not a cudaMemcpySrcAccessOrder");
    }
  });
  if (checked != cudaSuccess) return checked;
  for (size_t i = 0; i < count; ++i)
    if (const cudaError_t e = cudaMemcpyAsync(dsts[i], srcs[i], sizes[i], cudaMemcpyDefault, stream); e != cudaSuccess)
      return e;
  return cudaSuccess;
}

cudaError_t cudaMemPrefetchBatchAsync(void** dptrs, size_t* sizes, size_t count, struct cudaMemLocation* prefetchLocs,
                                      size_t* prefetchLocIdxs, size_t numPrefetchLocs, unsigned long long flags,
                                      cudaStream_t stream) {
  if (const cudaError_t e = gpusim::cudart::check_batch("cudaMemPrefetchBatchAsync", dptrs, sizes, count, stream,
                                                        prefetchLocIdxs, numPrefetchLocs, "prefetchLocIdxs");
      e != cudaSuccess)
    return e;
  const cudaError_t checked = api("cudaMemPrefetchBatchAsync", [&](Context&) {
    if (!prefetchLocs || !prefetchLocIdxs) throw ApiError(cudaErrorInvalidValue, "cudaMemPrefetchBatchAsync: null locations");
    if (flags != 0) throw ApiError(cudaErrorInvalidValue, "cudaMemPrefetchBatchAsync: flags must be 0");
  });
  if (checked != cudaSuccess) return checked;
  for (size_t i = 0; i < count; ++i) {
    const cudaMemLocation where = prefetchLocs[gpusim::cudart::run_of(prefetchLocIdxs, numPrefetchLocs, i)];
    if (const cudaError_t e = cudaMemPrefetchAsync(dptrs[i], sizes[i], where, 0, stream); e != cudaSuccess) return e;
  }
  return cudaSuccess;
}

cudaError_t cudaMemDiscardAndPrefetchBatchAsync(void** dptrs, size_t* sizes, size_t count,
                                                struct cudaMemLocation* prefetchLocs, size_t* prefetchLocIdxs,
                                                size_t numPrefetchLocs, unsigned long long flags, cudaStream_t stream) {
  if (const cudaError_t e = cudaMemDiscardBatchAsync(dptrs, sizes, count, flags, stream); e != cudaSuccess) return e;
  return cudaMemPrefetchBatchAsync(dptrs, sizes, count, prefetchLocs, prefetchLocIdxs, numPrefetchLocs, flags, stream);
}

cudaError_t cudaMemcpyBatchAsync_ptsz(void* const* dsts, const void* const* srcs, const size_t* sizes, size_t count,
                                      struct cudaMemcpyAttributes* attrs, size_t* attrsIdxs, size_t numAttrs,
                                      cudaStream_t stream) {
  return cudaMemcpyBatchAsync(dsts, srcs, sizes, count, attrs, attrsIdxs, numAttrs, stream);
}
cudaError_t cudaMemPrefetchBatchAsync_ptsz(void** dptrs, size_t* sizes, size_t count, struct cudaMemLocation* locs,
                                           size_t* idxs, size_t n, unsigned long long flags, cudaStream_t stream) {
  return cudaMemPrefetchBatchAsync(dptrs, sizes, count, locs, idxs, n, flags, stream);
}
cudaError_t cudaMemDiscardAndPrefetchBatchAsync_ptsz(void** dptrs, size_t* sizes, size_t count,
                                                     struct cudaMemLocation* locs, size_t* idxs, size_t n,
                                                     unsigned long long flags, cudaStream_t stream) {
  return cudaMemDiscardAndPrefetchBatchAsync(dptrs, sizes, count, locs, idxs, n, flags, stream);
}

}  // extern "C"
