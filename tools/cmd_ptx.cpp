// `gpusim ptx FILE.ptx|FILE.cu [--arch sm_80]`: parse a PTX file (or nvcc's PTX of a .cu), print what the simulator decoded,
// and, when ptxas is installed, what the real assembler allocates per kernel.
#include <boost/program_options.hpp>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <optional>
#include <iostream>
#include <sstream>
#include <string>

#include "isa/module_summary.h"
#include "sim/gpu_config.h"
#include "sim/option_error_text.h"
#include "sim/output_file.h"
#include "tools/commands.h"
#include "isa/ptx_parser.h"
#include "runtime/ptxas_info.h"
#include "runtime/scratch_dir.h"
#include "tools/cuda_source_compile.h"

namespace gpusim::cli {

namespace {

namespace po = boost::program_options;

// Runs `ptxas -v` (with a time limit) and prints one line per kernel/function: registers,
// shared memory, stack. Returns false, having said why on stderr, when ptxas rejects the file or
// runs out of time.
bool report_ptxas(const std::string& ptxas, const std::string& file, const std::string& arch) {
  const runtime::PtxasRun run = runtime::run_ptxas_on_file(ptxas, file, arch);
  std::cout << "\nptxas -v -arch=" << arch << " (" << ptxas << "):\n";
  if (run.timed_out) {
    std::cout.flush();
    std::cerr << "gpusim ptx: ptxas did not finish within " << runtime::kPtxasTimeoutSeconds << " s on '" << file
              << "' and was stopped\n";
    return false;
  }
  if (!run.ok()) {
    std::cout.flush();
    std::cerr << "gpusim ptx: ptxas rejected '" << file << "' (exit status " << run.exit_status << "):\n"
              << run.output << (run.output.empty() || run.output.back() == '\n' ? "" : "\n");
    return false;
  }
  for (const runtime::PtxasFunctionReport& f : runtime::parse_ptxas_functions(run.output)) {
    if (f.has_stack)
      std::cout << "  " << f.name << ": stack " << f.stack_bytes << " bytes, spills " << f.spill_store_bytes << "/"
                << f.spill_load_bytes << " bytes\n";
    if (f.has_registers)
      std::cout << "  " << f.name << ": " << f.registers << " registers, " << f.static_shared_bytes
                << " bytes static shared\n";
  }
  return true;
}

}  // namespace

int gpusim_cmd_ptx(int argc, char** argv) {
  po::options_description opts("gpusim ptx FILE.ptx|FILE.cu [options]\n\nParse a PTX file and summarise its kernels");
  opts.add_options()("help,h", "show this help")(
      "arch", po::value<std::string>(), "architecture passed to ptxas -arch (default: the PTX's .target; for a .cu file, the default "
      "configuration's, as gpusim launch compiles it)")(
      "file", po::value<std::string>(), "the PTX file (or CUDA C++ .cu file, compiled by nvcc -ptx -lineinfo first)");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  try {
    // argv[0] is "ptx" itself; command_line_parser skips it like a program name.
    po::store(po::command_line_parser(argc, argv).options(opts).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gpusim ptx: " << sim::option_error_text(e) << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (!vm.count("file")) {
    std::cerr << "gpusim ptx: missing FILE.ptx or FILE.cu\n" << opts;
    return 2;
  }
  const std::string file = vm["file"].as<std::string>();
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    std::cerr << "gpusim ptx: '" << file << "' is a directory, not a PTX file\n";
    return 1;
  }
  std::string arch = vm.count("arch") ? vm["arch"].as<std::string>() : "";
  // A .cu file goes through `nvcc -ptx` first (as gpusim launch does); ptxas then reads that PTX.
  std::optional<runtime::ScratchDir> scratch;
  std::string ptx_file = file;
  std::stringstream text;
  try {
    refuse_misnamed_cuda_source(file);
    if (is_cuda_source(file)) {
      // The default configuration's architecture, as `gpusim launch FILE.cu` compiles for it: the
      // register and shared-memory figures here are then those launch uses (a student's sm_80
      // figures here, 32 registers, against launch's sm_75 49 and its occupancy).
      const CompiledSource compiled =
          compile_cuda_source(file, arch.empty() ? sim::default_gpu_config().sm_arch : arch, {});
      std::cerr << "gpusim ptx: " << compiled.command << "\n";
      scratch.emplace("gpusim_ptx_");
      ptx_file = scratch->file(std::filesystem::path(file).filename().string() + ".ptx");
      sim::write_file_completely(ptx_file, compiled.ptx_text);
      text << compiled.ptx_text;
    }
  } catch (const std::runtime_error& e) {
    std::cerr << "gpusim ptx: " << e.what() << "\n";
    return 1;
  }
  if (!scratch) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "gpusim ptx: cannot open '" << file << "': " << std::strerror(errno) << "\n";
      return 1;
    }
    text << in.rdbuf();
  }
  if (text.str().find_first_not_of(" \t\r\n") == std::string::npos) {
    std::cerr << file << ":1: error: not PTX: the file is empty\n";
    return 1;
  }
  try {
    isa::Module m = isa::parse_ptx(text.str(), scratch ? file + ".ptx" : file);
    if (m.version.empty()) {
      std::cerr << file << ":1: error: not PTX: no .version directive\n";
      return 1;
    }
    isa::write_module_summary(std::cout, m);
    // ptxas compiles for the architecture the PTX names (".target sm_90a, debug": sm_90a).
    if (arch.empty()) arch = m.target.substr(0, m.target.find(','));
    if (arch.empty()) arch = "sm_80";
  } catch (const isa::ParseError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  if (std::optional<std::string> ptxas = runtime::find_ptxas()) {
    if (!report_ptxas(*ptxas, ptx_file, arch)) return 1;
  } else {
    std::cout << "\n(ptxas not found on PATH or in /usr/local/cuda/bin: no register/shared figures)\n";
  }
  return 0;
}

}  // namespace gpusim::cli
