// A model of one thing ptxas does that PTX order hides: within a basic block it issues
// independent loads as early as their operands allow, so their latencies overlap. nvcc's PTX
// interleaves them with their uses (an unrolled dot product reads "ld, ld, fma, ld, ld, fma, ..."),
// and an in-order model issuing that order waits for each pair before the next: on an H200 the
// naive SGEMM then ran 3.8x slower in the model than on silicon (configs/measured/).
//
// hoist_independent_loads list-schedules each basic block: plain loads (ld without .volatile/
// .relaxed/.acquire, wmma.load, ldmatrix) and the register arithmetic that computes their addresses
// are placed as early as their register dependences (read-after-write, write-after-read,
// write-after-write) allow; other register-only work (matrix multiply-accumulates included)
// keeps its order. A load moves above a plain (weak) store only where it cannot read what the
// store writes: the two name different state spaces (ld.global above st.shared, the way a tiled
// kernel's `tile[i] = in[i]` unrolls), or the load is ld.global.nc, whose data no store of the
// kernel may write (const __restrict__, __ldg); ptxas moves these too, and without it every such
// load waited a whole memory round trip (an outside user's 4-load staging loop: 2599 cycles
// against 804 written loads first). Stores keep their order among themselves, loads theirs.
// Nothing moves across a strong or generic store, atomic, barrier, fence, warp-collective, clock
// read or the block's boundaries. Every thread computes exactly what it computed before (the
// reordering respects every register dependence and every pair of accesses that may overlap),
// so functional results are unchanged; only issue order, and with it timing, changes.
#pragma once

#include <cstddef>

#include "isa/ir.h"

namespace gpusim::isa {

// Reorders `fn.code` in place; returns how many code positions now hold a different instruction. Labels, branch targets and
// reconvergence PCs stay valid (blocks keep their first and last instruction positions).
size_t hoist_independent_loads(Function& fn);

}  // namespace gpusim::isa
