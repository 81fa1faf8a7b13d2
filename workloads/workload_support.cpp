#include "workloads/workload_support.h"

#include <limits>
#include <stdexcept>

#include "runtime/resource_limits.h"
#include "workloads/embedded_ptx.h"

namespace gpusim::workloads {

namespace {
const char* const kSizeSyntax =
    "expected positive integers joined by x, e.g. 1048576 or 256x256x256; gpusim list shows each workload's";
}  // namespace

std::vector<uint64_t> parse_size_spec(const std::string& spec) {
  if (spec.empty()) throw std::invalid_argument(std::string("size: empty (") + kSizeSyntax + ")");
  std::vector<uint64_t> dims;
  size_t start = 0;
  while (true) {
    const size_t end = spec.find('x', start);
    const std::string part = spec.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument("size '" + spec + "': '" + part + "' is not a positive integer (" + kSizeSyntax + ")");
    if (part.size() > 12) throw std::invalid_argument("size '" + spec + "': '" + part + "' is too large");
    const uint64_t value = std::stoull(part);
    if (value == 0) throw std::invalid_argument("size '" + spec + "': dimensions must be at least 1");
    dims.push_back(value);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return dims;
}

std::string format_size(const std::vector<uint64_t>& size) {
  std::string s;
  for (uint64_t d : size) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

std::vector<uint64_t> resolve_size(const Workload& w, const WorkloadParams& params, size_t dims) {
  std::vector<uint64_t> size = params.size.empty() ? w.default_size() : params.size;
  if (size.size() != dims)
    throw std::invalid_argument(w.name() + ": size '" + format_size(size) + "' has " +
                                std::to_string(size.size()) + " dimension(s); expected " + w.size_help());
  for (uint64_t d : size)
    if (d == 0) throw std::invalid_argument(w.name() + ": size dimensions must be at least 1");
  return size;
}

void require_int_indexable(const Workload& w, uint64_t elements, const char* array_name) {
  if (elements > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
    throw std::invalid_argument(w.name() + ": " + array_name + " would have " + std::to_string(elements) +
                                " elements; the kernels index with 32-bit ints (limit 2^31-1)");
}

void require_arrays_fit(const Workload& w, const std::vector<uint64_t>& size, const std::vector<WorkloadArray>& arrays) {
  uint64_t total = 0;
  bool total_overflows = false;
  for (const WorkloadArray& a : arrays) {
    uint64_t elements = 1;
    for (uint64_t d : a.dims)
      if (__builtin_mul_overflow(elements, d, &elements))
        throw std::invalid_argument(w.name() + " " + format_size(size) + ": " + a.name +
                                    " would have more than 2^64 elements");
    require_int_indexable(w, elements, a.name);
    uint64_t bytes = 0;
    total_overflows |= __builtin_mul_overflow(elements, a.element_bytes * kHostCopiesPerArray, &bytes) ||
                       __builtin_add_overflow(total, bytes, &total);
  }
  std::string names;
  for (const WorkloadArray& a : arrays) names += (names.empty() ? "" : ", ") + std::string(a.name);
  runtime::require_host_memory(total_overflows ? UINT64_MAX : total,
                               w.name() + " " + format_size(size) + " (" + names + " on the host, on the device and "
                               "as results or references)");
}

std::string architecture_mismatch(const Workload& w, const runtime::DeviceProperties& props) {
  const unsigned need = w.required_sm();
  const unsigned have = unsigned(props.compute_major * 10 + props.compute_minor);
  // The kernels are compiled for sm_XXa, whose architecture-specific instructions (wgmma, setmaxnreg)
  // run on that one compute capability only: a newer GPU is refused as well as an older one.
  if (need == 0 || have == need) return "";
  return w.name() + " needs an sm_" + std::to_string(need) + " GPU (compute capability " + std::to_string(need / 10) +
         "." + std::to_string(need % 10) + ": its kernels are compiled for sm_" + std::to_string(need) +
         "a, which runs on no other architecture), but the device '" + props.name + "' is sm_" + std::to_string(have) +
         " (compute capability " + std::to_string(props.compute_major) + "." + std::to_string(props.compute_minor) + ")";
}

void require_architecture(const Workload& w, const runtime::Device& dev) {
  if (w.required_sm() == 0) return;
  // Every backend reports its compute capability (the CUDA one from the driver's attributes), also
  // through decorators such as validation's TimedLaunchDevice, which forward properties().
  const std::string why = architecture_mismatch(w, dev.properties());
  if (!why.empty()) throw std::invalid_argument(why);
}

runtime::ModuleHandle load_embedded_module(runtime::Device& dev, const std::string& stem) {
  const EmbeddedPtx& e = find_embedded_ptx(stem);
  return dev.load_ptx(e.name, e.ptx);
}

}  // namespace gpusim::workloads
