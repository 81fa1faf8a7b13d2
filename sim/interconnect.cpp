// SM <-> L2 crossbar ports (model in interconnect.h).
#include "sim/interconnect.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

Interconnect::Interconnect(const GpuConfig& config, const MemoryClocks& clocks)
    : bytes_per_clock_(config.icnt_bytes_per_clock_per_sm),
      latency_cycles_(config.icnt_latency_cycles),
      clocks_(clocks),
      request_port_free_ps_(config.num_sms, 0),
      response_port_free_ps_(config.num_sms, 0),
      responses_(config.num_sms) {}

// A packet takes at least one clock (a read request or write acknowledgement without data still
// does); larger ones take their bytes over the port width, which may leave a fraction of a clock
// when the width is a measured average (h100.ini: 39 B/clk) rather than a multiple of the
// 32-B sector (every other configuration, whose packets all take whole clocks).
double Interconnect::transfer_cycles(uint32_t payload_bytes) const {
  return std::max(1.0, payload_bytes / bytes_per_clock_);
}

std::optional<uint64_t> Interconnect::inject_request(int sm, uint32_t payload_bytes, uint64_t now_ps) {
  uint64_t& free_ps = request_port_free_ps_.at(sm);
  if (!clocks_.icnt.reached(free_ps, now_ps)) return std::nullopt;
  // A whole-clock transfer starts on this edge, as it always has; a fractional one starts where
  // the last ended (up to half a clock before this edge, see reached), so the port keeps its
  // average rate instead of rounding every packet to whole clocks.
  const double transfer = transfer_cycles(payload_bytes);
  const bool whole = transfer == std::floor(transfer);
  free_ps = clocks_.icnt.later(whole ? now_ps : std::max(now_ps, free_ps), transfer);
  // The head flit's arrival: a lone request sees exactly the configured latency.
  return clocks_.core.ready_after(now_ps, latency_cycles_);
}

void Interconnect::send_response(MemPacket packet, uint64_t now_ps) {
  const double transfer = transfer_cycles(packet.bytes);
  // Leaves on `sm`'s port once it is free; returns the arrival at that SM.
  const auto cross = [&](int sm) {
    uint64_t& free_ps = response_port_free_ps_.at(sm);
    const uint64_t depart = std::max(now_ps, free_ps);
    free_ps = clocks_.icnt.later(depart, transfer);
    return clocks_.core.ready_after(depart, latency_cycles_);
  };
  std::deque<MemPacket>& q = responses_.at(packet.sm);
  if (packet.fanout.empty()) {
    packet.ready_ps = cross(packet.sm);
    q.push_back(packet);  // departures on one port are increasing, so arrivals are too
  } else {
    packet.ready_ps = 0;
    packet.fanout.for_each([&](int sm) { packet.ready_ps = std::max(packet.ready_ps, cross(sm)); });
    // Done when the last receiver has it, which may be after answers that follow on packet.sm's
    // port: keep the queue in arrival order (ties in sending order).
    auto at = q.end();
    while (at != q.begin() && std::prev(at)->ready_ps > packet.ready_ps) --at;
    q.insert(at, packet);
  }
  queued_responses_.fetch_add(1, std::memory_order_relaxed);
}

bool Interconnect::pop_response(int sm, uint64_t now_ps, MemPacket* out) {
  if (sm < 0 || sm >= int(responses_.size()))
    throw std::out_of_range("interconnect: response port of SM " + std::to_string(sm) + " does not exist (" +
                            std::to_string(responses_.size()) + " SMs)");
  std::deque<MemPacket>& q = responses_[sm];
  if (q.empty() || q.front().ready_ps > now_ps) return false;
  *out = q.front();
  q.pop_front();
  queued_responses_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void Interconnect::clear() {
  std::fill(request_port_free_ps_.begin(), request_port_free_ps_.end(), 0);
  std::fill(response_port_free_ps_.begin(), response_port_free_ps_.end(), 0);
  for (auto& q : responses_) q.clear();
  queued_responses_.store(0, std::memory_order_relaxed);
}

}  // namespace gpusim::sim
