#include "isa/source_position.h"

#include <filesystem>

namespace gpusim::isa {

std::string cuda_source_position(const Instruction& in, const Module& module) {
  if (in.source_line == 0) return "";
  const auto file = module.source_files.find(in.source_file);
  const std::string path = file == module.source_files.end() ? "file " + std::to_string(in.source_file) : file->second;
  return std::filesystem::path(path).filename().string() + ":" + std::to_string(in.source_line);
}

}  // namespace gpusim::isa
