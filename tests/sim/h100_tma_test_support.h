// What the Hopper TMA/wgmma timing tests share: the h100.ini configuration, the sm_90a PTX
// header, the rate a bulk copy streams at, and the mbarrier spin loop of a waiting thread.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "sim/gpu_config.h"

namespace gpusim::h100_tma_test {

inline const std::string kH100 = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
inline const char* const kHeader = ".version 8.7\n.target sm_90a\n.address_size 64\n";

inline sim::GpuConfig h100(const std::vector<std::string>& overrides = {}) {
  return sim::load_gpu_config(kH100, overrides);
}

// The bytes per core cycle a bulk copy streams at: the TMA unit's rate, or the SM's interconnect
// port (icnt.bytes_per_clock_per_sm at the interconnect clock) when that is narrower.
inline double streaming_rate(const sim::GpuConfig& c) {
  return std::min(double(c.tma_bytes_per_cycle),
                  double(c.icnt_bytes_per_clock_per_sm) * c.icnt_clock_mhz / c.core_clock_mhz);
}

// PTX: spin on try_wait.parity of %sbar until phase `parity` has completed (label WAIT<id>).
inline std::string tma_wait(unsigned parity, const std::string& id) {
  return "WAIT" + id + ":\n  mbarrier.try_wait.parity.shared::cta.b64 %q, [%sbar], " + std::to_string(parity) +
         ";\n  @!%q bra WAIT" + id + ";\n";
}

}  // namespace gpusim::h100_tma_test
