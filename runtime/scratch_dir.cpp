#include "runtime/scratch_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace gpusim::runtime {

ScratchDir::ScratchDir(const std::string& prefix) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);  // honours TMPDIR
  if (ec) base = "/tmp";
  // mkdtemp replaces the six trailing characters of its template.
  std::string pattern = (base / prefix).string() + "XXXXXX";
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error("cannot create a scratch directory under " + base.string() + ": " +
                             std::strerror(errno));
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace gpusim::runtime
