// Answers the two simulator-backed CUDA libraries (runtime/cudart: libcudart.so.13,
// runtime/cudadrv: libcuda.so.1) must give alike. CUDA numbers them the same in both APIs
// (cudaDevAttrX == CU_DEVICE_ATTRIBUTE_X, cudaErrorX == CUDA_ERROR_X for kernel faults), so they
// are written once here, in that shared numbering, and each library converts at its boundary.
#pragma once

#include <optional>
#include <string>

#include "runtime/device.h"

namespace gpusim::runtime {

// A device attribute by CUDA's number, from the simulated device's properties; nullopt for one
// the simulator does not model (peer access...). Texture and surface size limits are the GPUs'.
std::optional<int> cuda_device_attribute(const DeviceProperties& properties, int attribute);

// Stream priorities (cudaDeviceGetStreamPriorityRange, cuCtxGetStreamPriorityRange): 0 is the
// lowest, -5 the highest.
inline constexpr int kLeastStreamPriority = 0, kGreatestStreamPriority = -5;

// The simulated device's PCI bus id ("0000:00:00.0"), and whether `bus_id` names it: true, false
// (another device), or nullopt when it is not a bus id ("domain:bus:device.function" or
// "bus:device.function", hexadecimal).
inline constexpr const char* kPciBusId = "0000:00:00.0";
// The simulated device's UUID (cudaDeviceProp::uuid, all zero bytes) as nvidia-smi writes it after "GPU-".
inline constexpr const char* kDeviceUuidText = "00000000-0000-0000-0000-000000000000";
std::optional<bool> names_simulated_device(const std::string& bus_id);

// The error code a GPU reports for a kernel fault of this kind (cudaError_t / CUresult value).
int cuda_fault_error(FaultKind kind);

}  // namespace gpusim::runtime
