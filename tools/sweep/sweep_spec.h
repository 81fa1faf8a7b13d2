// The sweep specification of `gpusim sweep SPEC` (format in docs/SWEEPS.md) and its expansion
// into points: every configuration x workload x size x combination of --set values.
//
//   # comment
//   configs   = configs/v100.ini configs/h100.ini   # paths relative to SPEC; `default` = embedded
//   workloads = vecadd sgemm_tiled                  # built-in workloads (gpusim list)
//   sizes.vecadd = 4096 65536                       # optional; the workload's default otherwise
//   set.sm.count = 20 40 80                         # one --set key, its values
//   mode = timing                                   # or functional
//   seed = 1
//   launch.scale = k.ptx --kernel scale --grid 4 --block 256 --arg u32:{size} --arg zeros:f32:{size}
//   exec.app = ./app {size}                         # a CUDA program run under `gpusim exec`
//
// Values are separated by spaces (arguments cannot contain spaces); `{size}` in a launch/exec line
// is replaced by each of its sizes. Parsing is free of I/O except reading SPEC and the configs.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/config_fingerprint.h"

namespace gpusim::cli::sweep {

// A mistake in the spec; what() starts with "FILE:LINE: ".
class SpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class PointKind { Workload, Launch, Exec };
const char* point_kind_name(PointKind kind);  // "workload", "launch", "exec"

struct SpecWorkload {
  std::string name;
  PointKind kind = PointKind::Workload;
  std::vector<std::string> args;   // launch/exec: the argument words, `{size}` not yet replaced
  std::vector<std::string> sizes;  // empty: one point at the workload's default size
  int line = 0;                    // where it was named (for errors)
  int sizes_line = 0;
};

struct SpecConfig {
  std::string label;  // as written in the spec ("configs/v100.ini", "default")
  std::string path;   // absolute; empty for the embedded default
  std::string text;   // the file's contents (its identity); empty for the default
  int line = 1;       // the configs line (for errors)
};

struct SweepSpec {
  std::string path;     // the spec file, absolute
  std::string workdir;  // its directory: points run there, relative paths resolve there
  std::vector<SpecConfig> configs;
  std::vector<SpecWorkload> workloads;
  std::vector<std::pair<std::string, std::vector<std::string>>> sets;  // key -> values, file order
  std::vector<int> set_lines;
  std::string mode = "timing";
  uint64_t seed = 1;
};

// Parses `text` as the spec at `path` (used for messages and to resolve relative paths); reads the
// config files it names. Throws SpecError naming file:line.
SweepSpec parse_sweep_spec(const std::string& text, const std::string& path);
SweepSpec load_sweep_spec(const std::string& path);

// One point of the grid: what to run, and its identity.
struct SweepPoint {
  std::string id;  // 16 hex digits: FNV-1a 64 of the canonical description (point_identity)
  PointKind kind = PointKind::Workload;
  std::string workload, size;  // size "" = the workload's default
  std::string config_label, config_path, config_hash;
  std::vector<std::pair<std::string, std::string>> sets;
  std::string mode;
  uint64_t seed = 1;
  std::vector<std::string> args;     // launch/exec: the spec's arguments with {size} replaced
  std::vector<std::string> command;  // gpusim's argv after the binary, without --stats
  std::string workdir;
};

// Every point, in grid order (configs, then workloads, sizes, sets); points with the same identity
// (e.g. two config files with the same contents) appear once. Each config + --set combination is
// loaded once to reject bad keys/values early (SpecError naming the set line).
std::vector<SweepPoint> expand_points(const SweepSpec& spec);

// The canonical text whose hash is the point's id: kind, workload, launch/exec arguments, size,
// config contents hash, --set pairs in spec order, mode, seed. Not the config's path, the
// gpusim revision, nor the PTX/program files' contents.
std::string point_identity(const SweepPoint& point);
using sim::fnv1a64_hex;  // sim/config_fingerprint.h

}  // namespace gpusim::cli::sweep
