// The per-launch statistics of `gpusim run/launch/exec --stats FILE` read back into typed values
// for `gpusim report`: every field the report shows, checked on reading so that a malformed or
// foreign JSON file is rejected with the file, the launch and the missing field named.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/report/run_configuration.h"

namespace gpusim::report {

// Warp-cycles a warp spent in one state ("selected" = issuing; every other name is a stall reason).
struct StateCycles {
  std::string reason;
  uint64_t warp_cycles = 0;
};

// What the timing model attributes to one source line (or one PTX instruction), from the
// "source" object that `--source-report` adds to a launch.
struct LineStats {
  int file = -1;        // .file number, -1 when the instruction has no .loc
  uint32_t line = 0;    // 0 when none
  // Inlined code: the line the call chain starts at ("called_from"); -1 / 0 when not inlined.
  int call_file = -1;
  uint32_t call_line = 0;
  uint64_t issued = 0;
  // Active lanes summed over the issued warp-instructions; -1: the file predates the count.
  int64_t active_lanes = -1;
  std::vector<StateCycles> states;
  uint64_t global_bytes = 0, shared_bytes = 0;
  // Warp-cycles spent waiting (every state except "selected").
  uint64_t stall_cycles() const;
  // The stall reason with the most warp-cycles ("" when the line never waited).
  const StateCycles* dominant_stall() const;
};

struct PtxLineStats : LineStats {
  uint64_t pc = 0;
  int ptx_line = 0;
  std::string text;
};

struct SourceReport {
  std::map<int, std::string> files;  // .file number -> path
  std::vector<PtxLineStats> ptx;
  std::vector<LineStats> lines;
  std::string file_name(int file) const;  // the path, or "file N" when the map lacks it
};

struct KernelStats {
  std::string kernel, config;
  std::string config_fingerprint;  // of the simulated configuration's values; empty in older files
  RunConfigSource config_source;    // the run's INI file and --set values, where the file says
  uint64_t cycles = 0;
  double seconds = 0;
  int sms_used = 0;
  uint64_t warp_instructions = 0, thread_instructions = 0;
  double fp32_flops = 0, fp64_flops = 0, tensor_flops = 0;
  double ipc_per_sm = 0, issue_slot_utilization = 0;
  std::vector<StateCycles> states;                          // stall_warp_cycles, as in the file
  std::vector<std::pair<std::string, uint64_t>> pipe_busy;  // pipe_busy_cycles
  double occupancy_theoretical = 0, occupancy_achieved = 0;
  int ctas_per_sm = 0;
  std::string occupancy_limiter;
  double l1_hit_rate = 0, sectors_per_request = 0;
  std::optional<double> sectors_per_store_request;  // absent in files written before it existed
  uint64_t l1_sector_hits = 0, l1_sector_misses = 0, global_load_requests = 0, global_store_requests = 0;
  uint64_t shared_requests = 0, shared_wavefronts = 0, shared_bank_conflicts = 0;
  double l2_hit_rate = 0;
  uint64_t l2_sector_hits = 0, l2_sector_misses = 0, l2_atomics = 0;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  double dram_bandwidth_gbs = 0, dram_bandwidth_fraction = 0;
  double tensor_utilization = 0;
  uint64_t register_bank_conflicts = 0;
  std::optional<SourceReport> source;  // present when the run had --source-report
  size_t launch = 0;                    // its index in the file's "launches" array

  uint64_t total_state_cycles() const;
};

// A file with more timed launches than this is summarised per kernel: the page shows one row and
// one section per kernel (its longest launch, by cycles) with the sums over all its launches, so
// that a program of 100,000 launches gives a page of its kernels, not of its launches.
constexpr size_t kLaunchesShownOneByOne = 64;
// Faulted launches noted one by one at most (the rest are counted).
constexpr size_t kFaultNotesAtMost = 20;

// All launches of one kernel in a summarised file.
struct KernelLaunches {
  size_t launches = 0;
  uint64_t cycles = 0;
  double seconds = 0;
};

struct StatsFile {
  std::string path;
  // Every timed launch in file order, or (summarised()) each kernel's longest launch in the order
  // of the kernels' first launches.
  std::vector<KernelStats> kernels;
  std::vector<KernelLaunches> totals;  // summarised(): per entry of `kernels`, all its launches
  size_t timed_launches = 0;
  // Launches without statistics because the kernel faulted (`gpusim exec --stats` records them
  // with "faulted": true): "PATH: launch I (kernel 'K') faulted", for a note on stderr; at most
  // kFaultNotesAtMost of them, `faulted_launches` counts all.
  std::vector<std::string> faulted;
  size_t faulted_launches = 0;
  // Launches `gpusim exec` summed per kernel past the ones it kept whole (its "folded_launches"):
  // in the kernels' totals; `unshown` notes the kernels none of whose launches was kept whole.
  size_t folded_launches = 0;
  std::vector<std::string> unshown;
  bool summarised() const { return !totals.empty(); }
};

// Parses one --stats document; `path` names it in errors. Throws std::runtime_error
// "PATH: launch I (kernel 'K'): missing 'l1/hit_rate'" and the like.
StatsFile parse_stats(const nlohmann::json& doc, const std::string& path);
// Reads and parses a file one launch at a time (a file of 100,000 launches is not held as one
// JSON document); an unreadable file or invalid JSON is an error naming the file.
StatsFile read_stats_file(const std::string& path);

}  // namespace gpusim::report
