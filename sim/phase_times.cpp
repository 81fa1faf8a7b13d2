#include "sim/phase_times.h"

#include <cstdio>
#include <cstdlib>

namespace gpusim::sim {

PhaseTimes::PhaseTimes() {
  const char* v = std::getenv("GPUSIM_PHASE_TIMES");
  enabled_ = v && *v && std::string(v) != "0";
}

std::string PhaseTimes::report() const {
  static constexpr const char* kNames[Count] = {"dispatch", "tick", "ordered", "local",   "finish",
                                                "l2",       "dram", "hand-off", "l2 in local"};
  uint64_t total = 0;
  for (int p = 0; p < HandOff; ++p) total += ns_[p];
  const double t = total ? double(total) : 1.0;
  std::string out = "phase times:";
  char buf[96];
  for (int p = 0; p < Count; ++p) {
    if (p == HandOff) out += "; memory task in local:";
    std::snprintf(buf, sizeof buf, " %s %.3f s (%.1f %%)", kNames[p], double(ns_[p]) * 1e-9, 100.0 * double(ns_[p]) / t);
    out += buf;
  }
  const uint64_t parallel = ns_[Tick] + ns_[Local];
  std::snprintf(buf, sizeof buf, "; serial %.1f %%, with the memory task %.1f %%", 100.0 * double(total - parallel) / t,
                100.0 * double(total - parallel + ns_[HandOff] + ns_[L2InLocal]) / t);
  return out + buf;
}

}  // namespace gpusim::sim
