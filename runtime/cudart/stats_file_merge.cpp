#include "runtime/cudart/stats_file_merge.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gpusim::cudart {

namespace {

std::runtime_error cannot_write(const std::string& path) {
  return std::runtime_error("cannot write " + path + ": " + (errno ? std::strerror(errno) : "write error"));
}

// Closes the descriptor whatever happens (the lock goes with it).
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

std::string read_all(int fd) {
  std::string text;
  char chunk[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) text.append(chunk, size_t(n));
    else if (n < 0 && errno == EINTR) continue;
    else return text;
  }
}

}  // namespace

void write_or_merge_stats(const std::string& path, nlohmann::json document, const std::string& session) {
  const Descriptor file{::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)};
  if (file.fd < 0) throw cannot_write(path);
  // A device or FIFO (--stats /dev/stdout) takes the document as it is, unlocked and unread.
  struct stat st {};
  const bool regular = ::fstat(file.fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && !session.empty()) {
    while (::flock(file.fd, LOCK_EX) != 0)
      if (errno != EINTR) throw cannot_write(path);
    const nlohmann::json earlier = nlohmann::json::parse(read_all(file.fd), nullptr, false);
    document["exec_session"] = session;
    if (earlier.is_object() && earlier.value("exec_session", "") == session && earlier.contains("launches") &&
        earlier["launches"].is_array()) {
      nlohmann::json launches = earlier["launches"];
      // Launches past each process's kept ones are its per-kernel objects (runtime/folded_launches.h),
      // listed one process after the other, with the count of every launch.
      if (earlier.contains("folded_launches") || document.contains("folded_launches")) {
        const auto count = [](const nlohmann::json& doc) {
          return doc.value("launch_count", uint64_t(doc["launches"].size()));
        };
        nlohmann::json folded = earlier.value("folded_launches", nlohmann::json::array());
        for (nlohmann::json& k : document.value("folded_launches", nlohmann::json::array())) folded.push_back(std::move(k));
        document["launch_count"] = count(earlier) + count(document);
        document["folded_launches"] = std::move(folded);
      }
      for (nlohmann::json& l : document["launches"]) launches.push_back(std::move(l));
      nlohmann::json programs = earlier.contains("programs") ? earlier["programs"] : nlohmann::json::array();
      programs.push_back(document["program"]);
      document["launches"] = std::move(launches);
      document["programs"] = std::move(programs);
      document["program"] = earlier.value("program", "");  // the first process's, as before
    } else {
      document["programs"] = nlohmann::json::array({document["program"]});
    }
  }
  const std::string text = document.dump(2) + "\n";
  if (regular && ::ftruncate(file.fd, 0) != 0) throw cannot_write(path);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = regular ? ::pwrite(file.fd, text.data() + written, text.size() - written, off_t(written))
                              : ::write(file.fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw cannot_write(path);
    written += size_t(n);
  }
  if (regular && ::fsync(file.fd) != 0 && errno != EINVAL) throw cannot_write(path);
}

}  // namespace gpusim::cudart
