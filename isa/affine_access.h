// A warp memory instruction's trace in one record instead of one per lane and element: every lane
// of `lanes` accesses `elements` consecutive elements of `elem_size` bytes starting at
// base + column * stride + row * row_stride, the lanes being rows of 1 << row_shift columns
// (one row of 32: base + lane * stride; stride 0: all lanes the same address; a 16x16 thread
// block: rows of 16 lanes). Most loads and stores of real kernels have this form; the timing
// model prices it without reading 32 records (sim/sm_memory_pipeline.cpp, sim/shared_banks.h), and anything that wants
// the records gets exactly the ones the step would have written (append_records).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
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

  // A record's space, size, write and atomic (adjacent bytes) as one word, to compare records.
  static uint32_t kind_word(const MemAccess& r) {
    uint32_t w;
    std::memcpy(&w, reinterpret_cast<const unsigned char*>(&r) + offsetof(MemAccess, space), sizeof w);
    return w;
  }
  static_assert(offsetof(MemAccess, size) == offsetof(MemAccess, space) + 1 &&
                    offsetof(MemAccess, write) == offsetof(MemAccess, space) + 2 &&
                    offsetof(MemAccess, atomic) == offsetof(MemAccess, space) + 3,
                "kind_word reads space, size, write and atomic as four adjacent bytes");

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
    if (r0.atomic || r0.size == 0) return false;  // (the records compared with r0 are then not atomic)
    unsigned elements = 1;
    while (elements < n && records[elements].lane == r0.lane) ++elements;
    if (n % elements != 0 || elements > 4) return false;
    const unsigned count = n / elements;
    if (count > 32 || count == 0) return false;  // one record set per lane of one warp at most
    const uint64_t block = uint64_t(r0.size) * elements;
    if ((block & (block - 1)) != 0) return false;
    // Each lane's first address (lanes ascending, one space, one size, elements contiguous).
    uint64_t first[32];
    uint32_t lanes = 0;
    if (elements == 1) {
      // The common scalar ld/st, checked without a branch per record: space, size, write and
      // atomic (four adjacent bytes) as one word, lanes ascending, addresses aligned.
      const uint32_t kind = kind_word(r0);
      bool ok = true;
      int last_lane = -1;
      uint64_t address_bits = 0;
      for (unsigned k = 0; k < count; ++k) {
        const MemAccess& r = records[k];
        ok &= kind_word(r) == kind && int(r.lane) > last_lane;
        last_lane = r.lane;
        address_bits |= r.addr;
        first[k] = r.addr;
        lanes |= 1u << (r.lane & 31);
      }
      if (!ok || last_lane >= 32 || (address_bits & (block - 1)) != 0) return false;
    } else {
      int last_lane = -1;
      for (unsigned k = 0; k < count; ++k) {
        const MemAccess* lane_records = records + size_t(k) * elements;
        const MemAccess& r = lane_records[0];
        if (int(r.lane) <= last_lane || r.lane >= 32 || kind_word(r) != kind_word(r0) || r.addr % block != 0)
          return false;
        for (unsigned i = 1; i < elements; ++i) {
          const MemAccess& e = lane_records[i];
          if (e.lane != r.lane || e.addr != r.addr + uint64_t(i) * r0.size || kind_word(e) != kind_word(r0)) return false;
        }
        last_lane = int(r.lane);
        lanes |= 1u << r.lane;
        first[k] = r.addr;
      }
    }
    return from_addresses(first, count, lanes, r0.space, r0.size, uint8_t(elements), r0.write, out);
  }

  // The summary of lanes `lanes` (ascending) whose blocks start at first[0, count), when they have
  // the form above; false otherwise. Rows of lanes only when all 32 lanes take part. Alignment of
  // the blocks is the caller's to check.
  static bool from_addresses(const uint64_t* first, unsigned count, uint32_t lanes, StateSpace space, uint8_t elem_size,
                             uint8_t elements, bool write, AffineAccess& out) {
    AffineAccess a;
    a.lanes = lanes;
    a.space = space;
    a.elem_size = elem_size;
    a.elements = elements;
    a.write = write;
    if (count == 32) {
      // All lanes: a row is the lanes up to the first break of the in-row stride (a power of two).
      const uint64_t stride = first[1] - first[0];
      unsigned row = 2;
      while (row < 32 && first[row] - first[row - 1] == stride) ++row;
      if (row & (row - 1)) return false;
      const uint64_t row_stride = first[row % 32] - first[0];
      uint64_t mismatch = 0;
      for (unsigned l = row; l < 32; ++l) mismatch |= first[l] ^ (first[l - row] + row_stride);
      if (mismatch) return false;
      a.base = first[0];
      a.stride = int64_t(stride);
      a.row_shift = uint8_t(__builtin_ctz(row));
      a.row_stride = row == 32 ? 0 : int64_t(row_stride);
    } else {
      // Some lanes: one row, its stride from the first two.
      const unsigned lane0 = unsigned(__builtin_ctz(lanes));
      int64_t stride = 0;
      if (count > 1) {
        const int64_t diff = int64_t(first[1] - first[0]);
        const int64_t gap = int64_t(__builtin_ctz(lanes & (lanes - 1))) - int64_t(lane0);
        if (diff % gap != 0) return false;
        stride = diff / gap;
      }
      a.base = first[0] - uint64_t(int64_t(lane0) * stride);
      a.stride = stride;
      unsigned k = 0;
      uint64_t mismatch = 0;
      for (uint32_t m = lanes; m; m &= m - 1) mismatch |= first[k++] ^ a.lane_address(unsigned(__builtin_ctz(m)));
      if (mismatch) return false;
    }
    out = a;
    return true;
  }
};

}  // namespace gpusim::isa
