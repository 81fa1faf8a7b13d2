// The NumPy .npy file format (format versions 1.0, 2.0 and 3.0): a magic string, a version, a
// Python-literal header dict {'descr': ..., 'fortran_order': ..., 'shape': (...)} padded to a
// 64-byte boundary, then the raw array data. Only simple dtypes (a string descr such as '<f4')
// are handled; structured dtypes, Fortran order and truncated data are errors naming the file.
// Parsing works on bytes in memory (no I/O), so it can be fuzzed on its own.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpusim::launch {

// A malformed or unsupported .npy file; the message starts with the file's name.
class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NpyArray {
  std::string descr;              // numpy dtype string, e.g. "<f4", "|u1"
  std::vector<uint64_t> shape;    // empty for a 0-d array (one element)
  std::vector<uint8_t> data;      // C order, element count * item size bytes
};

// The item size a simple dtype string names ("<f4" -> 4); 0 when it is not one this reader
// handles (a byte order '<', '>', '|' or '=', a kind letter b/i/u/f/c, a decimal size).
size_t npy_item_size(const std::string& descr);

// Parses a whole .npy file held in memory. `name` names it in errors. Throws NpyError for a bad
// magic/version/header, a structured or big-endian dtype, fortran_order True, a shape whose
// size overflows, and data shorter or longer than the header says.
NpyArray parse_npy(std::span<const uint8_t> bytes, const std::string& name);

// The bytes of an .npy file (version 1.0, or 2.0 when the header needs more than 65535 bytes)
// holding `data` with dtype `descr` and `shape` in C order; numpy.load reads it back.
std::vector<uint8_t> encode_npy(const std::string& descr, const std::vector<uint64_t>& shape,
                                std::span<const uint8_t> data);

// File helpers: throw NpyError naming the path when the file cannot be read or written.
std::vector<uint8_t> read_file_bytes(const std::string& path);
void write_file_bytes(const std::string& path, std::span<const uint8_t> bytes);
NpyArray read_npy_file(const std::string& path);
void write_npy_file(const std::string& path, const std::string& descr, const std::vector<uint64_t>& shape,
                    std::span<const uint8_t> data);

}  // namespace gpusim::launch
