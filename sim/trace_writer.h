// Timeline trace of a timed run in the Chrome trace-event JSON format, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open: {"traceEvents": [...], "otherData": {...}}.
//
// Layout: one process per traced SM ("SM n"), with
//   - one thread per sub-core ("sub-core k issue"): an "X" slice per issued warp-instruction,
//     named by its opcode, args {warp, pc, active};
//   - one thread per SM warp slot ("warp w"): an "X" slice per stall interval, merged while the
//     warp's stall reason stays the same, named by the reason (Nsight Compute's names);
//   - CTA lanes ("CTA lane i"): an "X" slice per CTA from dispatch to retirement;
//   - memory requests that left the SM as async slices ("b"/"e", category "memory") from the
//     cycle the request entered the interconnect to the cycle its answer reached the SM, args
//     {level: "L2" | "DRAM", latency_cycles, bytes, kind, line_address};
// and process 0 ("GPU") with one "X" slice per kernel launch, on the track of the stream it was
// issued on ("stream 3", "default stream"; "kernels" where the caller names none), and, on its
// "copies and memsets" track, one per copy or memset the CUDA runtime timed between launches (idle()).
// Timestamps are core cycles of the simulated timeline (the "ts" unit, microseconds to the viewer,
// stands for one cycle; otherData says so): the kernels' cycles plus that host work, so they agree
// with cudaEvents and %globaltimer. Events are written as they complete, never held as a document, so the
// file is bounded by the traced SMs and the cycle window, not by memory.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/timing_types.h"

namespace gpusim::sim {

struct TraceOptions {
  std::vector<int> sms{0};              // SMs with tracks (empty: every SM)
  uint64_t from_cycle = 0;              // events starting in [from_cycle, to_cycle) are kept
  uint64_t to_cycle = UINT64_MAX;
};

// "0,2,5-7" -> {0,2,5,6,7}; "all" -> {} (every SM). Throws std::invalid_argument naming the text.
std::vector<int> parse_sm_list(const std::string& text, int num_sms);
// "FROM:TO" (either side may be empty) -> the window. Throws std::invalid_argument.
void parse_cycle_window(const std::string& text, TraceOptions* options);

class TraceWriter final : public SimObserver {
 public:
  // Opens `path` and writes the header. Throws std::runtime_error naming the file.
  TraceWriter(const std::string& path, const GpuConfig& config, TraceOptions options);
  ~TraceWriter() override;
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // Kernel boundaries (the GPU process's slices, on `stream`'s track: runtime::stream_label's
  // text, "" for the "kernels" track); end_kernel also closes open stall intervals.
  void begin_kernel(const std::string& name, uint64_t cycle, const std::string& stream = "");
  void end_kernel(uint64_t cycle);
  // Time the simulated timeline spent outside kernels at model cycle `cycle` (a copy, a memset:
  // `what`): a slice on the GPU's "copies and memsets" track, and every later event moves on by
  // `cycles`, so the trace's times are the timeline cudaEvents read.
  void idle(uint64_t cycle, uint64_t cycles, const std::string& what);
  // Writes the closing brackets; later events are dropped. Throws std::runtime_error on a write error.
  void finish();
  uint64_t events_written() const { return events_; }
  // After finish(): when kernels were traced but the --trace-cycles window held none of them, a
  // sentence saying when they ran (the window is on the whole program's timeline, copies
  // included); empty otherwise.
  std::string missed_window_note() const;

  void on_issue(uint64_t cycle, int sm, int subcore, int warp, uint32_t pc, const isa::Instruction& inst,
                uint32_t active_mask) override;
  void on_stall(uint64_t cycle, int sm, int subcore, int warp, StallReason reason) override;
  void on_cta(uint64_t cycle, int sm, uint64_t cta_linear_id, bool started) override;
  void on_mem_request(uint64_t cycle, int sm, const MemPacket& p, const char* level) override;
  void on_mem_response(uint64_t cycle, int sm, const MemPacket& p, const char* level) override;
  void on_core_cycle(uint64_t cycle) override { now_ = cycle; }

 private:
  struct StallRun {
    StallReason reason = StallReason::Count;  // Count: no open interval
    uint64_t start = 0, last = 0;
  };
  struct SmTracks {
    bool traced = false;
    bool named = false;
    std::vector<StallRun> warps;                 // by SM warp slot
    std::vector<int64_t> cta_lanes;              // CTA id occupying each lane, -1 free
    std::unordered_map<uint64_t, uint64_t> cta_start;  // CTA id -> dispatch cycle
    struct Request {
      uint64_t cycle;
      uint32_t bytes;  // read: sectors asked for; write/atomic: the payload
    };
    std::unordered_map<uint64_t, Request> mem_start;  // by packet id
    struct Answer {
      const char* level;    // "L2", "DRAM" or "L2 (waited for DRAM)"
      uint32_t dram_bytes;  // what DRAM read for this request (0 unless level is "DRAM")
    };
    std::unordered_map<uint64_t, Answer> mem_level;  // packet id -> level that answered
    std::vector<bool> warp_named;
  };

  // The timeline time of a model cycle: the model's cycles plus the host work before it.
  uint64_t ts(uint64_t cycle) const { return cycle + shift_; }
  bool in_window(uint64_t cycle) const { return ts(cycle) >= options_.from_cycle && ts(cycle) < options_.to_cycle; }
  SmTracks* tracks(int sm);
  void name_sm(int sm, SmTracks& t);
  void close_stall(int sm, int warp, StallRun& run);
  void event(const std::string& json);  // one complete event object
  const std::string& opcode_name(const isa::Instruction& inst);
  int stream_track(const std::string& stream);  // the GPU process's track of a stream, named at first use

  std::ofstream out_;
  std::string path_;
  GpuConfig config_;
  TraceOptions options_;
  std::vector<SmTracks> sms_;
  std::unordered_map<const isa::Instruction*, std::string> names_;
  uint64_t now_ = 0;
  uint64_t events_ = 0;
  uint64_t kernel_start_ = 0;
  uint64_t shift_ = 0;  // cycles of host work (copies, memsets) so far: idle()
  std::string kernel_, kernel_stream_;
  std::unordered_map<std::string, int> stream_tracks_;  // stream label -> tid in process 0 (from 2)
  bool in_kernel_ = false, finished_ = false;
  uint64_t kernels_ended_ = 0, kernels_in_window_ = 0;  // traced launches, and those the window kept
  uint64_t first_kernel_ts_ = 0, last_kernel_end_ts_ = 0;
};

}  // namespace gpusim::sim
