// Runs the gpusim binary as a user would (a shell command line) for the CLI tests: exit code and
// stdout + stderr together.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace gpusim::test_support {

struct Outcome {
  int exit_code = -1;
  std::string output;
};

inline Outcome run_gpusim(const std::string& arguments) {
  const std::string command =
      std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '") + GPUSIM_BINARY + "' " + arguments + " 2>&1";
  Outcome o;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return o;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) o.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace gpusim::test_support
