#include "tools/sweep/sweep_report.h"

#include "tools/sweep/point_process.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace gpusim::cli::sweep {

namespace {

// A dotted key ("dram.bandwidth_gbs") in one launch's statistics; none when absent or not a number.
std::optional<double> launch_value(const nlohmann::json& launch, const std::string& key) {
  const nlohmann::json* at = &launch;
  std::istringstream parts(key);
  for (std::string part; std::getline(parts, part, '.');) {
    if (!at->is_object() || !at->contains(part)) return std::nullopt;
    at = &(*at)[part];
  }
  if (!at->is_number()) return std::nullopt;
  return at->get<double>();
}

// A launch's timing statistics: `gpusim exec --stats` nests them under "timing" in a record that
// names the kernel; `run`/`launch --stats` write them as the record itself.
const nlohmann::json& timing_of(const nlohmann::json& launch) {
  if (launch.is_object() && launch.contains("timing") && launch["timing"].is_object()) return launch["timing"];
  return launch;
}

std::string format_value(std::optional<double> v) {
  if (!v) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", *v);
  return text;
}

std::string pad(const std::string& s, size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }

}  // namespace

std::optional<double> metric_value(const StoredPoint& p, const std::string& metric) {
  if (p.status != "ok") return std::nullopt;
  if (metric == "cycles") return p.cycles ? std::optional<double>(static_cast<double>(*p.cycles)) : std::nullopt;
  if (metric == "seconds") return p.seconds;
  if (metric == "host_seconds") return p.host_seconds;
  if (p.stats.empty()) return std::nullopt;
  const bool sum = metric.rfind("sum:", 0) == 0;
  std::string key = sum ? metric.substr(4) : metric;
  if (key.rfind("timing.", 0) == 0) key = key.substr(7);  // the exec record's path names the same value
  if (key == "ipc") key = "ipc_per_sm";
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(p.stats);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  if (!doc.contains("launches") || !doc["launches"].is_array()) return std::nullopt;
  double total = 0, weight = 0;
  bool any = false;
  for (const nlohmann::json& record : doc["launches"]) {
    const nlohmann::json& launch = timing_of(record);
    const std::optional<double> v = launch_value(launch, key);
    if (!v) continue;
    any = true;
    const double w = sum ? 1 : launch_value(launch, "cycles").value_or(1);
    total += *v * w;
    weight += w;
  }
  if (!any) return std::nullopt;
  return sum ? total : (weight > 0 ? total / weight : total);
}

std::string parameter_value(const StoredPoint& p, const std::string& parameter) {
  if (parameter == "workload") return p.workload;
  if (parameter == "size") return p.size.empty() ? "default" : p.size;
  if (parameter == "config") return p.config;
  if (parameter == "mode") return p.mode;
  if (parameter == "kind") return p.kind;
  try {
    const nlohmann::json sets = nlohmann::json::parse(p.sets_json);
    if (sets.contains(parameter)) return sets[parameter].get<std::string>();
  } catch (const nlohmann::json::exception&) {
  }
  return "";
}

std::optional<double> numeric_parameter(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double product = 1;
  std::istringstream parts(text);
  for (std::string part; std::getline(parts, part, 'x');) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(part, &used);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (used != part.size()) return std::nullopt;
    product *= v;
  }
  return product;
}

std::vector<std::string> set_keys(const std::vector<StoredPoint>& points) {
  std::vector<std::string> keys;
  for (const StoredPoint& p : points) {
    try {
      const nlohmann::ordered_json sets = nlohmann::ordered_json::parse(p.sets_json);
      for (const auto& item : sets.items())
        if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) keys.push_back(item.key());
    } catch (const nlohmann::json::exception&) {
    }
  }
  return keys;
}

std::string report_table(const std::vector<StoredPoint>& points, const std::string& metric) {
  const std::vector<std::string> keys = set_keys(points);
  std::vector<std::string> header = {"workload", "size", "config"};
  header.insert(header.end(), keys.begin(), keys.end());
  header.insert(header.end(), {"mode", "status", metric, "host_s", "tries"});
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, int> by_status;
  for (const StoredPoint& p : points) {
    std::vector<std::string> row = {p.workload, parameter_value(p, "size"), p.config};
    for (const std::string& k : keys) row.push_back(parameter_value(p, k));
    row.insert(row.end(), {p.mode, p.status, format_value(metric_value(p, metric)), format_value(p.host_seconds),
                           std::to_string(p.attempts)});
    rows.push_back(row);
    ++by_status[p.status];
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size() + 1;
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size() + 1);
  }
  std::ostringstream os;
  for (size_t c = 0; c < header.size(); ++c) os << pad(header[c], width[c]);
  os << "\n";
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) os << pad(row[c], width[c]);
    os << "\n";
  }
  os << points.size() << " points:";
  for (const auto& [status, n] : by_status) os << " " << n << " " << status;
  os << "\n";
  for (const StoredPoint& p : points)
    if (p.status == "failed")
      os << "failed " << p.id << " (" << p.workload << " " << parameter_value(p, "size") << " " << p.config
         << "): " << error_summary(p.error) << "\n";
  return os.str();
}

std::vector<PlotPanel> plot_panels(const std::vector<StoredPoint>& points, const std::string& metric,
                                   const std::string& against) {
  std::vector<std::string> params = {"size", "config", "mode"};
  for (const std::string& k : set_keys(points)) params.push_back(k);
  struct Entry {
    std::string label, x;
    double y;
  };
  std::vector<std::pair<std::string, std::vector<Entry>>> by_workload;  // first-seen order
  for (const StoredPoint& p : points) {
    const std::optional<double> y = metric_value(p, metric);
    if (!y) continue;
    std::string label;
    for (const std::string& param : params)
      if (param != against) label += (label.empty() ? "" : " ") + param + "=" + parameter_value(p, param);
    auto group = std::find_if(by_workload.begin(), by_workload.end(), [&](const auto& g) { return g.first == p.workload; });
    if (group == by_workload.end()) group = by_workload.insert(by_workload.end(), {p.workload, {}});
    group->second.push_back({label, parameter_value(p, against), *y});
  }
  std::vector<PlotPanel> panels;
  for (const auto& [workload, entries] : by_workload) {
    PlotPanel panel{workload, {}, {}};
    // x: numbers when every x of the panel is numeric, otherwise category indices.
    const bool numeric = std::all_of(entries.begin(), entries.end(), [](const Entry& e) { return numeric_parameter(e.x).has_value(); });
    for (const Entry& e : entries) {
      double x = 0;
      if (numeric) {
        x = *numeric_parameter(e.x);
      } else {
        auto at = std::find(panel.categories.begin(), panel.categories.end(), e.x);
        if (at == panel.categories.end()) at = panel.categories.insert(panel.categories.end(), e.x);
        x = static_cast<double>(at - panel.categories.begin());
      }
      auto series = std::find_if(panel.series.begin(), panel.series.end(), [&](const PlotSeries& s) { return s.label == e.label; });
      if (series == panel.series.end()) series = panel.series.insert(panel.series.end(), PlotSeries{e.label, {}});
      series->xy.emplace_back(x, e.y);
    }
    for (PlotSeries& s : panel.series) std::sort(s.xy.begin(), s.xy.end());
    panels.push_back(std::move(panel));
  }
  return panels;
}

void tell_config_versions_apart(std::vector<StoredPoint>& points) {
  std::map<std::string, std::set<std::string>> hashes;
  for (const StoredPoint& p : points) hashes[p.config].insert(p.config_hash);
  for (StoredPoint& p : points)
    if (hashes[p.config].size() > 1) p.config += " (" + p.config_hash.substr(0, 8) + ")";
}

}  // namespace gpusim::cli::sweep
