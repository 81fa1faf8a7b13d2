#include "runtime/resource_limits.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>

namespace gpusim::runtime {

namespace {

// The limits are a property of the process, like a ulimit: the CLI sets them once and every
// allocation site in every library (workloads, simulator, the CUDA runtime libraries) consults
// them, so they live in one process-wide object behind this accessor instead of being threaded
// through every API. Atomics: simulations may run on several threads.
struct Limits {
  std::atomic<uint64_t> host_memory{0};  // 0 = not set: environment, then default
  std::atomic<uint64_t> launch_work{0};
};
Limits& limits() {
  static Limits l;
  return l;
}

uint64_t from_environment(const char* name, bool memory) {
  const char* text = std::getenv(name);
  if (!text || !*text) return 0;
  try {
    if (memory) return parse_memory_size(text);
    size_t used = 0;
    const unsigned long long v = std::stoull(text, &used);
    if (used != std::string(text).size() || text[0] == '-') throw std::invalid_argument("not a count");
    return v;
  } catch (const std::exception& e) {
    throw ResourceLimitError(std::string(name) + "='" + text + "': " + e.what());
  }
}

}  // namespace

uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
}

uint64_t parse_memory_size(const std::string& text) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument("'" + text + "' is not a size (e.g. 512M, 8G, 4096)");
  }
  std::string unit = text.substr(used);
  if (unit.size() == 3 && (unit[1] == 'i' || unit[1] == 'I') && (unit[2] == 'B' || unit[2] == 'b')) unit.resize(1);
  if (unit.size() == 2 && (unit[1] == 'B' || unit[1] == 'b')) unit.resize(1);
  int shift = -1;
  if (unit.empty() || unit == "B" || unit == "b") shift = 0;
  else if (unit == "K" || unit == "k") shift = 10;
  else if (unit == "M" || unit == "m") shift = 20;
  else if (unit == "G" || unit == "g") shift = 30;
  else if (unit == "T" || unit == "t") shift = 40;
  if (shift < 0 || !std::isfinite(value) || value <= 0 || text[0] == '-')
    throw std::invalid_argument("'" + text + "' is not a positive size (e.g. 512M, 8G, 4096)");
  const double bytes = std::ldexp(value, shift);
  if (bytes >= 18446744073709551615.0) throw std::invalid_argument("'" + text + "' is larger than 2^64 bytes");
  return uint64_t(bytes);
}

std::string memory_size_text(uint64_t bytes) {
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = double(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.1f %s (%llu bytes)", value, units[unit], static_cast<unsigned long long>(bytes));
  return text;
}

uint64_t host_memory_limit() {
  if (uint64_t set = limits().host_memory.load()) return set;
  if (uint64_t env = from_environment("GPUSIM_MAX_HOST_MEMORY", true)) return env;
  const uint64_t physical = physical_memory_bytes();
  return physical ? physical / 2 : uint64_t(8) << 30;
}

void set_host_memory_limit(uint64_t bytes) { limits().host_memory.store(bytes); }

uint64_t given_host_memory_limit() {
  if (uint64_t set = limits().host_memory.load()) return set;
  return from_environment("GPUSIM_MAX_HOST_MEMORY", true);
}

void require_host_memory(uint64_t bytes, const std::string& what) {
  const uint64_t limit = host_memory_limit();
  if (bytes <= limit) return;
  throw ResourceLimitError(what + " needs " + memory_size_text(bytes) + " of host memory; the limit is " +
                           memory_size_text(limit) +
                           " (default: half the physical memory; raise it with --max-host-memory SIZE or "
                           "GPUSIM_MAX_HOST_MEMORY=SIZE)");
}

uint64_t launch_work_limit() {
  if (uint64_t set = limits().launch_work.load()) return set;
  if (uint64_t env = from_environment("GPUSIM_MAX_LAUNCH_WORK", false)) return env;
  return kDefaultLaunchWork;
}

void set_launch_work_limit(uint64_t warp_instructions) { limits().launch_work.store(warp_instructions); }

void require_launch_work(uint64_t warp_instructions, const std::string& what) {
  const uint64_t limit = launch_work_limit();
  if (warp_instructions <= limit) return;
  // The estimate saturates at 2^64 - 1 (a grid of 2^31 x 65535 x 65535 CTAs): said as such, not
  // as a count.
  const std::string count = warp_instructions == UINT64_MAX ? std::string("more than 1.8e19")
                                                            : "about " + std::to_string(warp_instructions);
  throw ResourceLimitError(what + " would execute " + count +
                           " warp-instructions; the budget per launch is " + std::to_string(limit) +
                           " (about a million simulated a second; raise it with --max-launch-work N or "
                           "GPUSIM_MAX_LAUNCH_WORK=N)");
}

}  // namespace gpusim::runtime
