// A warp memory instruction's trace in one record instead of one per lane and element: every lane
// of `lanes` accesses `elements` consecutive elements of `elem_size` bytes starting at
// base + lane * stride (stride 0: all lanes the same address; stride = bytes per lane: a dense
// warp). Most loads and stores of real kernels have this form; the timing model prices it without
// reading 32 records (sim/sm_memory_pipeline.cpp, sim/shared_banks.h), and anything that wants
// the records gets exactly the ones the step would have written (append_records).
#pragma once

#include <cstdint>
#include <vector>

#include "isa/exec_context.h"

namespace gpusim::isa {

struct AffineAccess {
  uint64_t base = 0;       // lane 0's first element (lane 0 need not be active), in `space`
  int64_t stride = 0;      // bytes from one lane's first element to the next lane's
  uint32_t lanes = 0;      // lanes that accessed; 0: no summary (the trace has the records)
  StateSpace space = StateSpace::None;
  uint8_t elem_size = 0;   // bytes per element: 1, 2, 4 or 8
  uint8_t elements = 0;    // per lane, at +0, +elem_size, ...
  bool write = false;

  bool valid() const { return lanes != 0; }
  uint32_t lane_bytes() const { return uint32_t(elem_size) * elements; }
  uint64_t lane_address(unsigned lane) const { return base + uint64_t(int64_t(lane) * stride); }

  // The per-lane records this summary stands for, in the order the step writes them (lanes
  // ascending, each lane's elements ascending).
  void append_records(std::vector<MemAccess>& out) const {
    for (uint32_t m = lanes; m; m &= m - 1) {
      const unsigned lane = unsigned(__builtin_ctz(m));
      const uint64_t a = lane_address(lane);
      for (unsigned i = 0; i < elements; ++i)
        out.emplace_back(space, a + uint64_t(i) * elem_size, elem_size, write, false, uint8_t(lane));
    }
  }

  // The summary of records[0, n) when they have the form above (plain, non-atomic, one space, one
  // size, lanes ascending, each lane's block aligned to its size, as the fast paths of ld/st
  // produce them); false (and `out` untouched) otherwise.
  static bool summarize(const MemAccess* records, unsigned n, AffineAccess& out) {
    if (n == 0 || n > 128) return false;
    const MemAccess& r0 = records[0];
    if (r0.atomic || r0.size == 0) return false;
    unsigned elements = 1;
    while (elements < n && records[elements].lane == r0.lane) ++elements;
    if (n % elements != 0 || elements > 4) return false;
    const unsigned count = n / elements;
    const uint64_t block = uint64_t(r0.size) * elements;
    if ((block & (block - 1)) != 0 || r0.addr % block != 0) return false;
    int64_t stride = 0;
    if (count > 1) {
      const MemAccess& r1 = records[elements];
      if (r1.lane <= r0.lane) return false;
      const int64_t diff = int64_t(r1.addr - r0.addr);
      const int64_t gap = int64_t(r1.lane - r0.lane);
      if (diff % gap != 0) return false;
      stride = diff / gap;
      if (stride % int64_t(block) != 0) return false;  // every lane's block aligned, not only the first
    }
    uint32_t lanes = 0;
    int last_lane = -1;
    for (unsigned k = 0; k < count; ++k) {
      const MemAccess* lane_records = records + size_t(k) * elements;
      const unsigned lane = lane_records[0].lane;
      if (int(lane) <= last_lane || lane >= 32) return false;
      last_lane = int(lane);
      const uint64_t a = r0.addr + uint64_t((int64_t(lane) - int64_t(r0.lane)) * stride);
      for (unsigned i = 0; i < elements; ++i) {
        const MemAccess& r = lane_records[i];
        if (r.lane != lane || r.addr != a + uint64_t(i) * r0.size || r.space != r0.space || r.size != r0.size ||
            r.write != r0.write || r.atomic)
          return false;
      }
      lanes |= 1u << lane;
    }
    out.base = r0.addr - uint64_t(int64_t(r0.lane) * stride);
    out.stride = stride;
    out.lanes = lanes;
    out.space = r0.space;
    out.elem_size = r0.size;
    out.elements = uint8_t(elements);
    out.write = r0.write;
    return true;
  }
};

}  // namespace gpusim::isa
