// One DRAM channel as DRAM: banks with an open row each, a shared data bus, and a controller
// that schedules first-ready, first-come-first-served (FR-FCFS) with write draining.
//
// Banks and rows. A line lives in one bank and row (dram_timing.h). A bank whose open row holds
// the line serves it after the column command (row hit); a closed bank first needs ACTIVATE and
// tRCD (row miss); a bank with another row open first needs PRECHARGE (no earlier than tRAS after
// its ACTIVATE, tRTP after a read, tWR after the last write data) and tRP (row conflict).
// Banks work in parallel: the controller activates a bank for its oldest waiting request while
// other banks move data (ACTIVATEs at least tRRD apart).
//
// Column commands and the bus. One command per DRAM clock. A read's data occupies the bus from
// tCL after its command, a write's from tCWL, for bytes x burst time (the channel's peak rate;
// dram.efficiency_pct can derate it further). Two column commands to one bank group are at least
// tCCD_L apart. Turnarounds: a read command waits tWTR after the last write data; a write command
// waits tRTW after the last read command.
//
// Scheduling. Reads and writes queue per bank in arrival order. The controller serves one
// direction at a time: reads, until write_high_watermark writes are queued (or no read waits);
// then writes until write_low_watermark remain (or none, when no read waits). Within the
// direction it issues, among the first `scheduler_lookahead` requests of every bank, the row hit
// whose command can go first (oldest on ties); a bank without such a hit is activated for its
// oldest request.
//
// Refresh. Per-bank (dram.refresh_per_bank=1, the shipped configs; configs/README.md says why):
// every tREFI/banks the next bank in turn is precharged and busy for tRFCpb while the others keep
// working. All-bank (0): every tREFI all banks are precharged and busy for tRFC.
//
// Latency: a read's data reaches the L2 dram.latency_cycles (core cycles: controller, PHY and
// return path) after its last byte leaves the bus.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "sim/dram_timing.h"
#include "sim/gpu_config.h"
#include "sim/interconnect.h"

namespace gpusim::sim {

struct DramAccess {
  bool write = false;
  int slice = 0;               // the L2 slice to answer (reads)
  uint64_t local_line = 0;     // the line as the slice's cache knows it
  uint32_t sector_mask = 0;
  uint64_t ready_ps = 0;       // earliest start
};

// A read whose data has reached the L2 side at ready_ps.
struct DramReturn {
  uint64_t ready_ps = 0;
  int slice = 0;
  uint64_t local_line = 0;
  uint32_t sector_mask = 0;
};

struct DramChannelStats {
  uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;  // per column command
  uint64_t refreshes = 0;
  uint64_t read_to_write = 0, write_to_read = 0;  // direction changes on the bus
};

class DramChannel {
 public:
  DramChannel(const GpuConfig& config, const MemoryClocks& clocks);
  // For tests: explicit timing and address map.
  DramChannel(const DramTiming& timing, const DramAddressMap& map, uint32_t sector_bytes, double latency_cycles,
              const MemoryClocks& clocks);

  void enqueue(const DramAccess& access);
  // One DRAM clock edge: issues refresh, row commands and at most one column command. A read whose
  // column command issued is appended to `returns` (with the time its data reaches the L2). Adds
  // the bytes moved to *read_bytes / *write_bytes.
  void tick(uint64_t now_ps, std::vector<DramReturn>& returns, uint64_t* read_bytes, uint64_t* write_bytes);
  bool idle() const { return queued_reads_ == 0 && queued_writes_ == 0 && arriving_.empty(); }
  // The controller's write queue is full (2 x the high watermark, queued or on their way): the
  // L2 slices of this channel must hold back, so write-backs cannot pile up without bound.
  bool write_queue_full() const { return queued_writes_ + arriving_writes_ >= 2 * size_t(timing_.write_high); }
  void clear();
  const DramChannelStats& stats() const { return stats_; }

 private:
  struct Pending {
    DramAccess access;
    int64_t row;
    uint64_t sequence;
  };
  struct Bank {
    int64_t open_row = -1;   // -1: precharged
    double col_ready = 0;    // ACTIVATE + tRCD
    double pre_ready = 0;    // earliest PRECHARGE
    double act_ready = 0;    // earliest ACTIVATE (after PRECHARGE + tRP, or refresh)
    bool conflict = false;   // the bank was precharged to change rows (for the statistics)
    bool activated = false;  // the open row was activated for the request now served
    std::deque<Pending> reads, writes;
  };
  struct Candidate {
    int bank = -1;
    size_t position = 0;
    double start = 0;
    uint64_t sequence = 0;
  };

  struct Arriving {
    DramAccess access;
    uint64_t sequence;
    bool operator>(const Arriving& o) const {
      return std::pair(access.ready_ps, sequence) > std::pair(o.access.ready_ps, o.sequence);
    }
  };

  // A simulated time (ps) as the channel's own clock: picoseconds since its first edge (negative
  // for an access timed before it), exact in a double.
  double channel_time(uint64_t ps) const { return double(int64_t(ps - origin_ps_)); }
  void admit_arrivals(double now);
  double refresh_interval() const;
  void refresh(double now);
  void choose_direction();
  // Issues the next row command (PRECHARGE or ACTIVATE for the oldest request) of `bank` if it
  // can go at `now`; returns when the bank's next row command can go (kNever after an ACTIVATE).
  double row_command(Bank& bank, double now);
  Candidate best_row_hit(double now) const;
  void issue(const Candidate& c, double now, std::vector<DramReturn>& returns, uint64_t* read_bytes,
             uint64_t* write_bytes);

  DramTiming timing_;
  DramAddressMap map_;
  MemoryClocks clocks_;
  uint32_t sector_bytes_;
  double latency_cycles_;
  std::vector<Bank> banks_;
  // Accesses the L2 has sent but that reach the controller later (ready_ps), earliest first.
  std::priority_queue<Arriving, std::vector<Arriving>, std::greater<>> arriving_;
  std::vector<double> group_col_ready_;  // tCCD_L per bank group
  size_t queued_reads_ = 0, queued_writes_ = 0;
  size_t arriving_writes_ = 0;
  uint64_t next_sequence_ = 0;
  bool writing_ = false;           // the direction being served
  bool bus_wrote_last_ = false;    // direction of the last column command
  bool any_command_ = false;
  double bus_free_ = 0;            // the data bus frees
  double next_command_ = 0;        // one column command per clock
  double next_row_command_ = 0;    // one row command per clock
  double last_act_ = -1e30;        // for tRRD
  double last_read_cmd_ = -1e30;   // for tRTW
  double last_write_end_ = -1e30;  // for tWTR
  bool started_ = false;
  // Simulated time of the channel's first edge. Every time the channel keeps (the doubles above
  // and below) counts from it: sums of whole picoseconds and fractional clock periods round
  // differently at different magnitudes, and an exact tie between two banks' start times (oldest
  // wins) could then break either way, so the same accesses would be served in another order
  // when the launch started later in the process (a second device in one `gpusim compare`).
  uint64_t origin_ps_ = 0;
  double next_refresh_ = 0;
  int refresh_bank_ = 0;
  double wake_ = 0;                // nothing can issue before this (reset by enqueue)
  DramChannelStats stats_;
};

}  // namespace gpusim::sim
