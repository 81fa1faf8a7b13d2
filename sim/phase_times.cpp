#include "sim/phase_times.h"

#include <cstdio>
#include <cstdlib>

namespace gpusim::sim {

PhaseTimes::PhaseTimes() {
  const char* v = std::getenv("GPUSIM_PHASE_TIMES");
  enabled_ = v && *v && std::string(v) != "0";
}

std::string PhaseTimes::report() const {
  static constexpr const char* kNames[Count] = {"dispatch", "tick",   "ordered", "l2 round begin", "local",
                                                "l2 round end", "finish", "l2",  "dram"};
  uint64_t total = 0;
  for (int p = 0; p < Count; ++p) total += ns_[p];
  const double t = total ? double(total) : 1.0;
  std::string out = "phase times:";
  char buf[96];
  for (int p = 0; p < Count; ++p) {
    std::snprintf(buf, sizeof buf, " %s %.3f s (%.1f %%)", kNames[p], double(ns_[p]) * 1e-9, 100.0 * double(ns_[p]) / t);
    out += buf;
  }
  const uint64_t parallel = ns_[Tick] + ns_[Local];
  std::snprintf(buf, sizeof buf, "; serial %.1f %%", 100.0 * double(total - parallel) / t);
  return out + buf;
}

}  // namespace gpusim::sim
