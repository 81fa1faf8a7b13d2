#include "sim/prediction_error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace gpusim::sim {
namespace {

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

double parse_number(const std::string& text, const std::string& where) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v))
    throw std::invalid_argument(where + ": '" + text + "' is not a number");
  return v;
}

double error_of(const Residual& r, ErrorKind kind) {
  return kind == ErrorKind::WithLaunch ? r.error_pct : r.kernel_error_pct;
}

// The bar over the residuals that `keep` accepts, skipping index `skip` (leave-one-out): their
// signed errors' range widened by its mean spacing on each side (prediction_error.h says why).
template <typename Keep>
ErrorBar bar_over(const std::vector<Residual>& residuals, ErrorKind kind, size_t skip, Keep keep) {
  ErrorBar b;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t i = 0; i < residuals.size(); ++i) {
    if (i == skip || !keep(residuals[i])) continue;
    lo = std::min(lo, error_of(residuals[i], kind));
    hi = std::max(hi, error_of(residuals[i], kind));
    ++b.kernels;
  }
  if (b.kernels == 0) return b;
  const double spacing = b.kernels > 1 ? (hi - lo) / (b.kernels - 1) : 0.0;
  b.low_pct = std::max(lo - spacing, -100.0);
  b.high_pct = hi + spacing;
  return b;
}

ErrorBar expected_error_skipping(const std::vector<Residual>& residuals, BoundClass bound,
                                 const std::string& size_class, ErrorKind kind, size_t skip) {
  ErrorBar b = bar_over(residuals, kind, skip,
                        [&](const Residual& r) { return r.bound == bound && r.size_class == size_class; });
  b.basis = std::string(bound_class_name(bound)) + "/" + size_class;
  if (b.kernels >= kMinKernelsPerBar) return b;
  b = bar_over(residuals, kind, skip, [&](const Residual& r) { return r.bound == bound; });
  b.basis = bound_class_name(bound);
  if (b.kernels >= kMinKernelsPerBar) return b;
  b = bar_over(residuals, kind, skip, [](const Residual&) { return true; });
  b.basis = "all";
  return b;
}

}  // namespace

std::vector<Residual> parse_residuals(const std::string& csv_text, const std::string& source) {
  std::istringstream in(csv_text);
  std::string line;
  if (!std::getline(in, line)) throw std::invalid_argument(source + ": empty residual file");
  const std::vector<std::string> header = split_commas(line);
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw std::invalid_argument(source + ":1: no column '" + name + "'");
    return size_t(it - header.begin());
  };
  const size_t c_workload = column("workload"), c_size = column("size"), c_bound = column("bound"),
               c_size_class = column("size_class"), c_error = column("error_pct"),
               c_kernel = column("kernel_error_pct");
  std::vector<Residual> out;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = source + ":" + std::to_string(line_no);
    if (line.find('"') != std::string::npos) throw std::invalid_argument(where + ": quoted fields are not expected");
    const std::vector<std::string> f = split_commas(line);
    if (f.size() != header.size())
      throw std::invalid_argument(where + ": " + std::to_string(f.size()) + " fields, the header has " +
                                  std::to_string(header.size()));
    Residual r;
    r.source = where;
    r.workload = f[c_workload];
    r.size = f[c_size];
    try {
      r.bound = parse_bound_class(f[c_bound]);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
    r.size_class = f[c_size_class];
    if (r.size_class != "small" && r.size_class != "large")
      throw std::invalid_argument(where + ": size_class '" + r.size_class + "' is neither small nor large");
    r.error_pct = parse_number(f[c_error], where + " error_pct");
    r.kernel_error_pct = parse_number(f[c_kernel], where + " kernel_error_pct");
    out.push_back(r);
  }
  return out;
}

ErrorBar expected_error(const std::vector<Residual>& residuals, BoundClass bound, const std::string& size_class,
                        ErrorKind kind) {
  return expected_error_skipping(residuals, bound, size_class, kind, residuals.size());
}

BarCoverage leave_one_out_coverage(const std::vector<Residual>& residuals, ErrorKind kind) {
  BarCoverage c;
  for (size_t i = 0; i < residuals.size(); ++i) {
    const ErrorBar b = expected_error_skipping(residuals, residuals[i].bound, residuals[i].size_class, kind, i);
    ++c.total;
    if (b.contains(error_of(residuals[i], kind))) ++c.covered;
  }
  return c;
}

double expected_coverage(const ErrorBar& bar) {
  return bar.kernels > 1 ? double(bar.kernels) / (bar.kernels + 1) : 0.0;
}

std::string describe(const ErrorBar& bar) {
  if (bar.kernels == 0 || std::isnan(bar.low_pct)) return "unknown (no recorded kernels)";
  char buf[200];
  std::snprintf(buf, sizeof buf, "%+.1f %% … %+.1f %% (%s, %d recorded kernel%s; covers ~%.0f %% of such kernels)",
                bar.low_pct, bar.high_pct, bar.basis.c_str(), bar.kernels, bar.kernels == 1 ? "" : "s",
                100.0 * expected_coverage(bar));
  return buf;
}

CardTimeRange implied_card_time(const ErrorBar& bar, double predicted) {
  CardTimeRange r;
  if (std::isnan(bar.low_pct) || std::isnan(bar.high_pct)) return r;
  r.low = predicted / (1 + bar.high_pct / 100);
  r.high = bar.low_pct > -100 ? predicted / (1 + bar.low_pct / 100) : std::numeric_limits<double>::infinity();
  return r;
}

std::string describe_card_time(const ErrorBar& bar, double predicted_us) {
  const CardTimeRange r = implied_card_time(bar, predicted_us);
  if (std::isnan(r.low)) return "";
  char buf[120];
  if (std::isinf(r.high)) std::snprintf(buf, sizeof buf, "card at least %.2f us", r.low);
  else std::snprintf(buf, sizeof buf, "card %.2f … %.2f us", r.low, r.high);
  return buf;
}

}  // namespace gpusim::sim
