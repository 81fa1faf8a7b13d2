// Measuring workloads on a real GPU for comparison with the simulator: characterise the card
// (launch overhead, the SM clock it actually runs at), then run each workload warm-up + N times,
// every run checked against the CPU reference, each launch timed with events after an L2 flush.
#pragma once

#include <string>
#include <vector>

#include "runtime/cuda_device.h"
#include "runtime/device.h"
#include "validation/measured_record.h"
#include "workloads/workload.h"

namespace gpusim::validation {

struct MeasureOptions {
  int warmup = 2;        // untimed whole-workload runs
  int repetitions = 10;  // timed whole-workload runs
};

// Median event time of an empty kernel (1 CTA of 32 threads) over `repetitions` launches, in µs:
// the launch cost every measured kernel time includes and no simulated time does.
double measure_launch_overhead_us(runtime::Device& gpu, int repetitions = 50);

// The SM clock in MHz while a kernel runs: clock64 cycles over %globaltimer nanoseconds during a
// `spin_ms` millisecond spin (median of 3). Boosting cards run above or below the attribute clock.
double measure_sm_clock_mhz(runtime::Device& gpu, double spin_ms = 20.0);

// The card's identity for a measurement file; `measured_sm_clock_mhz` from measure_sm_clock_mhz.
GpuIdentity identify_gpu(const runtime::CudaDeviceInfo& info, double measured_sm_clock_mhz);

struct WorkloadMeasurement {
  std::vector<MeasuredKernel> kernels;  // one per launch of the workload's run
  bool verified = false;                // every run matched the CPU reference
  std::string detail;                   // the reference check's verdict (the first failure, if any)
};

// Runs `workload` warmup + repetitions times on `gpu` (whose L2 holds `l2_bytes`).
// Throws runtime::Error / KernelFault from the device, and std::runtime_error when runs disagree
// on the launches they make.
WorkloadMeasurement measure_workload(runtime::Device& gpu, long long l2_bytes, const workloads::Workload& workload,
                                     const workloads::WorkloadParams& params, const MeasureOptions& options,
                                     double launch_overhead_us);

}  // namespace gpusim::validation
