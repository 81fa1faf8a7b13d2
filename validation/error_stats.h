// How far predictions are from measurements: the per-kernel signed error, the mean absolute
// percentage error over a set of kernels, and Spearman's rank correlation (does the simulator
// order the kernels by time the way the GPU does, even where the absolute times are off?).
#pragma once

#include <vector>

namespace gpusim::validation {

// 100 * (predicted - measured) / measured. Throws std::invalid_argument unless measured > 0.
double percent_error(double predicted, double measured);

// Mean of |percent_error| over the pairs. Throws std::invalid_argument on empty or unequal input.
double mean_absolute_percentage_error(const std::vector<double>& predicted, const std::vector<double>& measured);

// 1-based ranks, ascending; tied values share the mean of the ranks they span.
std::vector<double> average_ranks(const std::vector<double>& values);

// Pearson correlation of the average ranks (the tie-correct form of Spearman's rho). NaN when
// fewer than two pairs or when either side has all values equal (the correlation is undefined).
// Throws std::invalid_argument on unequal lengths.
double spearman_rank_correlation(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace gpusim::validation
