// One kernel launch's part of the report page: key numbers, stall breakdown, occupancy and
// issue-slot use, memory hierarchy, source lines.
#pragma once

#include <string>
#include <vector>

#include "tools/report/stats_model.h"
#include "tools/roofline.h"

namespace gpusim::report {

// The id of the kernel's <section> ("kernel-3"): the summary table links to it.
std::string kernel_anchor(int index);

// "long_scoreboard (61.5% of warp-cycles)": the stall reason (not "selected") with the most
// warp-cycles and its share of all warp-cycles; "-" when the warps never waited.
std::string dominant_stall_text(const KernelStats& kernel);
// The stall reason with the most warp-cycles ("" when the kernel never waited).
std::string dominant_stall_reason(const KernelStats& kernel);

// `totals`: where the file is summarised per kernel, all the launches this (longest) one stands for.
std::string kernel_section_html(const KernelStats& kernel, int index, const std::string& stats_path,
                                const KernelLaunches* totals, const std::vector<cli::Roof>& roofs);

}  // namespace gpusim::report
