// The SVG of `gpusim sweep --report`: one panel per workload stacked vertically, linear axes
// starting at zero with "nice" ticks (1, 2, 5 x 10^k), a polyline with markers per series and a
// legend under each panel. Same look as the roofline plot (tools/roofline.cpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "tools/roofline.h"
#include "tools/sweep/sweep_report.h"

namespace gpusim::cli::sweep {

namespace {

constexpr int kWidth = 760, kLeft = 90, kRight = 30, kPlotHeight = 260, kTitleHeight = 40, kAxisHeight = 50;
constexpr int kLegendLine = 15;
const char* const kColors[] = {"#24a", "#b22", "#2a4", "#c80", "#829", "#088", "#555", "#a52"};

// A tick step of 1, 2 or 5 x 10^k giving about five ticks up to `max`.
double tick_step(double max) {
  if (max <= 0) return 1;
  const double raw = max / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double f : {1.0, 2.0, 5.0, 10.0})
    if (raw <= f * magnitude) return f * magnitude;
  return 10 * magnitude;
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

}  // namespace

std::string plot_svg(const std::vector<PlotPanel>& panels, const std::string& metric, const std::string& against) {
  const int width = kWidth - kLeft - kRight;
  std::vector<int> heights;
  int total = 10;
  for (const PlotPanel& p : panels) {
    heights.push_back(kTitleHeight + kPlotHeight + kAxisHeight + kLegendLine * static_cast<int>(p.series.size()) + 10);
    total += heights.back();
  }
  if (panels.empty()) total = 80;
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << total << "\" viewBox=\"0 0 "
     << kWidth << " " << total << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (panels.empty())
    os << "<text x=\"20\" y=\"40\">no successful points with a value of " << xml_escape(metric) << "</text>\n";
  int y0 = 10;
  for (size_t pi = 0; pi < panels.size(); ++pi) {
    const PlotPanel& panel = panels[pi];
    double x_max = 0, y_max = 0;
    for (const PlotSeries& s : panel.series)
      for (const auto& [x, y] : s.xy) x_max = std::max(x_max, x), y_max = std::max(y_max, y);
    const bool categorical = !panel.categories.empty();
    const double x_step = categorical ? 1 : tick_step(x_max);
    const double x_top = categorical ? std::max<double>(1, panel.categories.size() - 1) : std::max(x_step, std::ceil(x_max / x_step) * x_step);
    const double y_step = tick_step(y_max);
    const double y_top = std::max(y_step, std::ceil(y_max / y_step) * y_step);
    const int top = y0 + kTitleHeight, bottom = top + kPlotHeight;
    auto sx = [&](double x) { return kLeft + x / x_top * width; };
    auto sy = [&](double y) { return bottom - y / y_top * kPlotHeight; };

    os << "<text x=\"" << kLeft + width / 2 << "\" y=\"" << y0 + 25 << "\" text-anchor=\"middle\" font-size=\"16\">"
       << xml_escape(panel.workload + ": " + metric + " against " + against) << "</text>\n<g stroke=\"#ddd\">\n";
    for (double y = 0; y <= y_top * 1.0001; y += y_step)
      os << "<line x1=\"" << kLeft << "\" y1=\"" << sy(y) << "\" x2=\"" << kLeft + width << "\" y2=\"" << sy(y) << "\"/>\n";
    os << "</g>\n<rect x=\"" << kLeft << "\" y=\"" << top << "\" width=\"" << width << "\" height=\"" << kPlotHeight
       << "\" fill=\"none\" stroke=\"black\"/>\n";
    for (double y = 0; y <= y_top * 1.0001; y += y_step)
      os << "<text x=\"" << kLeft - 6 << "\" y=\"" << sy(y) + 4 << "\" text-anchor=\"end\">" << number(y) << "</text>\n";
    if (categorical) {
      for (size_t c = 0; c < panel.categories.size(); ++c)
        os << "<text x=\"" << sx(static_cast<double>(c)) << "\" y=\"" << bottom + 18 << "\" text-anchor=\"middle\">"
           << xml_escape(panel.categories[c]) << "</text>\n";
    } else {
      for (double x = 0; x <= x_top * 1.0001; x += x_step)
        os << "<text x=\"" << sx(x) << "\" y=\"" << bottom + 18 << "\" text-anchor=\"middle\">" << number(x) << "</text>\n";
    }
    os << "<text x=\"" << kLeft + width / 2 << "\" y=\"" << bottom + 38 << "\" text-anchor=\"middle\">" << xml_escape(against)
       << "</text>\n<text transform=\"translate(20," << (top + bottom) / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
       << xml_escape(metric) << "</text>\n";
    for (size_t si = 0; si < panel.series.size(); ++si) {
      const PlotSeries& s = panel.series[si];
      const char* color = kColors[si % (sizeof kColors / sizeof *kColors)];
      os << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\" points=\"";
      for (const auto& [x, y] : s.xy) os << sx(x) << "," << sy(y) << " ";
      os << "\"/>\n";
      for (const auto& [x, y] : s.xy)
        os << "<circle cx=\"" << sx(x) << "\" cy=\"" << sy(y) << "\" r=\"3.5\" fill=\"" << color << "\"><title>"
           << xml_escape(s.label + ": " + number(x) + " -> " + number(y)) << "</title></circle>\n";
      const int ly = bottom + kAxisHeight + kLegendLine * static_cast<int>(si);
      os << "<line x1=\"" << kLeft << "\" y1=\"" << ly - 4 << "\" x2=\"" << kLeft + 20 << "\" y2=\"" << ly - 4 << "\" stroke=\""
         << color << "\" stroke-width=\"2\"/>\n<text x=\"" << kLeft + 26 << "\" y=\"" << ly << "\" font-size=\"11\">"
         << xml_escape(s.label.empty() ? panel.workload : s.label) << "</text>\n";
    }
    y0 += heights[pi];
  }
  os << "</svg>\n";
  return os.str();
}

}  // namespace gpusim::cli::sweep
