// The "Source lines" part of a kernel's report: the CUDA source lines (and the PTX instructions)
// the kernel's warps waited on most, each with its dominant stall reason, from the "source" object
// that `--source-report` adds to a launch's statistics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/report/stats_model.h"

namespace gpusim::report {

// The `count` entries with the most stall warp-cycles (ties: the earlier entry first); entries
// that never waited are left out.
std::vector<const LineStats*> top_stalled_lines(const std::vector<LineStats>& lines, size_t count);
std::vector<const PtxLineStats*> top_stalled_ptx(const std::vector<PtxLineStats>& ptx, size_t count);

// "window_sum.cu:12 (67.4% of stall cycles)": the source line (file name without its folders) with
// the most stall cycles, or the PTX instruction ("PTX line 30") when no line has .loc info; ""
// when nothing waited. With `reason` (the kernel's dominant stall reason), the line with the most
// cycles of that reason: "matmul.cu:21 (48.0% of long_scoreboard cycles)", so that a summary
// pairing the reason with a line never names a line that waits on something else.
std::string top_wait_location(const SourceReport& source, const std::string& reason = "");

// The HTML of the section (tables, or a sentence saying how to get them when `source` is absent).
std::string source_section_html(const std::optional<SourceReport>& source, size_t count = 12);

}  // namespace gpusim::report
