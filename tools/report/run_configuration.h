// The configuration a --stats file's launches were simulated on, so that `gpusim report` and
// `gpusim roofline` run without --config draw that chip's roofs, not the embedded V100-like
// default's (an outside LLM engineer's H100 statistics got V100 roofs and a warning). The
// statistics name the INI file (absolute path) and --set values of the run beside the
// configuration's fingerprint (runtime/sim_device.cpp); the file is read again and used only when
// it still gives that fingerprint.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/gpu_config.h"

namespace gpusim::report {

struct RunConfigSource {
  bool named = false;                  // the statistics say (files written before 2026-12-07 do not)
  std::string file;                    // absolute INI path; "" = the embedded default
  std::vector<std::string> overrides;  // the run's --set values
  std::string fingerprint;             // sim/config_fingerprint.h
};

// From one launch's timing statistics (the object holding "config_fingerprint").
RunConfigSource run_config_source(const nlohmann::json& timing);

struct RunConfiguration {
  sim::GpuConfig config;
  RunConfigSource source;  // the run that named it
};

// The configuration every run names, when they all name the same one and it still has their
// fingerprint. Otherwise nullopt; where runs name one that cannot be used, `notes` gets
// "gpusim COMMAND: note: <why>; drawing the default's roofs".
std::optional<RunConfiguration> configuration_of_runs(const std::vector<RunConfigSource>& runs,
                                                      const std::string& command, std::ostream& notes);

// "configs/h100.ini --set a=b" as the user would pass it again.
std::string describe_source(const RunConfigSource& source);

}  // namespace gpusim::report
