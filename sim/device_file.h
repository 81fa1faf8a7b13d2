// Whether a path names a character or block device (/dev/zero, /dev/urandom, a disk): such an
// "input file" never ends, and reading it as a config, PTX or array fills the host's memory.
// Header-only: the config parser, the launch command and the .npy reader (fuzz targets among
// them) share it without another source file to link.
//
// And reading an input file whole without waiting for a writer: a FIFO (named pipe) that nobody
// writes to blocked open() forever, where one SIGTERM did not end gpusim (its handler lets the
// call go on); opened without blocking it reads as empty, while one being written (a shell's
// <(...)) reads as usual.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace gpusim::sim {

inline bool is_device_file(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  return std::filesystem::is_character_file(status) || std::filesystem::is_block_file(status);
}

// Reads all of `path` into `out`. False when it cannot be opened or read, with `step` set to
// "open" or "read" and `error` to strerror's text.
inline bool read_whole_file(const std::string& path, std::string& out, std::string& error, std::string& step) {
  step = "open";
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  step = "read";
  // Blocking reads from here on: a FIFO's writer may be slower than this reader.
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  out.clear();
  char chunk[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      out.append(chunk, size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = std::strerror(errno);
    ::close(fd);
    return n == 0;
  }
}

}  // namespace gpusim::sim
