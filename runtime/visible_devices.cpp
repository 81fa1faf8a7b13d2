#include "runtime/visible_devices.h"

#include <string_view>

#include "runtime/cuda_answers.h"

namespace gpusim::runtime {

std::string hidden_by_visible_devices(const char* value) {
  if (!value) return "";
  std::string_view list(value);
  std::string_view first = list.substr(0, list.find(','));
  while (!first.empty() && (first.front() == ' ' || first.front() == '\t')) first.remove_prefix(1);
  while (!first.empty() && (first.back() == ' ' || first.back() == '\t')) first.remove_suffix(1);
  const std::string uuid = std::string("GPU-") + kDeviceUuidText;
  const bool names_it = first == "0" || (first.size() > 4 && first.substr(0, 4) == "GPU-" && uuid.rfind(first, 0) == 0);
  if (names_it) return "";
  return "CUDA_VISIBLE_DEVICES='" + std::string(list) + "' hides the simulated GPU (device 0, " + uuid +
         "): no CUDA device is visible";
}

}  // namespace gpusim::runtime
