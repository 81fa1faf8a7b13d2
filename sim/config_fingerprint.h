// A short fingerprint of a whole configuration's values, written into every launch's statistics
// so that a tool reading them (gpusim report, roofline) can tell that its own configuration is
// not the one the run simulated even where the names agree (a run with --set sm.count=8 keeps
// the file's "V100-like (80 SM, ...)" name; its roofs would be drawn for 80 SMs).
#pragma once

#include <string>

#include "sim/gpu_config.h"

namespace gpusim::sim {

// FNV-1a 64 of `bytes` as 16 hex digits (stable across hosts and runs).
std::string fnv1a64_hex(const std::string& bytes);

// fnv1a64_hex of the configuration as INI text (describe()): equal for equal values.
std::string config_fingerprint(const GpuConfig& config);

}  // namespace gpusim::sim
