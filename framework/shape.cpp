#include "framework/shape.h"

#include <algorithm>

namespace gpusim::framework {

size_t numel(const Shape& shape) {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::vector<size_t> contiguous_strides(const Shape& shape) {
  std::vector<size_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& op) {
  const size_t ndim = std::max(a.size(), b.size());
  Shape out(ndim);
  for (size_t i = 0; i < ndim; ++i) {
    // Walk from the trailing axis; a missing leading axis behaves as size 1.
    const size_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const size_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      throw FrameworkError(op + ": shapes " + to_string(a) + " and " + to_string(b) +
                           " are not broadcastable (axis -" + std::to_string(i + 1) + ": " +
                           std::to_string(da) + " vs " + std::to_string(db) + ")");
    out[ndim - 1 - i] = std::max(da, db);
  }
  return out;
}

size_t normalize_axis(long axis, size_t ndim, const std::string& op) {
  const long n = static_cast<long>(ndim);
  if (axis < -n || axis >= n)
    throw FrameworkError(op + ": axis " + std::to_string(axis) + " is out of range for a tensor with " +
                         std::to_string(ndim) + " dimension(s)");
  return static_cast<size_t>(axis < 0 ? axis + n : axis);
}

std::vector<size_t> normalize_axes(const std::vector<long>& axes, size_t ndim, const std::string& op) {
  std::vector<size_t> out;
  if (axes.empty()) {
    for (size_t i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (long a : axes) out.push_back(normalize_axis(a, ndim, op));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace gpusim::framework
