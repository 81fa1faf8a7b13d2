#include "runtime/ptxas_info.h"

#include "runtime/cuda_tools.h"
#include "runtime/ptxas_cache.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace gpusim::runtime {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The decimal number that ends right before `suffix` in `line` ("384 bytes smem"), if any.
std::optional<unsigned long long> number_before(const std::string& line, const std::string& suffix) {
  for (size_t at = line.find(suffix); at != std::string::npos; at = line.find(suffix, at + 1)) {
    size_t begin = at;
    while (begin > 0 && is_digit(line[begin - 1])) --begin;
    if (begin == at || at - begin > 18) continue;
    return std::stoull(line.substr(begin, at - begin));
  }
  return std::nullopt;
}

// The decimal number right after `prefix` in `line` ("Used 14 registers"), if any.
std::optional<unsigned long long> number_after(const std::string& line, const std::string& prefix) {
  for (size_t at = line.find(prefix); at != std::string::npos; at = line.find(prefix, at + 1)) {
    size_t begin = at + prefix.size(), end = begin;
    while (end < line.size() && is_digit(line[end])) ++end;
    if (end == begin || end - begin > 18) continue;
    return std::stoull(line.substr(begin, end - begin));
  }
  return std::nullopt;
}

// The "sm_NN[a]" after the first ".target" directive, and where it sits in `ptx`.
// 80 for "sm_80" or "sm_80a"; 0 when the name has no number.
int sm_number(const std::string& sm) {
  int n = 0;
  for (size_t i = 3; i < sm.size() && is_digit(sm[i]) && n < 100000; ++i) n = n * 10 + (sm[i] - '0');
  return n;
}

std::optional<std::pair<size_t, size_t>> find_target(const std::string& ptx) {
  for (size_t at = ptx.find(".target"); at != std::string::npos; at = ptx.find(".target", at + 1)) {
    size_t p = at + 7;
    if (p >= ptx.size() || (ptx[p] != ' ' && ptx[p] != '\t')) continue;
    while (p < ptx.size() && (ptx[p] == ' ' || ptx[p] == '\t')) ++p;
    if (ptx.compare(p, 3, "sm_") != 0) continue;
    size_t end = p + 3;
    while (end < ptx.size() && is_digit(ptx[end])) ++end;
    if (end == p + 3) continue;
    if (end < ptx.size() && ptx[end] >= 'a' && ptx[end] <= 'z') ++end;
    return std::pair{p, end - p};
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> find_ptxas() { return find_cuda_tool("ptxas"); }

PtxasRun run_ptxas_on_file(const std::string& ptxas, const std::string& ptx_file, const std::string& arch,
                           unsigned timeout_seconds, bool relocatable) {
  std::vector<std::string> argv = {ptxas, "-v"};
  if (relocatable) argv.push_back("-c");
  for (const std::string& a : {"-arch=" + arch, ptx_file, std::string("-o"), std::string("/dev/null")}) argv.push_back(a);
  const ToolRun tool = run_tool(argv, timeout_seconds);
  PtxasRun run;
  run.exit_status = tool.exit_status;
  run.timed_out = tool.timed_out;
  run.output = tool.output;
  return run;
}

std::vector<PtxasFunctionReport> parse_ptxas_functions(const std::string& output) {
  static constexpr std::string_view kEntry = "Compiling entry function '";
  static constexpr std::string_view kProperties = "Function properties for ";
  std::vector<PtxasFunctionReport> out;
  std::string pending_entry;  // named by "Compiling entry function", reported by the next "properties"
  std::stringstream ss(output);
  std::string line;
  while (std::getline(ss, line)) {
    if (size_t at = line.find(kEntry); at != std::string::npos) {
      size_t begin = at + kEntry.size(), end = line.find('\'', begin);
      pending_entry = line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
      continue;
    }
    if (size_t at = line.find(kProperties); at != std::string::npos) {
      size_t begin = at + kProperties.size(), end = line.find_first_of(" \t\r", begin);
      PtxasFunctionReport f;
      f.name = line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
      f.is_entry = f.name == pending_entry;
      pending_entry.clear();
      out.push_back(std::move(f));
      continue;
    }
    if (out.empty()) continue;
    PtxasFunctionReport& f = out.back();
    auto stack = number_before(line, " bytes stack frame");
    auto stores = number_before(line, " bytes spill stores");
    auto loads = number_before(line, " bytes spill loads");
    if (stack && stores && loads) {
      f.has_stack = true;
      f.stack_bytes = *stack;
      f.spill_store_bytes = *stores;
      f.spill_load_bytes = *loads;
    }
    if (auto used = number_after(line, "Used "); used && line.find(" registers") != std::string::npos) {
      f.has_registers = true;
      f.registers = *used;
      f.static_shared_bytes = number_before(line, " bytes smem").value_or(0);
    }
  }
  return out;
}

std::map<std::string, PtxasKernelInfo> parse_ptxas_verbose(const std::string& output) {
  std::map<std::string, PtxasKernelInfo> out;
  for (const PtxasFunctionReport& f : parse_ptxas_functions(output)) {
    if (!f.is_entry) {
      // A device function's frame bounds how deep a recursive kernel may call (isa/warp.h).
      if (f.has_stack && !out.count(f.name)) {
        PtxasKernelInfo& d = out[f.name];
        d.entry = false;
        d.stack_bytes = unsigned(f.stack_bytes);
      }
      continue;
    }
    PtxasKernelInfo& k = out[f.name];
    k.registers = unsigned(f.registers);
    k.static_shared_bytes = unsigned(f.static_shared_bytes);
    k.stack_bytes = unsigned(f.stack_bytes);
    k.spill_bytes = unsigned(f.spill_store_bytes + f.spill_load_bytes);
  }
  return out;
}

std::map<std::string, PtxasKernelInfo> run_ptxas(const std::string& ptx, const std::string& arch) {
  const auto ptxas = find_ptxas();
  if (!ptxas) return {};
  const PtxasCacheKey key{ptxas_identity(*ptxas), arch, &ptx};
  if (const auto cached = load_cached_ptxas_run(key)) {
    if (cached->exit_status != 0) throw std::runtime_error("ptxas -arch=" + arch + " rejected the PTX:\n" + cached->output);
    return parse_ptxas_verbose(cached->output);
  }
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
  // Device-side launches call into libcudadevrt, which gpusim replaces and never links: ptxas
  // must leave those calls unresolved (only such modules get -c, so no other count changes).
  const bool calls_device_runtime = ptx.find("__cudaCDP2") != std::string::npos ||
                                    ptx.find("cudaLaunchDeviceV2") != std::string::npos;
  const PtxasRun run = run_ptxas_on_file(*ptxas, path.data(), arch, kModulePtxasTimeoutSeconds, calls_device_runtime);
  std::remove(path.data());
  if (run.timed_out)
    throw std::runtime_error("ptxas -arch=" + arch + " did not finish within " + std::to_string(kModulePtxasTimeoutSeconds) +
                             " s (stopped)");
  // Stored: successes, and the rejection of a .target newer than the architecture (every run of an
  // sm_80 program on an sm_70 configuration starts with one). Other failures are not worth keeping.
  if (run.ok() || (run.exit_status > 0 && !run.timed_out && run.output.find("higher than") != std::string::npos))
    store_ptxas_run(key, CachedPtxasRun{run.exit_status, run.output});
  if (!run.ok()) throw std::runtime_error("ptxas -arch=" + arch + " rejected the PTX:\n" + run.output);
  return parse_ptxas_verbose(run.output);
}

std::string with_source_name(std::string text, const std::string& source_name) {
  static constexpr std::string_view kPrefix = "/tmp/gpusim-ptxas-", kSuffix = ".ptx";
  const size_t name_length = kPrefix.size() + 6 + kSuffix.size();  // mkstemps' six characters
  for (size_t at = text.find(kPrefix); at != std::string::npos; at = text.find(kPrefix, at + source_name.size())) {
    if (text.compare(at + kPrefix.size() + 6, kSuffix.size(), kSuffix) != 0) {
      at += 1;
      continue;
    }
    text.replace(at, name_length, source_name);
  }
  return text;
}

std::map<std::string, PtxasKernelInfo> ptxas_resources_for(const std::string& ptx, const std::string& arch,
                                                           std::string* note) {
  // PTX for the architecture-specific variant of the config's SM (.target sm_90a on sm_90:
  // wgmma, setmaxnreg) must be assembled for that variant.
  if (const auto t = find_target(ptx); t && ptx.compare(t->first, t->second, arch + "a") == 0)
    return run_ptxas(ptx, arch + "a");
  const auto target = find_target(ptx);
  try {
    return run_ptxas(ptx, arch);
  } catch (const std::runtime_error& e) {
    // ptxas names a newer .target first, unless an earlier error stops it (a library call of
    // sm_80's wmma.m8n8k4 on sm_75): the PTX's own number decides too.
    const bool newer = target && sm_number(ptx.substr(target->first, target->second)) > sm_number(arch);
    if (!newer && std::string(e.what()).find("higher than") == std::string::npos) throw;
  }
  if (!target) throw std::runtime_error("PTX has no .target directive");
  const std::string own = ptx.substr(target->first, target->second);
  try {
    std::string lowered = ptx;
    lowered.replace(target->first, target->second, arch);
    return run_ptxas(lowered, arch);
  } catch (const std::runtime_error&) {
    if (note) *note = "resource usage from ptxas for " + own + " (the PTX needs it; " + arch + " cannot run it)";
    return run_ptxas(ptx, own);
  }
}

}  // namespace gpusim::runtime
