// Whether a path names a character or block device (/dev/zero, /dev/urandom, a disk): such an
// "input file" never ends, and reading it as a config, PTX or array fills the host's memory.
// Header-only: the config parser, the launch command and the .npy reader (fuzz targets among
// them) share it without another source file to link.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

namespace gpusim::sim {

inline bool is_device_file(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  return std::filesystem::is_character_file(status) || std::filesystem::is_block_file(status);
}

}  // namespace gpusim::sim
