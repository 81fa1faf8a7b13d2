// What a status line wrote to its (temporary) file, for the progress-line tests.
#pragma once

#include <cstdio>
#include <string>

namespace gpusim::test {

inline std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[256];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

}  // namespace gpusim::test
