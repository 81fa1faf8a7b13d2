// The memory operations of one warp still in flight (sim/subcore.h): what each will write when the
// memory pipeline returns it, and which cp.async / bulk-copy group it belongs to.
//
// Kept in the warp's slot, not in a heap block of its own: every memory completion and submission
// reads the list, and with tens of warps per sub-core the list's heap block was one more cache
// miss behind the slot's (its address had to be loaded from the slot first). Most warps have one
// to three operations in flight (a load pair feeding an FMA, a store), so the first kInline live in
// place; a warp with more moves them all to `spill_` until its list is empty again. The order of
// the operations is exactly that of a vector with the same push_back / erase_unordered calls.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace gpusim::sim {

struct PendingMemOp {
  static constexpr uint32_t kNoGroup = UINT32_MAX;
  enum GroupKind : uint8_t { kNone, kCpAsync, kBulk };

  uint64_t token = 0;
  const uint32_t* dsts = nullptr;  // FunctionTiming registers (stable until the cache is cleared)
  uint16_t ndst = 0;
  bool lg = false;                 // went through the LG queue (else MIO)
  GroupKind group_kind = kNone;    // a cp.async op and a bulk_group copy are different opcodes
  uint32_t group = kNoGroup;       // its cp.async group or cp.async.bulk ... .bulk_group group

  // The group the op belongs to among those of `kind` (kNoGroup: none).
  uint32_t group_of(GroupKind kind) const { return group_kind == kind ? group : kNoGroup; }
};
static_assert(sizeof(PendingMemOp) == 24, "two pending operations share the slot's line with the count");

class PendingMemOps {
 public:
  static constexpr unsigned kInline = 5;  // with the count: two cache lines

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  PendingMemOp* begin() { return spilled_ ? spill_.data() : inline_; }
  PendingMemOp* end() { return begin() + size_; }
  const PendingMemOp* begin() const { return spilled_ ? spill_.data() : inline_; }
  const PendingMemOp* end() const { return begin() + size_; }

  void push_back(const PendingMemOp& op) {
    if (!spilled_ && size_ < kInline) {
      inline_[size_++] = op;
      return;
    }
    if (!spilled_) {
      spill_.assign(inline_, inline_ + size_);
      spilled_ = true;
    }
    spill_.push_back(op);
    size_ = static_cast<uint32_t>(spill_.size());
  }
  // Removes *it by moving the last operation into its place (as the vector code did).
  void erase_unordered(PendingMemOp* it) {
    *it = *(end() - 1);
    size_ -= 1;
    if (spilled_) {
      spill_.pop_back();
      if (size_ == 0) spilled_ = false;  // spill_'s buffer is kept for the next burst
    }
  }
  void clear() {
    size_ = 0;
    spilled_ = false;
    spill_.clear();
  }

 private:
  uint32_t size_ = 0;
  bool spilled_ = false;
  PendingMemOp inline_[kInline];
  std::vector<PendingMemOp> spill_;  // all of them while more than kInline were in flight
};

}  // namespace gpusim::sim
