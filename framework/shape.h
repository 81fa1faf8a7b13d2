// Shapes, numpy broadcasting rules and axis normalisation, with error messages that name the op.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpusim::framework {

using Shape = std::vector<size_t>;

// Raised for every misuse of the tensor API (shape mismatch, bad axis, mixed devices...).
class FrameworkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

size_t numel(const Shape& shape);
std::string to_string(const Shape& shape);
// Row-major (contiguous) element strides.
std::vector<size_t> contiguous_strides(const Shape& shape);
// numpy broadcasting: align trailing axes; a size-1 axis stretches. Throws naming `op`.
Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& op);
// Maps a possibly negative axis into [0, ndim); throws naming `op` when out of range.
size_t normalize_axis(long axis, size_t ndim, const std::string& op);
// Sorted, de-duplicated, normalised axes; an empty list means "all axes".
std::vector<size_t> normalize_axes(const std::vector<long>& axes, size_t ndim, const std::string& op);

}  // namespace gpusim::framework
