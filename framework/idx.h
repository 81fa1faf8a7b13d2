// Reader for the IDX format of (Fashion-)MNIST: magic 0x00 0x00 <type> <ndims>, then ndims
// big-endian uint32 sizes, then the data. Files may be gzip-compressed (read through zlib, which
// passes plain files through unchanged). Only unsigned-byte data (type 0x08) is supported.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpusim::framework::data {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> values;  // row-major, product(dims) bytes
};

// Throws DataError naming the file: missing, bad magic, unsupported type, truncated, corrupt.
IdxArray read_idx(const std::string& path);

}  // namespace gpusim::framework::data
