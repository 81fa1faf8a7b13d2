#include "runtime/cuda_tools.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace gpusim::runtime {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::optional<std::string> find_cuda_tool(const std::string& name) {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      const std::string p = dir + "/" + name;
      if (!dir.empty() && access(p.c_str(), X_OK) == 0) return p;
    }
  }
  const std::string installed = "/usr/local/cuda/bin/" + name;
  if (access(installed.c_str(), X_OK) == 0) return installed;
  return std::nullopt;
}

ToolRun run_tool(const std::vector<std::string>& argv, unsigned timeout_seconds) {
  ToolRun run;
  if (argv.empty()) return run;
  // timeout(1) exits 124 when the limit passes (137 when the tool also ignored SIGTERM).
  std::string cmd = "timeout -k 2 " + std::to_string(timeout_seconds);
  for (const std::string& a : argv) cmd += " " + shell_quote(a);
  cmd += " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) {
    run.output = "could not start " + argv.front();
    return run;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  const int status = pclose(pipe);
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.timed_out = run.exit_status == 124 || run.exit_status == 137;
  return run;
}

}  // namespace gpusim::runtime
