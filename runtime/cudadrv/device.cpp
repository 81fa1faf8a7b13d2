// Initialisation, the device and its attributes. One simulated device (ordinal 0) whose
// properties come from the simulated configuration (GPUSIM_CONFIG / GPUSIM_SET), with the same
// values `gpusim info` prints for that configuration.
#include <cuda.h>

#include <algorithm>
#include <cstring>

#include "runtime/cudadrv/driver_state.h"
#include "runtime/sim_environment.h"

using gpusim::cudadrv::api_call;
using gpusim::cudadrv::DriverFailure;
using gpusim::cudadrv::DriverState;

namespace {

int attribute_value(const gpusim::sim::GpuConfig& c, CUdevice_attribute a) {
  switch (a) {
    case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: return c.max_threads_per_block;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X:
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: return 1024;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: return 64;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: return 2147483647;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y:
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: return 65535;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK:
      return std::min(kDefaultDynamicSharedLimit, c.shared_per_block_max_bytes);
    case CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY: return 64 * 1024;
    case CU_DEVICE_ATTRIBUTE_WARP_SIZE: return gpusim::sim::kWarpSize;
    case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: return c.registers_per_block_max;
    case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: return c.core_clock_mhz * 1000;  // kHz
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: return c.num_sms;
    // The driver reports the DRAM clock and the whole bus width; validation/matched_config.cpp
    // maps them back to clocks.dram_mhz and dram.channels.
    case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: return c.dram_clock_mhz * 1000;  // kHz
    case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: return c.dram_channels * c.dram_bus_width_bits;
    case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: return c.l2_size_kib * 1024;
    case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: return c.max_threads_per_sm;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: return gpusim::cudadrv::compute_capability(c.sm_arch) / 10;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: return gpusim::cudadrv::compute_capability(c.sm_arch) % 10;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: return c.shared_per_sm_max_bytes;
    case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: return c.registers_per_sm;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: return c.shared_per_block_max_bytes;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR: return c.max_ctas_per_sm;
    case CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK: return c.shared_reserved_per_block_bytes;
    case CU_DEVICE_ATTRIBUTE_GPU_OVERLAP:
    case CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT: return 0;  // copies never overlap kernels here
    case CU_DEVICE_ATTRIBUTE_COMPUTE_MODE: return CU_COMPUTEMODE_DEFAULT;
    default: return 0;  // a property the simulator does not model (textures, peer access, ...)
  }
}

}  // namespace

extern "C" {

CUresult cuInit(unsigned int flags) {
  return api_call("cuInit", [&](DriverState& s) {
    if (flags != 0) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "flags must be 0"};
    if (s.initialized) return CUDA_SUCCESS;
    try {
      s.environment = gpusim::runtime::read_sim_environment();
      s.config = gpusim::sim::load_gpu_config(s.environment.device.config_path, s.environment.device.overrides);
      gpusim::cudadrv::compute_capability(s.config.sm_arch);
      s.device = gpusim::runtime::make_sim_device(s.environment.device);
    } catch (const DriverFailure&) {
      throw;
    } catch (const std::exception& e) {
      // A bad GPUSIM_* setting: there is no usable device, as with a missing GPU.
      throw DriverFailure{CUDA_ERROR_NO_DEVICE, std::string("the simulated GPU cannot be set up: ") + e.what()};
    }
    s.initialized = true;
    gpusim::cudadrv::register_exit_report();
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
    // Says it is the simulator, so that a measurement never passes for silicon.
    const std::string text = "gpusim simulated " + s.config.name;
    std::strncpy(name, text.c_str(), static_cast<size_t>(length) - 1);
    name[length - 1] = '\0';
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceGetAttribute(int* value, CUdevice_attribute attribute, CUdevice device) {
  return api_call("cuDeviceGetAttribute", [&](DriverState& s) {
    if (!value) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "value is null"};
    gpusim::cudadrv::require_device(s, device);
    if (attribute <= 0 || attribute >= CU_DEVICE_ATTRIBUTE_MAX)
      throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "unknown device attribute " + std::to_string(attribute)};
    *value = attribute_value(s.config, attribute);
    return CUDA_SUCCESS;
  });
}

CUresult cuDeviceTotalMem(size_t* bytes, CUdevice device) {
  return api_call("cuDeviceTotalMem", [&](DriverState& s) {
    if (!bytes) throw DriverFailure{CUDA_ERROR_INVALID_VALUE, "bytes is null"};
    gpusim::cudadrv::require_device(s, device);
    *bytes = kSimulatedDeviceMemoryBytes;
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
    *major = gpusim::cudadrv::compute_capability(s.config.sm_arch) / 10;
    *minor = gpusim::cudadrv::compute_capability(s.config.sm_arch) % 10;
    return CUDA_SUCCESS;
  });
}

}  // extern "C"
