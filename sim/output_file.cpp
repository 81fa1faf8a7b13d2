#include "sim/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gpusim::sim {

std::string cannot_write(const std::string& path) {
  return "cannot write " + path + ": " + (errno ? std::strerror(errno) : "write error");
}

void write_file_completely(const std::string& path, std::string_view text) {
  errno = 0;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw std::runtime_error(cannot_write(path));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      ::close(fd);
      errno = error;
      throw std::runtime_error(cannot_write(path));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) throw std::runtime_error(cannot_write(path));  // NFS reports late errors here
}

void close_or_throw(std::ofstream& out, const std::string& path) {
  errno = 0;
  if (out.is_open()) out.close();
  if (!out) throw std::runtime_error(cannot_write(path));
}

}  // namespace gpusim::sim
