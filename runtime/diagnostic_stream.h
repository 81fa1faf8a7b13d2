// Where gpusim's own messages go inside a CUDA program (the launch table at exit, explanations of
// failing calls, interrupt and fault notes): the stderr the program started with. A program that
// closes fd 2 and opens a file of its own there (a daemon writing its data) must not find gpusim's
// launch table in that file (an outside user's report); its messages go to a copy of the original
// stderr instead. A program that redirects its stderr on purpose keeps its own output to itself.
#pragma once

#include <cstdio>

namespace gpusim::runtime {

// Keeps a copy of fd 2 as it is now (the CUDA libraries call it when they are loaded, before the
// program's main). Without it, diagnostic_stream() is plain stderr (the gpusim CLI).
void remember_diagnostic_stream();
// stderr while fd 2 is still the file it was when remembered, else a stream on the copy.
std::FILE* diagnostic_stream();
// The same as a file descriptor, for writes from a signal handler (async-signal-safe: fstat).
int diagnostic_fd();

}  // namespace gpusim::runtime
