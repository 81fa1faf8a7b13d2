// The SMs that receive one L2 read reply: a TMA multicast (cp.async.bulk{.tensor}...
// .multicast::cluster) reads its global bytes from the L2 once, and the crossbar hands the reply
// to every SM of the cluster whose CTA the copy writes (docs/ARCHITECTURE.md, "Hopper timing").
// Each of those SMs receives the bytes over its own L2 -> SM port (sim/interconnect.h), so a
// multicast saves L2 reads and request traffic, not receive bandwidth.
//
// Kept as a window of 32 consecutive SM ids: a cluster lives inside one GPC, and a GPC's SMs are
// consecutive (sim/cluster_dispatch.cpp, gpc_layout), at most 18 on H100.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpusim::sim {

struct SmFanout {
  int first_sm = 0;
  uint32_t mask = 0;  // bit i: SM first_sm + i receives the reply; 0: only the requesting SM does

  bool empty() const { return mask == 0; }
  int count() const { return std::popcount(mask); }
  int last_sm() const { return first_sm + 31 - std::countl_zero(mask); }
  bool contains(int sm) const { return sm >= first_sm && sm < first_sm + 32 && (mask >> (sm - first_sm) & 1u); }
  template <typename F>
  void for_each(F&& f) const {
    for (uint32_t m = mask; m != 0; m &= m - 1) f(first_sm + std::countr_zero(m));
  }

  // The fan-out to `sms` (any order, repeats allowed); `where` names the caller in the error when
  // they span more than 32 SM ids.
  static SmFanout of(const std::vector<int>& sms, const std::string& where) {
    SmFanout f;
    if (sms.empty()) return f;
    int lo = sms.front(), hi = sms.front();
    for (int s : sms) lo = std::min(lo, s), hi = std::max(hi, s);
    if (lo < 0 || hi - lo >= 32)
      throw std::invalid_argument(where + ": a multicast to SMs " + std::to_string(lo) + ".." + std::to_string(hi) +
                                  " spans more than the 32 consecutive SMs a fan-out can name");
    f.first_sm = lo;
    for (int s : sms) f.mask |= 1u << (s - lo);
    return f;
  }
};

}  // namespace gpusim::sim
