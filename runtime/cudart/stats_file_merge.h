// One --stats file for every CUDA process of a `gpusim exec` run. A program run through a script
// (several CUDA programs in turn, or one that starts helpers) has each process write the file as
// it exits; the last one replaced the others' launches (a helper that only asked for the device
// count wiped out the real program's). gpusim exec names its run (GPUSIM_STATS_SESSION); a file
// already written in that run gets this process's launches appended, under a lock held on the
// file itself while it is read and rewritten, so processes exiting together take turns.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace gpusim::cudart {

// Writes `document` ({"program", "launches": [...], ...}) to `path`; with a non-empty `session`
// that the file already holds ("exec_session"), appends its launches to the file's and adds its
// program to "programs". Throws std::runtime_error "cannot write PATH: <why>".
void write_or_merge_stats(const std::string& path, nlohmann::json document, const std::string& session);

}  // namespace gpusim::cudart
