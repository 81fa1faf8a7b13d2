// What the stepper prints: the view of one SM after a cycle (every resident warp with its state,
// each sub-core's issue and scheduler order, scoreboard entries, busy pipes and queue depths),
// and on request a thread's registers, a warp's reconvergence stacks and a shared-memory range.
// Plain text, one format, so a script can check it.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "sim/sm_snapshot.h"
#include "tools/stepper/step_driver.h"

namespace gpusim::stepper {

// "issued", "ready", "barrier", "exited" or "stalled (<Nsight reason>)".
std::string warp_state_name(const sim::WarpSnapshot& w);
// Whether `name` is a state warp_state_name can print, or an Nsight stall reason name.
bool warp_state_matches(const sim::WarpSnapshot& w, const std::string& name);
// Warps (SM warp slots) in `before` that are not in `now`: their CTA retired in the cycle between,
// so they exited in it (a CTA whose last warp exits with no memory in flight retires at once, and
// its warps never show as `exited` in a snapshot). Only their slots: their state is gone.
std::vector<int> warps_gone(const sim::SmSnapshot& before, const sim::SmSnapshot& now);
bool is_warp_state_name(const std::string& name);
std::string warp_state_names();  // for help and errors

// The SM view after the last completed cycle. `before` is the SM as it was before that cycle (the
// scheduler order that cycle used), or nullptr when not known.
void print_sm_view(std::ostream& os, const StepDriver& driver, int sm, const sim::SmSnapshot* before);
// One warp's registers in `lane` (current call frame). Those still pending on the warp's
// scoreboard at `cycle` (the cycle of the snapshot `w` comes from) are marked: the functional
// result is computed at issue, so the value shown is the one that becomes readable later.
void print_registers(std::ostream& os, const sim::WarpSnapshot& w, unsigned lane, uint64_t cycle);
// One warp's SIMT reconvergence stack, per call frame, innermost last.
void print_simt_stack(std::ostream& os, const sim::WarpSnapshot& w);
// Bytes [address, address + bytes) of the warp's CTA's shared memory, 16 a line.
void print_shared(std::ostream& os, const sim::WarpSnapshot& w, uint64_t address, uint64_t bytes);

// The L1 line (of the SM in view) and the L2 line holding `address`.
void print_cache_lines(std::ostream& os, const StepDriver& driver, int sm, uint64_t address);

// "`add.s32 %r3, %r1, %r2;` (ptx line 31)", with ", saxpy.cu:12" added where the PTX has nvcc's
// line information (-lineinfo or -G) for it.
std::string describe_instruction(const isa::Instruction& in, const isa::Module& module);

}  // namespace gpusim::stepper
