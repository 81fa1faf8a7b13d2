#include "runtime/sim_environment.h"

#include <cerrno>
#include <cstdlib>

namespace gpusim::runtime {

namespace {

std::string value_of(const std::function<const char*(const char*)>& getenv, const char* name) {
  const char* v = getenv(name);
  return v ? std::string(v) : std::string();
}

// "a=1;b=2" -> {"a=1", "b=2"}; empty items (a trailing ';') are skipped.
std::vector<std::string> split_overrides(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

SimEnvironment read_sim_environment(const std::function<const char*(const char*)>& getenv) {
  SimEnvironment env;
  env.device.config_path = value_of(getenv, "GPUSIM_CONFIG");
  env.device.overrides = split_overrides(value_of(getenv, "GPUSIM_SET"));
  const std::string mode = value_of(getenv, "GPUSIM_MODE");
  if (mode == "timing") {
    env.device.mode = SimMode::Timing;
  } else if (mode.empty() || mode == "functional") {
    env.device.mode = SimMode::Functional;
  } else {
    throw Error("GPUSIM_MODE='" + mode + "': expected 'functional' or 'timing'");
  }
  env.stats_path = value_of(getenv, "GPUSIM_STATS");
  const std::string quiet = value_of(getenv, "GPUSIM_QUIET");
  if (!quiet.empty() && quiet != "0" && quiet != "1")
    throw Error("GPUSIM_QUIET='" + quiet + "': expected 0 or 1");
  env.quiet = quiet == "1";
  const std::string budget = value_of(getenv, "GPUSIM_MAX_WARP_INSTRUCTIONS");
  if (!budget.empty()) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(budget.c_str(), &end, 10);
    if (budget[0] == '-' || *end != '\0' || errno == ERANGE || v == 0)
      throw Error("GPUSIM_MAX_WARP_INSTRUCTIONS='" + budget + "': expected a positive whole number");
    env.device.max_warp_instructions = v;
  }
  return env;
}

SimEnvironment read_sim_environment() {
  return read_sim_environment([](const char* name) { return std::getenv(name); });
}

}  // namespace gpusim::runtime
