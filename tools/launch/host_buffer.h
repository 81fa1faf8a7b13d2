// The host side of `gpusim launch` buffers: reading an in/inout file (.npy, or raw binary for
// any other name) into elements of the argument's type, writing an out/inout buffer back, and
// comparing two results element by element (the simulator's and the GPU's).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tools/launch/element_type.h"

namespace gpusim::launch {

struct HostBuffer {
  ElementType type = ElementType::U8;
  std::vector<uint64_t> shape;    // .npy shape of the input, or the COUNT given (raw: one entry)
  std::vector<uint8_t> bytes;     // element_count(shape) * element_size(type)
};

bool is_npy_path(const std::string& path);  // ends in ".npy"

// Reads `path` as elements of type `t`. An .npy file must hold a dtype matching `t`
// (npy_descr_matches); a raw file's size must be a multiple of the element size. Throws NpyError
// naming the file.
HostBuffer load_buffer_file(const std::string& path, ElementType t);
// Writes `b` to `path`: .npy (dtype npy_descr(b.type), b.shape) or raw bytes. Throws NpyError.
void save_buffer_file(const std::string& path, const HostBuffer& b);

// `path` with `tag` before its extension: ("out/c.npy", "cuda") -> "out/c.cuda.npy"; where the
// GPU's copy of an output goes under --backend both, beside the simulator's.
std::string tagged_output_path(const std::string& path, const std::string& tag);

// One element as text: integers in decimal (bN in hex), floats with enough digits to round-trip.
std::string format_element(ElementType t, const uint8_t* element);

// Where two buffers of the same type and size differ. Integers and bits must match exactly;
// floats match when their bits are equal, both are NaN, or |a - b| <= tolerance * max(|a|, |b|).
struct BufferDifference {
  uint64_t elements = 0;          // compared
  uint64_t differing = 0;
  uint64_t first_index = 0;       // of the first differing element (when differing > 0)
  std::string first_a, first_b;   // its two values as text
  double max_abs_difference = 0;  // over the differing elements (floats and integers)
};
BufferDifference compare_buffers(ElementType t, std::span<const uint8_t> a, std::span<const uint8_t> b,
                                 double tolerance);

}  // namespace gpusim::launch
