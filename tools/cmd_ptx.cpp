// `gpusim ptx FILE.ptx [--arch sm_80]`: parse a PTX file, print what the simulator decoded,
// and, when ptxas is installed, what the real assembler allocates per kernel.
#include <boost/program_options.hpp>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>

#include "isa/module_summary.h"
#include "tools/commands.h"
#include "isa/ptx_parser.h"

namespace gpusim::cli {

namespace {

namespace po = boost::program_options;

std::string find_ptxas() {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      std::filesystem::path candidate = std::filesystem::path(dir) / "ptxas";
      if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  if (::access("/usr/local/cuda/bin/ptxas", X_OK) == 0) return "/usr/local/cuda/bin/ptxas";
  return {};
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `ptxas -v` and prints one line per kernel/function: registers, shared memory, stack.
void report_ptxas(const std::string& ptxas, const std::string& file, const std::string& arch) {
  std::string cmd = shell_quote(ptxas) + " -v -arch=" + shell_quote(arch) + " " + shell_quote(file) + " -o /dev/null 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) {
    std::cout << "\nptxas: could not run " << ptxas << "\n";
    return;
  }
  std::string output;
  std::array<char, 4096> buf{};
  while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) output.append(buf.data(), n);
  int status = ::pclose(pipe);
  std::cout << "\nptxas -v -arch=" << arch << " (" << ptxas << "):\n";
  if (status != 0) {
    std::cout << "  ptxas failed:\n" << output << (output.empty() || output.back() == '\n' ? "" : "\n");
    return;
  }
  static const std::regex properties(R"(Function properties for (\S+))");
  static const std::regex stack(R"((\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads)");
  static const std::regex used(R"(Used (\d+) registers(.*))");
  static const std::regex smem(R"((\d+) bytes smem)");
  std::stringstream lines(output);
  std::string line, current;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, match, properties)) {
      current = match[1];
    } else if (std::regex_search(line, match, stack)) {
      std::cout << "  " << current << ": stack " << match[1] << " bytes, spills " << match[2] << "/" << match[3] << " bytes\n";
    } else if (std::regex_search(line, match, used)) {
      std::string rest = match[2];
      std::smatch sm;
      std::string shared = std::regex_search(rest, sm, smem) ? sm[1].str() : "0";
      std::cout << "  " << current << ": " << match[1] << " registers, " << shared << " bytes static shared\n";
    }
  }
}

}  // namespace

int gpusim_cmd_ptx(int argc, char** argv) {
  po::options_description opts("gpusim ptx FILE.ptx [options]\n\nParse a PTX file and summarise its kernels");
  opts.add_options()("help,h", "show this help")(
      "arch", po::value<std::string>()->default_value("sm_80"), "architecture passed to ptxas -arch")(
      "file", po::value<std::string>(), "the PTX file");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  try {
    // argv[0] is "ptx" itself; command_line_parser skips it like a program name.
    po::store(po::command_line_parser(argc, argv).options(opts).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gpusim ptx: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (!vm.count("file")) {
    std::cerr << "gpusim ptx: missing FILE.ptx\n" << opts;
    return 2;
  }
  const std::string file = vm["file"].as<std::string>();
  std::ifstream in(file);
  if (!in) {
    std::cerr << "gpusim ptx: cannot open '" << file << "': " << std::strerror(errno) << "\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    isa::Module m = isa::parse_ptx(text.str(), file);
    isa::write_module_summary(std::cout, m);
  } catch (const isa::ParseError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  if (std::string ptxas = find_ptxas(); !ptxas.empty()) {
    report_ptxas(ptxas, file, vm["arch"].as<std::string>());
  } else {
    std::cout << "\n(ptxas not found on PATH or in /usr/local/cuda/bin: no register/shared figures)\n";
  }
  return 0;
}

}  // namespace gpusim::cli
