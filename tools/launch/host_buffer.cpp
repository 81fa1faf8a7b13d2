#include "tools/launch/host_buffer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "isa/numerics/float_format.h"
#include "tools/launch/npy.h"

namespace gpusim::launch {

namespace {

uint64_t load_le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

// The element's value as a double (exact for every type but 64-bit integers beyond 2^53).
double element_value(ElementType t, const uint8_t* p) {
  const size_t n = element_size(t);
  const uint64_t bits = load_le(p, n);
  switch (t) {
    case ElementType::F16: return isa::numerics::to_double(bits, isa::numerics::kF16);
    case ElementType::BF16: return isa::numerics::to_double(bits, isa::numerics::kBF16);
    case ElementType::F32: {
      float f;
      std::memcpy(&f, p, sizeof f);
      return f;
    }
    case ElementType::F64: {
      double d;
      std::memcpy(&d, p, sizeof d);
      return d;
    }
    default: break;
  }
  if (element_kind(t) == ElementKind::Signed) {
    const unsigned shift = static_cast<unsigned>(64 - 8 * n);
    return static_cast<double>(static_cast<int64_t>(bits << shift) >> shift);
  }
  return static_cast<double>(bits);
}

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

bool is_npy_path(const std::string& path) { return path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0; }

HostBuffer load_buffer_file(const std::string& path, ElementType t) {
  HostBuffer b;
  b.type = t;
  const size_t size = element_size(t);
  if (is_npy_path(path)) {
    NpyArray a = read_npy_file(path);
    if (!npy_descr_matches(a.descr, t))
      throw NpyError(path + ": dtype '" + a.descr + "' does not match the argument's type " + element_type_name(t) +
                     " (expected '" + npy_descr(t) + "'" +
                     (element_kind(t) == ElementKind::Bits ? " or any dtype of the same width" : "") + ")");
    b.shape = std::move(a.shape);
    b.bytes = std::move(a.data);
    return b;
  }
  b.bytes = read_file_bytes(path);
  // An empty file (a FIFO nothing wrote to, a truncated output of another tool) made a buffer of
  // no bytes, and the kernel's first access faulted as "no allocation covers it".
  if (b.bytes.empty()) throw NpyError(path + ": the file is empty (a raw input needs at least one " +
                                      std::string(element_type_name(t)) + " element)");
  if (b.bytes.size() % size != 0)
    throw NpyError(path + ": a raw file of " + std::to_string(b.bytes.size()) + " bytes is not a whole number of " +
                   element_type_name(t) + " elements (" + std::to_string(size) + " bytes each)");
  b.shape = {b.bytes.size() / size};
  return b;
}

void save_buffer_file(const std::string& path, const HostBuffer& b) {
  if (is_npy_path(path)) write_npy_file(path, npy_descr(b.type), b.shape, b.bytes);
  else write_file_bytes(path, b.bytes);
}

std::string tagged_output_path(const std::string& path, const std::string& tag) {
  const std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + "." + tag + p.extension().string())).string();
}

std::string format_element(ElementType t, const uint8_t* element) {
  switch (element_kind(t)) {
    case ElementKind::Bits: {
      char buf[24];
      const auto r = std::to_chars(buf, buf + sizeof buf, load_le(element, element_size(t)), 16);
      return "0x" + std::string(buf, r.ptr);
    }
    case ElementKind::Signed: {
      const unsigned shift = static_cast<unsigned>(64 - 8 * element_size(t));
      return std::to_string(static_cast<int64_t>(load_le(element, element_size(t)) << shift) >> shift);
    }
    case ElementKind::Unsigned: return std::to_string(load_le(element, element_size(t)));
    case ElementKind::Float: {
      if (t == ElementType::F32) {
        float f;
        std::memcpy(&f, element, sizeof f);
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, f);
        return std::string(buf, r.ptr);
      }
      return shortest(element_value(t, element));
    }
  }
  return "?";
}

BufferDifference compare_buffers(ElementType t, std::span<const uint8_t> a, std::span<const uint8_t> b,
                                 double tolerance) {
  const size_t size = element_size(t);
  BufferDifference d;
  d.elements = std::min(a.size(), b.size()) / size;
  const bool is_float = element_kind(t) == ElementKind::Float;
  for (uint64_t i = 0; i < d.elements; ++i) {
    const uint8_t* pa = a.data() + i * size;
    const uint8_t* pb = b.data() + i * size;
    if (std::memcmp(pa, pb, size) == 0) continue;
    const double va = element_value(t, pa), vb = element_value(t, pb);
    if (is_float) {
      if (std::isnan(va) && std::isnan(vb)) continue;
      if (std::abs(va - vb) <= tolerance * std::max(std::abs(va), std::abs(vb))) continue;
    }
    if (d.differing++ == 0) {
      d.first_index = i;
      d.first_a = format_element(t, pa);
      d.first_b = format_element(t, pb);
    }
    const double diff = std::abs(va - vb);
    if (!(diff <= d.max_abs_difference)) d.max_abs_difference = diff;  // also takes inf/NaN
  }
  return d;
}

}  // namespace gpusim::launch
