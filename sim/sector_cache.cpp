// Sectored set-associative cache with LRU and MSHR merging (behaviour in sector_cache.h).
#include "sim/sector_cache.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace gpusim::sim {

SectorCache::SectorCache(const SectorCacheParams& params) : params_(params) {
  const SectorCacheParams& p = params;
  std::string where = "cache '" + p.name + "': ";
  if (!std::has_single_bit(p.line_bytes) || !std::has_single_bit(p.sector_bytes) || p.sector_bytes > p.line_bytes ||
      p.line_bytes / p.sector_bytes > 32)
    throw std::invalid_argument(where + "line " + std::to_string(p.line_bytes) + " B and sector " +
                                std::to_string(p.sector_bytes) +
                                " B must be powers of two with at most 32 sectors a line");
  uint64_t set_bytes = uint64_t(p.line_bytes) * p.associativity;
  if (p.associativity == 0 || p.size_bytes == 0 || p.size_bytes % set_bytes != 0)
    throw std::invalid_argument(where + "size " + std::to_string(p.size_bytes) +
                                " B is not a positive multiple of line x associativity (" + std::to_string(set_bytes) +
                                " B)");
  if (p.mshr_entries == 0 || p.mshr_max_merged == 0)
    throw std::invalid_argument(where + "needs at least one MSHR entry and one request per entry");
  num_sets_ = uint32_t(p.size_bytes / set_bytes);
  uint32_t sectors = p.line_bytes / p.sector_bytes;
  full_mask_ = sectors == 32 ? ~0u : (1u << sectors) - 1;
  ways_ = size_t(num_sets_) * p.associativity;
}

// The arrays are made at the first line placed, not with the cache: a chip of 1,024 SMs with a
// 64 MiB L1 each would hold 12 GB of tags, most of them for SMs a small grid never uses (a
// designer's sweep died of bad_alloc), and an untouched L1 is rebuilt cheaply per launch.
void SectorCache::ensure_arrays() {
  if (!tags_.empty()) return;
  tags_.assign(ways_, kNoLine);
  masks_.assign(ways_, SectorMasks{});
  last_use_.assign(ways_, 0);
}

void SectorCache::check_request(uint64_t line_address, uint32_t sector_mask, const char* what) const {
  if (line_address % params_.line_bytes != 0)
    throw std::invalid_argument("cache '" + params_.name + "': " + what + " of unaligned line address " +
                                std::to_string(line_address));
  if (line_address == kNoLine)  // only possible with 1-byte lines; the tag arrays reserve it
    throw std::invalid_argument("cache '" + params_.name + "': " + what + " of line address " +
                                std::to_string(line_address) + ", which marks an empty way");
  if (sector_mask == 0 || (sector_mask & ~full_mask_) != 0)
    throw std::invalid_argument("cache '" + params_.name + "': " + what + " with bad sector mask " +
                                std::to_string(sector_mask));
}

size_t SectorCache::find(uint64_t line_address) const {
  if (tags_.empty()) return kNoWay;  // no line placed yet (ensure_arrays)
  const uint64_t set = (line_address / params_.line_bytes) % num_sets_;
  const size_t first = size_t(set) * params_.associativity;
  const uint64_t* tags = tags_.data() + first;
  for (uint32_t w = 0; w < params_.associativity; ++w)
    if (tags[w] == line_address) return first + w;
  return kNoWay;
}

size_t SectorCache::allocate(uint64_t line_address, std::optional<Writeback>& writeback) {
  if (const size_t hit = find(line_address); hit != kNoWay) return hit;
  ensure_arrays();
  const uint64_t set = (line_address / params_.line_bytes) % num_sets_;
  const size_t first = size_t(set) * params_.associativity;
  size_t victim = kNoWay;
  for (uint32_t w = 0; w < params_.associativity && victim == kNoWay; ++w)
    if (tags_[first + w] == kNoLine) victim = first + w;
  if (victim != kNoWay) {
    ++valid_lines_;
  } else {
    victim = first;
    for (uint32_t w = 1; w < params_.associativity; ++w)
      if (last_use_[first + w] < last_use_[victim]) victim = first + w;
    stats_.evictions += 1;
    if (const uint32_t dirty = masks_[victim].dirty) {
      writeback = Writeback{tags_[victim], dirty};
      stats_.writeback_sectors += std::popcount(dirty);
    }
  }
  tags_[victim] = line_address;
  masks_[victim] = SectorMasks{};
  last_use_[victim] = ++clock_;
  return victim;
}

ReadResult SectorCache::read(uint64_t line_address, uint32_t sector_mask, uint64_t waiter) {
  check_request(line_address, sector_mask, "read");
  ReadResult r;
  const size_t way = find(line_address);
  r.hit_mask = way != kNoWay ? (masks_[way].valid & sector_mask) : 0;
  auto in_flight = mshrs_.find(line_address);
  uint32_t pending = in_flight != mshrs_.end() ? in_flight->second.pending_mask : 0;
  r.merged_mask = sector_mask & ~r.hit_mask & pending;
  r.miss_mask = sector_mask & ~r.hit_mask & ~pending;

  if (r.waits()) {
    if (in_flight == mshrs_.end() && mshrs_.size() >= params_.mshr_entries) {
      stats_.rejected_mshr_full += 1;
      return ReadResult{AccessStatus::RejectedMshrFull, 0, 0, 0};
    }
    if (in_flight != mshrs_.end() && in_flight->second.waiters.size() >= params_.mshr_max_merged) {
      stats_.rejected_merge_limit += 1;
      return ReadResult{AccessStatus::RejectedMergeLimit, 0, 0, 0};
    }
    Mshr& entry = mshrs_[line_address];
    entry.pending_mask |= r.miss_mask;
    entry.waiters.push_back({waiter, r.merged_mask | r.miss_mask});
  }
  if (way != kNoWay) last_use_[way] = ++clock_;
  stats_.read_sector_hits += std::popcount(r.hit_mask);
  stats_.read_sector_merged += std::popcount(r.merged_mask);
  stats_.read_sector_misses += std::popcount(r.miss_mask);
  return r;
}

WriteResult SectorCache::write(uint64_t line_address, uint32_t sector_mask) {
  check_request(line_address, sector_mask, "write");
  WriteResult r;
  const size_t way = find(line_address);
  r.hit_mask = way != kNoWay ? (masks_[way].valid & sector_mask) : 0;
  r.miss_mask = sector_mask & ~r.hit_mask;
  stats_.write_sector_hits += std::popcount(r.hit_mask);
  stats_.write_sector_misses += std::popcount(r.miss_mask);
  if (params_.write_policy == WritePolicy::WriteThroughNoAllocate) {
    r.forward_mask = sector_mask;  // every write goes down; a hit keeps its (updated) line
    if (way != kNoWay) last_use_[way] = ++clock_;
    return r;
  }
  // Write-back: the written sectors become valid and dirty without a fetch (the hardware keeps
  // byte masks; the timing model only needs to know they are here and must go back later).
  const size_t target = allocate(line_address, r.writeback);
  masks_[target].valid |= sector_mask;
  masks_[target].dirty |= sector_mask;
  last_use_[target] = ++clock_;
  return r;
}

bool SectorCache::warm(uint64_t line_address, uint32_t sector_mask, bool dirty) {
  check_request(line_address, sector_mask, "warm");
  const SectorCacheStats kept = stats_;
  std::optional<Writeback> dropped;
  const size_t way = allocate(line_address, dropped);
  const bool replaced = stats_.evictions != kept.evictions;
  stats_ = kept;
  masks_[way].valid |= sector_mask;
  if (dirty) masks_[way].dirty |= sector_mask;
  last_use_[way] = ++clock_;
  return replaced;
}

FillResult SectorCache::fill(uint64_t line_address, uint32_t sector_mask) {
  check_request(line_address, sector_mask, "fill");
  FillResult r;
  const size_t way = allocate(line_address, r.writeback);
  masks_[way].valid |= sector_mask;
  last_use_[way] = ++clock_;
  auto in_flight = mshrs_.find(line_address);
  if (in_flight == mshrs_.end()) return r;
  Mshr& entry = in_flight->second;
  entry.pending_mask &= ~sector_mask;
  std::vector<Waiter> still_waiting;
  for (Waiter& w : entry.waiters) {
    w.missing_mask &= ~sector_mask;
    if (w.missing_mask == 0) r.ready_waiters.push_back(w.id);
    else still_waiting.push_back(w);
  }
  entry.waiters = std::move(still_waiting);
  if (entry.pending_mask == 0 && entry.waiters.empty()) mshrs_.erase(in_flight);
  return r;
}

bool SectorCache::is_valid(uint64_t line_address, int sector) const {
  const size_t way = find(line_address);
  return way != kNoWay && (masks_[way].valid >> sector & 1u);
}

bool SectorCache::is_dirty(uint64_t line_address, int sector) const {
  const size_t way = find(line_address);
  return way != kNoWay && (masks_[way].dirty >> sector & 1u);
}

std::vector<Writeback> SectorCache::flush_dirty() {
  std::vector<Writeback> out;
  for (size_t w = 0; w < tags_.size(); ++w) {
    if (tags_[w] != kNoLine && masks_[w].dirty) {
      out.push_back({tags_[w], masks_[w].dirty});
      stats_.writeback_sectors += std::popcount(masks_[w].dirty);
      masks_[w].dirty = 0;
    }
  }
  return out;
}

void SectorCache::invalidate_all() {
  std::fill(tags_.begin(), tags_.end(), kNoLine);
  valid_lines_ = 0;
  std::fill(masks_.begin(), masks_.end(), SectorMasks{});
  std::fill(last_use_.begin(), last_use_.end(), 0);
}

CacheLineState SectorCache::line_state(uint64_t line_address) const {
  CacheLineState st;
  st.line_address = line_address;
  st.in_flight = in_flight(line_address);
  const int sectors = static_cast<int>(params_.line_bytes / params_.sector_bytes);
  for (int s = 0; s < sectors; ++s) {
    if (is_valid(line_address, s)) st.valid_mask |= 1u << s;
    if (is_dirty(line_address, s)) st.dirty_mask |= 1u << s;
  }
  st.present = st.valid_mask != 0;
  return st;
}

}  // namespace gpusim::sim
