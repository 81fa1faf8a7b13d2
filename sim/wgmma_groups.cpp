#include "sim/wgmma_groups.h"

#include <algorithm>

namespace gpusim::sim {

WgmmaCoreCycles wgmma_warp_core_cycles(const GpuConfig& c, int n, int k, int input_bits) {
  // One warp computes 16 of the 64 rows on its own sub-core's share of the SM's tensor cores.
  const long long flops = 2LL * 16 * n * k;
  // The per-SM rate is given for 16-bit inputs; narrower inputs raise it in proportion (fp8
  // double), wider ones lower it (tf32 half): the tensor cores move the same operand bits per clock.
  const long long per_subcore_num = c.wgmma_flops_per_clock() * 16, per_subcore_den = 1LL * c.subcores_per_sm * input_bits;
  // tensor cycles = flops / (rate * 16 / bits / subcores); core cycles = tensor cycles * core / tensor clock.
  const long long num = flops * per_subcore_den * c.core_clock_mhz;
  const long long den = per_subcore_num * c.tensor_clock_mhz;
  return {num, den};
}

long long wgmma_shared_operand_bytes(int n, int k, int input_bits, bool register_a) {
  const long long b = 1LL * n * k * input_bits / 8;
  const long long a = register_a ? 0 : 64LL * k * input_bits / 8;
  return a + b;
}

void WgmmaGroups::issued(uint64_t done_cycle) {
  open_done_ = std::max(open_done_, done_cycle);
  open_count_ += 1;
}

void WgmmaGroups::commit() {
  committed_.push_back(open_done_);
  open_done_ = 0;
  open_count_ = 0;
}

uint64_t WgmmaGroups::wait_until(unsigned allowed) const {
  if (committed_.size() <= allowed) return 0;
  const size_t waited_for = committed_.size() - allowed;
  return *std::max_element(committed_.begin(), committed_.begin() + static_cast<std::ptrdiff_t>(waited_for));
}

void WgmmaGroups::waited(unsigned allowed) {
  if (committed_.size() <= allowed) return;
  committed_.erase(committed_.begin(), committed_.end() - allowed);
}

}  // namespace gpusim::sim
