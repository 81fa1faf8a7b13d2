// Loading, checking and describing a GpuConfig (the parameter table is gpu_config_options.cpp).
#include "sim/gpu_config.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <algorithm>
#include <regex>
#include <sstream>

#include <boost/program_options/errors.hpp>
#include <boost/program_options/parsers.hpp>
#include <boost/program_options/variables_map.hpp>

#include "sim/cluster_dispatch.h"
#include "sim/device_file.h"
#include "sim/gpu_config_options.h"
#include "sim/option_error_text.h"

namespace gpusim::sim {

namespace po = boost::program_options;

const char* scheduler_policy_name(WarpSchedulerPolicy policy) {
  switch (policy) {
    case WarpSchedulerPolicy::LooseRoundRobin: return "lrr";
    case WarpSchedulerPolicy::GreedyThenOldest: return "gto";
  }
  return "?";
}

int GpuConfig::issue_interval_cycles(int lanes_per_sm) const {
  int lanes = lanes_per_subcore(lanes_per_sm);
  return lanes >= kWarpSize ? 1 : (kWarpSize + lanes - 1) / lanes;
}

int GpuConfig::tensor_mma_cycles(int m, int n, int k) const {
  long long fma = 1LL * m * n * k;
  long long per_clock = 1LL * tensor_fp16_fma_per_clock * tensor_cores_per_sm / subcores_per_sm;
  return int((fma + per_clock - 1) / per_clock);
}

long long GpuConfig::wgmma_flops_per_clock() const {
  if (tensor_wgmma_flops_per_clock > 0) return tensor_wgmma_flops_per_clock;
  return 2LL * tensor_fp16_fma_per_clock * tensor_cores_per_sm;
}

int GpuConfig::carveout_for(int shared_bytes) const {
  for (int kib : shared_carveouts.kib)
    if (kib * 1024 >= shared_bytes) return kib * 1024;
  return -1;
}

namespace {

// The line of `path` where `key` ("section.name") is set (its `occurrence`-th setting), for error
// messages; 0 if not found.
int line_of_key(const std::string& path, const std::string& key, int occurrence = 1) {
  std::ifstream in(path);
  std::string line, section;
  for (int number = 1; std::getline(in, line); ++number) {
    line = line.substr(0, line.find('#'));
    size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos) continue;
    line = line.substr(begin);
    if (line[0] == '[') {
      section = line.substr(1, line.find(']') - 1);
      continue;
    }
    std::string name = line.substr(0, line.find('='));
    name = name.substr(0, name.find_last_not_of(" \t") + 1);
    if ((section.empty() ? name : section + "." + name) == key && --occurrence == 0) return number;
  }
  return 0;
}

// The first line of `path` that reads `text` once blanks around it are dropped; 0 if none.
int line_of_text(const std::string& path, const std::string& text) {
  std::ifstream in(path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos) continue;
    const size_t end = line.find_last_not_of(" \t\r");
    if (line.substr(begin, end - begin + 1) == text) return number;
  }
  return 0;
}

std::string at_line(const std::string& path, int line) {
  return "GPU config " + path + (line ? ":" + std::to_string(line) : "");
}

std::string located(const std::string& path, const std::string& key, int occurrence = 1) {
  return at_line(path, key.empty() ? 0 : line_of_key(path, key, occurrence));
}

// Turns a Boost.Program_options error into one that names the place and the key.
[[noreturn]] void rethrow_parse_error(const po::error& e, const std::string& where_path, bool from_file) {
  std::string key;
  if (auto* unknown = dynamic_cast<const po::unknown_option*>(&e)) key = unknown->get_option_name();
  else if (auto* with_name = dynamic_cast<const po::error_with_option_name*>(&e)) key = with_name->get_option_name();
  while (!key.empty() && key[0] == '-') key.erase(0, 1);
  // A key set twice: the second setting is the mistake. A line that is no setting (`[sm`): Boost
  // quotes it; find it.
  std::string where = where_path;
  if (from_file) {
    where = located(where_path, key, dynamic_cast<const po::multiple_occurrences*>(&e) ? 2 : 1);
    if (dynamic_cast<const po::invalid_config_file_syntax*>(&e)) {
      const std::string what = e.what();
      const size_t open = what.find('\''), close = what.rfind('\'');
      if (open != std::string::npos && close > open)
        where = at_line(where_path, line_of_text(where_path, what.substr(open + 1, close - open - 1)));
    }
  }
  if (dynamic_cast<const po::unknown_option*>(&e))
    throw GpuConfigError(where + ": unknown key '" + key + "' (gpusim info --help lists every key)");
  std::string why;
  if (auto* with_reason = dynamic_cast<const InvalidValueWithReason*>(&e)) why = " (" + with_reason->reason + ")";
  else if (const GpuConfigField* field = find_gpu_config_field(key);
           field && std::holds_alternative<int GpuConfig::*>(field->member) &&
           dynamic_cast<const po::invalid_option_value*>(&e))
    // Digits too many for an int fail the same way: say the range, or "1000000000000" reads as
    // a whole number that was refused for no reason.
    why = std::string(" (expected a whole number up to 2147483647, in ") + field->unit + ")";
  throw GpuConfigError(where + ": " + option_error_text(e) + why);
}

// "--set a.b=1 --set a.b=2": the last one wins, as on most command lines.
std::map<std::string, std::string> split_overrides(const std::vector<std::string>& overrides) {
  std::map<std::string, std::string> by_key;
  for (const std::string& item : overrides) {
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    if (eq == std::string::npos || key.empty() || key.find_first_of(" \t") != std::string::npos)
      throw GpuConfigError("--set '" + item + "': expected section.key=value, e.g. sm.count=40");
    // The value goes through the INI reader, where '#' starts a comment and a line break ends
    // the entry: "chip.name=a#b" would silently become "a".
    if (item.find_first_of("#\n\r", eq) != std::string::npos)
      throw GpuConfigError("--set '" + item + "': values cannot contain '#' or line breaks");
    by_key[key] = item.substr(eq + 1);
  }
  return by_key;
}

// The shipped names end in the chip's shape, "(80 SM, 1245 MHz)": after --set sm.count=16 or a
// clock change it would contradict the run's own figures (an outside student's "teaching (2 SM,
// 1000 MHz): ... at 2000 MHz, 16 SMs used"), so it follows the values. Other names stay as written.
std::string name_with_current_shape(const std::string& name, const GpuConfig& c) {
  static const std::regex& shape = *new std::regex(R"(\((\d+) SM, (\d+) MHz\)$)");  // never destroyed (a device made at exit)
  std::smatch m;
  if (!std::regex_search(name, m, shape)) return name;
  return name.substr(0, size_t(m.position(0))) + "(" + std::to_string(c.num_sms) + " SM, " +
         std::to_string(c.core_clock_mhz) + " MHz)";
}
}  // namespace

GpuConfig load_gpu_config(const std::string& path, const std::vector<std::string>& overrides) {
  GpuConfig config;
  po::options_description options = gpu_config_options(config);
  po::variables_map values;

  // Values stored first win in Boost.Program_options, so overrides go in before the file.
  for (const auto& [key, value] : split_overrides(overrides)) {
    std::istringstream one_line(key + "=" + value + "\n");
    try {
      po::store(po::parse_config_file(one_line, options, false), values);
    } catch (const po::error& e) {
      rethrow_parse_error(e, "--set '" + key + "=" + value + "'", false);
    }
  }
  if (!path.empty()) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
      throw GpuConfigError("GPU config " + path + ": is a directory, not an INI file");
    if (is_device_file(path))
      throw GpuConfigError("GPU config " + path + ": is a device, not an INI file");  // /dev/zero read forever
    std::string text, error, step;
    if (!read_whole_file(path, text, error, step))
      throw GpuConfigError("GPU config " + path + ": cannot " + step + " the file: " + error);
    // A byte-order mark (editors on Windows write one) is no part of the first line; a NUL byte
    // is no part of any INI file, and would cut the message that quotes its line short.
    if (text.rfind("\xef\xbb\xbf", 0) == 0) text.erase(0, 3);
    if (const size_t nul = text.find('\0'); nul != std::string::npos)
      throw GpuConfigError("GPU config " + path + ":" + std::to_string(1 + std::count(text.begin(), text.begin() + long(nul), '\n')) +
                           ": a NUL byte: this is not an INI text file");
    std::istringstream file(text);
    try {
      const po::parsed_options parsed = po::parse_config_file(file, options, false);
      // An empty file (or one of comments only) is almost always the wrong file; running the
      // defaults under its name would mislead.
      if (parsed.options.empty())
        throw GpuConfigError("GPU config " + path + ": the file sets no parameters (empty or only comments)");
      po::store(parsed, values);
    } catch (const po::error& e) {
      rethrow_parse_error(e, path, true);
    }
  }
  po::notify(values);
  std::string source = path.empty() ? "GPU config (defaults" : "GPU config " + path;
  if (path.empty()) source += overrides.empty() ? ")" : " with --set)";
  else if (!overrides.empty()) source += " with --set";
  const std::map<std::string, std::string> set_keys = split_overrides(overrides);
  check_gpu_config(config, source, [&](const std::string& key) -> std::string {
    if (set_keys.count(key)) return "--set";
    const int line = path.empty() ? 0 : line_of_key(path, key);
    return line ? "line " + std::to_string(line) : "default";
  });
  if (!set_keys.count("chip.name")) config.name = name_with_current_shape(config.name, config);
  return config;
}

GpuConfig default_gpu_config() {
  GpuConfig config;
  check_gpu_config(config, "GPU config (defaults)");
  return config;
}

std::string describe(const GpuConfig& config) {
  std::ostringstream out;
  std::string section;
  for (const GpuConfigField& field : gpu_config_fields()) {
    if (field.section() != section) {
      section = field.section();
      out << (out.tellp() > 0 ? "\n" : "") << "[" << section << "]\n";
    }
    std::string assignment = field.name() + " = " + field.value_text(config);
    if (assignment.size() < 40) assignment.resize(40, ' ');
    out << assignment << "  # " << field.unit << ": " << field.description << "\n";
  }
  return out.str();
}

GpuPeaks compute_peaks(const GpuConfig& c) {
  const double mhz = 1e6;
  GpuPeaks p;
  p.fp32_flops = 2.0 * c.num_sms * c.fp32_lanes_per_sm * c.core_clock_mhz * mhz;
  p.fp64_flops = 2.0 * c.num_sms * c.fp64_lanes_per_sm * c.core_clock_mhz * mhz;
  p.tensor_fp16_flops = 2.0 * c.num_sms * c.tensor_cores_per_sm * c.tensor_fp16_fma_per_clock * c.tensor_clock_mhz * mhz;
  p.dram_bytes_per_s = double(c.dram_channels) * c.dram_bus_width_bits / 8 * c.dram_transfers_per_clock * c.dram_clock_mhz * mhz;
  p.l2_bytes_per_s = double(c.l2_slices) * c.l2_bytes_per_clock_per_slice * c.l2_clock_mhz * mhz;
  p.l1_bytes_per_s = double(c.num_sms) * c.l1_bytes_per_clock * c.core_clock_mhz * mhz;
  p.shared_bytes_per_s = double(c.num_sms) * c.shared_banks * c.shared_bank_width_bytes * c.core_clock_mhz * mhz;
  p.warps_in_flight = 1LL * c.num_sms * c.resident_warps_per_sm();
  p.threads_in_flight = 1LL * c.num_sms * c.max_threads_per_sm;
  return p;
}

namespace {

// Three significant digits with an SI prefix: 12.7 T, 102 T, 898 G, 3.35 T.
std::string si(double value, const char* unit) {
  const char* prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  int index = 0;
  while (value >= 999.5 && index < 6) {
    value /= 1000;
    ++index;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return std::string(text) + " " + prefixes[index] + unit;
}

// 163840 -> "163,840", as the lecture writes counts.
std::string grouped(long long value) {
  std::string digits = std::to_string(value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string describe_peaks(const GpuConfig& c) {
  GpuPeaks p = compute_peaks(c);
  std::ostringstream out;
  auto row = [&](const std::string& what, const std::string& value, const std::string& how) {
    std::string left = what + ":";
    left.resize(22, ' ');
    std::string middle = value;
    if (middle.size() < 16) middle.resize(16, ' ');
    out << left << middle << "  " << how << "\n";
  };
  auto n = [](long long v) { return std::to_string(v); };
  row("FP32", si(p.fp32_flops, "FLOP/s"),
      n(c.num_sms) + " SMs x " + n(c.fp32_lanes_per_sm) + " lanes x 2 FLOP x " + n(c.core_clock_mhz) + " MHz");
  row("FP64", si(p.fp64_flops, "FLOP/s"),
      n(c.num_sms) + " SMs x " + n(c.fp64_lanes_per_sm) + " lanes x 2 FLOP x " + n(c.core_clock_mhz) + " MHz");
  row("TensorCore FP16", si(p.tensor_fp16_flops, "FLOP/s"),
      grouped(1LL * c.num_sms * c.tensor_cores_per_sm) + " tensor cores x " + n(c.tensor_fp16_fma_per_clock) +
          " FMA x 2 FLOP x " + n(c.tensor_clock_mhz) + " MHz");
  row("DRAM bandwidth", si(p.dram_bytes_per_s, "B/s"),
      n(c.dram_channels) + " channels x " + n(c.dram_bus_width_bits) + " bit x " + n(c.dram_transfers_per_clock) +
          " transfers x " + n(c.dram_clock_mhz) + " MHz");
  row("L2 bandwidth", si(p.l2_bytes_per_s, "B/s"),
      n(c.l2_slices) + " slices x " + n(c.l2_bytes_per_clock_per_slice) + " B x " + n(c.l2_clock_mhz) + " MHz");
  row("L1 bandwidth", si(p.l1_bytes_per_s, "B/s"),
      n(c.num_sms) + " SMs x " + n(c.l1_bytes_per_clock) + " B x " + n(c.core_clock_mhz) + " MHz");
  row("Shared bandwidth", si(p.shared_bytes_per_s, "B/s"),
      n(c.num_sms) + " SMs x " + n(c.shared_banks) + " banks x " + n(c.shared_bank_width_bytes) + " B x " +
          n(c.core_clock_mhz) + " MHz");
  row("Warps in flight", grouped(p.warps_in_flight) + " warps",
      c.resident_warps_per_sm() < c.max_warps_per_sm()
          ? n(c.num_sms) + " SMs x " + n(c.max_threads_per_sm) + " threads / 32 (fewer than the " +
                n(c.max_warps_per_sm()) + " warp slots)"
          : n(c.num_sms) + " SMs x " + n(c.subcores_per_sm) + " sub-cores x " + n(c.max_warps_per_subcore) + " warps");
  row("Threads in flight", grouped(p.threads_in_flight) + " threads",
      n(c.num_sms) + " SMs x " + n(c.max_threads_per_sm) + " threads");
  // The GPCs clusters are placed in, as laid out (sim/cluster_dispatch.h): more GPCs than the
  // chip has TPCs (a chip scaled down with --set sm.count) become one TPC each, said here.
  if (c.cluster_gpcs > 0) {
    const std::vector<std::vector<int>> gpcs = gpc_layout(c);
    size_t smallest = SIZE_MAX, largest = 0;
    for (const std::vector<int>& g : gpcs) smallest = std::min(smallest, g.size()), largest = std::max(largest, g.size());
    const std::string sizes = smallest == largest ? n(static_cast<long long>(smallest)) : n(static_cast<long long>(smallest)) + "-" + n(static_cast<long long>(largest));
    row("Cluster GPCs", n(static_cast<long long>(gpcs.size())) + " GPCs",
        sizes + " SMs each" +
            (int(gpcs.size()) < c.cluster_gpcs
                 ? " (cluster.gpcs = " + n(c.cluster_gpcs) + ", but " + n(c.num_sms) + " SMs make only " +
                       n(static_cast<long long>(gpcs.size())) + " TPCs of 2)"
                 : ""));
  }
  return out.str();
}

std::string gpu_config_help() {
  GpuConfig scratch;
  std::ostringstream out;
  out << gpu_config_options(scratch);
  return out.str();
}

}  // namespace gpusim::sim
