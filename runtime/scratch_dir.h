// A private temporary directory removed with its contents when the owner goes away: nvcc's output
// for `gpusim launch FILE.cu`, a sweep point's --stats file, tests' files.
#pragma once

#include <filesystem>
#include <string>

namespace gpusim::runtime {

class ScratchDir {
 public:
  // Creates $TMPDIR/PREFIXxxxxxx (or under /tmp); throws std::runtime_error naming the reason.
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of NAME inside the directory.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace gpusim::runtime
