// cp.async copies into a CTA's shared memory that their threads have not waited for yet. A GPU
// may still be writing them: a read of those bytes before the issuing thread's
// cp.async.wait_group / wait_all (and, for another thread, a barrier after that wait) returns the
// old contents, the most common pipelining bug of hand-written GEMM and attention kernels. gpusim
// performs the copy when it is issued, so without this the read would see the new bytes and the
// bug would pass; with it the read is a kernel fault naming both sides.
//
// Groups are counted per warp (cp.async.commit_group is executed by converged warps in practice);
// waits complete the copies of the lanes that execute them. Copies a thread hands to an mbarrier
// (cp.async.mbarrier.arrive) are taken as complete: their completion is the barrier's, which the
// mbarrier model orders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gpusim::isa {

struct Instruction;

class AsyncCopyTracker {
 public:
  struct Copy {
    uint64_t begin, end;  // shared-memory offsets of the destination
    uint32_t warp, lane;
    uint32_t group;       // the warp's commit count when issued: its group
    const Instruction* issued_by;
  };

  bool empty() const { return copies_.empty(); }
  void clear();
  void issued(uint64_t begin, uint32_t bytes, uint32_t warp, uint32_t lane, const Instruction* in);
  void committed(uint32_t warp);
  // cp.async.wait_group N by `lanes` of `warp`: their copies of all but the newest N committed
  // groups are complete. wait_all (and an mbarrier arrive): all of them, the open group too.
  void waited(uint32_t warp, uint32_t lanes, uint32_t allowed_pending_groups);
  void completed_all(uint32_t warp, uint32_t lanes);
  // The oldest pending copy overlapping [addr, addr + size), or null. Every shared load asks while
  // copies are pending, so the answer for bytes no pending copy touches comes from a count per
  // 16-byte granule (cp.async moves 4, 8 or 16 aligned bytes: one granule), without a scan.
  const Copy* overlapping(uint64_t addr, uint64_t size) const {
    const uint64_t first = addr / kGranule, last = size ? (addr + size - 1) / kGranule : first;
    for (uint64_t g = first; g <= last && g < pending_in_granule_.size(); ++g)
      if (pending_in_granule_[g]) return scan(addr, size);
    return nullptr;
  }

 private:
  static constexpr uint64_t kGranule = 16;
  const Copy* scan(uint64_t addr, uint64_t size) const;
  void count(const Copy& c, int delta);
  // Removes the copies `gone` selects, keeping the granule counts.
  template <class Pred>
  void remove_if(Pred gone);

  // Bounded: a kernel that issues copies in a loop and never waits keeps the newest only.
  static constexpr std::size_t kMostCopies = std::size_t(1) << 16;
  std::vector<Copy> copies_;
  std::vector<uint32_t> commits_;  // per warp
  std::vector<uint32_t> pending_in_granule_;  // pending copies touching each 16-byte granule
};

}  // namespace gpusim::isa
