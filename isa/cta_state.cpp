#include "isa/launch_state.h"

#include <algorithm>
#include <sstream>

#include "isa/kernel_names.h"
#include "isa/repeat_watch.h"
#include "isa/shared_race_check.h"
#include "isa/warp.h"

namespace gpusim::isa {

CtaState::CtaState(LaunchState& launch, Dim3 id) : ctaid(id), launch_(launch) {
  threads_ = static_cast<unsigned>(launch.block.count());
  linear_id = id.x + uint64_t(launch.grid.x) * (id.y + uint64_t(launch.grid.y) * id.z);
  // Without dynamic (or reserved) shared memory the window ends where the last static variable
  // does, not at the 16-byte boundary the dynamic part would start at: a thread writing one element
  // past a 127-float array faults as on compute-sanitizer, instead of landing in the padding.
  const bool static_only = launch.dynamic_shared_bytes == 0 && launch.reserved_shared_bytes == 0 && launch.kernel &&
                           launch.kernel->static_shared_bytes <= launch.dynamic_shared_base;
  shared.assign(static_only ? launch.kernel->static_shared_bytes
                            : launch.dynamic_shared_base + launch.dynamic_shared_bytes + launch.reserved_shared_bytes,
                0);
  const unsigned nwarps = (threads_ + 31) / 32;
  warps.reserve(nwarps);
  for (unsigned w = 0; w < nwarps; ++w) {
    const unsigned lanes = std::min(32u, threads_ - w * 32);
    const uint32_t mask = lanes == 32 ? 0xffffffffu : ((1u << lanes) - 1);
    warps.push_back(std::make_unique<Warp>(*launch.module, *launch.kernel, w, mask));
  }
}

CtaState::~CtaState() = default;  // here, where SharedRaceShadow is complete

void CtaState::restart(Dim3 id) {
  if (race_shadow) race_shadow->restart();
  ctaid = id;
  linear_id = id.x + uint64_t(launch_.grid.x) * (id.y + uint64_t(launch_.grid.y) * id.z);
  std::fill(shared.begin(), shared.end(), uint8_t(0));
  for (auto& w : warps) w->restart(*launch_.kernel);
  mbarriers.clear();
  async_copies.clear();
  for (NamedBarrier& b : barriers) b = NamedBarrier{};
  cluster = nullptr;
  cluster_rank = 0;
  solo = ClusterState{};
}

Dim3 CtaState::thread_coord(unsigned linear) const {
  const Dim3& b = launch_.block;
  return Dim3{linear % b.x, (linear / b.x) % b.y, linear / (b.x * b.y)};
}

void CtaState::append_state(std::vector<uint8_t>& out) const {
  out.insert(out.end(), shared.begin(), shared.end());
  append_state_bytes(out, uint64_t(mbarriers.size()));
  for (const MbarrierState& m : mbarriers) {
    append_state_bytes(out, m.addr);
    append_state_bytes(out, m.expected);
    append_state_bytes(out, m.pending);
    append_state_bytes(out, m.phase);
  }
  for (const NamedBarrier& b : barriers) {
    append_state_bytes(out, b.expected_threads);
    append_state_bytes(out, b.arrived_threads);
    append_state_bytes(out, b.red);
    append_state_bytes(out, b.red_value);
    append_state_bytes(out, uint64_t(b.waiting.size()));
    for (const Warp* w : b.waiting) append_state_bytes(out, w->id());
    for (uint32_t r : b.red_dst) append_state_bytes(out, r);
  }
  const ClusterState& c = cluster ? *cluster : solo;
  append_state_bytes(out, c.barrier_arrived);
  append_state_bytes(out, c.barrier_completed);
  for (const auto& w : warps) w->append_state(out);
}

std::string CtaState::where() const {
  std::ostringstream os;
  os << "kernel '" << readable_function_name(launch_.kernel->name) << "', CTA (" << ctaid.x << "," << ctaid.y << "," << ctaid.z << ")";
  return os.str();
}

}  // namespace gpusim::isa

namespace gpusim::isa {

uint32_t CtaState::live_threads() const {
  uint32_t n = 0;
  for (const auto& w : warps) n += __builtin_popcount(w->live());
  return n;
}

bool CtaState::release_ready_barriers() {
  bool released = false;
  const uint32_t live = live_threads();
  for (unsigned id = 0; id < 16; ++id) {
    NamedBarrier& b = barriers[id];
    if (b.arrived_threads == 0) continue;
    const uint32_t need = b.expected_threads ? b.expected_threads : live;
    if (b.arrived_threads < need) continue;
    for (size_t i = 0; i < b.waiting.size(); ++i) {
      Warp* w = b.waiting[i];
      w->at_barrier = false;
      if (b.red != AtomOp::None && b.red_dst[i] != kNoReg) {
        CallFrame& f = w->frame();
        const uint64_t v = (b.red == AtomOp::Popc ? b.red_value : (b.red_value ? 1 : 0)) &
                           register_value_mask(f.fn->regs[b.red_dst[i]].type);
        for (unsigned lane = 0; lane < 32; ++lane)
          if (w->live() >> lane & 1) f.set_reg(b.red_dst[i], lane, v);
      }
    }
    if (race_shadow) race_shadow->on_barrier_release(id, b.waiting);
    b = NamedBarrier{};
    released = true;
  }
  return released;
}

}  // namespace gpusim::isa
