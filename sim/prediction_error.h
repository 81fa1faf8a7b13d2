// The expected error of a prediction: how far the model was from the card on the recorded kernels
// of the same kind. The residuals (one row per recorded kernel: its bound class, size class and the
// model's signed error) are written by `gpusim compare --recorded ... --residuals FILE` into
// configs/measured/*.residuals.csv and embedded at build time (sim/CMakeLists.txt), so the bars
// follow the recordings and the model that produced them, never hand-typed numbers.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "sim/bound_class.h"

namespace gpusim::sim {

struct Residual {
  std::string source;        // file:line it came from
  std::string workload, size;
  BoundClass bound = BoundClass::Latency;
  std::string size_class;    // "small" or "large" (size_class_name)
  double error_pct = 0;      // predicted with launch vs the event-timed measurement
  double kernel_error_pct = 0;  // predicted kernel vs measured minus the empty kernel
};

// Which error a bar is about: the event-timed time (with the launch path) or the kernel alone.
enum class ErrorKind { WithLaunch, KernelOnly };

// A signed interval of the error to expect, (predicted - card) / card in percent: the model's
// errors are not symmetric (streaming kernels come out fast, SGEMMs slow), so a bar says on which
// side the card's time lies. A prediction p with error e means card = p / (1 + e).
struct ErrorBar {
  double low_pct = std::nan("");   // NaN when there are no residuals at all
  double high_pct = std::nan("");
  int kernels = 0;     // recorded kernels it rests on
  std::string basis;   // "dram/small", "dram" or "all": the group that had enough kernels
  // low <= error <= high; false for a NaN bar or error.
  bool contains(double error_pct) const { return low_pct <= error_pct && error_pct <= high_pct; }
};

// Residual CSV text (header: workload,size,bound,size_class,error_pct,kernel_error_pct; other
// columns ignored). Throws std::invalid_argument naming source:line on a malformed row.
std::vector<Residual> parse_residuals(const std::string& csv_text, const std::string& source);

// The residuals of every committed recording, embedded at build time.
const std::vector<Residual>& recorded_residuals();

// Kernels a group needs before its bar is used; smaller groups fall back to the wider one.
inline constexpr int kMinKernelsPerBar = 2;

// The signed errors of the residuals with the same bound and size class (if fewer than
// kMinKernelsPerBar, the same bound; then all of them), from their smallest to their largest,
// widened on each side by the mean spacing of the sorted errors, (max - min) / (n - 1): n recorded
// errors leave n + 1 gaps, the next kernel is equally likely to land in any of them, and two lie
// beyond the extremes, about one spacing wide each. This is the unbiased estimate of the ends of a uniform spread; for uniform or
// normal errors such a bar covers the next kernel about n / (n + 1) of the time
// (tests/validation/prediction_error_test.cpp checks it by simulation). The plain [min, max]
// covers only (n - 1) / (n + 1). The low end is not below -100 % (a time is positive).
ErrorBar expected_error(const std::vector<Residual>& residuals, BoundClass bound, const std::string& size_class,
                        ErrorKind kind = ErrorKind::WithLaunch);

// Leave-one-out: for each residual, the bar from all the others; covered when it contains the error.
struct BarCoverage {
  int covered = 0, total = 0;
};
BarCoverage leave_one_out_coverage(const std::vector<Residual>& residuals, ErrorKind kind = ErrorKind::WithLaunch);

// How often a bar from n recorded errors should cover the next kernel of its kind: n / (n + 1)
// (about what the widened interval achieves for uniform or normal errors, above); 0 for a bar
// from one kernel (a point) or none. The leave-one-out coverage of the recordings
// (docs/VALIDATION.md) checks it on the real errors.
double expected_coverage(const ErrorBar& bar);

// "-27.4 % … +3.1 % (dram/small, 4 recorded kernels; covers ~80 % of such kernels)" or "unknown
// (no recorded kernels)".
std::string describe(const ErrorBar& bar);

// The card's time that a prediction and its bar imply: card = predicted / (1 + e) for e in the bar,
// i.e. [predicted / (1 + high), predicted / (1 + low)]; high is infinite when low is -100 %.
struct CardTimeRange {
  double low = std::nan(""), high = std::nan("");
};
CardTimeRange implied_card_time(const ErrorBar& bar, double predicted);

// "card 7.9 … 11.3 us" for a time in microseconds, or "" when the bar is unknown.
std::string describe_card_time(const ErrorBar& bar, double predicted_us);

}  // namespace gpusim::sim
