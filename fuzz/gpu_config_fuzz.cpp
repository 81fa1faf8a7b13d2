// INI configurations and --set overrides: the input's first line is split at ';' into --set
// items, the rest is the INI file. Either it loads or it fails with sim::GpuConfigError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_input_file.h"
#include "sim/gpu_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t eol = text.find('\n');
  const std::string first = text.substr(0, eol);
  const std::string ini = eol == std::string::npos ? std::string() : text.substr(eol + 1);
  std::vector<std::string> overrides;
  for (size_t p = 0; !first.empty() && p != std::string::npos;) {
    const size_t semi = first.find(';', p);
    overrides.push_back(first.substr(p, semi == std::string::npos ? std::string::npos : semi - p));
    p = semi == std::string::npos ? semi : semi + 1;
  }
  const std::string path = gpusim::fuzz::write_input(reinterpret_cast<const uint8_t*>(ini.data()), ini.size(), ".ini");
  try {
    gpusim::sim::load_gpu_config(path, overrides);
  } catch (const gpusim::sim::GpuConfigError&) {
  }
  return 0;
}
