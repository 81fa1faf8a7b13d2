// Error bars from recorded residuals: the bar is the largest |error| of the same bound and size
// class, falling back to the bound and then to all kernels when a group has too few; the
// leave-one-out coverage counts the kernels whose error the others' bar covers. Values below are
// computed by hand from the small tables in each test.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/bound_class.h"
#include "sim/prediction_error.h"

using namespace gpusim::sim;

namespace {

const char* kHeader = "workload,size,bound,size_class,error_pct,kernel_error_pct\n";

std::vector<Residual> table() {
  return parse_residuals(std::string(kHeader) +
                             "a,1,dram,small,-10,-30\n"
                             "b,1,dram,small,20,5\n"
                             "c,1,dram,large,-40,-8\n"
                             "d,1,fp32,large,3,2\n"
                             "e,1,tensor,large,25,29\n",
                         "t.csv");
}

}  // namespace

TEST(PredictionError, BarIsTheLargestErrorOfTheClassWithFallbacks) {
  const std::vector<Residual> r = table();
  ASSERT_EQ(r.size(), 5u);
  const ErrorBar small = expected_error(r, BoundClass::Dram, "small");
  EXPECT_DOUBLE_EQ(small.pct, 20);  // a and b
  EXPECT_EQ(small.kernels, 2);
  EXPECT_EQ(small.basis, "dram/small");
  EXPECT_DOUBLE_EQ(expected_error(r, BoundClass::Dram, "small", ErrorKind::KernelOnly).pct, 30);
  // One large DRAM kernel is too few: the bound's three.
  const ErrorBar large = expected_error(r, BoundClass::Dram, "large");
  EXPECT_DOUBLE_EQ(large.pct, 40);
  EXPECT_EQ(large.basis, "dram");
  // No L2 kernel at all and one tensor kernel: every kernel.
  EXPECT_DOUBLE_EQ(expected_error(r, BoundClass::L2, "small").pct, 40);
  EXPECT_EQ(expected_error(r, BoundClass::Tensor, "large").basis, "all");
  EXPECT_TRUE(std::isnan(expected_error({}, BoundClass::Dram, "small").pct));
  EXPECT_NE(describe(small).find("dram/small"), std::string::npos);
  // The largest of 2 errors covers a third draw 2 times in 3; of 3 errors, 3 in 4.
  EXPECT_NEAR(expected_coverage(small), 2.0 / 3, 1e-12);
  EXPECT_NEAR(expected_coverage(large), 0.75, 1e-12);
  EXPECT_NE(describe(small).find("covers ~67 %"), std::string::npos) << describe(small);
  EXPECT_DOUBLE_EQ(expected_coverage(ErrorBar{}), 0.0);
}

TEST(PredictionError, LeaveOneOutCoverage) {
  // a: others in dram/small = {b} (1 < 2) -> dram {b, c}: 40 >= 10 covered.
  // b: -> dram {a, c}: 40 >= 20 covered.   c: dram {a, b}: 20 < 40 not covered.
  // d: fp32 has no other -> all {a, b, c, e}: 40 >= 3 covered.   e: all: 40 >= 25 covered.
  const BarCoverage c = leave_one_out_coverage(table());
  EXPECT_EQ(c.total, 5);
  EXPECT_EQ(c.covered, 4);
  // Kernel-only: a: dram {b 5, c 8} -> 8 < 30 no; b: {30, 8} yes; c: {30, 5} yes; d: all max 30 yes;
  // e: all {30, 5, 8, 2} -> 30 >= 29 yes.
  EXPECT_EQ(leave_one_out_coverage(table(), ErrorKind::KernelOnly).covered, 4);
}

TEST(PredictionError, MalformedResidualsNameTheLine) {
  auto message = [](const std::string& text) {
    try {
      parse_residuals(text, "r.csv");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(std::string(kHeader) + "a,1,dram,small,x,1\n").find("r.csv:2"), std::string::npos);
  EXPECT_NE(message(std::string(kHeader) + "a,1,disk,small,1,1\n").find("r.csv:2"), std::string::npos);
  EXPECT_NE(message(std::string(kHeader) + "a,1,dram,huge,1,1\n").find("size_class"), std::string::npos);
  EXPECT_NE(message("workload,size\n").find("r.csv:1"), std::string::npos);
  EXPECT_NE(message(std::string(kHeader) + "a,1,dram\n").find("r.csv:2"), std::string::npos);
}

TEST(BoundClass, BusiestLimitOrLatency) {
  BoundUtilization u;
  u.dram = 0.9;
  u.l2 = 0.5;
  EXPECT_EQ(classify_bound(u), BoundClass::Dram);
  u = {};
  u.tensor = 0.6;
  u.fp32 = 0.1;
  EXPECT_EQ(classify_bound(u), BoundClass::Tensor);
  u = {};
  u.shared = 0.39;
  EXPECT_EQ(classify_bound(u), BoundClass::Latency);
  EXPECT_EQ(parse_bound_class("shared"), BoundClass::Shared);
  EXPECT_THROW(parse_bound_class("disk"), std::invalid_argument);
  EXPECT_STREQ(size_class_name(9.9e-6), "small");
  EXPECT_STREQ(size_class_name(10e-6), "large");
}

// The embedded recordings parse (a malformed committed file would throw here, not in gpusim run).
TEST(PredictionError, CommittedResidualsParse) {
  const std::vector<Residual>& r = recorded_residuals();
  EXPECT_GE(r.size(), 10u);  // the ten default-size H200 kernels at least
  for (const Residual& x : r) EXPECT_FALSE(x.workload.empty()) << x.source;
}

// How well the bars of the committed recordings cover a kernel they were not built from: each
// recorded kernel against the bar of all the others. A guard a few points below the achieved
// figure (docs/VALIDATION.md, "Error bars": 11 of 15 over both H200 recordings' residuals, raw
// and kernel alone), so residuals regenerated into wider scatter than the bars follow fail here.
TEST(PredictionError, CommittedBarsCoverLeftOutKernels) {
  const std::vector<Residual>& r = recorded_residuals();
  for (ErrorKind kind : {ErrorKind::WithLaunch, ErrorKind::KernelOnly}) {
    const BarCoverage c = leave_one_out_coverage(r, kind);
    EXPECT_EQ(c.total, int(r.size()));
    EXPECT_GE(double(c.covered), 0.7 * c.total) << c.covered << " of " << c.total;
    // Every recorded kernel lies within the bar built with it (what `gpusim compare` prints).
    for (const Residual& x : r) {
      const ErrorBar b = expected_error(r, x.bound, x.size_class, kind);
      EXPECT_LE(std::fabs(kind == ErrorKind::WithLaunch ? x.error_pct : x.kernel_error_pct), b.pct) << x.source;
    }
  }
}
