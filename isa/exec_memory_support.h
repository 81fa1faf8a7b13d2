// Helpers shared by the memory instructions' handlers (exec_memory.cpp, exec_atomic.cpp,
// exec_async_remote.cpp): the state space an instruction names, sign extension of narrow loads,
// the alignment check every access makes before touching memory, and the atomic operations.
#pragma once

#include <cstdint>
#include <cstdio>

#include "isa/exec_context.h"

namespace gpusim::isa {

inline uint64_t sign_extend(uint64_t v, unsigned bytes) {
  const unsigned shift = 64 - bytes * 8;
  return bytes >= 8 ? v : static_cast<uint64_t>(static_cast<int64_t>(v << shift) >> shift);
}

inline StateSpace space_of(const Instruction& in) {
  return in.mod.space == StateSpace::None ? StateSpace::Generic : in.mod.space;
}

// `elements` > 1 for ld.v2/.v4 and st.v2/.v4, whose alignment is the whole vector's size.
[[noreturn]] inline void fail_misaligned(ExecContext& ctx, uint64_t addr, unsigned total, unsigned elements, unsigned lane) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "misaligned %u-byte %saccess at address 0x%llx, which is not a multiple of %u", total,
                elements > 1 ? "vector " : "", static_cast<unsigned long long>(addr), total);
  ctx.fail(lane, buf, FaultKind::MisalignedAddress);
}

inline void check_alignment(ExecContext& ctx, uint64_t addr, unsigned total, unsigned elements, unsigned lane) {
  // Sizes are powers of two but for odd vector shapes: a mask then, not a division per lane.
  const bool misaligned = (total & (total - 1)) == 0 ? (addr & (total - 1)) != 0 : (addr % total) != 0;
  if (total > 1 && misaligned) fail_misaligned(ctx, addr, total, elements, lane);
}

// The new memory value of atomic operation `in` (atom, red, red.async) given the old value and
// operands b (and c for cas); `on_shared`: the word is in shared memory (an f32 add keeps
// subnormals there and flushes them in global memory); exec_atomic.cpp.
uint64_t atomic_result(ExecContext& ctx, const Instruction& in, uint64_t old, uint64_t b, uint64_t c, bool on_shared);

}  // namespace gpusim::isa
