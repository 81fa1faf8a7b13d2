// Helpers shared by the PTX front-end tests: fixture loading and a kernel wrapper whose body
// starts at a known line, so error locations can be asserted exactly.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "isa/ptx_parser.h"

namespace gpusim::isa::testing {

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(GPUSIM_FIXTURES) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Module parse_fixture(const std::string& name) { return parse_ptx(read_fixture(name), name); }

// The body's first line is line 11 of the returned text.
inline std::string kernel(const std::string& body) {
  return ".version 9.0\n.target sm_80\n.address_size 64\n"
         ".visible .entry k(.param .u64 k_p)\n{\n"
         ".reg .pred %p<4>;\n.reg .b32 %r<8>;\n.reg .b64 %rd<8>;\n.reg .f32 %f<8>;\n.reg .f64 %fd<4>;\n" +
         body + "}\n";
}
constexpr unsigned kBodyLine = 11;

inline const Instruction& find_inst(const Function& f, const std::string& text_part) {
  for (const Instruction& in : f.code)
    if (in.text.find(text_part) != std::string::npos) return in;
  throw std::runtime_error("no instruction containing '" + text_part + "' in " + f.name);
}

}  // namespace gpusim::isa::testing
