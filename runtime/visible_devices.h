// CUDA_VISIBLE_DEVICES and the simulated device: launchers give each rank its GPUs with it, and
// CPU-fallback tests hide every GPU with CUDA_VISIBLE_DEVICES= or -1. CUDA reads a comma-separated
// list of device indices or UUIDs (GPU-..., a unique prefix being enough) and makes visible the
// devices listed before the first entry that names none. The simulator has one device, index 0,
// so it is visible exactly when the list's first entry names it.
#pragma once

#include <string>

namespace gpusim::runtime {

// Why the setting `value` (the environment variable's, null when unset) hides the simulated
// device, or "" when it is visible.
std::string hidden_by_visible_devices(const char* value);

}  // namespace gpusim::runtime
