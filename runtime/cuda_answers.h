// Answers the two simulator-backed CUDA libraries (runtime/cudart: libcudart.so.13,
// runtime/cudadrv: libcuda.so.1) must give alike. CUDA numbers them the same in both APIs
// (cudaDevAttrX == CU_DEVICE_ATTRIBUTE_X, cudaErrorX == CUDA_ERROR_X for kernel faults), so they
// are written once here, in that shared numbering, and each library converts at its boundary.
#pragma once

#include <optional>

#include "runtime/device.h"

namespace gpusim::runtime {

// A device attribute by CUDA's number, from the simulated device's properties; nullopt for one
// the simulator does not model (textures, surfaces, peer access...).
std::optional<int> cuda_device_attribute(const DeviceProperties& properties, int attribute);

// The error code a GPU reports for a kernel fault of this kind (cudaError_t / CUresult value).
int cuda_fault_error(FaultKind kind);

}  // namespace gpusim::runtime
