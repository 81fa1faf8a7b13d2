// summarize(): the count of kernels within their printed error bar, which `gpusim compare` prints
// under the table (a row without a bar, or without a kernel-alone error, counts as outside).
#include <gtest/gtest.h>

#include <cmath>

#include "validation/comparison.h"

using namespace gpusim::validation;

TEST(ComparisonSummary, CountsKernelsWithinTheirBar) {
  // Bars are signed intervals: [low, high] with the launch and for the kernel alone.
  auto row = [](double err, double low, double high, double kernel_err, double kernel_low, double kernel_high) {
    ComparisonRow r;
    r.predicted_us = r.predicted_kernel_us = 1;
    r.measured_us = 2;
    r.error_pct = err;
    r.expected_error_low_pct = low;
    r.expected_error_high_pct = high;
    r.error_excl_overhead_pct = kernel_err;
    r.expected_kernel_error_low_pct = kernel_low;
    r.expected_kernel_error_high_pct = kernel_high;
    r.sim_verified = r.gpu_verified = true;
    return r;
  };
  const std::vector<ComparisonRow> rows = {
      row(-10, -12, 3, -20, -19, 10),                // inside, outside (below the low end)
      row(12, -5, 12, 5, -30, 30),                   // on the high end counts as inside; inside
      row(3, std::nan(""), std::nan(""), std::nan(""), -40, 40),  // no bar; no kernel-alone error
      row(4, -30, 3, 8, -30, 7),                     // above the high end, though |4| < 30: outside both
  };
  const ComparisonSummary s = summarize(rows);
  EXPECT_EQ(s.kernels, 4u);
  EXPECT_EQ(s.within_bar, 2u);
  EXPECT_EQ(s.within_kernel_bar, 1u);
}
