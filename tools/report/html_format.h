// Small text helpers of the report page: escaping, number formatting and SVG bar charts. The page
// is XHTML-compatible (every element closed, only XML's five entities) so an XML parser can check
// it, and every chart is inline SVG so the page needs nothing at view time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpusim::report {

// Text made safe for XML/HTML character data and attribute values (control characters become '?').
std::string escape(const std::string& text);

// "12.3%" of a fraction 0.123.
std::string percent(double fraction);
// An integer with thin separators every three digits: "1 234 567" (U+2009 avoided: plain spaces).
std::string grouped(uint64_t value);
// Three significant digits with an SI prefix and unit: "12.7 GB", "898 MFLOP".
std::string si(double value, const std::string& unit);
// printf-style "%.Ng".
std::string digits(double value, int significant);

struct Bar {
  std::string label;   // left of the bar
  double value = 0;    // bar length relative to the chart's scale
  std::string shown;   // text right of the bar ("41.2%", "1 234")
  std::string colour;  // CSS colour; empty: the chart's default
};

// A horizontal bar chart as an inline <svg> element (no XML declaration). `scale` is the value of
// a full-length bar; 0 means the largest value. `title` becomes the SVG's accessible <title>.
std::string bar_chart(const std::string& title, const std::vector<Bar>& bars, double scale = 0);

}  // namespace gpusim::report
