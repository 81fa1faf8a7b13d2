// A plausible H200-like card identity for the validation tests; each test overrides what it
// checks.
#pragma once

#include "validation/measured_record.h"

namespace gpusim::validation {

inline GpuIdentity sample_identity() {
  GpuIdentity g;
  g.name = "NVIDIA H200";
  g.compute_capability = "9.0";
  g.sm_count = 132;
  g.sm_clock_mhz = 1980;
  g.measured_sm_clock_mhz = 1755.4;
  g.memory_clock_mhz = 3201;
  g.memory_bus_bits = 6144;
  g.l2_bytes = 60LL << 20;
  g.driver = "580.159.04";
  g.cuda_version = "13.0";
  g.date = "2026-11-27T06:00:00Z";
  return g;
}

}  // namespace gpusim::validation
