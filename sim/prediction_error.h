// The expected error of a prediction: how far the model was from the card on the recorded kernels
// of the same kind. The residuals (one row per recorded kernel: its bound class, size class and the
// model's signed error) are written by `gpusim compare --recorded ... --residuals FILE` into
// configs/measured/*.residuals.csv and embedded at build time (sim/CMakeLists.txt), so the bars
// follow the recordings and the model that produced them, never hand-typed numbers.
#pragma once

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

struct ErrorBar {
  double pct = 0;      // expected |error|, percent; NaN when there are no residuals at all
  int kernels = 0;     // recorded kernels it rests on
  std::string basis;   // "dram/small", "dram" or "all": the group that had enough kernels
};

// Residual CSV text (header: workload,size,bound,size_class,error_pct,kernel_error_pct; other
// columns ignored). Throws std::invalid_argument naming source:line on a malformed row.
std::vector<Residual> parse_residuals(const std::string& csv_text, const std::string& source);

// The residuals of every committed recording, embedded at build time.
const std::vector<Residual>& recorded_residuals();

// Kernels a group needs before its bar is used; smaller groups fall back to the wider one.
inline constexpr int kMinKernelsPerBar = 2;

// The largest |error| among the residuals with the same bound and size class; if fewer than
// kMinKernelsPerBar, the same bound; then all of them.
ErrorBar expected_error(const std::vector<Residual>& residuals, BoundClass bound, const std::string& size_class,
                        ErrorKind kind = ErrorKind::WithLaunch);

// Leave-one-out: for each residual, the bar from all the others; covered when |error| <= bar.
struct BarCoverage {
  int covered = 0, total = 0;
};
BarCoverage leave_one_out_coverage(const std::vector<Residual>& residuals, ErrorKind kind = ErrorKind::WithLaunch);

// How often a bar that is the largest of n recorded errors should cover the next kernel of its
// kind: n / (n + 1) (the chance that one more exchangeable draw is not the largest of n + 1). The
// leave-one-out coverage of the recordings (docs/VALIDATION.md) checks it.
double expected_coverage(const ErrorBar& bar);

// "±12.3 % (dram/small, 4 recorded kernels; covers ~80 % of such kernels)" or "unknown (no
// recorded kernels)".
std::string describe(const ErrorBar& bar);

}  // namespace gpusim::sim
