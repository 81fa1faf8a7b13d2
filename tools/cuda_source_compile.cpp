#include "tools/cuda_source_compile.h"

#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "runtime/cuda_tools.h"
#include "runtime/scratch_dir.h"

namespace gpusim::cli {

namespace {

// nvcc of a single kernel file takes seconds; a template-heavy one (CUB) under a minute.
constexpr unsigned kNvccTimeoutSeconds = 300;

bool chooses_architecture(const std::vector<std::string>& flags) {
  for (const std::string& f : flags)
    if (f.rfind("-arch", 0) == 0 || f.rfind("--gpu-architecture", 0) == 0 || f.rfind("-gencode", 0) == 0 ||
        f.rfind("--generate-code", 0) == 0)
      return true;
  return false;
}

// "sm_90" -> "compute_90a"; "sm_75" -> "compute_75". nvcc 13 targets sm_75 and newer.
std::string virtual_architecture(const std::string& sm_arch) {
  std::string digits;
  for (char c : sm_arch)
    if (c >= '0' && c <= '9') digits += c;
  const int number = digits.empty() ? 80 : std::stoi(digits);
  if (number < 75) return "compute_75";
  return "compute_" + std::to_string(number) + (number >= 90 ? "a" : "");
}

}  // namespace

bool is_cuda_source(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  return ext == ".cu";
}

void refuse_misnamed_cuda_source(const std::string& path) {
  const std::filesystem::path p(path);
  std::string ext = p.extension().string();
  for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (ext != ".cu" || is_cuda_source(path)) return;
  throw std::runtime_error(path + ": CUDA C++ must be in a file named *.cu, in lower case (nvcc refuses '" +
                           p.extension().string() + "'); rename it to " + p.stem().string() + ".cu");
}

CompiledSource compile_cuda_source(const std::string& cu_path, const std::string& sm_arch,
                                   const std::vector<std::string>& nvcc_flags) {
  if (access(cu_path.c_str(), R_OK) != 0) throw std::runtime_error(cu_path + ": cannot be read");
  const std::optional<std::string> nvcc = runtime::find_cuda_tool("nvcc");
  if (!nvcc)
    throw std::runtime_error(cu_path + ": compiling CUDA C++ needs nvcc (not found on PATH or in /usr/local/cuda/bin); "
                             "or give the PTX of `nvcc -ptx` instead");
  const runtime::ScratchDir scratch("gpusim_nvcc_");
  const std::string ptx_path = scratch.file("kernel.ptx");
  std::vector<std::string> argv = {*nvcc, "-ptx", "-lineinfo"};
  if (!chooses_architecture(nvcc_flags)) argv.push_back("-arch=" + virtual_architecture(sm_arch));
  argv.insert(argv.end(), nvcc_flags.begin(), nvcc_flags.end());
  for (const std::string& a : {std::string("-o"), ptx_path, cu_path}) argv.push_back(a);
  CompiledSource out;
  for (const std::string& a : argv) out.command += (out.command.empty() ? "" : " ") + a;
  const runtime::ToolRun run = runtime::run_tool(argv, kNvccTimeoutSeconds);
  if (run.timed_out)
    throw std::runtime_error(cu_path + ": nvcc did not finish within " + std::to_string(kNvccTimeoutSeconds) + " s (" +
                             out.command + ")");
  if (!run.ok())
    throw std::runtime_error(cu_path + ": nvcc failed (exit status " + std::to_string(run.exit_status) + "):\n" +
                             run.output + "(" + out.command + ")");
  std::ifstream f(ptx_path);
  std::stringstream text;
  text << f.rdbuf();
  out.ptx_text = text.str();
  if (out.ptx_text.empty()) throw std::runtime_error(cu_path + ": nvcc wrote no PTX (" + out.command + ")");
  return out;
}

}  // namespace gpusim::cli
