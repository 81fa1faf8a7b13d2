#include "isa/source_position.h"

#include <filesystem>

namespace gpusim::isa {

namespace {

std::string file_and_line(int file_number, uint32_t line, const Module& module) {
  const auto file = module.source_files.find(file_number);
  const std::string path = file == module.source_files.end() ? "file " + std::to_string(file_number) : file->second;
  return std::filesystem::path(path).filename().string() + ":" + std::to_string(line);
}

}  // namespace

std::string cuda_source_position(const Instruction& in, const Module& module) {
  if (in.source_line == 0) return "";
  std::string where = file_and_line(in.source_file, in.source_line, module);
  if (in.inlined_at_line != 0) where += " inlined at " + file_and_line(in.inlined_at_file, in.inlined_at_line, module);
  return where;
}

}  // namespace gpusim::isa
