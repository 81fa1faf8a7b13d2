#include "tools/file_roles.h"

#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <stdexcept>

namespace gpusim::cli {

namespace {

// What identifies a file: (device, inode) when it exists, its absolute normalised path when it
// does not; nothing for devices, FIFOs and folders (never compared).
struct FileIdentity {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  std::string path;

  bool operator==(const FileIdentity& o) const {
    return exists == o.exists && (exists ? device == o.device && inode == o.inode : path == o.path);
  }
};

std::optional<FileIdentity> identity_of(const std::string& path) {
  if (path.empty()) return std::nullopt;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return std::nullopt;
    return FileIdentity{true, st.st_dev, st.st_ino, {}};
  }
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  if (ec) return std::nullopt;
  return FileIdentity{false, 0, 0, absolute.lexically_normal().string()};
}

}  // namespace

bool FileRoles::same_file(const std::string& a, const std::string& b) {
  const std::optional<FileIdentity> x = identity_of(a), y = identity_of(b);
  return x && y && *x == *y;
}

void FileRoles::reads(const std::string& path, const std::string& role) { entries_.push_back({path, role, false}); }
void FileRoles::writes(const std::string& path, const std::string& role) { entries_.push_back({path, role, true}); }

void FileRoles::check() const {
  std::vector<std::optional<FileIdentity>> ids;
  ids.reserve(entries_.size());
  for (const Entry& e : entries_) ids.push_back(identity_of(e.path));
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i].output || !ids[i]) continue;
    for (size_t j = 0; j < entries_.size(); ++j) {
      if (j == i || !ids[j] || !(*ids[i] == *ids[j])) continue;
      if (entries_[j].output && j > i) continue;  // a pair of outputs is reported once, from the later one
      const Entry& out = entries_[i];
      const Entry& other = entries_[j];
      throw std::invalid_argument(
          out.role + " " + out.path + (other.path == out.path ? " is also " : " is the same file as ") + other.role +
          (other.path == out.path ? "" : " (" + other.path + ")") +
          (other.output ? ": one would overwrite the other; give them different file names"
                        : ": writing it would destroy it; give another file name"));
    }
  }
}

}  // namespace gpusim::cli
