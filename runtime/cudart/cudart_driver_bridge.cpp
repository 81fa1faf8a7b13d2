// The simulated device libcudart shares with gpusim's libcuda when a program loads both (NVRTC
// code loaded with cuModuleLoadData beside cudaMalloc, tensor maps from cuTensorMapEncodeTiled
// over runtime allocations): under NVIDIA's stack the runtime sits on the driver, so the two
// APIs see one device, one memory and one primary context. libcuda finds this hook with dlsym
// at its initialisation (runtime/cudadrv/device.cpp) and wraps the device without owning it.
// The name matches the library's exported `__cuda*` pattern (libcudart.map); it is no CUDA API.
#include "runtime/cudart/cudart_context.h"

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
