#include "runtime/device_properties.h"

#include <algorithm>
#include <cstdlib>

#include "runtime/resource_limits.h"
#include "sim/gpu_config.h"

namespace gpusim::runtime {

DeviceMemoryCapacity device_memory_capacity(const sim::GpuConfig& c) {
  const uint64_t configured = uint64_t(c.dram_capacity_mib) << 20;
  const uint64_t host_limit = given_host_memory_limit();
  if (host_limit && host_limit < configured)
    return {host_limit, "--max-host-memory / GPUSIM_MAX_HOST_MEMORY " + memory_size_text(host_limit) +
                            " below the config's dram.capacity_mib"};
  return {configured, "config key dram.capacity_mib"};
}

DeviceProperties properties_from_config(const sim::GpuConfig& c) {
  DeviceProperties p;
  p.name = "gpusim " + c.name;
  // "sm_90" -> 9.0, "sm_75" -> 7.5 (the config's ptxas target is the architecture it models).
  const int arch = c.sm_arch.size() > 3 ? std::atoi(c.sm_arch.c_str() + 3) : 0;
  p.compute_major = arch / 10;
  p.compute_minor = arch % 10;
  p.sm_count = c.num_sms;
  p.core_clock_khz = c.core_clock_mhz * 1000;
  p.memory_clock_khz = c.dram_clock_mhz * 1000;
  p.memory_bus_width_bits = c.dram_channels * c.dram_bus_width_bits;
  p.total_global_bytes = device_memory_capacity(c).bytes;
  p.l2_bytes = c.l2_size_kib * 1024;
  p.max_threads_per_block = c.max_threads_per_block;
  p.max_block_dim[0] = p.max_block_dim[1] = c.max_threads_per_block;
  p.max_block_dim[2] = std::min(64, c.max_threads_per_block);
  p.max_threads_per_sm = c.max_threads_per_sm;
  p.max_blocks_per_sm = c.max_ctas_per_sm;
  p.shared_per_block = std::min(49152, c.shared_per_block_max_bytes);
  p.shared_per_block_optin = c.shared_per_block_max_bytes;
  p.shared_per_sm = c.shared_per_sm_max_bytes;
  p.shared_reserved_per_block = c.shared_reserved_per_block_bytes;
  p.registers_per_block = c.registers_per_block_max;
  p.registers_per_sm = c.registers_per_sm;
  p.host_copy_bytes_per_s = uint64_t(c.host_copy_mbytes_per_s) * 1000000ull;
  return p;
}

}  // namespace gpusim::runtime
