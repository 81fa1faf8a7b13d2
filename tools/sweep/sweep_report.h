// `gpusim sweep --report DB`: the points as a table and an SVG line plot of one metric against
// one parameter, a panel per workload and a line per combination of the other parameters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/sweep/point_store.h"

namespace gpusim::cli::sweep {

// A metric of a point: cycles, seconds (simulated), host_seconds, ipc (= ipc_per_sm), a dotted key
// of the per-launch statistics JSON (dram.bandwidth_gbs: the cycles-weighted mean over launches),
// or sum:KEY (the sum over launches, for counts like sum:instructions.warp). None when the point
// has no such value (failed, functional mode, unknown key).
std::optional<double> metric_value(const StoredPoint& point, const std::string& metric);

// A parameter of a point: workload, size, config, mode, kind, or a --set key. "" when absent.
std::string parameter_value(const StoredPoint& point, const std::string& parameter);
// The parameter as a number for the x axis: a plain number, or for sizes like 64x64x32 the product
// of the dimensions. None when the text is not numeric.
std::optional<double> numeric_parameter(const std::string& text);

// The --set keys that occur in the points, in first-seen order.
std::vector<std::string> set_keys(const std::vector<StoredPoint>& points);

// The table: one line per point (workload, size, config, set values, mode, status, metric, host
// seconds, attempts), then per status the count, and the first line of each failed point's error.
std::string report_table(const std::vector<StoredPoint>& points, const std::string& metric);

// A config file edited between two sweeps into one database gives points of two configurations
// under one name: the table and the plot named both the same and drew one zigzag line through them
// (an outside researcher's report). Where a name has several contents, each point's config name
// gets the first 8 digits of its contents' hash: "teach.ini (1a2b3c4d)".
void tell_config_versions_apart(std::vector<StoredPoint>& points);

struct PlotSeries {
  std::string label;                          // the other parameters, "config=v100.ini size=4096"
  std::vector<std::pair<double, double>> xy;  // sorted by x
};
struct PlotPanel {
  std::string workload;
  std::vector<PlotSeries> series;
  std::vector<std::string> categories;  // non-numeric x values, in first-seen order (x = index)
};
// The panels: ok points with a value of `metric`, x from `against`.
std::vector<PlotPanel> plot_panels(const std::vector<StoredPoint>& points, const std::string& metric,
                                   const std::string& against);
// A self-contained SVG document with one panel per workload (linear axes from zero).
std::string plot_svg(const std::vector<PlotPanel>& panels, const std::string& metric, const std::string& against);

}  // namespace gpusim::cli::sweep
