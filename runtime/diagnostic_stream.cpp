#include "runtime/diagnostic_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gpusim::runtime {

namespace {

struct OriginalStderr {
  int fd = -1;  // a close-on-exec copy of fd 2, -1 when none was made
  dev_t dev = 0;
  ino_t ino = 0;
  std::FILE* stream = nullptr;  // opened on `fd` the first time fd 2 is found changed
};

OriginalStderr& original() {
  static OriginalStderr saved;  // process state: the stderr of the program's start
  return saved;
}

bool fd2_is_original(const OriginalStderr& o) {
  struct stat now {};
  return fstat(STDERR_FILENO, &now) == 0 && now.st_dev == o.dev && now.st_ino == o.ino;
}

}  // namespace

void remember_diagnostic_stream() {
  OriginalStderr& o = original();
  if (o.fd >= 0) return;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return;  // no stderr at all: nothing to keep
  o.fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  o.dev = st.st_dev;
  o.ino = st.st_ino;
}

std::FILE* diagnostic_stream() {
  OriginalStderr& o = original();
  if (o.fd < 0 || fd2_is_original(o)) return stderr;
  if (!o.stream) {
    o.stream = fdopen(o.fd, "w");
    if (o.stream) setvbuf(o.stream, nullptr, _IONBF, 0);  // unbuffered, as stderr is
  }
  return o.stream ? o.stream : stderr;
}

int diagnostic_fd() {
  const OriginalStderr& o = original();
  return o.fd < 0 || fd2_is_original(o) ? STDERR_FILENO : o.fd;
}

}  // namespace gpusim::runtime
