// A disk cache of ptxas runs: the `ptxas -v` output for a PTX text, an architecture and a ptxas
// binary, so that a program whose modules need register counts (timing mode, occupancy queries,
// the register check at launch) pays ptxas' CPU time once, not on every run (a Thrust program's
// PTX costs ptxas ~7.5 s of CPU).
//
// Where: $GPUSIM_PTXAS_CACHE if set (`0` or empty turns the cache off), else
// $XDG_CACHE_HOME/gpusim/ptxas, else $HOME/.cache/gpusim/ptxas. One file per run, named by a
// 128-bit hash of the key; the file repeats the key's sizes and is ignored unless they match.
// Entries are written to a temporary name and renamed, so concurrent runs never read half a file.
#pragma once

#include <optional>
#include <string>

namespace gpusim::runtime {

// What identifies one ptxas run. `ptxas_identity` names the binary (path, size, modification
// time), so a toolkit update misses the cache instead of returning the old compiler's figures.
struct PtxasCacheKey {
  std::string ptxas_identity;
  std::string arch;
  const std::string* ptx = nullptr;
};

struct CachedPtxasRun {
  int exit_status = 0;
  std::string output;
};

// The directory in use, or nothing when caching is off or no directory can be named.
std::optional<std::string> ptxas_cache_directory();

// "PATH size mtime" of a ptxas binary (empty when it cannot be read: then nothing is cached).
std::string ptxas_identity(const std::string& ptxas_path);

// The stored run for `key`, if any.
std::optional<CachedPtxasRun> load_cached_ptxas_run(const PtxasCacheKey& key);

// Stores a finished run (never a timed-out one). Failures to write are ignored: the cache only
// saves time.
void store_ptxas_run(const PtxasCacheKey& key, const CachedPtxasRun& run);

// The file name (without directory) the key is stored under; exposed for tests.
std::string ptxas_cache_file_name(const PtxasCacheKey& key);

}  // namespace gpusim::runtime
