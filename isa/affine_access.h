// A warp memory instruction's trace in one record instead of one per lane and element: every lane
// of `lanes` accesses `elements` consecutive elements of `elem_size` bytes starting at
// base + column * stride + row * row_stride, the lanes being rows of 1 << row_shift columns
// (one row of 32: base + lane * stride; stride 0: all lanes the same address; a 16x16 thread
// block: rows of 16 lanes). Most loads and stores of real kernels have this form; the timing
// model prices it without reading 32 records (sim/sm_memory_pipeline.cpp, sim/shared_banks.h), and anything that wants
// the records gets exactly the ones the step would have written (append_records).
#pragma once

#include <cstdint>
#include <vector>

#include "isa/exec_context.h"

namespace gpusim::isa {

struct AffineAccess {
  uint64_t base = 0;       // lane 0's first element (lane 0 need not be active), in `space`
  int64_t stride = 0;      // bytes from one lane's first element to the next lane's in a row
  int64_t row_stride = 0;  // bytes from one row of lanes to the next (2-D blocks: a row of 16 threads)
  uint32_t lanes = 0;      // lanes that accessed; 0: no summary (the trace has the records)
  uint8_t row_shift = 5;   // a row is 1 << row_shift lanes (5: the whole warp, row_stride unused)
  StateSpace space = StateSpace::None;
  uint8_t elem_size = 0;   // bytes per element: 1, 2, 4 or 8
  uint8_t elements = 0;    // per lane, at +0, +elem_size, ...
  bool write = false;

  bool valid() const { return lanes != 0; }
  uint32_t lane_bytes() const { return uint32_t(elem_size) * elements; }
  uint64_t lane_address(unsigned lane) const {
    const unsigned column = lane & ((1u << row_shift) - 1), row = lane >> row_shift;
    return base + uint64_t(int64_t(column) * stride) + uint64_t(int64_t(row) * row_stride);
  }

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
  // produce them; rows of lanes only when all 32 lanes take part); false otherwise.
  static bool summarize(const MemAccess* records, unsigned n, AffineAccess& out) {
    if (n == 0 || n > 128) return false;
    const MemAccess& r0 = records[0];
    if (r0.atomic || r0.size == 0) return false;
    unsigned elements = 1;
    while (elements < n && records[elements].lane == r0.lane) ++elements;
    if (n % elements != 0 || elements > 4) return false;
    const unsigned count = n / elements;
    const uint64_t block = uint64_t(r0.size) * elements;
    if ((block & (block - 1)) != 0) return false;
    // Each lane's first address (lanes ascending, one space, one size, elements contiguous).
    uint64_t first[32];
    uint32_t lanes = 0;
    int last_lane = -1;
    for (unsigned k = 0; k < count; ++k) {
      const MemAccess* lane_records = records + size_t(k) * elements;
      const MemAccess& r = lane_records[0];
      if (int(r.lane) <= last_lane || r.lane >= 32 || r.space != r0.space || r.size != r0.size || r.write != r0.write ||
          r.atomic || r.addr % block != 0)
        return false;
      for (unsigned i = 1; i < elements; ++i) {
        const MemAccess& e = lane_records[i];
        if (e.lane != r.lane || e.addr != r.addr + uint64_t(i) * r0.size || e.space != r0.space || e.size != r0.size ||
            e.write != r0.write || e.atomic)
          return false;
      }
      last_lane = int(r.lane);
      lanes |= 1u << r.lane;
      first[k] = r.addr;
    }
    AffineAccess a;
    a.lanes = lanes;
    a.space = r0.space;
    a.elem_size = r0.size;
    a.elements = uint8_t(elements);
    a.write = r0.write;
    if (count == 32) {
      // All lanes: a row is the lanes up to the first break of the in-row stride (a power of two).
      const int64_t stride = int64_t(first[1] - first[0]);
      unsigned row = 2;
      while (row < 32 && int64_t(first[row] - first[row - 1]) == stride) ++row;
      if (row & (row - 1)) return false;
      const int64_t row_stride = int64_t(first[row % 32] - first[0]);
      for (unsigned l = row; l < 32; ++l)
        if (first[l] != first[l - row] + uint64_t(row_stride)) return false;
      a.base = first[0];
      a.stride = stride;
      a.row_shift = uint8_t(__builtin_ctz(row));
      a.row_stride = row == 32 ? 0 : row_stride;
    } else {
      // Some lanes: one row, its stride from the first two.
      const unsigned lane0 = records[0].lane;
      int64_t stride = 0;
      if (count > 1) {
        const int64_t diff = int64_t(first[1] - first[0]);
        const int64_t gap = int64_t(records[elements].lane) - int64_t(lane0);
        if (diff % gap != 0) return false;
        stride = diff / gap;
      }
      a.base = first[0] - uint64_t(int64_t(lane0) * stride);
      a.stride = stride;
      for (unsigned k = 1; k < count; ++k)
        if (first[k] != a.lane_address(records[size_t(k) * elements].lane)) return false;
    }
    out = a;
    return true;
  }
};

}  // namespace gpusim::isa
