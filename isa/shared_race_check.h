// Shared-memory race detection (`--racecheck`, GPUSIM_RACECHECK=1): two plain accesses to the same
// shared byte by threads of different warps, at least one a write, with no barrier ordering them.
// On a GPU such a pair may run in either order; the program's result then depends on timing (the
// classic missing __syncthreads() between filling a tile and reading it, or between reading it and
// refilling it in the next iteration).
//
// How: each warp carries a vector clock over the CTA's warps (one counter per warp). A barrier
// (bar.sync / bar.arrive / bar.red, mbarrier arrive and wait, barrier.cluster) joins the clocks of
// the warps it orders; each shared byte remembers its last write and last read (warp, lane, the
// warp's own counter, the instruction). An access races with a remembered one when the remembered
// warp's counter is past what the accessing warp's clock has seen of it. Deterministic: a CTA's
// shadow sees its accesses in its execution order, and hazards from different CTAs are merged by
// counting, the example kept being the one of the lowest CTA.
//
// Atomics and accesses with a memory order (volatile, relaxed, acquire, release) never race with
// each other (PTX's memory model calls them strong), but they do with plain accesses of other warps
// that nothing orders (a histogram's shared atomicAdds and a warp reading the bins without the
// __syncthreads() between; a hash table cleared with plain stores while other warps insert with
// atomicCAS; a plain read racing with a compare-and-swap is exempt: it is the first read of a CAS
// loop, which retries until it read the current value). They also synchronise: each joins the clocks of the warps that used the same word
// before, so hand-made barriers (flags, semaphores, cooperative groups' large tiles, libcu++'s
// cuda::barrier) order what they order; a relaxed arithmetic RMW (atomicAdd, atomicOr, ...: a
// barrier's arrival, a histogram's count) only publishes its warp's clock and acquires nothing.
// That can hide a race, never invent one.
// Not checked (docs/CUDA_SUPPORT.md): lanes of one warp (SIMT executes a warp's lanes together, so
// an intra-warp race is not observable here), two writes of the same value, TMA / bulk copies,
// wgmma operand reads and other CTAs' shared memory (distributed shared memory).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "isa/exec_context.h"

namespace gpusim::isa {

class CtaState;
class Warp;
struct Instruction;
struct LaunchState;

enum class RaceKind : uint8_t { ReadAfterWrite, WriteAfterRead, WriteAfterWrite };

// One side of a race: which thread did what, where.
struct RaceAccess {
  const Instruction* inst = nullptr;
  uint32_t warp = 0, lane = 0;
};

// The hazards of one pair of instructions (earlier access, later access) and kind.
struct RaceHazard {
  uint64_t count = 0;           // racing accesses (per lane, per instruction)
  uint64_t ctas = 0;            // CTAs they were found in
  uint64_t first_cta = 0;       // linear id of the CTA the example comes from
  Dim3 cta_coords;
  RaceAccess earlier, later;    // the example
  uint64_t offset = 0;          // the shared byte of the example
};

using RaceKey = std::tuple<RaceKind, const Instruction*, const Instruction*>;

// shfl.sync lanes that read a lane taking no part: one that lies outside the block (the missing
// lanes of a partial last warp), has exited, or is not in the shuffle's group (its membermask and
// the lanes executing it). PTX leaves that value undefined; gpusim gives 0 for the first two, the
// identity of a sum, so a warp reduction over a partial warp is right here and adds garbage on a
// GPU. Counted per instruction, with the example of the lowest (CTA, warp, lane).
enum class AbsentLane : uint8_t { OutsideBlock, Exited, NotInGroup };
struct AbsentShuffleRead {
  uint64_t count = 0;
  uint64_t first_cta = ~uint64_t(0);
  Dim3 cta_coords;
  uint32_t warp = 0, lane = 0, source_lane = 0;
  AbsentLane why = AbsentLane::OutsideBlock;
};

// The hazards of one launch, merged from its CTAs (on any host thread).
class SharedRaceCheck {
 public:
  explicit SharedRaceCheck(const LaunchState& launch) : launch_(launch) {}
  // Adds one CTA's hazards.
  void merge(const std::map<RaceKey, RaceHazard>& cta_hazards);
  // A shfl.sync `inst` of `cta`'s warp `warp`: `lane` read `source_lane`, which takes no part.
  void note_absent_shuffle_source(const Instruction* inst, const CtaState& cta, uint32_t warp, uint32_t lane,
                                  uint32_t source_lane, AbsentLane why);
  // Racing accesses found so far (absent shuffle sources are a note, not counted: code may read
  // such a lane and discard the value).
  uint64_t hazards() const;
  // The report for the user (empty when no race was found): the kernel, how many hazards, and per
  // pair of instructions one example naming the variable, both threads and both source lines.
  // `launch_index`: which launch of this kernel it is (0 = the first), said so that a program that
  // launches the kernel many times knows which launch raced.
  std::string report(uint64_t launch_index = 0) const;

 private:
  const LaunchState& launch_;
  mutable std::mutex mutex_;
  std::map<RaceKey, RaceHazard> hazards_;
  std::map<const Instruction*, AbsentShuffleRead> absent_shuffles_;
  std::string absent_shuffle_report() const;  // with mutex_ held
};

// One CTA's shadow of its shared memory and its warps' clocks. Created by step_warp for a CTA of a
// launch with LaunchState::race_check set; hands its hazards to the launch's SharedRaceCheck when
// the CTA is restarted or destroyed.
class SharedRaceShadow {
 public:
  SharedRaceShadow(CtaState& cta, std::shared_ptr<SharedRaceCheck> check);
  ~SharedRaceShadow();
  SharedRaceShadow(const SharedRaceShadow&) = delete;
  SharedRaceShadow& operator=(const SharedRaceShadow&) = delete;

  // The instruction `in` that `warp` just executed made `accesses` (its trace records).
  void on_step(const Warp& warp, const Instruction& in, const std::vector<MemAccess>& accesses);
  // bar.sync / bar.arrive / bar.red of barrier `id` by `warp` (`waits`: it stays until release).
  void on_barrier_arrive(unsigned id, const Warp& warp, bool waits);
  // Barrier `id` releases its waiting `warps` (exited warps count as having arrived).
  void on_barrier_release(unsigned id, const std::vector<Warp*>& warps);
  // mbarrier arrive on the word at `addr` in `space` (shared or generic), and a wait that saw its
  // phase complete.
  void on_mbarrier_arrive(StateSpace space, uint64_t addr, const Warp& warp);
  void on_mbarrier_wait(StateSpace space, uint64_t addr, const Warp& warp);
  // barrier.cluster.arrive and a barrier.cluster.wait that completed (this CTA's warps only).
  void on_cluster_arrive(const Warp& warp);
  void on_cluster_wait(const Warp& warp);
  // The CTA becomes another one (CtaState::restart): hand over the hazards, forget everything.
  void restart();
  // Scratch trace for a caller of step_warp that records none itself (functional mode).
  std::vector<MemAccess>& scratch() { return scratch_; }

 private:
  // Per shared byte: the last write, the last read and an earlier read by another warp that the
  // last read is not ordered after (two reads racing with a later write, as in a reduction whose
  // loop lacks its __syncthreads(): the writer reads the byte itself first); clock 0 = none.
  struct Cell {
    uint32_t write_clock = 0, read_clock = 0, other_read_clock = 0;
    uint16_t write_site = 0, read_site = 0, other_read_site = 0;
    uint8_t write_warp = 0, write_lane = 0, read_warp = 0, read_lane = 0, other_read_warp = 0, other_read_lane = 0;
    uint8_t write_value = 0;  // the byte the last write left (a second write of the same value is no race)
    // The access was strong (an atomic, a volatile or ordered load/store): it races only with
    // plain accesses, never with another strong one.
    bool write_strong = false, read_strong = false, other_read_strong = false;
    // The last write was a compare-and-swap: a plain read racing with it is the first read of a
    // CAS loop (the loop retries until the value it read is current), not reported.
    bool write_cas = false;
    // A strong write by another warp that the last (strong) write is not ordered after: a warp's
    // own atomicAdd on a histogram bin must not hide the other warps' adds from its later plain
    // read of the bin; clock 0 = none.
    uint32_t other_write_clock = 0;
    uint16_t other_write_site = 0;
    uint8_t other_write_warp = 0, other_write_lane = 0;
  };
  uint32_t* clock_of(unsigned warp) { return clocks_.data() + size_t(warp) * nwarps_; }
  void join(uint32_t* into, const uint32_t* from) const;
  void tick(unsigned warp) { ++clock_of(warp)[warp]; }
  bool ordered(unsigned warp, unsigned earlier_warp, uint32_t earlier_clock) {
    return earlier_warp == warp || clock_of(warp)[earlier_warp] >= earlier_clock;
  }
  uint16_t site_of(const Instruction& in);
  // Checks and records `w`'s shared accesses of `in` against the earlier ones of each byte.
  void check_accesses(unsigned w, const Instruction& in, const std::vector<MemAccess>& accesses, bool strong);
  void record(RaceKind kind, unsigned earlier_warp, unsigned earlier_lane, uint16_t earlier_site, unsigned warp,
              unsigned lane, uint16_t site, uint64_t offset);
  void flush();

  CtaState& cta_;
  std::shared_ptr<SharedRaceCheck> check_;
  unsigned nwarps_;
  std::vector<uint32_t> clocks_;             // nwarps x nwarps
  std::vector<uint32_t> barrier_clocks_[16];  // join of the arrivals at each named barrier
  std::vector<uint32_t> cluster_clock_;       // join of this CTA's barrier.cluster arrivals
  // Per shared word used for synchronisation (mbarriers, atomics, volatile/acquire/release
  // accesses): the join of the clocks of the warps that used it.
  std::unordered_map<uint64_t, std::vector<uint32_t>> sync_clocks_;
  std::vector<Cell> cells_;
  uint64_t touched_begin_ = UINT64_MAX, touched_end_ = 0;  // cells to clear on restart
  std::vector<const Instruction*> sites_{nullptr};          // site 0: none
  std::unordered_map<const Instruction*, uint16_t> site_ids_;
  std::map<RaceKey, RaceHazard> hazards_;
  std::vector<MemAccess> scratch_;
};

}  // namespace gpusim::isa
