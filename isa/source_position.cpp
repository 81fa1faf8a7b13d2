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
  if (in.inlined_at_line == 0) return where;
  where += " inlined at " + file_and_line(in.inlined_at_file, in.inlined_at_line, module);
  if (in.inline_depth < 2 || in.inline_outer_line == 0) return where;
  const std::string outer = file_and_line(in.inline_outer_file, in.inline_outer_line, module);
  if (in.inline_depth == 2) return where + " inlined at " + outer;
  return where + " ... at " + outer + " (" + std::to_string(in.inline_depth) + " calls deep)";
}

bool comes_from_source_line(const Instruction& in, const Module& module, const std::string& file, uint32_t line) {
  auto same = [&](int file_number, uint32_t at) {
    if (at != line || at == 0) return false;
    if (file.empty()) return true;
    const auto f = module.source_files.find(file_number);
    if (f == module.source_files.end()) return false;
    const std::string& path = f->second;
    return path == file || (path.size() > file.size() && path.ends_with(file) && path[path.size() - file.size() - 1] == '/');
  };
  return same(in.source_file, in.source_line) || same(in.inlined_at_file, in.inlined_at_line) ||
         same(in.inline_outer_file, in.inline_outer_line);
}

}  // namespace gpusim::isa
