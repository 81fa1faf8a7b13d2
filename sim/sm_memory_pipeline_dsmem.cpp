// Distributed shared memory through an SM's memory pipeline, with the receiving side (the
// network: sim/dsmem_network.h; the send port: sim/dsmem_port.h; the pipeline's state:
// sm_memory_pipeline_impl.h).
//
// A remote shared instruction (ld/st/atom.shared::cluster to other ranks), started by the MIO
// stage at `start`, to peers p with bytes b_p and bank passes w_p at p:
//   sent      = the send port's start (max(start, port free)), holding it s = ceil(B / send rate)
//   r_p       = max(sent, p's receive port free), which it then holds max(ceil(b_p / receive rate), w_p)
//   complete  = max over p of r_p + latency + max(s, ceil(b_p / receive rate), w_p) - 1
//   p's banks take w_p passes from max(r_p + latency / 2, this cycle + 1) on (the request's way
//   there taken as half the round trip), so p's own LDS/STS start after them.
// One sender to an idle peer: r_p = sent, the same cycles as the send port alone (the p-chase's
// 200 per hop). A multicast bulk copy's fill (TMA) is written into every destination peer's banks
// when it reaches the issuer's (the L2's answers fan out inside the GPC, cluster_tma_barriers.h).
#include <algorithm>
#include <bit>

#include "isa/launch_state.h"
#include "sim/sm_memory_pipeline_impl.h"

namespace gpusim::sim {

namespace {
// 0: the CTA's own window, else the cluster rank + 1 (isa/launch_state.h).
uint64_t rank_tag(const isa::MemAccess& a) { return a.addr >> isa::kClusterRankShift; }

int peer_sm(const DsmemNetwork& network, const isa::ClusterState& cluster, uint64_t rank, const std::string& where) {
  if (rank >= cluster.ctas.size() || !cluster.ctas[rank])
    throw std::logic_error(where + ": a shared::cluster access names rank " + std::to_string(rank) + " of a cluster of " +
                           std::to_string(cluster.ctas.size()) + " CTAs");
  return network.sm_of(cluster.ctas[rank]->linear_id);
}
}  // namespace

// The op's remote accesses grouped by peer, each group priced by this pipeline's own bank model
// (the SMs are alike), as the receiver's banks see it.
void SmMemoryPipeline::Impl::remote_targets(const WarpMemOp& op, std::vector<RemoteTarget>& out) {
  out.clear();
  uint64_t seen = 0;  // ranks done (cluster.max_ctas is at most 64; beyond, looked up one by one)
  for (size_t i = 0; i < op.accesses.size(); ++i) {
    const isa::MemAccess& first = op.accesses[i];
    const uint64_t tag = rank_tag(first);
    if (first.space != isa::StateSpace::Shared || tag == 0 || tag - 1 == op.cluster_rank) continue;
    if (tag <= 64 && (seen >> (tag - 1) & 1u)) continue;
    if (tag <= 64) seen |= uint64_t(1) << (tag - 1);
    else if (std::any_of(op.accesses.begin(), op.accesses.begin() + long(i),
                         [&](const isa::MemAccess& a) { return a.space == isa::StateSpace::Shared && rank_tag(a) == tag; }))
      continue;
    scratch_remote.clear();
    uint32_t bytes = 0;
    for (size_t j = i; j < op.accesses.size(); ++j) {
      const isa::MemAccess& a = op.accesses[j];
      if (a.space != isa::StateSpace::Shared || rank_tag(a) != tag) continue;
      scratch_remote.push_back(a);
      bytes += a.size;
    }
    out.push_back({peer_sm(*network, *op.cluster_state, tag - 1, where()), bytes,
                   shared_wavefronts(scratch_remote, op.atomic).wavefronts});
  }
}

// The peers (other than this CTA) a bulk copy writes into: multicast destinations or a peer's window.
std::vector<int> SmMemoryPipeline::Impl::multicast_peers(const WarpMemOp& op) {
  std::vector<int> sms;
  std::vector<uint64_t> tags;
  for (const isa::MemAccess& a : op.accesses) {
    const uint64_t tag = rank_tag(a);
    if (a.space != isa::StateSpace::Shared || !a.write || tag == 0 || tag - 1 == op.cluster_rank) continue;
    if (std::find(tags.begin(), tags.end(), tag) != tags.end()) continue;
    tags.push_back(tag);
    sms.push_back(peer_sm(*network, *op.cluster_state, tag - 1, where()));
  }
  return sms;
}

void SmMemoryPipeline::Impl::stage_remote(uint64_t token, uint64_t start, uint64_t cycle, uint32_t bytes,
                                          std::vector<RemoteTarget>&& targets) {
  staged_remote.push_back({token, cycle, dsmem.send(start, bytes), std::move(targets)});
}

void SmMemoryPipeline::Impl::post_multicast_fill(uint64_t op_id, uint64_t bytes, uint64_t cycle) {
  auto it = multicast_peer_sms.find(op_id);
  if (it == multicast_peer_sms.end()) return;
  const uint64_t per_wavefront = uint64_t(std::max(config.shared_banks * config.shared_bank_width_bytes, 1));
  const int wavefronts = int((bytes + per_wavefront - 1) / per_wavefront);
  for (int peer : it->second) staged_bank_work.push_back({peer, cycle + 1, wavefronts});
}

void SmMemoryPipeline::Impl::flush_remote() {
  const uint64_t latency = uint64_t(std::max(config.cluster_dsmem_latency_cycles, 0));
  for (StagedRemote& s : staged_remote) {
    uint64_t done = 0;
    for (const RemoteTarget& t : s.targets) {
      const uint64_t received = network->book_receive(t.sm, s.sent.start, t.bytes, t.wavefronts);
      const uint64_t busy = std::max(s.sent.cycles, network->receive_cycles(t.bytes, t.wavefronts));
      done = std::max(done, received + latency + busy - 1);
      network->post_bank_work(t.sm, std::max(received + latency / 2, s.cycle + 1), t.wavefronts);
    }
    complete_at(done, s.token);
  }
  staged_remote.clear();
  for (const StagedBankWork& w : staged_bank_work) network->post_bank_work(w.sm, w.arrival, w.wavefronts);
  staged_bank_work.clear();
}

// Bank passes of peers' accesses that have reached this SM: its own MIO ops start after them.
void SmMemoryPipeline::Impl::take_remote_bank_work(uint64_t cycle) {
  network->take_bank_work(sm, cycle, [&](uint64_t arrival, int wavefronts) {
    mio_free_cycle = std::max(mio_free_cycle, arrival) + uint64_t(wavefronts);
    stats.dsmem_received_requests += 1;
    stats.dsmem_received_wavefronts += uint64_t(wavefronts);
  });
}

}  // namespace gpusim::sim
