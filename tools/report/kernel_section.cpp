#include "tools/report/kernel_section.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "tools/report/html_format.h"
#include "tools/report/source_section.h"

namespace gpusim::report {

namespace {

const char* const kIssuing = "#3a9a4a";  // "selected": the warp issued
const char* const kWaiting = "#3a6ea5";

void row(std::ostringstream& os, const std::string& key, const std::string& value) {
  os << "<tr><td class=\"key\">" << escape(key) << "</td><td>" << escape(value) << "</td></tr>\n";
}

void key_numbers(std::ostringstream& os, const KernelStats& k, const std::vector<cli::Roof>& roofs) {
  cli::KernelPoint point;
  point.fp32_flops = k.fp32_flops;
  point.fp64_flops = k.fp64_flops;
  point.tensor_flops = k.tensor_flops;
  point.dram_bytes = double(k.dram_read_bytes + k.dram_write_bytes);
  point.seconds = k.seconds;
  const cli::PointPlacement at = cli::place(roofs, point);
  os << "<table class=\"keys\"><caption>Key numbers</caption>\n";
  row(os, "cycles", grouped(k.cycles));
  row(os, "simulated time", digits(k.seconds * 1e6, 4) + " \xC2\xB5s");
  row(os, "SMs used", std::to_string(k.sms_used));
  row(os, "warp-instructions issued", grouped(k.warp_instructions));
  row(os, "thread-instructions", grouped(k.thread_instructions));
  row(os, "IPC per SM (warp-instructions / active cycle)", digits(k.ipc_per_sm, 3));
  row(os, "FLOPs (FP32 / FP64 / TensorCore)",
      si(k.fp32_flops, "") + " / " + si(k.fp64_flops, "") + " / " + si(k.tensor_flops, ""));
  row(os, "DRAM traffic", si(point.dram_bytes, "B"));
  row(os, "arithmetic intensity", at.no_work                  ? "undefined (no FLOPs, no DRAM traffic)"
                                  : std::isfinite(at.intensity) ? digits(at.intensity, 4) + " FLOP/byte"
                                                                : "no DRAM traffic");
  row(os, "achieved", si(at.achieved, "FLOP/s"));
  if (at.placeable() && at.bound > 0)
    row(os, "roofline", std::string(at.memory_bound ? "memory-bound (DRAM)" : "compute-bound (" + at.compute_roof + ")") +
                            ", " + percent(at.achieved / at.bound) + " of the roof at this intensity");
  os << "</table>\n";
}

void stall_breakdown(std::ostringstream& os, const KernelStats& k) {
  const uint64_t total = k.total_state_cycles();
  std::vector<StateCycles> states = k.states;
  std::stable_sort(states.begin(), states.end(),
                   [](const StateCycles& a, const StateCycles& b) { return a.warp_cycles > b.warp_cycles; });
  std::vector<Bar> bars;
  for (const StateCycles& s : states) {
    if (s.warp_cycles == 0) continue;
    const double share = total > 0 ? double(s.warp_cycles) / double(total) : 0;
    bars.push_back({s.reason, share, percent(share) + " (" + grouped(s.warp_cycles) + ")",
                    s.reason == "selected" ? kIssuing : kWaiting});
  }
  os << "<h3>Stall breakdown</h3>\n<p>Where the resident warps' cycles went (" << grouped(total)
     << " warp-cycles; <i>selected</i> = issuing). Most waiting: <b>" << escape(dominant_stall_text(k))
     << "</b>";
  const std::string where = k.source ? top_wait_location(*k.source, dominant_stall_reason(k)) : "";
  if (!where.empty()) os << ", most of all at <b>" << escape(where) << "</b> (see Source lines)";
  os << ".</p>\n" << bar_chart("Warp-cycles by state", bars);
}

void occupancy_and_issue(std::ostringstream& os, const KernelStats& k) {
  os << "<h3>Occupancy and issue slots</h3>\n<p>" << k.ctas_per_sm << " CTA" << (k.ctas_per_sm == 1 ? "" : "s")
     << " per SM, limited by <b>" << escape(k.occupancy_limiter) << "</b>; IPC per SM " << digits(k.ipc_per_sm, 3)
     << ".</p>\n<div class=\"charts\"><div>\n";
  os << bar_chart("Occupancy and issue-slot use",
                  {{"theoretical occupancy", k.occupancy_theoretical, percent(k.occupancy_theoretical), ""},
                   {"achieved occupancy", k.occupancy_achieved, percent(k.occupancy_achieved), ""},
                   {"issue slots used", k.issue_slot_utilization, percent(k.issue_slot_utilization), ""},
                   {"TensorCore pipe busy", k.tensor_utilization, percent(k.tensor_utilization), ""}},
                  1.0);
  std::vector<Bar> pipes;
  for (const auto& [pipe, cycles] : k.pipe_busy) pipes.push_back({pipe + " pipe", double(cycles), grouped(cycles), "#8a6ab5"});
  os << "</div><div>\n<p>Busy cycles per pipe (summed over sub-cores):</p>\n"
     << bar_chart("Pipe busy cycles", pipes) << "</div></div>\n";
}

void memory_hierarchy(std::ostringstream& os, const KernelStats& k) {
  const uint64_t dram = k.dram_read_bytes + k.dram_write_bytes;
  os << "<h3>Memory hierarchy</h3>\n<div class=\"charts\"><div>\n"
     << bar_chart("Hit rates and DRAM bandwidth",
                  {{"L1 read-sector hits", k.l1_hit_rate, percent(k.l1_hit_rate), "#c07a2a"},
                   {"L2 read-sector hits", k.l2_hit_rate, percent(k.l2_hit_rate), "#c07a2a"},
                   {"DRAM bandwidth of peak", k.dram_bandwidth_fraction, percent(k.dram_bandwidth_fraction), "#b22"}},
                  1.0)
     << "</div><div>\n<table class=\"traffic\"><caption>Traffic</caption>\n"
     << "<tr><th class=\"name\">level</th><th class=\"name\">counter</th><th>value</th></tr>\n";
  auto line = [&](const char* level, const char* counter, const std::string& value) {
    os << "<tr><td class=\"key\">" << level << "</td><td class=\"key\">" << counter << "</td><td>" << escape(value)
       << "</td></tr>\n";
  };
  line("L1", "global load requests", grouped(k.global_load_requests));
  line("L1", "global store requests", grouped(k.global_store_requests));
  if (k.sectors_per_store_request)
    line("L1", "sectors per global store", digits(*k.sectors_per_store_request, 3) + " (4 when a warp's 32 words are consecutive)");
  line("L1", "sectors per global load", digits(k.sectors_per_request, 3));
  line("L1", "read sectors hit / missed", grouped(k.l1_sector_hits) + " / " + grouped(k.l1_sector_misses));
  line("shared", "requests / wavefronts", grouped(k.shared_requests) + " / " + grouped(k.shared_wavefronts));
  line("shared", "bank conflicts (extra wavefronts)", grouped(k.shared_bank_conflicts));
  line("L2", "read sectors hit / missed", grouped(k.l2_sector_hits) + " / " + grouped(k.l2_sector_misses));
  line("L2", "atomics", grouped(k.l2_atomics));
  line("DRAM", "bytes read / written", grouped(k.dram_read_bytes) + " / " + grouped(k.dram_write_bytes));
  line("DRAM", "total", si(double(dram), "B") + " at " + digits(k.dram_bandwidth_gbs, 4) + " GB/s");
  line("registers", "bank conflicts", grouped(k.register_bank_conflicts));
  os << "</table>\n</div></div>\n";
}

}  // namespace

std::string kernel_anchor(int index) { return "kernel-" + std::to_string(index); }

namespace {
const StateCycles* dominant_stall(const KernelStats& k) {
  const StateCycles* best = nullptr;
  for (const StateCycles& s : k.states)
    if (s.reason != "selected" && s.warp_cycles > 0 && (!best || s.warp_cycles > best->warp_cycles)) best = &s;
  return best;
}
}  // namespace

std::string dominant_stall_reason(const KernelStats& k) {
  const StateCycles* best = dominant_stall(k);
  return best ? best->reason : "";
}

std::string dominant_stall_text(const KernelStats& k) {
  const StateCycles* best = dominant_stall(k);
  if (!best) return "-";
  return best->reason + " (" + percent(double(best->warp_cycles) / double(k.total_state_cycles())) + " of warp-cycles)";
}

std::string kernel_section_html(const KernelStats& k, int index, const std::string& stats_path,
                                const KernelLaunches* totals, const std::vector<cli::Roof>& roofs) {
  std::ostringstream os;
  os << "<section class=\"kernel\" id=\"" << kernel_anchor(index) << "\">\n<h2>Kernel " << escape(k.kernel)
     << "</h2>\n<p>Launch " << k.launch << " of <code>" << escape(stats_path) << "</code>, simulated on <b>"
     << escape(k.config) << "</b>";
  if (totals)
    os << "; the longest of this kernel's " << grouped(totals->launches) << " launches in the file, which took "
       << grouped(totals->cycles) << " cycles (" << digits(totals->seconds * 1e6, 4) << " &#181;s) in all";
  os << ".</p>\n";
  key_numbers(os, k, roofs);
  stall_breakdown(os, k);
  occupancy_and_issue(os, k);
  memory_hierarchy(os, k);
  os << "<h3>Source lines</h3>\n" << source_section_html(k.source) << "</section>\n";
  return os.str();
}

}  // namespace gpusim::report
