#include "tools/report/report_page.h"

#include <algorithm>
#include <sstream>

#include "sim/config_fingerprint.h"
#include "tools/report/html_format.h"
#include "tools/report/kernel_section.h"
#include "tools/report/source_section.h"

namespace gpusim::report {

namespace {

// Inline CSS: readable on a 1366x768 laptop screen, charts shrink with the window.
const char* const kStyle = R"(
body { font-family: sans-serif; margin: 0 auto; max-width: 1180px; padding: 0 16px 40px; color: #222; }
h1 { border-bottom: 2px solid #3a6ea5; padding-bottom: 4px; }
h2 { margin-top: 36px; border-bottom: 1px solid #bbb; }
section.kernel { margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0 14px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f0f3f7; }
td.name, td.loc, th.name, td.key { text-align: left; }
td.code { text-align: left; font-family: monospace; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
svg { max-width: 100%; height: auto; }
.note { color: #555; font-style: italic; }
.warn { color: #a40; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 28px; }
.charts > div { flex: 1 1 520px; }
code { background: #f4f4f4; padding: 0 3px; }
)";

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

cli::KernelPoint point_of(const KernelStats& k, const std::string& label) {
  cli::KernelPoint p;
  p.label = label;
  p.fp32_flops = k.fp32_flops;
  p.fp64_flops = k.fp64_flops;
  p.tensor_flops = k.tensor_flops;
  p.dram_bytes = double(k.dram_read_bytes + k.dram_write_bytes);
  p.seconds = k.seconds;
  return p;
}

// The roofline SVG as an element inside the page: without its XML declaration.
std::string inline_svg(const std::string& svg_document) {
  if (svg_document.rfind("<?xml", 0) != 0) return svg_document;
  const size_t end = svg_document.find("?>");
  return end == std::string::npos ? svg_document : svg_document.substr(end + 2);
}

void summary_table(std::ostringstream& os, const ReportInputs& in, const std::vector<cli::Roof>& roofs) {
  const bool summarised = std::any_of(in.files.begin(), in.files.end(), [](const StatsFile& f) { return f.summarised(); });
  if (summarised)
    os << "<p class=\"note\">A statistics file of more than " << kLaunchesShownOneByOne
       << " timed launches is shown per kernel: launches, cycles and time are the sums over all its launches; the "
          "other columns and the kernel's section are those of its longest launch (every launch's figures are in the "
          "file).</p>\n";
  os << "<table class=\"summary\"><tr><th class=\"name\">kernel</th><th class=\"name\">stats file</th>"
     << (summarised ? "<th>launches</th>" : "")
     << "<th>cycles</th><th>time [&#181;s]</th><th>IPC/SM</th><th>issue slots used</th><th>achieved occupancy</th>"
        "<th class=\"name\">most warp-cycles waiting on</th><th class=\"name\">roofline bound</th></tr>\n";
  int index = 0;
  for (const StatsFile& f : in.files)
    for (size_t i = 0; i < f.kernels.size(); ++i) {
      const KernelStats& k = f.kernels[i];
      const KernelLaunches one{1, k.cycles, k.seconds};
      const KernelLaunches& all = f.summarised() ? f.totals[i] : one;
      const cli::PointPlacement at = cli::place(roofs, point_of(k, k.kernel));
      std::string bound = cli::bound_label(at);
      if (at.bound > 0 && at.placeable()) bound += ", " + percent(at.achieved / at.bound) + " of roof";
      const std::string where = k.source ? top_wait_location(*k.source, dominant_stall_reason(k)) : "";
      os << "<tr><td class=\"name\"><a href=\"#" << kernel_anchor(index) << "\">" << escape(k.kernel)
         << "</a></td><td class=\"name\">" << escape(base_name(f.path)) << "</td><td>"
         << (summarised ? grouped(all.launches) + "</td><td>" : "") << grouped(all.cycles)
         << "</td><td>" << digits(all.seconds * 1e6, 4) << "</td><td>" << digits(k.ipc_per_sm, 3) << "</td><td>"
         << percent(k.issue_slot_utilization) << "</td><td>" << percent(k.occupancy_achieved)
         << "</td><td class=\"name\">" << escape(dominant_stall_text(k))
         << (where.empty() ? "" : "; at " + escape(where))
         << "</td><td class=\"name\">"
         << escape(bound) << "</td></tr>\n";
      ++index;
    }
  os << "</table>\n";
}

}  // namespace

std::vector<cli::KernelPoint> roofline_points(const ReportInputs& in) {
  std::vector<cli::KernelPoint> points;
  std::vector<const KernelStats*> simulated;
  for (const StatsFile& f : in.files)
    for (const KernelStats& k : f.kernels) {
      points.push_back(point_of(k, in.files.size() > 1 ? k.kernel + " [" + base_name(f.path) + "]" : k.kernel));
      simulated.push_back(&k);
    }
  if (!in.recorded) return points;
  for (const validation::MeasuredKernel& m : in.recorded->kernels) {
    const auto match = std::find_if(simulated.begin(), simulated.end(),
                                    [&](const KernelStats* k) { return k->kernel == m.kernel; });
    if (match == simulated.end()) continue;
    cli::KernelPoint p = point_of(**match, m.kernel + " (measured on " + in.recorded->gpu.name + ", size " + m.size + ")");
    p.seconds = m.median_us * 1e-6;
    points.push_back(p);
  }
  return points;
}

std::optional<ConfigMismatch> first_config_mismatch(const ReportInputs& in) {
  const std::string fingerprint = sim::config_fingerprint(in.config);
  for (const StatsFile& f : in.files)
    for (const KernelStats& k : f.kernels) {
      if (k.config != in.config.name) return ConfigMismatch{k.kernel, k.config, false};
      // Same name, other values: a run with --set of a value the name does not state.
      if (!k.config_fingerprint.empty() && k.config_fingerprint != fingerprint) return ConfigMismatch{k.kernel, k.config, true};
    }
  return std::nullopt;
}

std::string report_html(const ReportInputs& in) {
  const std::vector<cli::Roof> roofs = cli::roofs_of(in.config);
  size_t kernels = 0;
  for (const StatsFile& f : in.files) kernels += f.kernels.size();
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
     << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
     << "<title>gpusim report: " << kernels << " kernel" << (kernels == 1 ? "" : "s") << "</title>\n<style>" << kStyle
     << "</style>\n</head>\n<body>\n<h1>gpusim report</h1>\n<p>Statistics of the timing model from";
  for (const StatsFile& f : in.files) os << " <code>" << escape(f.path) << "</code>";
  os << "; roofs of <b>" << escape(in.config.name) << "</b>.</p>\n";
  if (const std::optional<ConfigMismatch> m = first_config_mismatch(in)) {
    if (!m->values_only)
      os << "<p class=\"warn\">Kernel <b>" << escape(m->kernel) << "</b> was simulated on <b>" << escape(m->config)
         << "</b>, not on the configuration whose roofs are drawn: pass the same <code>--config</code> to "
            "<code>gpusim report</code> as to the run.</p>\n";
    else
      os << "<p class=\"warn\">Kernel <b>" << escape(m->kernel) << "</b> was simulated on <b>" << escape(m->config)
         << "</b> with other values than the configuration whose roofs are drawn: pass the run's "
            "<code>--config</code> and <code>--set</code> options to <code>gpusim report</code> as well.</p>\n";
  }

  os << "<h2 id=\"summary\">Kernels</h2>\n";
  summary_table(os, in, roofs);

  os << "<h2 id=\"roofline\">Roofline</h2>\n<p>Arithmetic intensity is FLOPs per DRAM byte; red roofs are "
        "compute peaks, blue ones bandwidths. A kernel under the blue DRAM line is memory-bound.</p>\n";
  const std::vector<cli::KernelPoint> points = roofline_points(in);
  const std::string svg = cli::roofline_svg("Roofline of " + in.config.name, roofs, points);
  if (svg.empty()) os << "<p class=\"note\">This configuration has no compute or memory roofs to draw.</p>\n";
  else os << "<div class=\"roofline\">" << inline_svg(svg) << "</div>\n";

  int index = 0;
  for (const StatsFile& f : in.files)
    for (size_t i = 0; i < f.kernels.size(); ++i)
      os << kernel_section_html(f.kernels[i], index++, f.path, f.summarised() ? &f.totals[i] : nullptr, roofs);
  os << "</body>\n</html>\n";
  return os.str();
}

}  // namespace gpusim::report
