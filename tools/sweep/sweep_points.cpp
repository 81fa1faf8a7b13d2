// Expanding a sweep spec into its points, and each point's identity.
#include <algorithm>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "sim/gpu_config.h"
#include "tools/sweep/sweep_spec.h"

namespace gpusim::cli::sweep {

namespace {

// Every {size} once, scanning past what was put in (a size that is itself "{size}" looped forever).
std::string replace_size(std::string word, const std::string& size) {
  for (size_t at = 0; (at = word.find("{size}", at)) != std::string::npos; at += size.size()) word.replace(at, 6, size);
  return word;
}

// The --set combinations: the cartesian product of the set lines' values, first line outermost.
std::vector<std::vector<std::pair<std::string, std::string>>> set_combinations(const SweepSpec& spec) {
  std::vector<std::vector<std::pair<std::string, std::string>>> out{{}};
  for (const auto& [key, values] : spec.sets) {
    std::vector<std::vector<std::pair<std::string, std::string>>> next;
    for (const auto& prefix : out)
      for (const std::string& v : values) {
        next.push_back(prefix);
        next.back().emplace_back(key, v);
      }
    out = std::move(next);
  }
  return out;
}

// Loads the configuration with the overrides once, so a bad key or value is a spec error.
void check_config(const SweepSpec& spec, const SpecConfig& config, const std::vector<std::pair<std::string, std::string>>& sets) {
  std::vector<std::string> overrides;
  for (const auto& [k, v] : sets) overrides.push_back(k + "=" + v);
  try {
    sim::load_gpu_config(config.path, overrides);
  } catch (const std::exception& e) {
    int line = config.line;  // the config's own line unless the message names a --set key
    for (size_t i = 0; i < spec.sets.size(); ++i)
      if (std::string(e.what()).find(spec.sets[i].first) != std::string::npos) line = spec.set_lines[i];
    std::string with;
    for (const std::string& o : overrides) with += " " + o;
    throw SpecError(spec.path + ":" + std::to_string(line) + ": config " + config.label + " with" +
                    (with.empty() ? " no --set" : with) + ": " + e.what());
  }
}

std::vector<std::string> command_of(const SweepPoint& p) {
  std::vector<std::string> device;
  device.insert(device.end(), {"--mode", p.mode});
  if (!p.config_path.empty()) device.insert(device.end(), {"--config", p.config_path});
  for (const auto& [k, v] : p.sets) device.insert(device.end(), {"--set", k + "=" + v});
  std::vector<std::string> cmd;
  switch (p.kind) {
    case PointKind::Workload:
      cmd = {"run", p.workload, "--seed", std::to_string(p.seed)};
      if (!p.size.empty()) cmd.insert(cmd.end(), {"--size", p.size});
      cmd.insert(cmd.end(), device.begin(), device.end());
      break;
    case PointKind::Launch:
      cmd = {"launch"};
      cmd.insert(cmd.end(), p.args.begin(), p.args.end());
      cmd.insert(cmd.end(), device.begin(), device.end());
      break;
    case PointKind::Exec: {
      // `exec.NAME = [exec options --] ./program ARGS`: the options go before the program's `--`.
      auto program = p.args.begin();
      if (!p.args.empty() && p.args[0].rfind("-", 0) == 0)
        if (auto end = std::find(p.args.begin(), p.args.end(), "--"); end != p.args.end()) program = end + 1;
      cmd = {"exec"};
      cmd.insert(cmd.end(), device.begin(), device.end());
      cmd.insert(cmd.end(), p.args.begin(), program == p.args.begin() ? program : program - 1);
      cmd.push_back("--");
      cmd.insert(cmd.end(), program, p.args.end());
      break;
    }
  }
  return cmd;
}

}  // namespace

std::string point_identity(const SweepPoint& p) {
  nlohmann::json sets = nlohmann::json::array();
  for (const auto& [k, v] : p.sets) sets.push_back({k, v});
  const nlohmann::json args = p.args;
  // nlohmann::json orders object keys, so the text does not depend on insertion order.
  const nlohmann::json identity = {{"kind", point_kind_name(p.kind)}, {"workload", p.workload}, {"args", args},
                                   {"size", p.size}, {"config", p.config_hash}, {"sets", sets},
                                   {"mode", p.mode}, {"seed", p.seed}};
  return identity.dump();
}

// A sweep of more points than this is a spec mistake (a value list pasted twice, one key too many):
// counted before the cartesian product is built (123 million points took gigabytes before).
constexpr uint64_t kMaxSweepPoints = 1000000;

void check_point_count(const SweepSpec& spec) {
  uint64_t combos = 1;
  const auto times = [](uint64_t a, uint64_t b) { return b && a > kMaxSweepPoints * 10 / b ? kMaxSweepPoints * 10 : a * b; };
  for (const auto& [key, values] : spec.sets) combos = times(combos, values.size());
  uint64_t runs = 0;
  for (const SpecWorkload& w : spec.workloads) runs += std::max<size_t>(1, w.sizes.size());
  const uint64_t points = times(times(combos, runs), spec.configs.size());
  if (points > kMaxSweepPoints)
    throw SpecError(spec.path + ": the spec makes " + (points >= kMaxSweepPoints * 10 ? "over " + std::to_string(kMaxSweepPoints * 10) : std::to_string(points)) +
                    " points (configs x workloads and sizes x set values); a sweep may have at most " +
                    std::to_string(kMaxSweepPoints));
}

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
  check_point_count(spec);
  const auto combinations = set_combinations(spec);
  std::vector<SweepPoint> points;
  std::set<std::string> ids;
  for (const SpecConfig& config : spec.configs) {
    for (const auto& sets : combinations) check_config(spec, config, sets);
    for (const SpecWorkload& w : spec.workloads) {
      const std::vector<std::string> sizes = w.sizes.empty() ? std::vector<std::string>{""} : w.sizes;
      for (const std::string& size : sizes)
        for (const auto& sets : combinations) {
          SweepPoint p;
          p.kind = w.kind;
          p.workload = w.name;
          p.size = size;
          p.config_label = config.label;
          p.config_path = config.path;
          p.config_hash = fnv1a64_hex(config.text);
          p.sets = sets;
          p.mode = spec.mode;
          p.seed = spec.seed;
          p.workdir = spec.workdir;
          for (const std::string& a : w.args) p.args.push_back(replace_size(a, size));
          p.command = command_of(p);
          p.id = fnv1a64_hex(point_identity(p));
          if (ids.insert(p.id).second) points.push_back(std::move(p));
        }
    }
  }
  return points;
}

}  // namespace gpusim::cli::sweep
