#include "isa/async_copy_tracker.h"

#include <algorithm>
#include <cstddef>

namespace gpusim::isa {

void AsyncCopyTracker::clear() {
  copies_.clear();
  commits_.clear();
  pending_in_granule_.clear();
}

void AsyncCopyTracker::count(const Copy& c, int delta) {
  if (c.end <= c.begin) return;
  const uint64_t last = (c.end - 1) / kGranule;
  if (last >= pending_in_granule_.size()) pending_in_granule_.resize(last + 1, 0);
  for (uint64_t g = c.begin / kGranule; g <= last; ++g) pending_in_granule_[g] += uint32_t(delta);
}

template <class Pred>
void AsyncCopyTracker::remove_if(Pred gone) {
  auto keep = copies_.begin();
  for (auto it = copies_.begin(); it != copies_.end(); ++it) {
    if (gone(*it)) count(*it, -1);
    else *keep++ = *it;
  }
  copies_.erase(keep, copies_.end());
}

void AsyncCopyTracker::issued(uint64_t begin, uint32_t bytes, uint32_t warp, uint32_t lane, const Instruction* in) {
  if (warp >= commits_.size()) commits_.resize(warp + 1, 0);
  if (copies_.size() >= kMostCopies) {
    for (auto it = copies_.begin(); it != copies_.begin() + static_cast<std::ptrdiff_t>(kMostCopies / 2); ++it) count(*it, -1);
    copies_.erase(copies_.begin(), copies_.begin() + static_cast<std::ptrdiff_t>(kMostCopies / 2));
  }
  copies_.push_back({begin, begin + bytes, warp, lane, commits_[warp], in});
  count(copies_.back(), +1);
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
  remove_if([&](const Copy& c) { return c.warp == warp && (lanes >> c.lane & 1) && c.group < complete_below; });
}

void AsyncCopyTracker::completed_all(uint32_t warp, uint32_t lanes) {
  remove_if([&](const Copy& c) { return c.warp == warp && (lanes >> c.lane & 1); });
}

const AsyncCopyTracker::Copy* AsyncCopyTracker::scan(uint64_t addr, uint64_t size) const {
  for (const Copy& c : copies_)
    if (addr < c.end && c.begin < addr + size) return &c;
  return nullptr;
}

}  // namespace gpusim::isa
