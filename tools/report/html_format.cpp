#include "tools/report/html_format.h"

#include "tools/roofline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace gpusim::report {

// The page is XHTML-compatible, so XML's escaping (the roofline SVG's) serves it too.
std::string escape(const std::string& text) { return cli::xml_escape(text); }

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * fraction);
  return text;
}

std::string grouped(uint64_t value) {
  const std::string digits_text = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits_text.size(); ++i) {
    if (i > 0 && (digits_text.size() - i) % 3 == 0) out += ' ';
    out += digits_text[i];
  }
  return out;
}

std::string si(double value, const std::string& unit) {
  const char* prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  int index = 0;
  while (std::fabs(value) >= 999.5 && index < 6) {
    value /= 1000;
    ++index;
  }
  char text[48];
  std::snprintf(text, sizeof text, "%.3g %s", value, prefixes[index]);
  return text + unit;
}

std::string digits(double value, int significant) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*g", significant, value);
  return text;
}

std::string bar_chart(const std::string& title, const std::vector<Bar>& bars, double scale) {
  // Fixed pixel layout scaled by the viewBox: a label column, the bars, the value text.
  const double label_w = 170, bar_w = 380, text_w = 130, row_h = 22, pad = 6;
  if (scale <= 0)
    for (const Bar& b : bars) scale = std::max(scale, b.value);
  const double width = label_w + bar_w + text_w, height = pad * 2 + row_h * std::max<size_t>(bars.size(), 1);
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << width << "\" height=\"" << height
     << "\" viewBox=\"0 0 " << width << " " << height << "\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">"
     << "<title>" << escape(title) << "</title>\n";
  if (bars.empty())
    os << "<text x=\"" << pad << "\" y=\"" << pad + 15 << "\">(nothing to show)</text>\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double y = pad + row_h * i;
    const double length = scale > 0 ? std::clamp(b.value / scale, 0.0, 1.0) * bar_w : 0;
    os << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\">" << escape(b.label)
       << "</text>"
       << "<rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << bar_w << "\" height=\"" << row_h - 6
       << "\" fill=\"#eee\"/>"
       << "<rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << length << "\" height=\"" << row_h - 6
       << "\" fill=\"" << escape(b.colour.empty() ? "#3a6ea5" : b.colour) << "\"/>"
       << "<text x=\"" << label_w + bar_w + 6 << "\" y=\"" << y + 15 << "\">" << escape(b.shown) << "</text>\n";
  }
  os << "</svg>\n";
  return os.str();
}

}  // namespace gpusim::report
