// A host program that dies of a signal (a null pointer in its own code, abort(), an uncaught C++
// exception) skips its exit handlers, where the launch table and the GPUSIM_STATS file are
// written: without this the launches it had run were lost without a word. The handlers here run
// the library's report once on the dying thread, then let the signal take its course: the action
// that was in place before (the default, or a sanitizer's) ends the process with the same signal,
// exit status and core dump as without gpusim.
//
// Best effort by nature (the process may be corrupt): the report runs under an alarm of
// kFatalReportSeconds, so one that hangs (a lock held by the crashed code) ends in SIGALRM rather
// than a process that never exits, and a second fault during the report ends the process at once.
#pragma once

namespace gpusim::runtime {

inline constexpr unsigned kFatalReportSeconds = 10;

// Called with the signal number; it must not return before its files are complete.
using FatalSignalReport = void (*)(int signal);

// Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT that call `report` (once per
// process, whichever signal comes first), each only where the signal still has its default action
// (a JVM's or a sanitizer's handler is left alone). A handler the program installs later replaces these.
void report_on_fatal_signal(FatalSignalReport report);

// "SIGSEGV", ... for the signals above; "signal N" for others. Async-signal-safe (a static string).
const char* fatal_signal_name(int signal);

// Writes `text` to stderr with write(2) (async-signal-safe; stdio may be what crashed).
void write_stderr_raw(const char* text);

}  // namespace gpusim::runtime
