// A simulator configuration matched to a measured card: a base configuration (e.g. h100.ini)
// with the SM count, clocks, DRAM bus and L2 size read off the device, so predicted and measured
// times refer to the same chip. Microarchitectural parameters (latencies, lanes, banks) stay the
// base's: the driver does not report them.
#pragma once

#include <string>
#include <vector>

#include "sim/gpu_config.h"
#include "validation/measured_record.h"

namespace gpusim::validation {

// The `--set`-style overrides ("section.key=value") that turn `base` into the card `gpu`.
// The core clock is the measured one when known (a boosting card does not run at its attribute
// clock), else the attribute clock. DRAM channels follow the bus width; the L2 keeps the base's
// slices per channel and sets per slice and takes its ways from the reported capacity, rounded to
// whole ways (the capacity then differs slightly from the reported one; the INI says so).
std::vector<std::string> matched_config_overrides(const sim::GpuConfig& base, const GpuIdentity& gpu);

// The matched configuration as a complete INI file (`describe` of the result), headed by comments
// saying which base, which card and which values came from the device. Throws GpuConfigError if
// the result is inconsistent.
// `calibrated`: further overrides derived from measurements (validation/calibration.h), listed
// in the header and applied last.
std::string matched_config_ini(const std::string& base_path, const GpuIdentity& gpu,
                               const std::vector<std::string>& calibrated = {});

}  // namespace gpusim::validation
