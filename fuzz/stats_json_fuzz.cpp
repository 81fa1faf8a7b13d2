// `gpusim report` input: a --stats JSON document. Either it is rejected with std::runtime_error
// naming the file and field, or the whole page (summary, roofline, every kernel's sections) is
// generated from it without a crash, whatever the numbers.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/report/report_page.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;  // invalid JSON: nlohmann's parser is not what is under test
  gpusim::report::ReportInputs inputs;
  try {
    inputs.files.push_back(gpusim::report::parse_stats(doc, "fuzz.json"));
  } catch (const std::runtime_error&) {
    return 0;
  }
  // inputs.config: the built-in V100-like defaults of GpuConfig, so the fuzzed numbers meet real roofs.
  const std::string page = gpusim::report::report_html(inputs);
  if (page.find("</html>") == std::string::npos) __builtin_trap();
  return 0;
}
