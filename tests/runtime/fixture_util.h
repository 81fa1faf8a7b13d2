// Reads a committed PTX fixture (tests/fixtures/) for the runtime tests.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

inline std::string read_fixture(const std::string& name) {
  std::ifstream f(std::string(GPUSIM_FIXTURES) + "/" + name);
  if (!f) throw std::runtime_error("missing fixture " + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
