// A workload: one or more CUDA kernels with a CPU reference. `run` allocates, copies, launches
// on any runtime::Device and checks the device result against the CPU reference.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/device.h"

namespace gpusim::workloads {

struct WorkloadParams {
  std::vector<uint64_t> size;  // workload-specific dimensions ("--size 256x256x256"); empty = default
  uint64_t seed = 1;
};

struct WorkloadResult {
  bool passed = false;
  std::string detail;                           // first mismatch or a one-line verdict
  double max_abs_error = 0.0;
  std::vector<runtime::LaunchStats> launches;   // one per kernel launch
};

class Workload {
 public:
  virtual ~Workload() = default;
  virtual std::string name() const = 0;              // e.g. "sgemm_tiled"
  virtual std::string description() const = 0;       // one line
  virtual std::string size_help() const = 0;         // e.g. "MxNxK (default 256x256x256)"
  virtual std::vector<uint64_t> default_size() const = 0;
  virtual WorkloadResult run(runtime::Device& dev, const WorkloadParams& params) const = 0;
  // The compute capability the kernels need, as major * 10 + minor: 90 for kernels compiled for
  // sm_90a (workloads/kernels/hopper_*.cu: TMA, wgmma, setmaxnreg), which a configuration with an
  // older sm_arch cannot run; 0 = every architecture the suite simulates (sm_75 and newer).
  virtual unsigned required_sm() const { return 0; }
};

// All workloads, in a stable order.
const std::vector<std::unique_ptr<Workload>>& all_workloads();
// nullptr when absent.
const Workload* find_workload(const std::string& name);

}  // namespace gpusim::workloads
