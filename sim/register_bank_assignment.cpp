#include "sim/register_bank_assignment.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/register_banks.h"

namespace gpusim::sim {

namespace {

constexpr uint16_t kUnassigned = std::numeric_limits<uint16_t>::max();

// Extra cycles instruction `regs` would cost if register `r` went to bank `b`, counting only the
// registers already placed (the others may still be spread around it).
int added_conflict(const std::vector<uint32_t>& regs, uint32_t r, int b, const std::vector<uint16_t>& bank_of) {
  int same = 0;
  for (uint32_t other : regs)
    if (other != r && bank_of[other] == b) ++same;
  return same + 1 > kRegisterBankReadsPerCycle ? 1 : 0;
}

}  // namespace

std::vector<uint16_t> assign_register_banks(const std::vector<std::vector<uint32_t>>& reads, size_t register_count,
                                            int banks) {
  if (banks < 1 || banks > kUnassigned)
    throw std::invalid_argument("register banks: need 1 to 65534 banks, got " + std::to_string(banks));
  // Which instructions read each register, and the order registers are first read in.
  std::vector<std::vector<uint32_t>> readers(register_count);
  std::vector<uint32_t> order;
  for (size_t i = 0; i < reads.size(); ++i)
    for (uint32_t r : reads[i]) {
      if (r >= register_count)
        throw std::invalid_argument("register banks: register index " + std::to_string(r) + " out of range (" +
                                    std::to_string(register_count) + " registers)");
      if (readers[r].empty()) order.push_back(r);
      if (readers[r].empty() || readers[r].back() != i) readers[r].push_back(static_cast<uint32_t>(i));
    }
  std::vector<uint16_t> bank_of(register_count, kUnassigned);
  std::vector<size_t> load(static_cast<size_t>(banks), 0);
  for (uint32_t r : order) {
    int best = 0;
    int best_cost = std::numeric_limits<int>::max();
    for (int b = 0; b < banks; ++b) {
      int cost = 0;
      for (uint32_t i : readers[r]) cost += added_conflict(reads[i], r, b, bank_of);
      if (cost < best_cost || (cost == best_cost && load[static_cast<size_t>(b)] < load[static_cast<size_t>(best)])) {
        best = b;
        best_cost = cost;
      }
    }
    bank_of[r] = static_cast<uint16_t>(best);
    ++load[static_cast<size_t>(best)];
  }
  for (uint16_t& b : bank_of)
    if (b == kUnassigned) b = 0;
  return bank_of;
}

}  // namespace gpusim::sim
