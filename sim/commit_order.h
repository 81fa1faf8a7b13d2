// Which of a timing cycle's deferred global accesses the staged commit must run in SM order.
//
// The sequential definition of a cycle's commit runs every SM's deferred instructions (loads,
// stores, atomics, device services: whatever may touch state other SMs see) in SM order, each
// SM's in sub-core order. The staged commit (sim/gpu_model_commit.cpp) runs a prefix of every
// SM's sub-cores on one thread in that order (the ordered stage), then the rest of each SM's on
// the SMs' own threads in parallel (the local stage, each SM still in sub-core order). That gives
// the sequential result when no instruction of the local stage has a conflict with an instruction
// of another SM that comes after it in SM order (a conflict: overlapping bytes, one of them
// written): an earlier instruction of the ordered stage still runs before it, and nothing it
// overlaps runs concurrently or in the reverse order. And it must not fault in a way that stops
// the order before a later write, so a store goes to the local stage only when its bytes are
// known to lie in an allocation, and a load of unknown bytes only after the cycle's last write.
//
// CommitOrder works out the prefixes from what each sub-core's deferred instruction will touch
// (known at issue: sim/subcore_classify.cpp). With every write's bytes known it checks each write
// against every other access of another SM (few per cycle: a warp issues one instruction a cycle
// and most are not global accesses); otherwise, or when the pairs are too many to check, it falls
// back to running everything up to the cycle's last write in order (always correct).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gpusim::sim {

// A sub-core's deferred instruction, as the commit order sees it.
struct DeferredAccess {
  enum class Kind : uint8_t { None, Read, Write };
  Kind kind = Kind::None;  // None: no deferred instruction; Write: may write or call a service
  bool known = false;      // [lo, hi) holds every byte it touches, and it cannot fault
  uint64_t lo = 0, hi = 0;
};

class CommitOrder {
 public:
  // Write/access pairs checked at most per cycle; past it, the fallback (bounds the serial work).
  static constexpr size_t kMaxPairs = 4096;

  // A new cycle; then add() every SM's sub-cores in SM order (k: the SM's place in the cycle).
  void clear();
  void add(size_t k, int subcore, const DeferredAccess& access);
  // upto[k] for k < sm_count: the ordered stage runs sub-cores [0, upto[k]) of SM k (0: none).
  void decide(size_t sm_count, std::vector<int>& upto);
  // The last decide() fell back to ordering everything up to the last write (a test's window).
  bool fell_back() const { return fell_back_; }

 private:
  struct Entry {
    size_t k;
    int subcore;
    DeferredAccess access;
  };
  std::vector<Entry> entries_;          // in SM order, sub-core order
  std::vector<size_t> writes_;          // indices into entries_
  std::vector<uint8_t> must_order_;     // per entry
  bool unknown_write_ = false;
  bool fell_back_ = false;
};

}  // namespace gpusim::sim
