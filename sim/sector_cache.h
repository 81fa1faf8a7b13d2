// A sectored, set-associative cache with LRU replacement and MSHRs, for L1 and L2.
//
// Lines (tags) are `line_bytes`; validity, fills and dirtiness are per `sector_bytes` sector, so a
// miss fetches only the missing sectors. Lines are allocated when their data arrives (fill), or,
// with the write-back policy, when written. Misses to a line already in flight merge into its
// MSHR entry up to `mshr_max_merged` requests; with no free entry or merge slot the access is
// rejected unchanged and must be retried (the caller stalls). Everything is deterministic: the
// set index is the line number modulo the set count, ties in LRU go to the lowest way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace gpusim::sim {

enum class WritePolicy {
  WriteThroughNoAllocate,  // L1: writes go down; a write hit updates the line, a miss allocates nothing
  WriteBackAllocate,       // L2: writes stay (dirty) and allocate; dirty sectors leave on eviction
};

struct SectorCacheParams {
  std::string name = "cache";   // used in error messages
  uint64_t size_bytes = 0;
  uint32_t line_bytes = 128;
  uint32_t sector_bytes = 32;
  uint32_t associativity = 1;
  WritePolicy write_policy = WritePolicy::WriteThroughNoAllocate;
  uint32_t mshr_entries = 1;     // lines in flight at once
  uint32_t mshr_max_merged = 1;  // requests waiting on one line, the first miss included
};

struct SectorCacheStats {
  uint64_t read_sector_hits = 0, read_sector_misses = 0, read_sector_merged = 0;
  uint64_t write_sector_hits = 0, write_sector_misses = 0;
  uint64_t rejected_mshr_full = 0, rejected_merge_limit = 0;
  uint64_t evictions = 0, writeback_sectors = 0;
};

// Dirty sectors leaving the cache (write-back only).
struct Writeback {
  uint64_t line_address = 0;
  uint32_t sector_mask = 0;
};

// One line as a cache holds it (inspection: the stepper's `print lines`).
struct CacheLineState {
  uint64_t line_address = 0;  // as the cache stores it
  bool present = false;       // a tag for the line is allocated
  uint32_t valid_mask = 0, dirty_mask = 0;  // per sector
  bool in_flight = false;     // an MSHR waits on sectors of it
};

enum class AccessStatus { Accepted, RejectedMshrFull, RejectedMergeLimit };

struct ReadResult {
  AccessStatus status = AccessStatus::Accepted;
  uint32_t hit_mask = 0;     // sectors served now
  uint32_t merged_mask = 0;  // sectors already in flight; the request waits for them
  uint32_t miss_mask = 0;    // sectors the caller must now fetch from the next level
  bool waits() const { return (merged_mask | miss_mask) != 0; }
};

struct WriteResult {
  uint32_t hit_mask = 0;
  uint32_t miss_mask = 0;
  uint32_t forward_mask = 0;            // sectors to send to the next level now (write-through)
  std::optional<Writeback> writeback;   // a dirty victim evicted to make room (write-back)
};

struct FillResult {
  std::vector<uint64_t> ready_waiters;  // requests whose every sector has now arrived, in arrival order
  std::optional<Writeback> writeback;   // a dirty victim evicted to make room
};

class SectorCache {
 public:
  explicit SectorCache(const SectorCacheParams& params);  // throws std::invalid_argument on bad geometry

  // `line_address` must be line-aligned; `sector_mask` non-empty. `waiter` identifies the request
  // to FillResult::ready_waiters when it has to wait.
  ReadResult read(uint64_t line_address, uint32_t sector_mask, uint64_t waiter);
  WriteResult write(uint64_t line_address, uint32_t sector_mask);
  // Data for `sector_mask` of the line arrived from the next level.
  FillResult fill(uint64_t line_address, uint32_t sector_mask);
  // The sectors placed as an access long ago would have left them (the wave sampler's functional
  // warming of the L2, sim/l2_warming.h): valid, dirty when written, most recently used. No MSHR,
  // no statistics; a dirty victim's write-back is dropped (it falls in the time the sampler
  // extrapolates). Returns whether another line was replaced.
  bool warm(uint64_t line_address, uint32_t sector_mask, bool dirty);

  bool is_valid(uint64_t line_address, int sector) const;
  bool is_dirty(uint64_t line_address, int sector) const;
  bool in_flight(uint64_t line_address) const { return mshrs_.count(line_address) != 0; }
  CacheLineState line_state(uint64_t line_address) const;
  size_t mshrs_in_use() const { return mshrs_.size(); }

  std::vector<Writeback> flush_dirty();  // cleans every dirty line, lowest set and way first
  void invalidate_all();                 // drops every line (L1 at a kernel boundary); keeps MSHRs

  uint32_t num_sets() const { return num_sets_; }
  // Lines held now, and the most it can hold (the sampler watches the L2 fill up: sim/sampled_launch.h).
  uint64_t valid_lines() const { return valid_lines_; }
  uint64_t capacity_lines() const { return ways_; }
  const SectorCacheParams& params() const { return params_; }
  const SectorCacheStats& stats() const { return stats_; }

 private:
  // A way's state is kept in three set-major arrays (index set * associativity + way) rather than
  // one array of structs: a lookup compares only tags, so a set's tags lie together (a 64-way L1
  // set is 8 lines of tags instead of 32 lines of whole ways), and only an eviction reads the LRU
  // stamps. kNoLine marks an invalid way (check_request refuses it as an address).
  static constexpr uint64_t kNoLine = UINT64_MAX;
  struct SectorMasks {
    uint32_t valid = 0;
    uint32_t dirty = 0;
  };
  struct Waiter {
    uint64_t id;
    uint32_t missing_mask;
  };
  struct Mshr {
    uint32_t pending_mask = 0;
    std::vector<Waiter> waiters;
  };

  void check_request(uint64_t line_address, uint32_t sector_mask, const char* what) const;
  static constexpr size_t kNoWay = SIZE_MAX;
  // The way holding the line (its index in the arrays below), or kNoWay.
  size_t find(uint64_t line_address) const;
  // Finds or makes room for the line; a dirty victim's sectors go to `writeback`.
  size_t allocate(uint64_t line_address, std::optional<Writeback>& writeback);
  void ensure_arrays();  // makes the arrays below at the first line placed

  SectorCacheParams params_;
  uint32_t num_sets_ = 0;
  uint32_t full_mask_ = 0;
  uint64_t valid_lines_ = 0;  // ways whose tag is not kNoLine
  size_t ways_ = 0;           // sets x associativity: the arrays' length once made
  std::vector<uint64_t> tags_;        // the line address, kNoLine when the way is invalid
  std::vector<SectorMasks> masks_;    // valid and dirty sectors
  std::vector<uint64_t> last_use_;    // LRU timestamps
  std::unordered_map<uint64_t, Mshr> mshrs_;  // by line address
  uint64_t clock_ = 0;     // LRU timestamps
  SectorCacheStats stats_;
};

}  // namespace gpusim::sim
