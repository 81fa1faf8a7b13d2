#include "sim/register_banks.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

int register_bank_conflict_cycles(std::span<const uint32_t> sources, const std::vector<isa::RegInfo>& regs,
                                  int banks) {
  if (banks < 1) throw std::invalid_argument("register banks: need at least one bank, got " + std::to_string(banks));
  // Instructions read few registers (at most a few dozen for an MMA), so a small local list beats
  // any hashing.
  std::vector<uint32_t> distinct;
  distinct.reserve(sources.size());
  for (uint32_t r : sources) {
    if (r >= regs.size())
      throw std::invalid_argument("register banks: register index " + std::to_string(r) + " out of range (" +
                                  std::to_string(regs.size()) + " registers)");
    if (regs[r].type == isa::DataType::Pred) continue;
    if (std::find(distinct.begin(), distinct.end(), r) == distinct.end()) distinct.push_back(r);
  }
  std::vector<int> reads(static_cast<size_t>(banks), 0);
  for (uint32_t r : distinct) reads[r % static_cast<uint32_t>(banks)] += 1;
  int extra = 0;
  for (int n : reads) extra += std::max(0, n - kRegisterBankReadsPerCycle);
  return extra;
}

}  // namespace gpusim::sim
