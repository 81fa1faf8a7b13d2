#include "sim/commit_order.h"

#include <algorithm>
#include <climits>

namespace gpusim::sim {

void CommitOrder::clear() {
  entries_.clear();
  writes_.clear();
  unknown_write_ = false;
}

void CommitOrder::add(size_t k, int subcore, const DeferredAccess& access) {
  if (access.kind == DeferredAccess::Kind::None) return;
  if (access.kind == DeferredAccess::Kind::Write) {
    writes_.push_back(entries_.size());
    unknown_write_ = unknown_write_ || !access.known;
  }
  entries_.push_back(Entry{k, subcore, access});
}

void CommitOrder::decide(size_t sm_count, std::vector<int>& upto) {
  upto.assign(sm_count, 0);
  fell_back_ = false;
  if (writes_.empty()) return;  // only loads: no order among them matters
  auto order_through = [&](size_t e) {  // entry e and everything of its SM before it
    const Entry& x = entries_[e];
    if (x.k < sm_count) upto[x.k] = std::max(upto[x.k], x.subcore + 1);
  };
  if (unknown_write_ || writes_.size() * entries_.size() > kMaxPairs) {
    // Everything up to the last write in order; after it only loads remain.
    fell_back_ = true;
    const size_t last = writes_.back();
    for (size_t e = 0; e <= last; ++e) order_through(e);
    return;
  }
  must_order_.assign(entries_.size(), 0);
  for (size_t w : writes_) {
    const Entry& a = entries_[w];
    for (size_t e = 0; e < entries_.size(); ++e) {
      const Entry& b = entries_[e];
      if (b.k == a.k) continue;  // one SM's local stage keeps its own sub-core order
      // A load of unknown bytes may read these, or fault: it conflicts with every write.
      const bool overlap = !b.access.known || (a.access.lo < b.access.hi && b.access.lo < a.access.hi);
      if (overlap) must_order_[std::min(w, e)] = 1;  // the earlier of the two runs in order
    }
  }
  for (size_t e = 0; e < entries_.size(); ++e)
    if (must_order_[e]) order_through(e);
}

}  // namespace gpusim::sim
