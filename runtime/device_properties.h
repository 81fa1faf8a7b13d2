// A device as CUDA describes it (cudaDeviceProp, cuDeviceGetAttribute): one struct both
// simulator-backed CUDA libraries fill their answers from, derived from the simulated GPU's
// configuration so that a program's device query, `gpusim info` and the timing model agree.
#pragma once

#include <cstdint>
#include <string>

namespace gpusim::sim {
struct GpuConfig;
}

namespace gpusim::runtime {

struct DeviceProperties {
  std::string name;
  int compute_major = 0, compute_minor = 0;
  int sm_count = 0;
  int warp_size = 32;
  int core_clock_khz = 0;
  int memory_clock_khz = 0;            // DRAM I/O clock (CUDA's memoryClockRate)
  int memory_bus_width_bits = 0;
  uint64_t total_global_bytes = 0;
  uint64_t total_const_bytes = 65536;
  int l2_bytes = 0;
  int max_threads_per_block = 0;
  int max_block_dim[3] = {1024, 1024, 64};
  int max_grid_dim[3] = {2147483647, 65535, 65535};
  int max_threads_per_sm = 0;
  int max_blocks_per_sm = 0;
  int shared_per_block = 49152;        // without the opt-in (cudaFuncSetAttribute)
  int shared_per_block_optin = 0;
  int shared_per_sm = 0;
  int shared_reserved_per_block = 0;
  int registers_per_block = 0;
  int registers_per_sm = 0;
  uint64_t host_copy_bytes_per_s = 0;  // host<->device copy bandwidth (simulated timeline)
};

// The simulated device's memory: the config's dram.capacity_mib, or a smaller host memory limit
// given by the user (runtime/resource_limits.h), with where it comes from for error messages.
struct DeviceMemoryCapacity {
  uint64_t bytes = 0;
  std::string source;
};
DeviceMemoryCapacity device_memory_capacity(const sim::GpuConfig& config);

DeviceProperties properties_from_config(const sim::GpuConfig& config);

}  // namespace gpusim::runtime
