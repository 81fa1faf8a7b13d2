// Helpers for the `gpusim launch` tests: a scratch directory, files as bytes, .npy files built and
// read by hand from the format's description (independently of tools/launch/npy.cpp), and a
// Python interpreter with NumPy when one is installed (an independent reference; tests that need
// it are skipped without it).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/scratch_dir.h"

namespace gpusim::test_support {

// A fresh directory under the system's temporary directory, removed with its contents.
class TempDir : public runtime::ScratchDir {
 public:
  TempDir() : ScratchDir("gpusim_launch_") {}
};

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

template <typename T>
std::vector<uint8_t> as_bytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

template <typename T>
std::vector<T> from_bytes(const std::vector<uint8_t>& bytes, size_t offset = 0) {
  std::vector<T> values((bytes.size() - offset) / sizeof(T));
  if (!values.empty()) std::memcpy(values.data(), bytes.data() + offset, values.size() * sizeof(T));
  return values;
}

// A version-1.0 .npy file as the NumPy format document describes it: magic, version, 2-byte
// little-endian header length, the header dict text padded with spaces and a '\n' to a multiple
// of 64 bytes in all, then the data. `dict` is the dict text, e.g.
// "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }".
inline std::vector<uint8_t> npy_v1(const std::string& dict, const std::vector<uint8_t>& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string file("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size() & 0xff);
  file += static_cast<char>(header.size() >> 8);
  file += header;
  std::vector<uint8_t> out(file.begin(), file.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

inline std::string npy_dict(const std::string& descr, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
}

// The header text and the data of a version-1.0 .npy file (what gpusim writes for small arrays);
// empty header when the preamble is not a valid one.
struct NpyParts {
  std::string header;
  std::vector<uint8_t> data;
};
inline NpyParts split_npy_v1(const std::vector<uint8_t>& file) {
  NpyParts parts;
  if (file.size() < 10 || std::memcmp(file.data(), "\x93NUMPY\x01\x00", 8) != 0) return parts;
  const size_t header_size = file[8] | (size_t(file[9]) << 8);
  if ((10 + header_size) % 64 != 0 || file.size() < 10 + header_size) return parts;
  parts.header.assign(file.begin() + 10, file.begin() + 10 + static_cast<long>(header_size));
  parts.data.assign(file.begin() + 10 + static_cast<long>(header_size), file.end());
  return parts;
}

// A python3 that can import numpy, or "" (the pyenv shim first on PATH may lack it; Debian's
// python3-numpy is under /usr/bin/python3).
inline std::string python_with_numpy() {
  for (const char* python : {"python3", "/usr/bin/python3"}) {
    const std::string command = std::string(python) + " -c 'import numpy' >/dev/null 2>&1";
    if (std::system(command.c_str()) == 0) return python;
  }
  return {};
}

}  // namespace gpusim::test_support
