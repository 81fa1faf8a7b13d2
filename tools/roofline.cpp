#include "tools/roofline.h"
#include "sim/text_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace gpusim::cli {

namespace {

const char* const kFp32 = "FP32";
const char* const kFp64 = "FP64";
const char* const kTensor = "TensorCore FP16";
const char* const kDram = "DRAM";

double roof_value(const std::vector<Roof>& roofs, const std::string& name) {
  for (const Roof& r : roofs)
    if (r.name == name) return r.per_second;
  return 0;
}

// Three significant digits with an SI prefix: "12.7 T", "898 G".
std::string si(double value, const char* unit) {
  const char* prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  int index = 0;
  while (std::fabs(value) >= 999.5 && index < 6) {
    value /= 1000;
    ++index;
  }
  char text[48];
  std::snprintf(text, sizeof text, "%.3g %s%s", value, prefixes[index], unit);
  return text;
}

// Axis tick label for 10^k: plain numbers near 1, else "1e-5".
std::string decade_label(int k) {
  if (k >= -3 && k <= 4) {
    char text[16];
    std::snprintf(text, sizeof text, "%g", std::pow(10.0, k));
    return text;
  }
  return "1e" + std::to_string(k);
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", v);
  return text;
}

}  // namespace

std::vector<Roof> roofs_of(const sim::GpuConfig& config) {
  const sim::GpuPeaks p = sim::compute_peaks(config);
  return {
      {kFp32, p.fp32_flops, true},
      {kFp64, p.fp64_flops, true},
      {kTensor, p.tensor_fp16_flops, true},
      {kDram, p.dram_bytes_per_s * config.dram_efficiency_pct / 100.0, false},
      {"L2", p.l2_bytes_per_s, false},
      {"L1", p.l1_bytes_per_s, false},
      {"Shared", p.shared_bytes_per_s, false},
  };
}

bool PointPlacement::placeable() const {
  const auto drawable = [](double v) { return v >= 1e-30 && v <= 1e30; };  // false for NaN and inf too
  return drawable(intensity) && drawable(achieved);
}

PointPlacement place(const std::vector<Roof>& roofs, const KernelPoint& point) {
  PointPlacement out;
  // The unit that did most of the work sets the compute roof (FP32 when there is no work at all).
  out.compute_roof = kFp32;
  if (point.fp64_flops > point.fp32_flops && point.fp64_flops >= point.tensor_flops) out.compute_roof = kFp64;
  if (point.tensor_flops > point.fp32_flops && point.tensor_flops > point.fp64_flops) out.compute_roof = kTensor;
  const double compute = roof_value(roofs, out.compute_roof);
  const double dram = roof_value(roofs, kDram);
  const double flops = point.flops();
  out.intensity = point.dram_bytes > 0 ? flops / point.dram_bytes : std::numeric_limits<double>::infinity();
  out.achieved = point.seconds > 0 ? flops / point.seconds : 0;
  const double ridge = dram > 0 ? compute / dram : 0;
  out.memory_bound = out.intensity < ridge;
  out.bound = out.memory_bound ? out.intensity * dram : compute;
  if (point.dram_bytes <= 0) {
    (flops <= 0 ? out.no_work : out.no_dram) = true;
    if (out.no_work) out.intensity = std::numeric_limits<double>::quiet_NaN();
    out.memory_bound = false;
    out.bound = 0;
  }
  return out;
}

std::string bound_label(const PointPlacement& at) {
  if (at.no_work) return "none (no FLOPs, no DRAM bytes)";
  if (at.no_dram) return "none (no DRAM bytes: the caches held its data)";
  return at.memory_bound ? std::string("memory (") + kDram + ")" : "compute (" + at.compute_roof + ")";
}

std::string roofline_table(const std::vector<Roof>& roofs, const std::vector<KernelPoint>& points) {
  std::ostringstream os;
  const double dram = roof_value(roofs, kDram);
  os << "# Roofs\n";
  char line[512];
  for (const Roof& r : roofs) {
    if (r.compute) {
      std::snprintf(line, sizeof line, "  %-16s %12.1f GFLOP/s  ridge with DRAM at %.2f FLOP/byte\n", r.name.c_str(),
                    r.per_second / 1e9, dram > 0 ? r.per_second / dram : 0.0);
    } else {
      std::snprintf(line, sizeof line, "  %-16s %12.1f GB/s\n", r.name.c_str(), r.per_second / 1e9);
    }
    os << line;
  }
  if (points.empty()) return os.str();
  size_t width = 6;
  for (const KernelPoint& p : points) width = std::max(width, p.label.size());
  os << "\n# Kernels (AI = FLOPs / DRAM bytes; bound relative to the ridge of the kernel's compute roof with DRAM)\n";
  os << sim::text_format("%-*s %12s %12s %10s %12s %10s  %s\n", int(width), "kernel", "FLOPs", "DRAM bytes", "AI",
                         "GFLOP/s", "% of roof", "bound");
  size_t cache_served = 0;
  for (const KernelPoint& p : points) {
    const PointPlacement at = place(roofs, p);
    char ai[32] = "inf";
    if (std::isfinite(at.intensity)) std::snprintf(ai, sizeof ai, "%.4g", at.intensity);
    if (at.no_work || at.no_dram) std::snprintf(ai, sizeof ai, "-");
    cache_served += at.no_dram ? 1 : 0;
    const std::string percent = at.bound > 0 ? number(100 * at.achieved / at.bound) : "-";
    const std::string bound = bound_label(at) + (p.model_bound.empty() ? "" : "; timing model: " + p.model_bound);
    os << sim::text_format("%-*s %12.4g %12.4g %10s %12.2f %10s  %s\n", int(width), p.label.c_str(), p.flops(),
                           p.dram_bytes, ai, at.achieved / 1e9, percent.c_str(), bound.c_str());
  }
  if (cache_served)
    os << "\nnote: " << cache_served << (cache_served == 1 ? " kernel" : " kernels")
       << " moved no DRAM bytes: the L2 (or L1) held all the data, e.g. inputs a cudaMemcpy had just left there, as on "
          "a GPU; their intensity per DRAM byte is undefined. --cache-control all starts every launch with empty caches "
          "(as Nsight Compute does by default), so each reads its inputs from DRAM and can be placed.\n";
  return os.str();
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') out += '?';
        else out += c;
    }
  }
  return out;
}

std::string roofline_svg(const std::string& title, const std::vector<Roof>& roofs,
                         const std::vector<KernelPoint>& points) {
  // Plot area in pixels; the right margin holds the compute-roof labels.
  const double left = 90, top = 50, width = 620, height = 460, canvas_w = 900;
  double top_compute = 0, min_compute = std::numeric_limits<double>::max(), max_memory = 0,
         min_memory = std::numeric_limits<double>::max();
  for (const Roof& r : roofs) {
    if (r.per_second <= 0) continue;
    if (r.compute) top_compute = std::max(top_compute, r.per_second), min_compute = std::min(min_compute, r.per_second);
    else max_memory = std::max(max_memory, r.per_second), min_memory = std::min(min_memory, r.per_second);
  }
  if (top_compute <= 0 || max_memory <= 0) return "";  // a configuration with no roofs has no plot
  std::vector<PointPlacement> placed;
  double x_min = min_compute / max_memory, x_max = top_compute / min_memory, y_min = min_compute;
  for (const KernelPoint& p : points) {
    placed.push_back(place(roofs, p));
    if (!placed.back().placeable()) continue;
    x_min = std::min(x_min, placed.back().intensity);
    x_max = std::max(x_max, placed.back().intensity);
    y_min = std::min(y_min, placed.back().achieved);
  }
  size_t unplaceable = 0;
  for (const PointPlacement& at : placed) unplaceable += at.placeable() ? 0 : 1;
  const double canvas_h = 600 + 14.0 * unplaceable;  // room for the "not placed" lines
  const int dx0 = int(std::floor(std::log10(x_min / 2))), dx1 = int(std::ceil(std::log10(x_max * 2)));
  const int dy1 = int(std::ceil(std::log10(top_compute * 1.5)));
  const int dy0 = std::min(int(std::floor(std::log10(std::min(y_min, min_memory * std::pow(10.0, dx0))))), dy1 - 1);
  auto sx = [&](double x) { return left + (std::log10(x) - dx0) / (dx1 - dx0) * width; };
  auto sy = [&](double y) { return top + height - (std::log10(y) - dy0) / (dy1 - dy0) * height; };
  const double lo_x = std::pow(10.0, dx0), hi_x = std::pow(10.0, dx1), lo_y = std::pow(10.0, dy0);

  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << canvas_w << "\" height=\"" << canvas_h
     << "\" viewBox=\"0 0 " << canvas_w << " " << canvas_h << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
     << "<text x=\"" << left + width / 2 << "\" y=\"25\" text-anchor=\"middle\" font-size=\"16\">"
     << xml_escape(title) << "</text>\n";
  // Axes with a tick, grid line and label at every decade.
  os << "<g stroke=\"#ddd\">\n";
  for (int k = dx0; k <= dx1; ++k)
    os << "<line x1=\"" << sx(std::pow(10.0, k)) << "\" y1=\"" << top << "\" x2=\"" << sx(std::pow(10.0, k))
       << "\" y2=\"" << top + height << "\"/>\n";
  for (int k = dy0; k <= dy1; ++k)
    os << "<line x1=\"" << left << "\" y1=\"" << sy(std::pow(10.0, k)) << "\" x2=\"" << left + width << "\" y2=\""
       << sy(std::pow(10.0, k)) << "\"/>\n";
  os << "</g>\n<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << width << "\" height=\"" << height
     << "\" fill=\"none\" stroke=\"black\"/>\n";
  for (int k = dx0; k <= dx1; ++k)
    os << "<text x=\"" << sx(std::pow(10.0, k)) << "\" y=\"" << top + height + 18 << "\" text-anchor=\"middle\">"
       << decade_label(k) << "</text>\n";
  for (int k = dy0; k <= dy1; ++k)
    os << "<text x=\"" << left - 6 << "\" y=\"" << sy(std::pow(10.0, k)) + 4 << "\" text-anchor=\"end\">"
       << xml_escape(si(std::pow(10.0, k), "")) << "</text>\n";
  os << "<text x=\"" << left + width / 2 << "\" y=\"" << top + height + 42
     << "\" text-anchor=\"middle\">arithmetic intensity [FLOP / DRAM byte]</text>\n"
     << "<text transform=\"translate(22 " << top + height / 2
     << ") rotate(-90)\" text-anchor=\"middle\">performance [FLOP/s]</text>\n";

  // Memory roofs rise with intensity until they meet the highest compute roof; compute roofs run
  // flat from their ridge with DRAM to the right edge.
  const double dram = roof_value(roofs, kDram);
  const double slope_deg = -std::atan((height / (dy1 - dy0)) / (width / (dx1 - dx0))) * 180 / M_PI;
  int memory_index = 0;
  for (const Roof& r : roofs) {
    if (r.per_second <= 0) continue;
    const std::string label = xml_escape(r.name + " " + si(r.per_second, r.compute ? "FLOP/s" : "B/s"));
    if (r.compute) {
      const double x0 = std::clamp(dram > 0 ? r.per_second / dram : lo_x, lo_x, hi_x);
      os << "<line x1=\"" << sx(x0) << "\" y1=\"" << sy(r.per_second) << "\" x2=\"" << sx(hi_x) << "\" y2=\""
         << sy(r.per_second) << "\" stroke=\"#b22\" stroke-width=\"2\"/>\n"
         << "<text x=\"" << sx(hi_x) + 6 << "\" y=\"" << sy(r.per_second) + 4 << "\" fill=\"#b22\">" << label
         << "</text>\n";
    } else {
      const double x0 = std::max(lo_x, lo_y / r.per_second), x1 = std::min(hi_x, top_compute / r.per_second);
      if (x1 <= x0) continue;
      // Labels of successive memory roofs sit further along their lines, so that roofs of equal
      // bandwidth (L1 and shared memory on many chips) stay readable.
      const double xl = x0 * std::pow(x1 / x0, 0.02 + 0.18 * memory_index++);
      os << "<line x1=\"" << sx(x0) << "\" y1=\"" << sy(r.per_second * x0) << "\" x2=\"" << sx(x1) << "\" y2=\""
         << sy(r.per_second * x1) << "\" stroke=\"#24a\" stroke-width=\"2\"/>\n"
         << "<text transform=\"translate(" << sx(xl) << " " << sy(r.per_second * xl) - 6 << ") rotate("
         << slope_deg << ")\" fill=\"#24a\">" << label << "</text>\n";
    }
  }

  // Kernels: circles (simulated) coloured by their bound; the unplaceable listed below the plot.
  std::vector<std::string> not_placed;
  for (size_t i = 0; i < points.size(); ++i) {
    const PointPlacement& at = placed[i];
    if (!at.placeable()) {
      not_placed.push_back(points[i].label + (at.no_work   ? " (no FLOPs, no DRAM traffic)"
                                              : at.no_dram ? " (no DRAM traffic: the caches held its data; --cache-control all empties them before each launch)"
                                              : points[i].flops() > 0 ? " (no time)"
                                                                      : " (no FLOPs)"));
      continue;
    }
    const std::string colour = at.memory_bound ? "#24a" : "#b22";
    os << "<circle cx=\"" << sx(at.intensity) << "\" cy=\"" << sy(at.achieved) << "\" r=\"5\" fill=\"" << colour
       << "\" stroke=\"black\"/>\n<text x=\"" << sx(at.intensity) + 8 << "\" y=\"" << sy(at.achieved) - 6
       << "\" font-size=\"11\">" << xml_escape(points[i].label) << " (" << (at.memory_bound ? "memory" : "compute")
       << "-bound)</text>\n";
  }
  for (size_t i = 0; i < not_placed.size(); ++i)
    os << "<text x=\"" << left << "\" y=\"" << top + height + 62 + 14 * i << "\" font-size=\"11\">not placed: "
       << xml_escape(not_placed[i]) << "</text>\n";
  os << "</svg>\n";
  return os.str();
}

}  // namespace gpusim::cli
