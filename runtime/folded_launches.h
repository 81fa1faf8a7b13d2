// Launches past the number the exit report keeps whole, summed per kernel. Every launch used to be
// kept until the program exited (~370 bytes each in functional mode, ~3.4 KB in timing mode with
// --stats: a loop of 1.1 M launches held 423 MB, and 10^8 launches would need tens of GB). Past
// GPUSIM_LAUNCH_RECORDS launches (gpusim exec --launch-records; default runtime::kDefaultLaunchRecordsKept,
// runtime/sim_environment.h)
// each kernel's further launches are one row of counts and sums, in the table and in --stats, so
// memory stays bounded by the number of kernels however long the program runs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "runtime/device.h"

namespace gpusim::runtime {

// One kernel's folded launches (by name and dynamic-parallelism depth).
struct FoldedKernelLaunches {
  std::string kernel;          // as launched (the PTX, mangled, name)
  unsigned depth = 0;          // 0: launched by the host; k: k levels below a host launch
  uint64_t launches = 0;
  uint64_t first_launch = 0;   // the first of them, numbered from 1 in the program's launch order
  uint64_t faulted = 0;
  uint64_t first_fault = 0;    // the first that faulted (0: none)
  uint64_t warp_instructions = 0, thread_instructions = 0, ctas = 0, cycles = 0, race_hazards = 0;
  double seconds = 0, launch_seconds = 0, host_seconds = 0;
  Dim3 grid, block;            // the first launch's; `one_grid` / `one_block` false once another differed
  bool one_grid = true, one_block = true;
};

class FoldedLaunches {
 public:
  // Launch number `number` (from 1, in launch order) of `kernel`, with its figures.
  void add(const std::string& kernel, unsigned depth, Dim3 grid, Dim3 block, const LaunchStats& stats,
           bool faulted, uint64_t number);
  const std::vector<FoldedKernelLaunches>& kernels() const { return rows_; }
  uint64_t launches() const { return launches_; }
  bool empty() const { return launches_ == 0; }
  void clear() { *this = FoldedLaunches(); }

 private:
  std::vector<FoldedKernelLaunches> rows_;  // in the order of their first folded launch
  std::map<std::pair<unsigned, std::string>, size_t> index_;
  uint64_t launches_ = 0;
};

// The --stats object of one kernel's folded launches ("kernel" demangled, "mangled", "launches",
// "first_launch", sums, "grid"/"block" as arrays or "various"); `race_check`: with "race_hazards".
nlohmann::json folded_launches_json(const FoldedKernelLaunches& k, bool race_check);

}  // namespace gpusim::runtime
