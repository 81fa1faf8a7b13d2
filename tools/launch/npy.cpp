#include "tools/launch/npy.h"

#include "sim/device_file.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>

namespace gpusim::launch {

static_assert(std::endian::native == std::endian::little,
              "the .npy reader takes '<' and '=' data as host order: a little-endian host");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kAlignment = 64;  // numpy pads header + preamble to a multiple of 64 bytes

// A value of the header dict: a string, a boolean or a tuple of integers; Other for anything
// else (a list: a structured dtype).
struct HeaderValue {
  enum class Kind { String, Bool, Tuple, Other } kind = Kind::Other;
  std::string text;
  bool flag = false;
  std::vector<uint64_t> numbers;
};

// A recursive-descent reader for the Python literal subset numpy writes in the header.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  // Fills descr/fortran_order/shape; throws NpyError on anything else.
  void parse(std::string& descr, bool& fortran, std::vector<uint64_t>& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    skip_space();
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      skip_space();
      expect(':');
      skip_space();
      const HeaderValue v = value();
      if (key == "descr") {
        if (v.kind != HeaderValue::Kind::String)
          fail("a structured dtype (a list 'descr') is not supported: use a simple dtype such as '<f4'");
        descr = v.text;
        have_descr = true;
      } else if (key == "fortran_order") {
        if (v.kind != HeaderValue::Kind::Bool) fail("'fortran_order' is not True or False");
        fortran = v.flag;
        have_fortran = true;
      } else if (key == "shape") {
        if (v.kind != HeaderValue::Kind::Tuple) fail("'shape' is not a tuple of integers");
        shape = v.numbers;
        have_shape = true;
      } else {
        fail("unexpected key '" + key + "' (a .npy header has exactly descr, fortran_order and shape)");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip_space();
      if (peek() != '}') fail("expected ',' or '}' in the header dict");
    }
    ++pos_;
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the header dict");
    if (!have_descr || !have_fortran || !have_shape)
      fail(std::string("the header lacks '") + (!have_descr ? "descr" : !have_fortran ? "fortran_order" : "shape") + "'");
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw NpyError(name_ + ": bad .npy header at byte " + std::to_string(pos_) + " of the header: " + why);
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string_literal() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    ++pos_;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\') fail("escapes in header strings are not supported");
      out += s_[pos_++];
    }
    if (pos_ >= s_.size()) fail("unterminated string");
    ++pos_;
    return out;
  }
  bool word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  uint64_t integer() {
    const size_t start = pos_;
    uint64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      const uint64_t digit = static_cast<uint64_t>(s_[pos_] - '0');
      if (v > (~uint64_t(0) - digit) / 10) fail("a shape extent is too large");
      v = v * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) fail("expected a non-negative integer in 'shape'");
    if (peek() == 'L') ++pos_;  // Python 2 long literals in files written by old numpy
    return v;
  }
  HeaderValue value() {
    HeaderValue v;
    const char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = HeaderValue::Kind::String;
      v.text = string_literal();
    } else if (word("True")) {
      v.kind = HeaderValue::Kind::Bool;
      v.flag = true;
    } else if (word("False")) {
      v.kind = HeaderValue::Kind::Bool;
    } else if (c == '(') {
      v.kind = HeaderValue::Kind::Tuple;
      ++pos_;
      skip_space();
      while (peek() != ')') {
        v.numbers.push_back(integer());
        skip_space();
        if (peek() == ',') {
          ++pos_;
          skip_space();
        } else if (peek() != ')') {
          fail("expected ',' or ')' in 'shape'");
        }
      }
      ++pos_;
    } else if (c == '[') {
      return v;  // a list: only a structured descr looks like this; the caller says so
    } else {
      fail("expected a string, True, False or a tuple");
    }
    return v;
  }

  std::string_view s_;
  const std::string& name_;
  size_t pos_ = 0;
};

uint32_t read_le(std::span<const uint8_t> b, size_t at, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint32_t(b[at + i]) << (8 * i);
  return v;
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

size_t npy_item_size(const std::string& descr) {
  if (descr.size() < 3 || descr.size() > 6) return 0;
  if (descr[0] != '<' && descr[0] != '>' && descr[0] != '|' && descr[0] != '=') return 0;
  // Kinds whose number is the item size in bytes: bool, signed, unsigned, float, complex ('U' counts
  // 4-byte characters, 'M'/'m' carry units: not handled).
  if (std::string_view("biufc").find(descr[1]) == std::string_view::npos) return 0;
  size_t size = 0;
  for (size_t i = 2; i < descr.size(); ++i) {
    if (descr[i] < '0' || descr[i] > '9') return 0;
    size = size * 10 + static_cast<size_t>(descr[i] - '0');
  }
  return size;
}

NpyArray parse_npy(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0)
    throw NpyError(name + ": not an .npy file (it does not start with \"\\x93NUMPY\")");
  if (bytes.size() < kMagicSize + 2)
    throw NpyError(name + ": truncated .npy file: " + std::to_string(bytes.size()) +
                   " bytes, ending inside its version number (a header of at least 10 bytes comes first)");
  const unsigned major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0)
    throw NpyError(name + ": unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " (supported: 1.0, 2.0, 3.0)");
  const size_t length_bytes = major == 1 ? 2 : 4;
  const size_t preamble = kMagicSize + 2 + length_bytes;
  if (bytes.size() < preamble) throw NpyError(name + ": truncated .npy file (it ends inside the preamble)");
  const size_t header_size = read_le(bytes, kMagicSize + 2, length_bytes);
  if (bytes.size() - preamble < header_size)
    throw NpyError(name + ": truncated .npy file: the header says " + std::to_string(header_size) +
                   " bytes of header, the file has " + std::to_string(bytes.size() - preamble) + " after the preamble");

  NpyArray a;
  bool fortran = false;
  const std::string_view header(reinterpret_cast<const char*>(bytes.data() + preamble), header_size);
  HeaderParser(header, name).parse(a.descr, fortran, a.shape);
  if (fortran)
    throw NpyError(name + ": the array is in Fortran order (fortran_order: True); save it in C order "
                   "(numpy.ascontiguousarray) to use it here");
  const size_t item = npy_item_size(a.descr);
  if (item == 0) throw NpyError(name + ": unsupported dtype '" + a.descr + "' (expected a simple dtype such as '<f4')");
  if (a.descr[0] == '>' && item > 1)
    throw NpyError(name + ": big-endian dtype '" + a.descr + "' is not supported (numpy: .astype('<" +
                   a.descr.substr(1) + "'))");
  if (a.descr[0] == '=') a.descr[0] = item == 1 ? '|' : '<';  // native order = little endian here
  if (a.descr[0] == '>') a.descr[0] = '|';

  uint64_t total = item;
  for (uint64_t extent : a.shape) {
    if (extent != 0 && total > ~uint64_t(0) / extent)
      throw NpyError(name + ": shape " + shape_text(a.shape) + " is too large");
    total *= extent;
  }
  const uint64_t available = bytes.size() - preamble - header_size;
  if (available < total)
    throw NpyError(name + ": truncated data: shape " + shape_text(a.shape) + " of '" + a.descr + "' needs " +
                   std::to_string(total) + " bytes, the file has " + std::to_string(available));
  if (available > total)
    throw NpyError(name + ": " + std::to_string(available - total) + " unexpected bytes after the data of shape " +
                   shape_text(a.shape) + " of '" + a.descr + "'");
  const uint8_t* data = bytes.data() + preamble + header_size;
  a.data.assign(data, data + total);
  return a;
}

std::vector<uint8_t> encode_npy(const std::string& descr, const std::vector<uint64_t>& shape,
                                std::span<const uint8_t> data) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // Version 1.0 stores the (padded) header length in 16 bits; longer headers need 2.0.
  auto padded_header = [&](size_t preamble) {
    return (preamble + header.size() + 1 + kAlignment - 1) / kAlignment * kAlignment - preamble;
  };
  const bool v2 = padded_header(kMagicSize + 4) > 65535;
  const size_t preamble = kMagicSize + 2 + (v2 ? 4 : 2);
  const size_t unpadded = preamble + header.size() + 1;  // + the closing '\n'
  header.append((kAlignment - unpadded % kAlignment) % kAlignment, ' ');
  header += '\n';

  std::vector<uint8_t> out(kMagic, kMagic + kMagicSize);
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i) out.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw NpyError(path + ": is a directory, not a file");
  // A device never ends (/dev/zero, /dev/urandom): reading one filled the host's memory.
  if (sim::is_device_file(path))
    throw NpyError(path + ": is a device, not a file (write the data to a file first)");
  std::string text, error, step;
  if (!sim::read_whole_file(path, text, error, step)) throw NpyError(path + ": cannot " + step + ": " + error);
  std::vector<uint8_t> bytes(text.begin(), text.end());
  return bytes;
}

void write_file_bytes(const std::string& path, std::span<const uint8_t> bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw NpyError(path + ": cannot create: " + std::strerror(errno));
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) throw NpyError(path + ": write error: " + std::strerror(errno));
}

NpyArray read_npy_file(const std::string& path) { return parse_npy(read_file_bytes(path), path); }

void write_npy_file(const std::string& path, const std::string& descr, const std::vector<uint64_t>& shape,
                    std::span<const uint8_t> data) {
  write_file_bytes(path, encode_npy(descr, shape, data));
}

}  // namespace gpusim::launch
