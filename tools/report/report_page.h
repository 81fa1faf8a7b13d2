// `gpusim report`: one self-contained HTML page (inline CSS and SVG, no script, nothing fetched at
// view time) for the launches of one or more --stats files: a summary table, the roofline of all
// kernels, and per kernel the stall breakdown, occupancy and issue-slot use, memory-hierarchy hit
// rates and traffic, and the source lines its warps waited on.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/gpu_config.h"
#include "tools/report/stats_model.h"
#include "tools/roofline.h"
#include "validation/measured_record.h"

namespace gpusim::report {

struct ReportInputs {
  std::vector<StatsFile> files;
  sim::GpuConfig config;                               // sets the roofs
  std::optional<validation::KernelRecord> recorded;    // measured kernels to place on the roofline
};

// The first kernel simulated on another configuration than the one whose roofs are drawn: by
// name, or under the same name with other values (a run with --set the name does not state).
struct ConfigMismatch {
  std::string kernel, config;
  bool values_only = false;
};
std::optional<ConfigMismatch> first_config_mismatch(const ReportInputs& inputs);

// The roofline points of the simulated kernels (labelled by kernel, plus the file when there are
// several) and, when recorded measurements are given, the measured kernels at the simulated FLOPs
// and bytes of the first simulated kernel of the same name.
std::vector<cli::KernelPoint> roofline_points(const ReportInputs& inputs);

// The whole page, XHTML-compatible (parseable as XML).
std::string report_html(const ReportInputs& inputs);

}  // namespace gpusim::report
