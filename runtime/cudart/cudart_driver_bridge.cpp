// The simulated device libcudart shares with gpusim's libcuda when a program loads both (NVRTC
// code loaded with cuModuleLoadData beside cudaMalloc, tensor maps from cuTensorMapEncodeTiled
// over runtime allocations): under NVIDIA's stack the runtime sits on the driver, so the two
// APIs see one device, one memory and one primary context. libcuda finds this hook with dlsym
// at its initialisation (runtime/cudadrv/device.cpp) and wraps the device without owning it.
// The name matches the library's exported `__cuda*` pattern (libcudart.map); it is no CUDA API.
#include "runtime/cudart/cudart_context.h"
#include "runtime/cudart/cudart_graph.h"
#include "runtime/shared_streams.h"
#include "runtime/shared_device_launch.h"
#include "runtime/shared_kernel_handles.h"

extern "C" void* __cudaGpusimSharedDevice() {
  gpusim::cudart::Context& ctx = gpusim::cudart::context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  try {
    ctx.device_shared_with_driver = true;
    return &ctx.device();
  } catch (const std::exception&) {
    return nullptr;  // the runtime cannot set its device up: libcuda makes its own and reports why
  }
}

// Whether the runtime has been used, by the calling thread (`this_thread_only`) or the process:
// libcuda makes the shared primary context current on a thread only after a runtime call there,
// and initialises itself unasked only after one anywhere, as under NVIDIA's runtime.
extern "C" uint64_t __cudaGpusimRuntimeCalls(int this_thread_only) {
  return gpusim::cudart::runtime_calls(this_thread_only != 0);
}

// libcuda's synchronisation points write the device printf output its kernels left here, as the
// runtime's own do (Context::flush_device_output).
extern "C" void __cudaGpusimFlushDeviceOutput() {
  gpusim::cudart::Context& ctx = gpusim::cudart::context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  ctx.flush_device_output();
}

// libcuda freed one of this library's device allocations (cuMemFree of a cudaMalloc pointer).
extern "C" void __cudaGpusimDeviceBytesFreed(uint64_t bytes) {
  gpusim::cudart::Context& ctx = gpusim::cudart::context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  ctx.note_device_bytes(-static_cast<int64_t>(bytes));
}

// libcuda's launches on the shared device, into this library's launch table and timeline
// (runtime/shared_device_launch.h).
extern "C" void __cudaGpusimRecordDriverLaunch(gpusim::runtime::SharedDeviceLaunch* launch) {
  gpusim::cudart::Context& ctx = gpusim::cudart::context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  gpusim::cudart::LaunchRecord rec;
  rec.kernel = launch->kernel ? launch->kernel : "";
  rec.grid = dim3(launch->grid[0], launch->grid[1], launch->grid[2]);
  rec.block = dim3(launch->block[0], launch->block[1], launch->block[2]);
  rec.shared = launch->shared_bytes;
  rec.faulted = launch->faulted;
  if (launch->stats) rec.stats = std::move(*launch->stats);
  if (rec.stats.kernel.empty()) rec.stats.kernel = rec.kernel;
  ctx.record_launch(std::move(rec));
}

// One set of streams and events for both APIs (runtime/shared_streams.h): libcuda, sharing this
// library's device, uses this library's stream table, lock, clock and managed-range history
// (runtime/managed_ranges.h), and the two libraries reach
// each other's stream captures (runtime/graph/capture_bridge.h). Called once, at libcuda's
// initialisation; `driver_captures` stays valid for the process (libcuda's state is never freed).
extern "C" gpusim::runtime::SharedStreamsLink* __cudaGpusimShareStreams(gpusim::graph::CaptureBridge* driver_captures) {
  gpusim::cudart::Context& ctx = gpusim::cudart::context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  // Built once and kept for the process, as the Context itself is.
  static gpusim::runtime::SharedStreamsLink* link = [] {
    auto* l = new gpusim::runtime::SharedStreamsLink;
    l->table = &gpusim::cudart::context().stream_table;
    l->lock = &gpusim::cudart::context().mutex;
    l->now = [] { return gpusim::cudart::context().now(); };
    l->runtime_captures = gpusim::cudart::make_capture_bridge().release();
    l->managed_ranges = &gpusim::cudart::context().managed_ranges;
    l->thread_capture_mode = [] { return &gpusim::cudart::thread_capture_mode(); };
    return l;
  }();
  ctx.driver_captures = driver_captures;
  return link;
}

// libcuda was handed a handle it does not know (a cudaGetFuncBySymbol / cudaGetKernel /
// cudaLibraryGetKernel handle is the kernel's host function or key): which of this library's
// kernels it is, in which loaded module (runtime/shared_kernel_handles.h).
extern "C" int __cudaGpusimRuntimeKernel(const void* handle, gpusim::runtime::SharedKernel* out) {
  gpusim::cudart::Context& ctx = gpusim::cudart::context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  // Not libcuda's own handles seen here (that would ask libcuda again, which holds its lock).
  gpusim::cudart::KernelRecord* k = ctx.registered_kernel(handle);
  if (!k) return 0;  // not a runtime kernel either: libcuda says the handle is invalid
  out->kernel = k->name;
  out->max_dynamic_shared = k->max_dynamic_shared;
  out->non_portable_cluster = k->non_portable_cluster;
  out->run_time_cluster = k->run_time_cluster;
  try {
    out->device = &ctx.device();
    out->ptx = ctx.loaded_ptx_text(*k->module);
    out->module = k->module->module;
    out->source_name = k->module->source_name;
  } catch (const std::exception& e) {
    out->module = -1;
    out->error = e.what();
  }
  return 1;
}
