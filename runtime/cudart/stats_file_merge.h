// One --stats file for every CUDA process of a `gpusim exec` run. A program run through a script
// (several CUDA programs in turn, or one that starts helpers) has each process write the file as
// it exits; the last one replaced the others' launches (a helper that only asked for the device
// count wiped out the real program's). gpusim exec names its run (GPUSIM_STATS_SESSION); a file
// already written in that run gets this process's launches appended, under a lock held on the
// file itself while it is read and rewritten, so processes exiting together take turns.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gpusim::cudart {

// Writes `document` ({"program", ...}) to `path` with `launches` (each launch object's text,
// launch_text) as its "launches" array; with a non-empty `session` that the file already holds
// ("exec_session"), appends them to the file's launches and adds its program to "programs".
// Throws std::runtime_error "cannot write PATH: <why>".
void write_or_merge_stats(const std::string& path, nlohmann::json document, std::vector<std::string> launches,
                          const std::string& session);
// One launch object as the file holds it (written as text one by one, not as one document).
std::string launch_text(const nlohmann::json& launch);

}  // namespace gpusim::cudart
