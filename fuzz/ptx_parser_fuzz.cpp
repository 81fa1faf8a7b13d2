// PTX lexer and parser: any text either parses or fails with isa::ParseError (file:line:column).
// Anything else (a crash, a sanitizer report, another exception escaping) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "isa/ptx_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    gpusim::isa::parse_ptx(text, "fuzz.ptx");
  } catch (const gpusim::isa::ParseError&) {
  }
  return 0;
}
