// `gpusim launch` inputs: --arg specifications, --grid/--block extents and .npy files. Each either
// parses or fails with the parser's own error (ArgSpecError / std::invalid_argument, NpyError).
// The first byte chooses which parser gets the rest.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>

#include "tools/launch/arg_spec.h"
#include "tools/launch/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 3) {
      case 0: (void)gpusim::launch::parse_arg_spec(text, 0); break;
      case 1: (void)gpusim::launch::parse_extent3(text, "--grid"); break;
      default: (void)gpusim::launch::parse_npy(std::span<const uint8_t>(data + 1, size - 1), "fuzz.npy"); break;
    }
  } catch (const gpusim::launch::NpyError&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
