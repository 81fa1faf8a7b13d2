#include "validation/error_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace gpusim::validation {

double percent_error(double predicted, double measured) {
  if (!(measured > 0))
    throw std::invalid_argument("percent error needs a positive measured value (got " + std::to_string(measured) + ")");
  return 100.0 * (predicted - measured) / measured;
}

double mean_absolute_percentage_error(const std::vector<double>& predicted, const std::vector<double>& measured) {
  if (predicted.size() != measured.size())
    throw std::invalid_argument("MAPE: " + std::to_string(predicted.size()) + " predictions for " +
                                std::to_string(measured.size()) + " measurements");
  if (predicted.empty()) throw std::invalid_argument("MAPE of no kernels");
  double sum = 0;
  for (size_t i = 0; i < predicted.size(); ++i) sum += std::fabs(percent_error(predicted[i], measured[i]));
  return sum / double(predicted.size());
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double mean_rank = (double(i) + double(j)) / 2.0 + 1.0;  // positions i..j hold ranks i+1..j+1
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = mean_rank;
    i = j + 1;
  }
  return ranks;
}

double spearman_rank_correlation(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    throw std::invalid_argument("rank correlation of " + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + " values");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (a.size() < 2) return nan;
  const std::vector<double> ra = average_ranks(a), rb = average_ranks(b);
  const double mean = (double(a.size()) + 1.0) / 2.0;  // the mean rank, ties or not
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) * (ra[i] - mean);
    sbb += (rb[i] - mean) * (rb[i] - mean);
  }
  if (saa == 0 || sbb == 0) return nan;
  return sab / std::sqrt(saa * sbb);
}

}  // namespace gpusim::validation
