#include "sim/endless_loop_watch.h"

#include <algorithm>
#include <sstream>

#include "isa/repeat_watch.h"
#include "isa/warp.h"

namespace gpusim::sim {

namespace {

// Instructions whose work completes later, by itself: while one is in flight memory can change
// with no warp executing anything.
bool completes_later(isa::Opcode op) {
  switch (op) {
    case isa::Opcode::CpAsync: case isa::Opcode::CpAsyncBulk: case isa::Opcode::CpAsyncBulkTensor:
    case isa::Opcode::CpAsyncMbarrierArrive: case isa::Opcode::WgmmaMmaAsync: case isa::Opcode::StAsync:
    case isa::Opcode::RedAsync:
      return true;
    default:
      return false;
  }
}

// A CTA whose warps have all executed their last instruction stays resident until its memory
// operations drain (a thousand atomics on one address queue at the L2 for longer than a check
// interval): it is finishing, not looping.
bool any_cta_finishing(const std::vector<const isa::CtaState*>& ctas) {
  for (const isa::CtaState* c : ctas) {
    bool all_done = true;
    for (const auto& w : c->warps) all_done = all_done && w->done();
    if (all_done) return true;
  }
  return false;
}

uint64_t visible_effects(const std::vector<const isa::CtaState*>& ctas) {
  uint64_t n = 0;
  for (const isa::CtaState* c : ctas)
    for (const auto& w : c->warps) n += w->visible_effects;
  return n;
}

}  // namespace

void EndlessLoopWatch::begin_launch(const isa::LaunchState& launch, uint64_t cycle) {
  in_interval_ = false;
  ctas_.clear();
  start_ = cycle;
  enabled_ = launch.repeat_check_after != 0;
  async_ = false;
  // The launched kernel and the functions it may call (other kernels of the module never run in
  // this launch: a module with one cp.async kernel kept the watch off for all of them).
  for (const isa::Function& f : launch.module->functions) {
    if (f.is_entry && &f != launch.kernel) continue;
    for (const isa::Instruction& in : f.code)
      if (completes_later(in.op)) async_ = true;
  }
}

void EndlessLoopWatch::start_interval(const std::vector<const isa::CtaState*>& resident) {
  in_interval_ = true;
  checks_ = 0;
  size_t k = 0;
  for (const isa::CtaState* c : resident)
    for (const auto& w : c->warps) {
      if (k == marks_.size()) marks_.emplace_back();
      WarpMark& m = marks_[k++];
      m.image.clear();
      w->append_state(m.image);
      m.steps = w->steps;
      m.fn = w->done() ? nullptr : w->frame().fn;
      m.pc = w->done() ? 0 : w->top().pc;
      m.back = false;
    }
  marks_.resize(k);
}

void EndlessLoopWatch::check(std::vector<const isa::CtaState*>& resident, bool may_dispatch, bool memory_idle) {
  std::sort(resident.begin(), resident.end(),
            [](const isa::CtaState* a, const isa::CtaState* b) { return a->linear_id < b->linear_id; });
  const uint64_t effects = visible_effects(resident);
  bool same_ctas = resident.size() == ctas_.size();
  for (size_t i = 0; same_ctas && i < resident.size(); ++i) same_ctas = resident[i]->linear_id == ctas_[i];
  const bool quiet = same_ctas && effects == effects_ && !resident.empty() && !may_dispatch &&
                     !any_cta_finishing(resident) && (!async_ || memory_idle);
  if (!quiet) {
    // Something visible happened (or could): start over from here.
    ctas_.clear();
    for (const isa::CtaState* c : resident) ctas_.push_back(c->linear_id);
    effects_ = effects;
    in_interval_ = false;
    return;
  }
  if (!in_interval_ || ++checks_ > kMaxChecks) {
    start_interval(resident);
    return;
  }
  bool all_back = true;
  size_t k = 0;
  for (const isa::CtaState* c : resident)
    for (const auto& w : c->warps) {
      WarpMark& m = marks_[k++];
      if (!m.back) {
        if (w->done() || w->at_barrier) {
          m.back = true;  // so it was at the start too: finishing or arriving is a visible effect
        } else if (w->steps > m.steps && w->frame().fn == m.fn && w->top().pc == m.pc) {
          scratch_.clear();
          w->append_state(scratch_);
          m.back = scratch_ == m.image;
        }
      }
      all_back = all_back && m.back;
    }
  if (!all_back) return;
  size_t warps = 0;
  for (const isa::CtaState* c : resident) warps += c->warps.size();
  const isa::CtaState& first = *resident.front();
  std::ostringstream os;
  os << first.where();
  if (resident.size() > 1) os << " and " << resident.size() - 1 << " more resident CTAs";
  os << ": the kernel can never finish: each of its " << warps
     << " resident warps came back to an earlier state of its own (registers, local memory, control) with no "
        "store, atomic that changed memory, barrier, exit or call anywhere on the GPU in between (an endless loop: a wait for a value "
        "nothing will write, or a loop that never advances); where the warps of the first CTA loop:"
     << isa::describe_loop_places(first);
  throw isa::EndlessLoopError(os.str());
}

}  // namespace gpusim::sim
