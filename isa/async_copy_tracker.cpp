#include "isa/async_copy_tracker.h"

#include <algorithm>
#include <cstddef>

namespace gpusim::isa {

void AsyncCopyTracker::clear() {
  copies_.clear();
  commits_.clear();
}

void AsyncCopyTracker::issued(uint64_t begin, uint32_t bytes, uint32_t warp, uint32_t lane, const Instruction* in) {
  if (warp >= commits_.size()) commits_.resize(warp + 1, 0);
  if (copies_.size() >= kMostCopies)
    copies_.erase(copies_.begin(), copies_.begin() + static_cast<std::ptrdiff_t>(kMostCopies / 2));
  copies_.push_back({begin, begin + bytes, warp, lane, commits_[warp], in});
}

void AsyncCopyTracker::committed(uint32_t warp) {
  if (warp >= commits_.size()) commits_.resize(warp + 1, 0);
  ++commits_[warp];
}

void AsyncCopyTracker::waited(uint32_t warp, uint32_t lanes, uint32_t allowed_pending_groups) {
  if (copies_.empty()) return;
  const uint32_t commits = warp < commits_.size() ? commits_[warp] : 0;
  if (commits < allowed_pending_groups) return;
  const uint32_t complete_below = commits - allowed_pending_groups;  // groups 0 .. complete_below - 1
  copies_.erase(std::remove_if(copies_.begin(), copies_.end(),
                               [&](const Copy& c) {
                                 return c.warp == warp && (lanes >> c.lane & 1) && c.group < complete_below;
                               }),
                copies_.end());
}

void AsyncCopyTracker::completed_all(uint32_t warp, uint32_t lanes) {
  copies_.erase(std::remove_if(copies_.begin(), copies_.end(),
                               [&](const Copy& c) { return c.warp == warp && (lanes >> c.lane & 1); }),
                copies_.end());
}

const AsyncCopyTracker::Copy* AsyncCopyTracker::overlapping(uint64_t addr, uint64_t size) const {
  for (const Copy& c : copies_)
    if (addr < c.end && c.begin < addr + size) return &c;
  return nullptr;
}

}  // namespace gpusim::isa
