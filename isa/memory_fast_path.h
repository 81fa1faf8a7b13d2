// The common case of a lane's ld/st, without the general path's call per element: an aligned
// access that lies wholly in the CTA's own shared memory or in the global allocation the warp
// touched last (Warp::global_span). Anything else (other spaces, a cluster peer's shared memory,
// another allocation, a fault) returns null and the caller takes ExecContext::load/store, which
// does the same work the long way and reports faults; both record the same MemAccess.
#pragma once

#include <cstdint>
#include <cstring>

#include "isa/affine_access.h"
#include "isa/exec_context.h"
#include "isa/launch_state.h"

namespace gpusim::isa {

// The two places a plain access may go, read from the CTA and the warp once per instruction (and
// again after the general path ran, which may move the warp's cached allocation) into locals that
// the per-lane loop's stores cannot be assumed to overwrite.
class FastWindows {
 public:
  explicit FastWindows(ExecContext& ctx) : ctx_(ctx), pending_copies_(ctx.cta().async_copies) {
    std::vector<uint8_t>& shared = ctx.cta().shared;
    shared_ = shared.data();
    shared_size_ = shared.size();
    refresh();
  }
  // Re-reads the warp's cached global allocation (ExecContext::load/store may have replaced it).
  void refresh() {
    const Warp::GlobalSpanCache& c = ctx_.warp().global_span;
    GlobalMemory* global = ctx_.launch().global;
    const bool valid = global && c.owner == global && c.generation == global->generation();
    global_base_ = c.base;
    global_size_ = valid ? c.size : 0;
    global_data_ = c.data;
  }
  // Host bytes of [addr, addr + bytes) in `space` (a generic address is resolved in place, `space`
  // becoming the space it names), or null when the access is not the plain case. `bytes` is a
  // power of two and `addr` must be aligned to it; the caller checks that.
  uint8_t* bytes(StateSpace& space, uint64_t& addr, unsigned bytes) const {
    StateSpace s = space;
    uint64_t a = addr;
    if (s == StateSpace::Generic || s == StateSpace::None) {
      // Below the lowest window every generic address is global (ExecContext's resolve()).
      if (a < kParamWindowBase) {
        s = StateSpace::Global;
      } else if (a - kSharedWindowBase < kWindowSize) {
        s = StateSpace::Shared;
        a -= kSharedWindowBase;
      } else {
        return nullptr;
      }
    }
    uint8_t* p = nullptr;
    // Own shared memory only: an address with cluster-rank bits is far beyond its size.
    // Bytes a cp.async has not yet been waited for go the general path, which reports reading
    // them (a .v4 read of a pipeline's stage skipped the check: a packet-processing user's).
    if (s == StateSpace::Shared) {
      if (a < shared_size_ && bytes <= shared_size_ - a &&
          (pending_copies_.empty() || !pending_copies_.overlapping(a, bytes)))
        p = shared_ + a;
    } else if (s == StateSpace::Global) {
      if (a - global_base_ < global_size_ && bytes <= global_size_ - (a - global_base_)) p = global_data_ + (a - global_base_);
    }
    if (p) space = s, addr = a;
    return p;
  }

 private:
  ExecContext& ctx_;
  const AsyncCopyTracker& pending_copies_;  // the CTA's cp.async copies not yet waited for
  uint8_t* shared_;
  uint64_t shared_size_;
  uint8_t* global_data_;
  uint64_t global_base_, global_size_;
};

// Collects a warp-instruction's fast-path MemAccess records and appends them to the trace in
// batches rather than one vector append per element; the caller flushes before anything else
// (the general path) appends, so the trace keeps its order. When the whole instruction's records
// are in one batch and fit an AffineAccess, and the driver asked for summaries, the summary is
// written instead.
class TraceBatch {
 public:
  TraceBatch(std::vector<MemAccess>* trace, AffineAccess* summary) : trace_(trace), summary_(summary) {}
  ~TraceBatch() {
    if (count_ && summary_ && trace_->empty() && AffineAccess::summarize(buf_.items, count_, *summary_)) return;
    flush();
  }
  TraceBatch(const TraceBatch&) = delete;
  TraceBatch& operator=(const TraceBatch&) = delete;
  bool active() const { return trace_ != nullptr; }
  void add(const MemAccess& a) {
    if (count_ == kCapacity) flush();
    buf_.items[count_++] = a;
  }
  void flush() {
    if (count_) trace_->insert(trace_->end(), buf_.items, buf_.items + count_);
    count_ = 0;
  }

 private:
  static constexpr unsigned kCapacity = 128;  // a v4 access of 32 lanes
  std::vector<MemAccess>* trace_;
  AffineAccess* summary_;
  // Left uninitialised (MemAccess's member initialisers would zero 2 KiB per instruction).
  union Storage {
    Storage() {}
    MemAccess items[kCapacity];
  } buf_;
  unsigned count_ = 0;
};

// Loads `size` (1, 2, 4 or 8) bytes as a zero-extended value.
inline uint64_t fast_read(const uint8_t* p, unsigned size) {
  switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

// Stores the low `size` (1, 2, 4 or 8) bytes of `v`.
inline void fast_write(uint8_t* p, unsigned size, uint64_t v) {
  switch (size) {
    case 1: *p = uint8_t(v); return;
    case 2: { const uint16_t w = uint16_t(v); std::memcpy(p, &w, 2); return; }
    case 4: { const uint32_t w = uint32_t(v); std::memcpy(p, &w, 4); return; }
    default: std::memcpy(p, &v, 8); return;
  }
}

}  // namespace gpusim::isa
