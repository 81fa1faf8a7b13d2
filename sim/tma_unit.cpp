#include "sim/tma_unit.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

std::vector<TmaRequestQueue::Request> TmaRequestQueue::requests_of(const std::vector<isa::MemAccess>& accesses,
                                                                   uint32_t line_bytes, uint32_t sector_bytes) {
  // Line -> sectors, reads and writes apart (a copy goes one way; the map keeps address order).
  std::map<std::pair<bool, uint64_t>, uint32_t> lines;
  for (const isa::MemAccess& a : accesses) {
    if (a.space != isa::StateSpace::Global || a.size == 0) continue;
    for (uint64_t s = a.addr / sector_bytes; s <= (a.addr + a.size - 1) / sector_bytes; ++s) {
      const uint64_t byte = s * sector_bytes;
      lines[{a.write, byte / line_bytes * line_bytes}] |= 1u << (byte % line_bytes / sector_bytes);
    }
  }
  std::vector<Request> out;
  out.reserve(lines.size());
  for (const auto& [key, mask] : lines) out.push_back({key.second, mask, key.first, {}});
  return out;
}

void TmaRequestQueue::push(uint64_t op_id, uint64_t submit_cycle, std::vector<Request> requests) {
  ops_.push_back({op_id, submit_cycle + uint64_t(issue_latency_), std::move(requests), 0});
}

void TmaRequestQueue::run(uint64_t cycle, const std::function<bool(const Request&, uint64_t)>& send,
                          const std::function<void(uint64_t)>& finished) {
  if (ops_.empty() || ops_.front().start_cycle > cycle) {
    credit_ = 0;  // an idle unit saves no bandwidth for later
    credited_cycle_ = cycle;
    return;
  }
  if (credited_cycle_ != cycle) {
    // Credit saved while the port refused requests is capped: the unit cannot burst above its rate.
    credit_ = std::min<long long>(credit_ + bytes_per_cycle_, 2LL * bytes_per_cycle_);
    credited_cycle_ = cycle;
  }
  while (!ops_.empty() && ops_.front().start_cycle <= cycle) {
    Op& op = ops_.front();
    while (op.next < op.requests.size()) {
      const Request& r = op.requests[op.next];
      const long long cost = std::popcount(r.sector_mask) * static_cast<long long>(sector_bytes_);
      // A request larger than one cycle's rate goes once the credit is positive and leaves a debt.
      if (credit_ <= 0 || (credit_ < cost && credit_ < bytes_per_cycle_)) return;
      if (!send(r, op.id)) return;
      credit_ -= cost;
      ++op.next;
    }
    const uint64_t id = op.id;
    ops_.pop_front();
    finished(id);
  }
}

void TmaBarriers::add(uint64_t token, int cta, uint64_t mbar, unsigned parity) {
  const Key key{cta, mbar, parity & 1u};
  barriers_[key].in_flight += 1;
  tokens_[token] = key;
}

int TmaBarriers::complete(uint64_t token, uint64_t cycle) {
  if (tokens_.empty()) return -1;  // the common case: every memory completion asks
  auto t = tokens_.find(token);
  if (t == tokens_.end()) return -1;
  auto b = barriers_.find(t->second);
  tokens_.erase(t);
  if (b == barriers_.end() || b->second.in_flight == 0)
    throw std::logic_error("TMA: a bulk copy completed on a barrier with no copy in flight");
  Entry& e = b->second;
  e.in_flight -= 1;
  e.arrived = std::max(e.arrived, cycle);
  return e.in_flight == 0 ? b->first.cta : -1;
}

TmaBarriers::Readiness TmaBarriers::of(int cta, uint64_t mbar, unsigned parity) const {
  auto b = barriers_.find(Key{cta, mbar, parity & 1u});
  if (b == barriers_.end()) return {};
  return {b->second.in_flight > 0, b->second.arrived};
}

void TmaBarriers::forget_cta(int cta) {
  for (auto it = barriers_.begin(); it != barriers_.end();) {
    if (it->first.cta == cta) it = barriers_.erase(it);
    else ++it;
  }
}

}  // namespace gpusim::sim
