// The real-GPU backend: the Device API over the CUDA driver, JIT-compiling the same PTX text the
// simulator runs. The driver is found at run time (dlopen of libcuda.so.1), so one binary runs
// everywhere; where no GPU is usable, probe_cuda() and make_cuda_device() say exactly why.
//
// Differences from the simulator a caller can observe:
//  - launches are timed with CUDA events (LaunchStats.seconds = measured kernel time); the
//    instruction and cycle counts stay zero.
//  - a kernel fault (illegal address, trap, ...) is reported as KernelFault, but CUDA cannot
//    recover the context afterwards: every later call on that device throws Error saying so, and
//    the device's allocations are lost. CUDA makes such errors sticky for the whole process (its
//    documentation: the process must be relaunched), so a new device in the same process may
//    fail too, with an Error naming the original fault (seen on an H200, driver 580.159).
#pragma once

#include <memory>
#include <string>

#include "runtime/device.h"

namespace gpusim::runtime {

inline constexpr const char* kCudaDriverLibrary = "libcuda.so.1";

struct CudaAvailability {
  bool available = false;
  std::string reason;        // why not, when unavailable ("cuInit failed: CUDA_ERROR_NO_DEVICE: ...")
  int device_count = 0;
  int driver_version = 0;    // e.g. 13000 for CUDA 13.0; 0 when the driver could not say
};

// What the hardware reports about itself: used to match a simulator configuration to the GPU
// and to label measured results.
struct CudaDeviceInfo {
  int ordinal = 0;
  std::string name;                  // "NVIDIA H100 80GB HBM3"
  int compute_capability_major = 0;
  int compute_capability_minor = 0;
  int sm_count = 0;
  int core_clock_khz = 0;            // the driver's "typical" SM clock
  int memory_clock_khz = 0;          // peak memory clock
  int memory_bus_width_bits = 0;
  int l2_bytes = 0;
  int warp_size = 0;
  int max_threads_per_block = 0;
  int max_threads_per_sm = 0;
  int registers_per_sm = 0;
  int max_shared_per_block = 0;        // without opt-in
  int max_shared_per_block_optin = 0;  // with cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)
  int max_shared_per_sm = 0;
  size_t total_memory_bytes = 0;
  int driver_version = 0;            // e.g. 13000

  std::string compute_capability() const;  // "9.0"
  std::string driver_version_text() const; // "13.0"
};

// Never throws: reports whether a driver and at least one device are usable, and if not why.
CudaAvailability probe_cuda(const std::string& library = kCudaDriverLibrary);

// Throws runtime::Error carrying the reason when the driver or the device is unusable.
std::unique_ptr<Device> make_cuda_device(int ordinal = 0, const std::string& library = kCudaDriverLibrary);

// The properties of device `ordinal`, without creating a context. Throws Error like make_cuda_device.
CudaDeviceInfo query_cuda_device_info(int ordinal = 0, const std::string& library = kCudaDriverLibrary);

// The properties of a device made by make_cuda_device; nullptr for any other backend.
const CudaDeviceInfo* cuda_device_info(const Device& device);

}  // namespace gpusim::runtime
