// summarize(): the count of kernels within their printed error bar, which `gpusim compare` prints
// under the table (a row without a bar, or without a kernel-alone error, counts as outside).
#include <gtest/gtest.h>

#include <cmath>

#include "validation/comparison.h"

using namespace gpusim::validation;

TEST(ComparisonSummary, CountsKernelsWithinTheirBar) {
  auto row = [](double err, double bar, double kernel_err, double kernel_bar) {
    ComparisonRow r;
    r.predicted_us = r.predicted_kernel_us = 1;
    r.measured_us = 2;
    r.error_pct = err;
    r.expected_error_pct = bar;
    r.error_excl_overhead_pct = kernel_err;
    r.expected_kernel_error_pct = kernel_bar;
    r.sim_verified = r.gpu_verified = true;
    return r;
  };
  const std::vector<ComparisonRow> rows = {
      row(-10, 12, -20, 19),              // inside, outside
      row(12, 12, 5, 30),                 // on the bar counts as inside; inside
      row(3, std::nan(""), std::nan(""), 40),  // no bar; no kernel-alone error
  };
  const ComparisonSummary s = summarize(rows);
  EXPECT_EQ(s.kernels, 3u);
  EXPECT_EQ(s.within_bar, 2u);
  EXPECT_EQ(s.within_kernel_bar, 1u);
}
