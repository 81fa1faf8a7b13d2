// Proving that CTAs run functionally can never finish, instead of waiting for the runaway budget
// (2^36 warp-instructions: over an hour of a hung kernel at functional speed).
//
// Execution is deterministic: what a set of CTAs does next depends only on their state (every
// warp's registers, SIMT stacks, call frames, local and parameter memory, barrier bookkeeping;
// the CTAs' shared memory and mbarriers) and on global memory. So if, with no other CTA
// running, the whole state at one instant equals the state at an earlier one and global memory
// is the same too, the CTAs go round that stretch forever: a `while (flag == 0);` that nothing
// will ever set, a loop whose counter is never advanced, a `for (;;)`.
//
// The executor compares the state after each round of the watched CTAs (every warp's turn) with
// a snapshot, taken afresh at doubling intervals (Brent's cycle finding), so a repetition of any
// period is met once the interval outgrows it. Global memory is not compared as a whole: the
// global writes of the stretch are logged (each byte written, as the stretch left it). A stretch
// without writes left global memory as it was. One with writes counts only when the next
// stretch ends in the same state again having left the same bytes at the same addresses: then
// global memory after the second stretch equals that after the first (memory after a stretch is
// memory before it with the stretch's bytes laid over it, and laying the same bytes over twice
// changes nothing the second time), so the whole state repeats from there (a loop that stores
// the same value to the same place forever). Instructions whose global effects the log cannot see (device-service calls, bulk and
// tensor copies to global memory, surface stores, ...) void the stretch they are in. A proof
// never depends on anything else, so a kernel that would finish is never stopped; loops whose
// state keeps changing (a counter that wraps only after 2^64 steps) still meet the budget.
//
// The watch starts only after the CTAs have run `after` warp-instructions (FunctionalLimits::
// repeat_check_after), so ordinary kernels never pay for it.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "isa/affine_access.h"
#include "isa/exec_context.h"
#include "isa/ir.h"

namespace gpusim::isa {

class CtaState;

// Appends the bytes of a plain value to a state image (Warp::append_state, CtaState::append_state).
template <typename T>
inline void append_state_bytes(std::vector<uint8_t>& out, const T& value) {
  const auto* p = reinterpret_cast<const uint8_t*>(&value);
  out.insert(out.end(), p, p + sizeof value);
}

// How the watch treats an instruction about to run: its effects stay in the CTA's state (or only
// read global memory); its global writes appear in step_warp's trace and are logged; or it may
// change global memory in a way the log cannot see.
enum class WatchedEffect : uint8_t { InState, Logged, Unseen };
WatchedEffect watched_effect(const Module* module, const Instruction& in);

class RepeatWatch {
 public:
  // after: warp-instructions of the watched CTAs before the watch starts (0: never).
  explicit RepeatWatch(uint64_t after) : after_(after) {}

  // The watched CTAs changed (a new CTA, one finished or joined): start over, counting from
  // `instructions` (the counter the rounds will be measured on).
  void reset(uint64_t instructions);
  bool watching(uint64_t instructions) const { return after_ && instructions - start_ >= after_; }

  // The global writes of a step that watched_effect called Logged, read back from `global`.
  void log_writes(const std::vector<MemAccess>& trace, const AffineAccess& summary, GlobalMemory& global);
  // A step that watched_effect called Unseen ran: the current stretch proves nothing.
  void lose_track() { lost_ = true; }

  // After a round of the watched CTAs (all of them, in a fixed order) at `instructions`: throws
  // EndlessLoopError once their state is proven to repeat.
  void after_round(const std::vector<const CtaState*>& ctas, uint64_t instructions);

 private:
  // True once proven; period_ is then the warp-instructions of one repetition.
  bool repeats(const std::vector<const CtaState*>& ctas, uint64_t instructions);
  void restart(uint64_t instructions);  // the current state becomes the snapshot

  uint64_t after_;
  uint64_t start_ = 0;
  bool has_snapshot_ = false, lost_ = false, confirming_ = false;
  uint64_t rounds_ = 0, limit_ = 1, confirm_rounds_ = 0;
  uint64_t snapshot_at_ = 0, period_ = 0;
  std::vector<uint8_t> snapshot_, current_;
  // The current stretch's global writes in order, each with the bytes it left (appended to
  // write_bytes_): cheap to log; laid out as the bytes the stretch left only when its state
  // matches (final_bytes).
  struct Write {
    uint64_t addr = 0;
    uint32_t size = 0;
  };
  using FinalBytes = std::unordered_map<uint64_t, uint8_t>;  // address -> the byte a stretch left there
  FinalBytes final_bytes() const;
  std::vector<Write> writes_;
  std::vector<uint8_t> write_bytes_;
  FinalBytes first_final_;  // the first stretch's, while confirming
};

// "kernel 'k', CTA (x,y,z): ... never finish", naming where each warp loops (PC, instruction,
// source line).
std::string describe_endless_loop(const std::vector<const CtaState*>& ctas, uint64_t period);
// The places the warps of `cta` that run (not finished, not waiting at a barrier) are at, one line
// each ("\n    warps 0, 1 in function 'f' at PC 12 (file.ptx:40, file.cu:7): instruction").
std::string describe_loop_places(const CtaState& cta);

// The fault of a proven endless loop: a runaway that is not a guess (a larger budget cannot help).
class EndlessLoopError : public ExecError {
 public:
  explicit EndlessLoopError(const std::string& what) : ExecError(what, FaultKind::Runaway) {}
  EndlessLoopError(const std::vector<const CtaState*>& ctas, uint64_t period)
      : EndlessLoopError(describe_endless_loop(ctas, period)) {}
};

}  // namespace gpusim::isa
