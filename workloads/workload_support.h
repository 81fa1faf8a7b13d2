// Shared plumbing for the Workload implementations: size handling, device buffers that free
// themselves, and module loading from the embedded PTX.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/device.h"
#include "workloads/check.h"
#include "workloads/workload.h"

namespace gpusim::workloads {

// "256x256x256" -> {256, 256, 256}. Throws std::invalid_argument naming the bad part.
std::vector<uint64_t> parse_size_spec(const std::string& spec);
std::string format_size(const std::vector<uint64_t>& size);

// params.size, or the workload's default when empty; checks the number of dimensions, that each
// is >= 1 and that `element_limit` (elements of the largest array, computed by the caller) fits
// the kernels' 32-bit indices. Throws std::invalid_argument naming the workload.
std::vector<uint64_t> resolve_size(const Workload& w, const WorkloadParams& params, size_t dims);
void require_int_indexable(const Workload& w, uint64_t elements, const char* array_name);

// One array a workload allocates: elements = the product of `dims`.
struct WorkloadArray {
  const char* name;
  std::vector<uint64_t> dims;
  uint64_t element_bytes = sizeof(float);
};
// Copies of each array a run holds in host memory at once, at most: the host input or output,
// the simulated device's copy, and the download or CPU reference.
inline constexpr uint64_t kHostCopiesPerArray = 3;
// Up-front checks before a workload allocates anything: each array's element count is computed
// without wrap-around and fits 32-bit indices (require_int_indexable), and all arrays,
// kHostCopiesPerArray times over, fit the host memory policy (runtime/resource_limits.h).
// Throws std::invalid_argument or runtime::ResourceLimitError naming the workload and size.
void require_arrays_fit(const Workload& w, const std::vector<uint64_t>& size, const std::vector<WorkloadArray>& arrays);

inline uint32_t ceil_div(uint64_t a, uint64_t b) { return static_cast<uint32_t>((a + b - 1) / b); }

// A device allocation freed on scope exit, so a failed launch does not leak device memory.
class DeviceBuffer {
 public:
  DeviceBuffer(runtime::Device& dev, size_t bytes) : dev_(dev), ptr_(dev.alloc(bytes)), bytes_(bytes) {}
  template <typename T>
  DeviceBuffer(runtime::Device& dev, const std::vector<T>& host) : DeviceBuffer(dev, host.size() * sizeof(T)) {
    dev_.copy_to_device(ptr_, host.data(), bytes_);
  }
  ~DeviceBuffer() {
    try {
      dev_.free(ptr_);
    } catch (...) {  // a destructor must not throw; the device reports leaks itself
    }
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  runtime::DevPtr ptr() const { return ptr_; }
  template <typename T>
  std::vector<T> download() const {
    std::vector<T> out(bytes_ / sizeof(T));
    dev_.copy_to_host(out.data(), ptr_, out.size() * sizeof(T));
    return out;
  }

 private:
  runtime::Device& dev_;
  runtime::DevPtr ptr_;
  size_t bytes_;
};

// Copies a comparison's verdict into the workload result.
inline void record_check(WorkloadResult& result, const CheckResult& check) {
  result.passed = check.passed;
  result.detail = check.detail;
  result.max_abs_error = check.max_abs_error;
}

// Empty when a device with properties `props` can run the workload's kernels (required_sm());
// otherwise one line naming the workload, the architecture it needs and the device's.
std::string architecture_mismatch(const Workload& w, const runtime::DeviceProperties& props);
// Throws std::invalid_argument with architecture_mismatch's text; a workload with a required_sm()
// calls it first in run(), so no caller (CLI, tests, compare) can run it on the wrong chip.
void require_architecture(const Workload& w, const runtime::Device& dev);

// Loads the PTX embedded from the kernel file with stem `stem` (e.g. "sgemm").
runtime::ModuleHandle load_embedded_module(runtime::Device& dev, const std::string& stem);

}  // namespace gpusim::workloads
