// Output files written completely or not at all silently: every writer of a user's file (--stats,
// --trace, SVG, HTML, CSV, INI) ends through these, so a full disk, /dev/full or a vanished
// folder is an error naming the file ("cannot write FILE: No space left on device") instead of
// a truncated file and exit status 0. A std::ofstream reports most write errors only when its
// buffer is flushed, i.e. at close(), which its destructor does without telling anyone.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

namespace gpusim::sim {

// Creates or truncates `path`, writes `text` and closes it. Throws std::runtime_error
// "cannot write PATH: <strerror>" when any step fails.
void write_file_completely(const std::string& path, std::string_view text);

// Closes a stream written piece by piece; throws the same error when the close or any earlier
// write failed.
void close_or_throw(std::ofstream& out, const std::string& path);

// "cannot write PATH: <strerror(errno)>" ("write error" when errno says nothing).
std::string cannot_write(const std::string& path);

}  // namespace gpusim::sim
