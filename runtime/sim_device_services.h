// The simulated device's answers to a kernel's device-side runtime calls (isa/device_services.h):
// printf output buffered per launch and written when the launch ends (also when it faults, as a
// GPU prints at the next synchronisation), a device malloc heap inside the simulated device memory
// bounded by the malloc heap size limit, and the assertion messages of failed asserts.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "isa/device_services.h"
#include "runtime/device.h"
#include "runtime/device_memory.h"

namespace gpusim::runtime {

// Receives text the device produced; empty = the process's stdout (printf) or stderr (asserts).
using TextSink = std::function<void(const std::string&)>;

class SimDeviceServices final : public isa::DeviceServices {
 public:
  SimDeviceServices(DeviceMemory& memory, TextSink printf_sink, TextSink assert_sink);

  void print(const isa::DeviceThread& thread, const std::string& text) override;
  uint64_t malloc(const isa::DeviceThread& thread, uint64_t size) override;
  void free(const isa::DeviceThread& thread, uint64_t addr) override;
  void assert_failed(const isa::DeviceThread& thread, const isa::AssertFailure& failure) override;
  // The running grid's device-side launch queue (dynamic parallelism); the device sets it for
  // each grid it runs (runtime/child_grids.h) and clears it after.
  isa::DeviceLaunchQueue* launch_queue() override { return launch_queue_; }
  std::string null_malloc_note() const override;
  void set_launch_queue(isa::DeviceLaunchQueue* queue) { launch_queue_ = queue; }

  // Writes the launch's printf output, then its assertion messages, to the sinks (fflush'd when
  // they are stdout/stderr) and empties the buffers. Called when a launch ends, faulted or not.
  void flush();

  // Limits; set_limit throws Error for a value the device cannot take (a malloc heap smaller than
  // what kernels hold allocated, a zero-sized printf FIFO) or a limit no longer open to change (the
  // heap or FIFO size once a kernel has used device malloc/free or printf).
  void set_limit(DeviceLimit limit, uint64_t value);
  uint64_t get_limit(DeviceLimit limit) const;

  // True when `addr` is a live device-malloc allocation (the host may not cudaFree those).
  bool owns(uint64_t addr) const { return heap_.count(addr) != 0; }
  uint64_t heap_bytes_in_use() const { return heap_in_use_; }

 private:
  DeviceMemory& memory_;
  TextSink printf_sink_, assert_sink_;
  uint64_t stack_size_ = kDefaultStackSize;
  uint64_t printf_fifo_size_ = kDefaultPrintfFifoSize;
  uint64_t heap_size_ = kDefaultMallocHeapSize;
  uint64_t pending_launch_limit_ = 2048;  // cudaLimitDevRuntimePendingLaunchCount's default
  isa::DeviceLaunchQueue* launch_queue_ = nullptr;
  std::deque<std::string> printed_;   // this launch's printf records, oldest first
  uint64_t printed_bytes_ = 0;
  uint64_t overwritten_records_ = 0, overwritten_bytes_ = 0;  // this launch's, lost to the FIFO's size
  std::deque<std::string> asserts_;   // this launch's assertion messages
  std::map<uint64_t, uint64_t> heap_; // device-malloc allocations: address -> bytes charged
  uint64_t heap_in_use_ = 0;
  uint64_t null_mallocs_ = 0, largest_null_request_ = 0;  // this launch's mallocs that returned NULL
  // Whether a kernel has called printf / malloc or free: their limits are fixed from then on.
  bool printf_used_ = false;
  bool heap_used_ = false;
};

}  // namespace gpusim::runtime
