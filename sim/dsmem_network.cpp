#include "sim/dsmem_network.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace gpusim::sim {

DsmemNetwork::DsmemNetwork(const GpuConfig& config)
    : config_(config), receive_free_(size_t(std::max(config.num_sms, 0)), 0), inbox_(receive_free_.size()) {}

void DsmemNetwork::clear() {
  sm_of_cta_.clear();
  std::fill(receive_free_.begin(), receive_free_.end(), 0);
  for (auto& q : inbox_) q = {};
  sequence_ = 0;
}

void DsmemNetwork::check_sm(int sm, const char* what) const {
  if (sm < 0 || size_t(sm) >= receive_free_.size())
    throw std::logic_error(std::string("distributed shared memory network: ") + what + " names SM " +
                           std::to_string(sm) + " of " + std::to_string(receive_free_.size()));
}

void DsmemNetwork::place(uint64_t cta, int sm) {
  check_sm(sm, "a CTA placement");
  sm_of_cta_[cta] = sm;
}

int DsmemNetwork::sm_of(uint64_t cta) const {
  auto it = sm_of_cta_.find(cta);
  if (it == sm_of_cta_.end())
    throw std::logic_error("distributed shared memory network: CTA " + std::to_string(cta) +
                           " was reached through shared::cluster but never placed on an SM");
  return it->second;
}

uint64_t DsmemNetwork::receive_cycles(uint32_t bytes, int wavefronts) const {
  const int rate = config_.cluster_dsmem_receive_bytes_per_clock > 0 ? config_.cluster_dsmem_receive_bytes_per_clock
                                                                     : config_.cluster_dsmem_bytes_per_clock;
  const uint64_t per_clock = uint64_t(std::max(rate, 1));
  const uint64_t transfer = std::max<uint64_t>((uint64_t(bytes) + per_clock - 1) / per_clock, 1);
  return std::max(transfer, uint64_t(std::max(wavefronts, 1)));
}

uint64_t DsmemNetwork::book_receive(int sm, uint64_t sent, uint32_t bytes, int wavefronts) {
  check_sm(sm, "a remote shared access");
  uint64_t& free = receive_free_[size_t(sm)];
  const uint64_t start = std::max(sent, free);
  free = start + receive_cycles(bytes, wavefronts);
  return start;
}

void DsmemNetwork::post_bank_work(int sm, uint64_t arrival, int wavefronts) {
  check_sm(sm, "a remote shared write");
  if (wavefronts > 0) inbox_[size_t(sm)].push({arrival, sequence_++, wavefronts});
}

void DsmemNetwork::take_bank_work(int sm, uint64_t cycle, const std::function<void(uint64_t, int)>& apply) {
  auto& q = inbox_.at(size_t(sm));
  while (!q.empty() && q.top().arrival <= cycle) {
    const BankWork w = q.top();
    q.pop();
    apply(w.arrival, w.wavefronts);
  }
}

}  // namespace gpusim::sim
