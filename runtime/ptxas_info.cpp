#include "runtime/ptxas_info.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace gpusim::runtime {

std::optional<std::string> find_ptxas() {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      const std::string p = dir + "/ptxas";
      if (!dir.empty() && access(p.c_str(), X_OK) == 0) return p;
    }
  }
  if (access("/usr/local/cuda/bin/ptxas", X_OK) == 0) return std::string("/usr/local/cuda/bin/ptxas");
  return std::nullopt;
}

std::map<std::string, PtxasKernelInfo> parse_ptxas_verbose(const std::string& output) {
  static const std::regex kFunction(R"(Compiling entry function '([^']+)')");
  static const std::regex kUsed(R"(Used (\d+) registers)");
  static const std::regex kSmem(R"((\d+) bytes smem)");
  static const std::regex kStack(R"((\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads)");
  std::map<std::string, PtxasKernelInfo> out;
  std::string current;
  std::stringstream ss(output);
  std::string line;
  std::smatch m;
  while (std::getline(ss, line)) {
    if (std::regex_search(line, m, kFunction)) {
      current = m[1];
      out[current];
      continue;
    }
    if (current.empty()) continue;
    PtxasKernelInfo& k = out[current];
    if (std::regex_search(line, m, kStack)) {
      k.stack_bytes = static_cast<unsigned>(std::stoul(m[1]));
      k.spill_bytes = static_cast<unsigned>(std::stoul(m[2]) + std::stoul(m[3]));
    }
    if (std::regex_search(line, m, kUsed)) k.registers = static_cast<unsigned>(std::stoul(m[1]));
    if (std::regex_search(line, m, kSmem)) k.static_shared_bytes = static_cast<unsigned>(std::stoul(m[1]));
  }
  return out;
}

std::map<std::string, PtxasKernelInfo> run_ptxas(const std::string& ptx, const std::string& arch) {
  const auto ptxas = find_ptxas();
  if (!ptxas) return {};
  // mkstemps replaces the six-character run before the ".ptx" suffix with a unique name.
  std::string templ = "/tmp/gpusim-ptxas-" + std::string(6, 'X') + ".ptx";
  std::vector<char> path(templ.begin(), templ.end());
  path.push_back('\0');
  const int fd = mkstemps(path.data(), 4);
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for ptxas");
  close(fd);
  {
    std::ofstream f(path.data());
    f << ptx;
  }
  const std::string cmd = *ptxas + " -v -arch=" + arch + " " + std::string(path.data()) + " -o /dev/null 2>&1";
  std::string output;
  int status = -1;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
    status = pclose(p);
  }
  std::remove(path.data());
  if (status != 0) throw std::runtime_error("ptxas -arch=" + arch + " rejected the PTX:\n" + output);
  return parse_ptxas_verbose(output);
}

std::map<std::string, PtxasKernelInfo> ptxas_resources_for(const std::string& ptx, const std::string& arch,
                                                           std::string* note) {
  try {
    return run_ptxas(ptx, arch);
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).find("higher than") == std::string::npos) throw;
  }
  static const std::regex kTarget(R"(\.target\s+(sm_\d+[a-z]?))");
  std::smatch m;
  if (!std::regex_search(ptx, m, kTarget)) throw std::runtime_error("PTX has no .target directive");
  const std::string own = m[1];
  try {
    return run_ptxas(std::regex_replace(ptx, kTarget, ".target " + arch, std::regex_constants::format_first_only),
                     arch);
  } catch (const std::runtime_error&) {
    if (note) *note = "resource usage from ptxas for " + own + " (the PTX needs it; " + arch + " cannot run it)";
    return run_ptxas(ptx, own);
  }
}

}  // namespace gpusim::runtime
