// The GpuConfig option table: INI key, member, unit and description of every parameter.
// Internal to sim/ (gpu_config.cpp and gpusim info use it); the rest of the simulator only sees
// GpuConfig.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include <boost/program_options/errors.hpp>
#include <boost/program_options/options_description.hpp>

#include "sim/gpu_config.h"

namespace gpusim::sim {

struct GpuConfigField {
  using Member = std::variant<int GpuConfig::*, std::string GpuConfig::*,
                              WarpSchedulerPolicy GpuConfig::*, CarveoutList GpuConfig::*>;
  const char* key;  // "section.name", as in the INI file and --set
  Member member;
  const char* unit;
  const char* description;
  // Numeric keys only: the documented range. Far above any real GPU, but small enough that a
  // typo (sm.count=100000) cannot make a simulation exhaust the machine and that the byte
  // arithmetic (KiB x 1024, per-SM x SMs) stays inside int.
  int min_value = 0;
  int max_value = 0;

  std::string section() const;           // "sm" for "sm.count"
  std::string name() const;              // "count" for "sm.count"
  std::string value_text(const GpuConfig& config) const;
};

// Every parameter, in INI section order.
const std::vector<GpuConfigField>& gpu_config_fields();

// A Boost.Program_options description whose values are stored into `target` on notify(), each
// with its default from a default-constructed GpuConfig.
boost::program_options::options_description gpu_config_options(GpuConfig& target);

// Looks a field up by key; nullptr if there is none.
const GpuConfigField* find_gpu_config_field(const std::string& key);

// A bad value for a custom-typed option, carrying why it is bad.
struct InvalidValueWithReason : boost::program_options::invalid_option_value {
  InvalidValueWithReason(const std::string& value, const std::string& why);
  std::string reason;
};

// Largest carve-out: l1.unified_kib's upper bound (256 MiB).
inline constexpr int kMaxCarveoutKib = 1 << 18;

// Text forms used by the parser and by describe().
std::string carveout_text(const CarveoutList& list);
CarveoutList parse_carveouts(const std::string& text);                  // throws std::invalid_argument
WarpSchedulerPolicy parse_scheduler_policy(const std::string& text);    // throws std::invalid_argument

}  // namespace gpusim::sim
