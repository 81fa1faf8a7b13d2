// Predicted versus measured, per kernel launch: the simulator's cycles and time for a workload's
// launches paired with a GPU's measured times, the per-kernel error, and the summary statistics
// (MAPE, Spearman rank correlation). Output as a readable table, CSV and JSON.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/sim_device.h"
#include "validation/measured_record.h"
#include "workloads/workload.h"

namespace gpusim::validation {

struct ComparisonRow {
  std::string workload, size, kernel;
  int launch = 0;
  uint64_t ctas = 0;
  uint64_t predicted_cycles = 0;
  double predicted_us = 0;          // with the modelled launch path: comparable with event times
  double predicted_kernel_us = 0;   // the CTAs alone (first CTA to last)
  std::string bound, size_class;    // sim/bound_class.h, from the simulated launch
  // The signed error interval printed for predicted_us (sim/prediction_error.h), percent; NaN: none.
  double expected_error_low_pct = 0, expected_error_high_pct = 0;
  double expected_kernel_error_low_pct = 0, expected_kernel_error_high_pct = 0;  // for predicted_kernel_us
  double measured_us = 0;        // median
  double measured_min_us = 0, measured_max_us = 0;
  double launch_overhead_us = 0; // the card's empty-kernel time, part of measured_us
  double error_pct = 0;          // 100 * (predicted_us - measured) / measured
  // predicted_kernel_us against measured - launch_overhead (the kernel alone on both sides); NaN
  // when the overhead is not below the measurement.
  double error_excl_overhead_pct = 0;
  bool sim_verified = false, gpu_verified = false;
};

struct ComparisonSummary {
  size_t kernels = 0;
  double mape_pct = 0;       // mean |error_pct|
  double mape_excl_overhead_pct = 0;  // mean |error_excl_overhead_pct| over the rows where it is defined
  double spearman = 0;       // rank correlation of predicted and measured times (NaN if undefined)
  double spearman_excl_overhead = 0;  // the same, kernel alone against measured - launch overhead
  size_t unverified = 0;     // rows where either side failed its CPU-reference check
  // Rows whose signed error lies within their printed bar (rows without a bar count as outside), with the
  // launch path and kernel alone: what a user checks the bars against.
  size_t within_bar = 0, within_kernel_bar = 0;
};

// The workload's run on a fresh simulated device in timing mode. Throws what the device throws.
workloads::WorkloadResult simulate_workload(const workloads::Workload& workload, const workloads::WorkloadParams& params,
                                            const runtime::SimDeviceOptions& sim_options);

// Pairs simulated launches with measured ones by launch index. Throws std::runtime_error naming the
// workload when the launch counts or kernel names differ (the recording came from other code).
std::vector<ComparisonRow> pair_launches(const workloads::WorkloadResult& simulated,
                                         const std::vector<MeasuredKernel>& measured);

ComparisonSummary summarize(const std::vector<ComparisonRow>& rows);

// Who was compared with whom, printed above the table and stored in CSV/JSON.
struct ComparisonContext {
  std::string config_name;   // the simulator configuration
  GpuIdentity gpu;
  std::string source;        // "live" or the recorded file
};

void print_comparison(std::ostream& os, const ComparisonContext& context, const std::vector<ComparisonRow>& rows,
                      const ComparisonSummary& summary);
void write_comparison_csv(const std::string& path, const ComparisonContext& context,
                          const std::vector<ComparisonRow>& rows);
// The per-kernel residuals the error bars are derived from (sim/prediction_error.h): workload,
// size, bound, size_class, predicted and measured times, error_pct, kernel_error_pct.
void write_residuals_csv(const std::string& path, const ComparisonContext& context,
                         const std::vector<ComparisonRow>& rows);
void write_comparison_json(const std::string& path, const ComparisonContext& context,
                           const std::vector<ComparisonRow>& rows, const ComparisonSummary& summary);

}  // namespace gpusim::validation
