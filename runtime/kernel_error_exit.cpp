#include "runtime/kernel_error_exit.h"
#include "runtime/diagnostic_stream.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace gpusim::runtime {

namespace {

// The mark both libraries' reports add to: "FAULTED_LAUNCHES RACE_HAZARDS REFUSED_LAUNCHES".
constexpr const char* kMarkVariable = "GPUSIM_KERNEL_ERRORS_SEEN";

struct Mark {
  unsigned long long faulted = 0, races = 0, refused = 0;
};

Mark read_mark() {
  Mark m;
  if (const char* v = std::getenv(kMarkVariable)) std::sscanf(v, "%llu %llu %llu", &m.faulted, &m.races, &m.refused);
  return m;
}

void exit_with_error_status() {
  std::optional<int> status;
  try {
    status = error_exit_code_from(std::getenv(kErrorExitCodeVariable));
  } catch (const std::invalid_argument&) {
    return;  // checked by gpusim exec; a hand-set bad value changes nothing
  }
  const Mark m = read_mark();
  if (!status || (m.faulted == 0 && m.races == 0 && m.refused == 0)) return;
  std::fflush(nullptr);  // _exit skips stdio's flush at exit
  char refused[64] = "";
  if (m.refused)
    std::snprintf(refused, sizeof refused, ", %llu refused kernel launch%s", m.refused, m.refused == 1 ? "" : "es");
  std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: %llu faulted kernel launch%s%s, %llu racing shared-memory access%s: exit status %d "
               "(--error-exitcode)\n", m.faulted, m.faulted == 1 ? "" : "es", refused, m.races, m.races == 1 ? "" : "es",
               *status);
  std::fflush(gpusim::runtime::diagnostic_stream());
  _exit(*status);
}

}  // namespace

std::optional<int> error_exit_code_from(const char* value) {
  if (!value || !*value) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(value, &end, 10);
  if (errno != 0 || *end != '\0' || n < 0 || n > 255)
    throw std::invalid_argument(std::string("--error-exitcode '") + value + "': an exit status is a whole number from 0 to 255");
  return int(n);
}

void mark_kernel_errors(uint64_t faulted_launches, uint64_t race_hazards, uint64_t refused_launches) {
  if (faulted_launches == 0 && race_hazards == 0 && refused_launches == 0) return;
  Mark m = read_mark();
  m.faulted += faulted_launches;
  m.races += race_hazards;
  m.refused += refused_launches;
  char text[96];
  std::snprintf(text, sizeof text, "%llu %llu %llu", m.faulted, m.races, m.refused);
  setenv(kMarkVariable, text, 1);
}

void register_error_exit_status() {
  unsetenv(kMarkVariable);  // a mark inherited from a parent process is the parent's
  std::atexit(exit_with_error_status);
  std::at_quick_exit(exit_with_error_status);
}

}  // namespace gpusim::runtime
