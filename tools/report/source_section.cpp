#include "tools/report/source_section.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "tools/report/html_format.h"

namespace gpusim::report {

namespace {

template <typename T>
std::vector<const T*> top_stalled(const std::vector<T>& entries, size_t count) {
  std::vector<const T*> out;
  for (const T& e : entries)
    if (e.stall_cycles() > 0) out.push_back(&e);
  std::stable_sort(out.begin(), out.end(),
                   [](const T* a, const T* b) { return a->stall_cycles() > b->stall_cycles(); });
  if (out.size() > count) out.resize(count);
  return out;
}

// "long_scoreboard (83.0%)": the dominant reason and its share of the entry's stall cycles.
std::string dominant_text(const LineStats& line) {
  const StateCycles* top = line.dominant_stall();
  if (!top) return "-";
  return top->reason + " (" + percent(double(top->warp_cycles) / double(line.stall_cycles())) + ")";
}

std::string location(const SourceReport& source, int file, uint32_t line) {
  if (file < 0 || line == 0) return "(no line info)";
  return source.file_name(file) + ":" + std::to_string(line);
}

// A source line's row: inlined code names the line its call chain starts at ("mma.hpp:91 (from
// gemm.cu:21)"), so that the same header line called from two places reads as two rows.
std::string line_location(const SourceReport& source, const LineStats& l) {
  std::string where = location(source, l.file, l.line);
  if (l.call_line) where += " (from " + location(source, l.call_file, l.call_line) + ")";
  return where;
}

uint64_t total_stalls(const std::vector<PtxLineStats>& ptx) {
  uint64_t total = 0;
  for (const PtxLineStats& p : ptx) total += p.stall_cycles();
  return total;
}

}  // namespace

std::vector<const LineStats*> top_stalled_lines(const std::vector<LineStats>& lines, size_t count) {
  return top_stalled(lines, count);
}

std::vector<const PtxLineStats*> top_stalled_ptx(const std::vector<PtxLineStats>& ptx, size_t count) {
  return top_stalled(ptx, count);
}

namespace {
uint64_t cycles_of(const LineStats& line, const std::string& reason) {
  for (const StateCycles& s : line.states)
    if (s.reason == reason) return s.warp_cycles;
  return 0;
}

// The entry with the most cycles of `reason` (null when none has any).
template <typename T>
const T* most_of(const std::vector<T>& entries, const std::string& reason, uint64_t& total) {
  const T* best = nullptr;
  total = 0;
  for (const T& e : entries) {
    const uint64_t c = cycles_of(e, reason);
    total += c;
    if (c > 0 && (!best || c > cycles_of(*best, reason))) best = &e;
  }
  return best;
}
// "window_sum.cu:12", "mma.hpp:91 from gemm.cu:21": file names without their folders.
std::string short_location(const SourceReport& source, const LineStats& l) {
  auto name = [&](int file) {
    const std::string path = source.file_name(file);
    return path.substr(path.find_last_of('/') + 1);  // npos + 1 == 0: no folder
  };
  if (l.file < 0 || l.line == 0) return "(no line info)";
  std::string where = name(l.file) + ":" + std::to_string(l.line);
  if (l.call_line) where += " from " + name(l.call_file) + ":" + std::to_string(l.call_line);
  return where;
}
}  // namespace

std::string top_wait_location(const SourceReport& source, const std::string& reason) {
  if (!reason.empty()) {
    uint64_t reason_total = 0;
    most_of(source.ptx, reason, reason_total);  // every instruction's: the same denominator as below
    const auto share = [&](const LineStats& e) {
      return " (" + percent(reason_total > 0 ? double(cycles_of(e, reason)) / double(reason_total) : 0) + " of " +
             reason + " cycles)";
    };
    uint64_t unused = 0;
    if (const LineStats* line = most_of(source.lines, reason, unused)) return short_location(source, *line) + share(*line);
    if (source.lines.empty())
      if (const PtxLineStats* p = most_of(source.ptx, reason, unused))
        return "PTX line " + std::to_string(p->ptx_line) + share(*p);
  }
  const uint64_t all = total_stalls(source.ptx);
  const auto share = [&](uint64_t v) { return " (" + percent(all > 0 ? double(v) / double(all) : 0) + " of stall cycles)"; };
  const auto lines = top_stalled_lines(source.lines, 1);
  if (!lines.empty()) return short_location(source, *lines[0]) + share(lines[0]->stall_cycles());
  const auto ptx = top_stalled_ptx(source.ptx, 1);
  if (!ptx.empty()) return "PTX line " + std::to_string(ptx[0]->ptx_line) + share(ptx[0]->stall_cycles());
  return "";
}

// How full the line's warps were when they issued (32.0: no divergence); "-" when unknown.
static std::string lanes_per_issue(const LineStats& l) {
  if (l.active_lanes < 0 || l.issued == 0) return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%.1f", double(l.active_lanes) / double(l.issued));
  return text;
}

std::string source_section_html(const std::optional<SourceReport>& source, size_t count) {
  std::ostringstream os;
  if (!source) {
    os << "<p class=\"note\">No per-line statistics in this file. Rerun with <code>--source-report</code> "
          "(e.g. <code>gpusim run WORKLOAD --mode timing --source-report --stats s.json</code>); compile your "
          "own kernels with <code>nvcc -lineinfo</code> so the PTX carries the CUDA source lines.</p>\n";
    return os.str();
  }
  // Shares are of all the kernel's stall cycles: every PTX instruction's, so that lines and
  // instructions use the same denominator.
  const uint64_t all = total_stalls(source->ptx);
  auto share = [&](uint64_t v) { return all > 0 ? percent(double(v) / double(all)) : std::string("-"); };

  const auto lines = top_stalled_lines(source->lines, count);
  if (source->lines.empty()) {
    os << "<p class=\"note\">The PTX carries no CUDA line information (<code>.loc</code>): compile with "
          "<code>nvcc -lineinfo</code> to see source lines; below, the counts per PTX instruction.</p>\n";
  } else if (lines.empty()) {
    os << "<p class=\"note\">No CUDA source line waited.</p>\n";
  } else {
    os << "<table class=\"lines\"><caption>CUDA source lines with the most stall warp-cycles (issue cycles not counted; share of all the kernel's stall warp-cycles)</caption>\n"
       << "<tr><th class=\"name\">source line</th><th>stall warp-cycles</th><th>share</th><th class=\"name\">dominant reason</th>"
          "<th>issued</th><th>active lanes per issue</th><th>global bytes</th><th>shared bytes</th></tr>\n";
    for (const LineStats* l : lines)
      os << "<tr><td class=\"loc\">" << escape(line_location(*source, *l)) << "</td><td>"
         << grouped(l->stall_cycles()) << "</td><td>" << share(l->stall_cycles()) << "</td><td class=\"loc\">"
         << escape(dominant_text(*l)) << "</td><td>" << grouped(l->issued) << "</td><td>" << lanes_per_issue(*l)
         << "</td><td>" << grouped(l->global_bytes)
         << "</td><td>" << grouped(l->shared_bytes) << "</td></tr>\n";
    os << "</table>\n";
  }
  const auto ptx = top_stalled_ptx(source->ptx, count);
  if (!ptx.empty()) {
    os << "<table class=\"lines\"><caption>PTX instructions with the most stall warp-cycles</caption>\n"
       << "<tr><th>PC</th><th>PTX line</th><th class=\"name\">instruction</th><th class=\"name\">source line</th>"
          "<th>stall warp-cycles</th><th>share</th><th class=\"name\">dominant reason</th><th>issued</th></tr>\n";
    for (const PtxLineStats* p : ptx)
      os << "<tr><td>" << p->pc << "</td><td>" << p->ptx_line << "</td><td class=\"code\">" << escape(p->text)
         << "</td><td class=\"loc\">" << escape(location(*source, p->file, p->line)) << "</td><td>"
         << grouped(p->stall_cycles()) << "</td><td>" << share(p->stall_cycles()) << "</td><td class=\"loc\">"
         << escape(dominant_text(*p)) << "</td><td>" << grouped(p->issued) << "</td></tr>\n";
    os << "</table>\n";
  }
  return os.str();
}

}  // namespace gpusim::report
