#include "isa/repeat_watch.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <sstream>

#include "isa/hex_text.h"
#include "isa/kernel_names.h"
#include "isa/launch_state.h"
#include "isa/mbarrier_word.h"
#include "isa/shared_effects.h"
#include "isa/source_position.h"
#include "isa/warp.h"

namespace gpusim::isa {

namespace {

// A stretch with more global writes than this is not logged: such a loop is not proven (it still
// meets the runaway budget), and the log stays small (16 MB or so).
constexpr size_t kMaxLoggedWrites = size_t(1) << 20;
// Watched state larger than this (a window of many resident CTAs) is not compared.
constexpr size_t kMaxStateBytes = size_t(1) << 28;

}  // namespace

WatchedEffect watched_effect(const Module* module, const Instruction& in) {
  // Registers, local, shared and parameter memory, barriers: all in the compared state. Global
  // loads only read what the log covers.
  if (!may_touch_shared_state(module, in) || only_reads_shared_state(module, in)) return WatchedEffect::InState;
  switch (in.op) {
    case Opcode::St: case Opcode::Atom: case Opcode::Red:
      return WatchedEffect::Logged;  // their global writes are in step_warp's trace (atomics as atomic)
    default:
      return WatchedEffect::Unseen;  // device services, bulk copies, surface and wmma stores, ...
  }
}

void RepeatWatch::reset(uint64_t instructions) {
  start_ = instructions;
  has_snapshot_ = false;
  limit_ = 1;
  period_ = 0;
  writes_.clear();
  write_bytes_.clear();
  first_final_.clear();
  lost_ = confirming_ = false;
}

RepeatWatch::FinalBytes RepeatWatch::final_bytes() const {
  FinalBytes out;
  size_t at = 0;
  for (const Write& w : writes_) {
    for (uint32_t i = 0; i < w.size; ++i) out[w.addr + i] = write_bytes_[at + i];
    at += w.size;
  }
  return out;
}

void RepeatWatch::log_writes(const std::vector<MemAccess>& trace, const AffineAccess& summary, GlobalMemory& global) {
  auto log = [&](uint64_t addr, uint32_t size) {
    if (lost_) return;
    const size_t at = write_bytes_.size();
    write_bytes_.resize(at + size);
    if (writes_.size() >= kMaxLoggedWrites || !global.read(addr, write_bytes_.data() + at, size)) {
      lost_ = true;
      return;
    }
    writes_.push_back(Write{addr, size});
  };
  if (summary.valid()) {
    if (summary.space != StateSpace::Global || !summary.write) return;
    const uint32_t bytes = summary.lane_bytes();
    // Lanes that store one after another (the common coalesced store): one read of their span.
    uint64_t next = 0;
    uint32_t span = 0;
    bool contiguous = true;
    for (uint32_t m = summary.lanes; m && contiguous; m &= m - 1) {
      const uint64_t a = summary.lane_address(unsigned(__builtin_ctz(m)));
      contiguous = span == 0 || a == next;
      next = a + bytes, span += bytes;
    }
    if (contiguous && span) return log(next - span, span);
    for (uint32_t m = summary.lanes; m; m &= m - 1) log(summary.lane_address(unsigned(__builtin_ctz(m))), bytes);
    return;
  }
  for (const MemAccess& a : trace)
    if (a.space == StateSpace::Global && (a.write || a.atomic)) log(a.addr, a.size);
}

void RepeatWatch::restart(uint64_t instructions) {
  std::swap(snapshot_, current_);
  has_snapshot_ = true;
  snapshot_at_ = instructions;
  rounds_ = 0;
  writes_.clear();
  write_bytes_.clear();
  first_final_.clear();
  lost_ = confirming_ = false;
}

void RepeatWatch::after_round(const std::vector<const CtaState*>& ctas, uint64_t instructions) {
  if (repeats(ctas, instructions)) throw EndlessLoopError(ctas, period_);
}

bool RepeatWatch::repeats(const std::vector<const CtaState*>& ctas, uint64_t instructions) {
  if (!watching(instructions)) return false;
  current_.clear();
  for (const CtaState* c : ctas) {
    c->append_state(current_);
    if (current_.size() > kMaxStateBytes) {
      has_snapshot_ = false;
      return false;
    }
  }
  if (!has_snapshot_) {
    restart(instructions);
    return false;
  }
  ++rounds_;
  if (current_ == snapshot_ && !lost_) {
    if (!confirming_ && writes_.empty()) {
      period_ = instructions - snapshot_at_;
      return true;
    }
    if (!confirming_) {
      // Same state, but global memory may have changed: the next stretch must leave the same
      // bytes again.
      first_final_ = final_bytes();
      writes_.clear();
      write_bytes_.clear();
      confirming_ = true;
      confirm_rounds_ = rounds_;
      rounds_ = 0;
      snapshot_at_ = instructions;
      return false;
    }
    if (final_bytes() == first_final_) {
      period_ = instructions - snapshot_at_;
      return true;
    }
  } else if (!lost_ && (confirming_ ? rounds_ < confirm_rounds_ : rounds_ < limit_)) {
    return false;  // not yet met, and the stretch may still repeat
  }
  // No repetition within the interval (or the stretch was voided): look again from here, twice
  // as long (Brent), so that a period of any length is met once the interval outgrows it.
  limit_ = std::min<uint64_t>(limit_ * 2, uint64_t(1) << 40);
  restart(instructions);
  return false;
}

std::string describe_endless_loop(const std::vector<const CtaState*>& ctas, uint64_t period) {
  std::ostringstream os;
  const CtaState& first = *ctas.front();
  os << first.where();
  if (ctas.size() > 1) os << " and " << ctas.size() - 1 << " more CTAs running with it";
  os << ": the kernel can never finish: the state of " << (ctas.size() > 1 ? "these CTAs" : "the CTA")
     << " (registers, shared and local memory) repeats exactly after " << period
     << " warp-instructions with global memory unchanged (an endless loop: a wait for a value nothing will write, "
        "or a loop that never advances); where its warps loop:";
  os << describe_loop_places(first);
  return os.str();
}

namespace {

// When the loop at `pc` polls an mbarrier (try_wait/test_wait within a few instructions: the
// wait and its branch back), what that barrier holds for the warp's first active lane, so that a
// transaction count that never reaches zero (expect_tx announcing more bytes than the copies
// bring) or an arrival that never comes is named. "" when there is none or it cannot be read.
std::string mbarrier_waited_on(const CtaState& cta, const Warp& w, const Function& fn, uint32_t pc) {
  const size_t from = pc > 4 ? pc - 4 : 0, to = std::min<size_t>(fn.code.size(), size_t(pc) + 5);
  for (size_t i = from; i < to; ++i) {
    const Instruction& in = fn.code[i];
    if (in.op != Opcode::Mbarrier || (in.mod.sub != SubOp::MbarTryWait && in.mod.sub != SubOp::MbarTestWait)) continue;
    const uint32_t mask = w.top().mask;
    if (!mask) return "";
    const unsigned lane = unsigned(__builtin_ctz(mask));
    try {
      // Read only: the context's address and load leave the warp and the CTA as they were.
      ExecContext ctx(const_cast<Warp&>(w), const_cast<CtaState&>(cta), const_cast<LaunchState&>(cta.launch()));
      const StateSpace space = in.mod.space == StateSpace::None ? StateSpace::Generic : in.mod.space;
      const uint64_t addr = ctx.address(in.ops[1], lane);
      uint64_t word = 0;
      ctx.load(space, addr, &word, 8, lane);
      const MbarrierWord m = MbarrierWord::unpack(word);
      std::ostringstream os;
      os << " (it waits on the mbarrier at " << hex_text(addr) << ": phase " << m.phase << ", " << m.pending << " of "
         << m.expected << " arrivals pending, transaction count " << m.tx
         << (m.tx > 0 ? " bytes still expected: more were announced with expect_tx than the copies brought" : "") << ")";
      return os.str();
    } catch (const std::exception&) {
      return "";
    }
  }
  return "";
}

}  // namespace

std::string describe_loop_places(const CtaState& cta) {
  std::ostringstream os;
  // Each place once, with the warps there (the first CTA's warps; the others' are alike or waiting).
  std::map<std::pair<const Function*, uint32_t>, std::vector<unsigned>> places;
  for (const auto& w : cta.warps)
    if (!w->done() && !w->at_barrier) places[{w->frame().fn, w->top().pc}].push_back(w->id());
  unsigned shown = 0;
  for (const auto& [place, warps] : places) {
    if (++shown > 4) {
      os << "\n    ... (" << places.size() - 4 << " more places)";
      break;
    }
    const auto& [fn, pc] = place;
    os << "\n    warp" << (warps.size() > 1 ? "s" : "");
    for (size_t i = 0; i < warps.size() && i < 8; ++i) os << (i ? "," : "") << " " << warps[i];
    if (warps.size() > 8) os << " (" << warps.size() << " warps)";
    os << " in function '" << readable_function_name(fn->name) << "' at PC " << pc;
    if (pc < fn->code.size()) {
      const Instruction& in = fn->code[pc];
      const Module& module = cta.warps.front()->module();
      const std::string source = cuda_source_position(in, module);
      os << " (" << module.source_name << ":" << in.line << (source.empty() ? "" : ", " + source) << ")";
      if (!in.text.empty()) os << ": " << in.text;
      for (const auto& w : cta.warps)
        if (w->id() == warps.front()) {
          os << mbarrier_waited_on(cta, *w, *fn, pc);
          break;
        }
    }
  }
  return os.str();
}

}  // namespace gpusim::isa
