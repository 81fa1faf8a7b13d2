// Measurements taken on a real GPU, as saved under configs/measured/: which card (name, SMs,
// clocks, memory, driver and CUDA versions, date) and, per kernel launch of each workload, the
// median, minimum and maximum event-timed kernel time over the timed repetitions. Every CSV row
// repeats the card's identity, so a row copied out of its file still says where it was measured.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpusim::validation {

struct GpuIdentity {
  std::string name;                    // "NVIDIA H100 80GB HBM3"
  std::string compute_capability;      // "9.0"
  int sm_count = 0;
  int sm_clock_mhz = 0;                // the driver's CLOCK_RATE attribute (maximum boost)
  double measured_sm_clock_mhz = 0;    // clock64 cycles per %globaltimer ns, measured while loaded
  int memory_clock_mhz = 0;
  int memory_bus_bits = 0;
  long long l2_bytes = 0;
  std::string driver;                  // kernel-module version, "580.159.04" (or "unknown")
  std::string cuda_version;            // CUDA version the driver supports, "13.0"
  std::string date;                    // UTC, ISO 8601
};

struct MeasuredKernel {
  std::string workload;    // name in gpusim list
  std::string size;        // "256x256x256"
  uint64_t seed = 1;
  int launch = 0;          // index of the launch within the workload's run
  std::string kernel;
  uint64_t ctas = 0;       // thread blocks in the launch's grid
  int warmup = 0;          // untimed runs before the timed ones
  int repetitions = 0;     // timed runs
  double median_us = 0, min_us = 0, max_us = 0;
  double launch_overhead_us = 0;  // median event time of an empty kernel on the same card
  bool verified = false;   // every run's output matched the CPU reference
};

// One microbenchmark figure measured on the card (`gpusim ubench --backend cuda`).
struct MeasuredUbench {
  std::string benchmark;
  double value = 0;
  std::string unit;
};

struct KernelRecord {
  GpuIdentity gpu;
  std::vector<MeasuredKernel> kernels;
};
struct UbenchRecord {
  GpuIdentity gpu;
  std::vector<MeasuredUbench> rows;
};

// Write and read the two CSV formats. Readers throw CsvError (validation/csv.h) naming file:line
// for a missing column, a malformed number, or rows from different cards in one file.
void write_kernel_record(const std::string& path, const KernelRecord& record);
// `row_locations`, when given, receives the "file:line" of each kernel row, in order.
KernelRecord read_kernel_record(const std::string& path, std::vector<std::string>* row_locations = nullptr);
void write_ubench_record(const std::string& path, const UbenchRecord& record);
UbenchRecord read_ubench_record(const std::string& path);

// The NVIDIA kernel module's version from /proc/driver/nvidia/version, or "unknown".
std::string nvidia_kernel_module_version();
// Now, UTC, "2026-11-27T05:18:30Z".
std::string utc_timestamp();

}  // namespace gpusim::validation
