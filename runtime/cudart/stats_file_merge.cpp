#include "runtime/cudart/stats_file_merge.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

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

namespace {

// Writes the pieces one after the other from the start of the file (or down the pipe).
void write_pieces(int fd, bool regular, const std::vector<const std::string*>& pieces, const std::string& path) {
  off_t offset = 0;
  for (const std::string* piece : pieces) {
    size_t written = 0;
    while (written < piece->size()) {
      const ssize_t n = regular ? ::pwrite(fd, piece->data() + written, piece->size() - written, offset)
                                : ::write(fd, piece->data() + written, piece->size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw cannot_write(path);
      written += size_t(n);
      offset += off_t(n);
    }
  }
}

}  // namespace

// As dump(2) writes an element of a top-level array (indented by four spaces).
std::string launch_text(const nlohmann::json& launch) {
  std::string text = launch.dump(2);
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out;
}

void write_or_merge_stats(const std::string& path, nlohmann::json document, std::vector<std::string> launches,
                          const std::string& session) {
  const Descriptor file{::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)};
  if (file.fd < 0) throw cannot_write(path);
  // A device or FIFO (--stats /dev/stdout) takes the document as it is, unlocked and unread.
  struct stat st {};
  const bool regular = ::fstat(file.fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && !session.empty()) {
    while (::flock(file.fd, LOCK_EX) != 0)
      if (errno != EINTR) throw cannot_write(path);
    nlohmann::json earlier = nlohmann::json::parse(read_all(file.fd), nullptr, false);
    document["exec_session"] = session;
    if (earlier.is_object() && earlier.value("exec_session", "") == session && earlier.contains("launches") &&
        earlier["launches"].is_array()) {
      // Launches past each process's kept ones are its per-kernel objects (runtime/folded_launches.h),
      // listed one process after the other, with the count of every launch.
      if (earlier.contains("folded_launches") || document.contains("folded_launches")) {
        const uint64_t before = earlier.value("launch_count", uint64_t(earlier["launches"].size()));
        const uint64_t ours = document.value("launch_count", uint64_t(launches.size()));
        nlohmann::json folded = earlier.value("folded_launches", nlohmann::json::array());
        for (nlohmann::json& k : document.value("folded_launches", nlohmann::json::array())) folded.push_back(std::move(k));
        document["launch_count"] = before + ours;
        document["folded_launches"] = std::move(folded);
      }
      std::vector<std::string> all;
      all.reserve(earlier["launches"].size() + launches.size());
      for (const nlohmann::json& l : earlier["launches"]) all.push_back(launch_text(l));
      earlier["launches"] = nlohmann::json::array();  // its text is in `all` now
      for (std::string& l : launches) all.push_back(std::move(l));
      launches = std::move(all);
      nlohmann::json programs = earlier.contains("programs") ? earlier["programs"] : nlohmann::json::array();
      programs.push_back(document["program"]);
      document["programs"] = std::move(programs);
      document["program"] = earlier.value("program", "");  // the first process's, as before
    } else {
      document["programs"] = nlohmann::json::array({document["program"]});
    }
  }
  // The document around the launches, which are written one by one in its place: a file of 62,500
  // timing-mode launches took 2 GB as one document.
  static const std::string kPlaceholder = "@gpusim-launches@";
  document["launches"] = kPlaceholder;
  const std::string outline = document.dump(2) + "\n";
  const std::string slot = "\"launches\": \"" + kPlaceholder + "\"";
  const size_t at = outline.find(slot);
  if (at == std::string::npos) throw std::logic_error("stats file: the launches' place was not found");
  const std::string head = outline.substr(0, at) + "\"launches\": [", tail = "\n  ]" + outline.substr(at + slot.size());
  static const std::string kFirst = "\n    ", kNext = ",\n    ";
  const std::string empty_tail = outline.substr(at + slot.size());
  std::vector<const std::string*> pieces{&head};
  for (size_t i = 0; i < launches.size(); ++i) {
    pieces.push_back(i == 0 ? &kFirst : &kNext);
    pieces.push_back(&launches[i]);
  }
  static const std::string kClose = "]";
  if (launches.empty()) pieces.push_back(&kClose), pieces.push_back(&empty_tail);
  else pieces.push_back(&tail);
  if (regular && ::ftruncate(file.fd, 0) != 0) throw cannot_write(path);
  write_pieces(file.fd, regular, pieces, path);
  if (regular && ::fsync(file.fd) != 0 && errno != EINVAL) throw cannot_write(path);
}

}  // namespace gpusim::cudart
