// The files one command reads and the files it writes. An output that is the same file as an
// input destroys the input when it is written (gpusim launch --stats k.ptx replaced the kernel's
// PTX with JSON; `report s.json -o s.json` the only statistics with HTML), and two outputs on one
// file keep only the one written last: both are refused before anything runs.
//
// "The same file" is the same device and inode for files that exist (a hard link or another
// spelling of the path is caught too), the same absolute, normalised path for files that do not
// exist yet. Devices, FIFOs and folders are not compared: writing --stats and --trace to
// /dev/null is fine.
#pragma once

#include <string>
#include <vector>

namespace gpusim::cli {

class FileRoles {
 public:
  // `role` names the file in messages: "the PTX file", "--config", "argument 2's input".
  void reads(const std::string& path, const std::string& role);
  void writes(const std::string& path, const std::string& role);
  // Throws std::invalid_argument naming both roles: "--stats k.ptx is the PTX file: writing it
  // would overwrite it; give another file name".
  void check() const;
  // Whether the two paths name one file (as check() compares them).
  static bool same_file(const std::string& a, const std::string& b);

 private:
  struct Entry {
    std::string path, role;
    bool output;
  };
  std::vector<Entry> entries_;
};

}  // namespace gpusim::cli
