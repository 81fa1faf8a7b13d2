// Initialisation, the device and its attributes. One simulated device (ordinal 0) whose
// properties come from the simulated configuration (GPUSIM_CONFIG / GPUSIM_SET), with the same
// values `gpusim info` prints for that configuration.
#include <cuda.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstring>

#include "runtime/cuda_answers.h"
#include "runtime/cudadrv/driver_state.h"
#include "runtime/raw_enum.h"
#include "runtime/forwarding_device.h"
#include "runtime/sim_environment.h"
#include "runtime/visible_devices.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

// CUdevice_attribute and cudaDeviceAttr share their numbering; runtime/cuda_answers.cpp answers
// both libraries from one table. What the simulator does not model reads 0 here (the driver's
// convention for absent features; libcudart reports an error instead).
static_assert(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK == 1 && CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT == 16 &&
              CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR == 75 && CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN == 97 &&
              CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK == 111);
int attribute_value(const gpusim::runtime::DeviceProperties& p, int a) {
  // Driver-only features (no cudaDevAttr counterpart) the driver library implements.
  if (a == CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED) return 1;  // driver_vmm.cpp
  if (a == CU_DEVICE_ATTRIBUTE_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR_SUPPORTED) return 1;  // its export
  if (a == CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED) return 1;  // cuMemAllocAsync on the default pool (device_extras.cpp)
  if (a == CU_DEVICE_ATTRIBUTE_TENSOR_MAP_ACCESS_SUPPORTED) return p.compute_major >= 9 ? 1 : 0;  // TMA, as on Hopper
  return gpusim::runtime::cuda_device_attribute(p, a).value_or(0);
}

}  // namespace

namespace gpusim::cudadrv {

void initialize(DriverState& s) {
  if (s.initialized) return;
  if (const std::string hidden = gpusim::runtime::hidden_by_visible_devices(std::getenv("CUDA_VISIBLE_DEVICES"));
      !hidden.empty())
    throw DriverFailure{CUDA_ERROR_NO_DEVICE, hidden};
  try {
    s.environment = gpusim::runtime::read_sim_environment();
    s.config = gpusim::sim::load_gpu_config(s.environment.device.config_path, s.environment.device.overrides);
    // gpusim's libcudart, when the program loaded it, hands out its device
    // (runtime/cudart/cudart_driver_bridge.cpp): one memory, one timing model, one primary
    // context for both APIs. It reads the same GPUSIM_* settings, so the configs agree.
    using SharedDevice = void* (*)();
    if (auto hook = reinterpret_cast<SharedDevice>(dlsym(RTLD_DEFAULT, "__cudaGpusimSharedDevice")))
      if (auto* shared = static_cast<gpusim::runtime::Device*>(hook())) {
        s.device = std::make_unique<gpusim::runtime::ForwardingDevice>(*shared);
        s.runtime_device = shared;
        s.shares_runtime_device = true;
        s.record_in_runtime = reinterpret_cast<gpusim::runtime::RecordSharedDeviceLaunch>(
            dlsym(RTLD_DEFAULT, gpusim::runtime::kRecordSharedDeviceLaunchSymbol));
        gpusim::cudadrv::share_runtime_streams(s);
      }
    if (!s.device) s.device = gpusim::runtime::make_sim_device(s.environment.device);
    s.properties = s.device->properties();
  } catch (const std::exception& e) {
    // A bad GPUSIM_* setting: there is no usable device, as with a missing GPU.
    throw DriverFailure{CUDA_ERROR_NO_DEVICE, std::string("the simulated GPU cannot be set up: ") + e.what()};
  }
  s.initialized = true;
  register_exit_report();
}

}  // namespace gpusim::cudadrv

extern "C" {

CUresult cuInit(unsigned int flags) {
  return api_call("cuInit", [&](DriverState& s) {
    if (flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags must be 0"};
    gpusim::cudadrv::initialize(s);
    return CUDA_SUCCESS;
  });
}

CUresult cuDriverGetVersion(int* version) {
  if (!version) return CUDA_ERROR_INVALID_VALUE;
  *version = CUDA_VERSION;  // the API of the cuda.h this library is compiled against
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int* count) {
  return api_call("cuDeviceGetCount", [&](DriverState& s) {
    if (!count) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "count is null"};
    gpusim::cudadrv::require_initialized(s);
    *count = 1;
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
  return api_call("cuDeviceGet", [&](DriverState& s) {
    if (!device) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "device is null"};
    gpusim::cudadrv::require_device(s, ordinal);
    *device = ordinal;
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
  return api_call("cuDeviceGetName", [&](DriverState& s) {
    if (!name || length <= 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "name buffer is null or empty"};
    gpusim::cudadrv::require_device(s, device);
    // "gpusim <configuration>": a measurement through this driver never passes for silicon.
    const std::string& text = s.properties.name;
    std::strncpy(name, text.c_str(), static_cast<size_t>(length) - 1);
    name[length - 1] = '\0';
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGetAttribute(int* value, CUdevice_attribute attribute, CUdevice device) {
  return api_call("cuDeviceGetAttribute", [&](DriverState& s) {
    if (!value) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "value is null"};
    gpusim::cudadrv::require_device(s, device);
    const long long raw = gpusim::runtime::raw_enum_value(attribute);
    if (raw <= 0 || raw >= CU_DEVICE_ATTRIBUTE_MAX)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "unknown device attribute " + std::to_string(raw)};
    *value = attribute_value(s.properties, static_cast<int>(raw));
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceTotalMem(size_t* bytes, CUdevice device) {
  return api_call("cuDeviceTotalMem", [&](DriverState& s) {
    if (!bytes) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "bytes is null"};
    gpusim::cudadrv::require_device(s, device);
    *bytes = s.properties.total_global_bytes;
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGetUuid(CUuuid* uuid, CUdevice device) {
  return api_call("cuDeviceGetUuid", [&](DriverState& s) {
    if (!uuid) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "uuid is null"};
    gpusim::cudadrv::require_device(s, device);
    // A fixed identifier ("gpusim" and the ordinal): the same device in every run.
    std::memset(uuid->bytes, 0, sizeof(uuid->bytes));
    std::memcpy(uuid->bytes, "gpusim", 6);
    uuid->bytes[15] = static_cast<char>(device);
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceComputeCapability(int* major, int* minor, CUdevice device) {
  return api_call("cuDeviceComputeCapability", [&](DriverState& s) {
    if (!major || !minor) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "major or minor is null"};
    gpusim::cudadrv::require_device(s, device);
    *major = s.properties.compute_major;
    *minor = s.properties.compute_minor;
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
