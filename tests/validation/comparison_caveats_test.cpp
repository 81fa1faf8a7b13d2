// The comparison table's summary says what its bar count is worth: the bars are fitted on the
// committed recordings, so re-simulating one of them checks the bars in-sample; the out-of-sample
// figure (leave-one-out over the recorded residuals) is printed beside it. A handful of kernels is
// said to be too few for the rank correlation (an outside researcher read "Spearman -1.000" and
// "3 of 3 within the bar" over 3 kernels as findings).
#include <gtest/gtest.h>

#include <sstream>

#include "sim/prediction_error.h"
#include "validation/comparison.h"

namespace gpusim::validation {
namespace {

ComparisonRow row(const char* workload, double predicted, double measured) {
  ComparisonRow r;
  r.workload = workload;
  r.kernel = workload;
  r.predicted_us = r.predicted_kernel_us = predicted;
  r.measured_us = r.measured_min_us = r.measured_max_us = measured;
  r.error_pct = 100 * (predicted - measured) / measured;
  r.error_excl_overhead_pct = r.error_pct;
  r.sim_verified = r.gpu_verified = true;
  return r;
}

TEST(ComparisonCaveats, TheBarCountIsSetBesideItsOutOfSampleFigure) {
  const std::vector<ComparisonRow> rows = {row("a", 8, 11), row("b", 8.1, 10), row("c", 8.3, 9.6)};
  std::ostringstream os;
  print_comparison(os, ComparisonContext{"test", {}, "recorded"}, rows, summarize(rows));
  const sim::BarCoverage loo = sim::leave_one_out_coverage(sim::recorded_residuals(), sim::ErrorKind::WithLaunch);
  ASSERT_GT(loo.total, 0);
  const std::string expected = "leave-one-out, " + std::to_string(loo.covered) + " of " + std::to_string(loo.total) +
                               " recorded kernels fall within a bar fitted on the others";
  EXPECT_NE(os.str().find(expected), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("3 kernels are too few for the rank correlation"), std::string::npos) << os.str();
}

}  // namespace
}  // namespace gpusim::validation
