// The answer of every driver entry point the simulator does not implement (the generated
// unsupported_entry_points.cpp routes them here): a program that calls one gets
// CUDA_ERROR_NOT_SUPPORTED and a line on stderr naming it, once, instead of a symbol lookup
// error at load time.
#include <cuda.h>

#include "runtime/cudadrv/driver_state.h"

extern "C" CUresult gpusim_cudadrv_unsupported(const char* entry_point) {
  gpusim::cudadrv::DriverState& s = gpusim::cudadrv::driver_state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.reported_unsupported.insert(entry_point).second)
    gpusim::cudadrv::report(std::string(entry_point) + " is not supported by the simulated driver (CUDA_ERROR_NOT_SUPPORTED)");
  return CUDA_ERROR_NOT_SUPPORTED;
}
