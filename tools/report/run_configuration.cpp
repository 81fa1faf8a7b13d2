#include "tools/report/run_configuration.h"

#include "sim/config_fingerprint.h"

namespace gpusim::report {

RunConfigSource run_config_source(const nlohmann::json& timing) {
  RunConfigSource s;
  if (!timing.is_object() || !timing.contains("config_file") || !timing["config_file"].is_string()) return s;
  s.named = true;
  s.file = timing["config_file"].get<std::string>();
  if (timing.contains("config_overrides") && timing["config_overrides"].is_array())
    for (const nlohmann::json& o : timing["config_overrides"])
      if (o.is_string()) s.overrides.push_back(o.get<std::string>());
  if (timing.contains("config_fingerprint") && timing["config_fingerprint"].is_string())
    s.fingerprint = timing["config_fingerprint"].get<std::string>();
  return s;
}

std::string describe_source(const RunConfigSource& source) {
  std::string text = source.file.empty() ? "the embedded default" : source.file;
  for (const std::string& o : source.overrides) text += " --set " + o;
  return text;
}

namespace {

std::optional<RunConfiguration> usable_configuration(const std::vector<RunConfigSource>& runs, std::string& why) {
  const RunConfigSource* first = nullptr;
  for (const RunConfigSource& r : runs) {
    if (!r.named) continue;
    if (!first) first = &r;
    else if (r.file != first->file || r.overrides != first->overrides) {
      why = "the statistics come from runs on different configurations (" + describe_source(*first) + ", " +
            describe_source(r) + ")";
      return std::nullopt;
    }
  }
  if (!first) return std::nullopt;
  try {
    sim::GpuConfig config = sim::load_gpu_config(first->file, first->overrides);
    if (!first->fingerprint.empty() && sim::config_fingerprint(config) != first->fingerprint) {
      why = describe_source(*first) + " has changed since the run";
      return std::nullopt;
    }
    return RunConfiguration{std::move(config), *first};
  } catch (const std::exception& e) {
    why = "the run's configuration cannot be read again: " + std::string(e.what());
    return std::nullopt;
  }
}

}  // namespace

std::optional<RunConfiguration> configuration_of_runs(const std::vector<RunConfigSource>& runs,
                                                      const std::string& command, std::ostream& notes) {
  std::string why;
  std::optional<RunConfiguration> found = usable_configuration(runs, why);
  if (!why.empty()) notes << "gpusim " << command << ": note: " << why << "; drawing the default's roofs\n";
  return found;
}

}  // namespace gpusim::report
