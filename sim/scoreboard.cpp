#include "sim/scoreboard.h"

#include <stdexcept>
#include <string>

namespace gpusim::sim {

namespace {
void check_index(uint32_t reg, size_t size) {
  if (reg >= size)
    throw std::out_of_range("scoreboard: register " + std::to_string(reg) + " out of range (" +
                            std::to_string(size) + " registers)");
}
}  // namespace

void Scoreboard::check_cycle(uint64_t ready_cycle) {
  if (ready_cycle >= kNeverStored && ready_cycle != kNeverCycle)
    throw std::out_of_range("scoreboard: ready cycle " + std::to_string(ready_cycle) + " is beyond 2^56 - 2");
}

void Scoreboard::reset(size_t registers) {
  entries_.assign(registers, Entry{});
  for (uint64_t& w : maybe_busy_) w = 0;
  pending_ = 0;
  latest_ready_ = 0;
}

void Scoreboard::ensure(size_t registers) {
  if (registers > entries_.size()) entries_.resize(registers, Entry{});
}

void Scoreboard::set_ready_at(uint32_t reg, uint64_t ready_cycle, StallReason why) {
  check_index(reg, entries_.size());
  check_cycle(ready_cycle);
  Entry& e = entries_[reg];
  if (e.pending()) pending_ -= 1;  // cannot happen when WAW waits, but stay consistent
  e.set(ready_cycle, why);
  mark_busy(reg);
  if (ready_cycle >= latest_ready_) {
    latest_ready_ = ready_cycle;
    latest_why_ = why;
  }
}

void Scoreboard::set_pending(uint32_t reg, StallReason why) {
  check_index(reg, entries_.size());
  Entry& e = entries_[reg];
  if (!e.pending()) pending_ += 1;
  e.set(kNeverCycle, why);
  mark_busy(reg);
  pending_why_ = why;
}

void Scoreboard::complete(uint32_t reg, uint64_t cycle) {
  check_index(reg, entries_.size());
  check_cycle(cycle);
  Entry& e = entries_[reg];
  if (!e.pending()) return;  // already completed (a register written twice by one op)
  pending_ -= 1;
  e.set(cycle, e.why());
  if (cycle >= latest_ready_) {
    latest_ready_ = cycle;
    latest_why_ = e.why();
  }
}

Scoreboard::Block Scoreboard::check(std::span<const uint32_t> regs, uint64_t cycle) const {
  Block b;
  for (uint32_t r : regs) {
    const bool tracked = r < kTracked;
    if (tracked && !(maybe_busy_[r / 64] >> (r % 64) & 1)) continue;
    const Entry& e = entries_[r];
    const uint64_t ready = e.ready();
    if (ready <= cycle) {
      if (tracked) maybe_busy_[r / 64] &= ~(uint64_t(1) << (r % 64));
      continue;
    }
    if (!b.blocked() || ready > b.until || (ready == b.until && e.why() == StallReason::LongScoreboard)) {
      b.reason = e.why();
      b.until = ready;
    }
  }
  return b;
}

Scoreboard::Block Scoreboard::drain_block(uint64_t cycle) const {
  if (pending_) return Block{pending_why_, kNeverCycle};
  if (latest_ready_ > cycle) return Block{latest_why_, latest_ready_};
  return Block{};
}

std::vector<PendingRegister> Scoreboard::pending_at(uint64_t cycle) const {
  std::vector<PendingRegister> out;
  for (size_t r = 0; r < entries_.size(); ++r)
    if (entries_[r].ready() > cycle) out.push_back({static_cast<uint32_t>(r), entries_[r].why(), entries_[r].ready()});
  return out;
}

}  // namespace gpusim::sim
