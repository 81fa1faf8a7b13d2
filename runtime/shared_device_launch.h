// A launch made through gpusim's libcuda on the device it shares with gpusim's libcudart (a
// program that loads both: NVRTC kernels launched with cuLaunchKernel beside cudaMalloc and <<<>>>).
// libcuda hands every such launch to libcudart's launch table, so the program has one exit report,
// one GPUSIM_STATS file (each library used to write its own, the later one overwriting the other)
// and one simulated timeline for its events. Both libraries are built from this tree together, so
// the struct is passed as it is; the hook is found with dlsym (runtime/cudadrv/device.cpp).
#pragma once

#include <cstddef>

#include "runtime/device.h"

namespace gpusim::runtime {

struct SharedDeviceLaunch {
  const char* kernel = nullptr;
  unsigned grid[3] = {1, 1, 1};
  unsigned block[3] = {1, 1, 1};
  size_t shared_bytes = 0;
  bool faulted = false;          // the kernel faulted: its figures are incomplete
  LaunchStats* stats = nullptr;  // moved from by the receiver
};

// libcudart's entry point (runtime/cudart/cudart_driver_bridge.cpp).
using RecordSharedDeviceLaunch = void (*)(SharedDeviceLaunch*);
inline constexpr const char* kRecordSharedDeviceLaunchSymbol = "__cudaGpusimRecordDriverLaunch";

}  // namespace gpusim::runtime
