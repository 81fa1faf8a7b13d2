#include "sim/register_banks.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

std::vector<uint32_t> bank_read_registers(std::span<const uint32_t> sources, const std::vector<isa::RegInfo>& regs) {
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
  return distinct;
}

int register_bank_conflict_cycles(std::span<const uint32_t> reads, std::span<const uint16_t> bank_of, int banks) {
  if (banks < 1) throw std::invalid_argument("register banks: need at least one bank, got " + std::to_string(banks));
  std::vector<int> per_bank(static_cast<size_t>(banks), 0);
  for (uint32_t r : reads) {
    if (r >= bank_of.size() || bank_of[r] >= banks)
      throw std::invalid_argument("register banks: register index " + std::to_string(r) + " has no bank of " +
                                  std::to_string(banks));
    per_bank[bank_of[r]] += 1;
  }
  int extra = 0;
  for (int n : per_bank) extra += std::max(0, n - kRegisterBankReadsPerCycle);
  return extra;
}

}  // namespace gpusim::sim
