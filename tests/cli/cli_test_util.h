// Helpers for the CLI robustness tests: bad inputs written to a scratch folder, then run through
// the gpusim binary as a user would.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/run_gpusim.h"

namespace gpusim::test_support {

// A fresh folder for one test's files.
inline std::filesystem::path scratch_dir(const std::string& test_name) {
  std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / ("gpusim_cli_" + test_name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

// A minimal well-formed PTX module around `body` (module-scope declarations and functions).
inline std::string ptx_module(const std::string& body) {
  return ".version 8.0\n.target sm_80\n.address_size 64\n" + body;
}

}  // namespace gpusim::test_support
