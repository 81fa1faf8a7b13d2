#include "isa/device_printf.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "isa/hex_text.h"

namespace gpusim::isa {

namespace {

// The format string as a C literal would show it, for messages.
std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

// snprintf into a std::string, with the `*` width/precision values (0, 1 or 2 of them) before
// the converted value, as the C varargs convention wants.
template <typename T>
std::string host_format(const std::string& spec, const std::vector<int>& stars, T value) {
  auto run = [&](char* out, size_t n) {
    switch (stars.size()) {
      case 0: return std::snprintf(out, n, spec.c_str(), value);
      case 1: return std::snprintf(out, n, spec.c_str(), stars[0], value);
      default: return std::snprintf(out, n, spec.c_str(), stars[0], stars[1], value);
    }
  };
  const int len = run(nullptr, 0);
  if (len < 0) throw std::runtime_error("host snprintf rejected the conversion '" + spec + "'");
  std::string out(static_cast<size_t>(len) + 1, '\0');
  run(out.data(), out.size());
  out.resize(static_cast<size_t>(len));
  return out;
}

// The argument buffer, read in order: each value aligned to its own size.
class ArgumentReader {
 public:
  ArgumentReader(const DeviceMemoryReader& read, uint64_t base) : read_(read), base_(base) {}

  uint64_t next(unsigned size, const std::string& conversion) {
    offset_ = (offset_ + size - 1) / size * size;
    uint64_t v = 0;
    if (!read_(base_ + offset_, &v, size))
      throw DeviceAddressError("argument " + std::to_string(count_ + 1) + " (for " + conversion + ") at " +
                               hex_text(base_ + offset_) + " in the argument buffer at " + hex_text(base_) +
                               " cannot be read");
    offset_ += size;
    count_ += 1;
    return v;
  }
  int count() const { return count_; }

 private:
  const DeviceMemoryReader& read_;
  uint64_t base_;
  uint64_t offset_ = 0;
  int count_ = 0;
};

// One conversion specification: "%" flags width .precision length conversion.
struct Spec {
  std::string flags, width, precision, length;
  bool has_precision = false;
  char conversion = 0;
  std::string text;  // as written, for messages
};

bool is_flag(char c) { return c == '-' || c == '+' || c == ' ' || c == '#' || c == '0'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses the conversion starting at fmt[i] == '%'; returns the index after it.
size_t parse_spec(const std::string& fmt, size_t i, Spec& s) {
  const size_t start = i++;
  auto digits_or_star = [&](std::string& out) {
    if (i < fmt.size() && fmt[i] == '*') {
      out = "*";
      ++i;
      return;
    }
    while (i < fmt.size() && is_digit(fmt[i])) out += fmt[i++];
  };
  while (i < fmt.size() && is_flag(fmt[i])) s.flags += fmt[i++];
  digits_or_star(s.width);
  if (i < fmt.size() && fmt[i] == '.') {
    s.has_precision = true;
    ++i;
    digits_or_star(s.precision);
  }
  while (i < fmt.size() && std::strchr("hlLqjzt", fmt[i])) s.length += fmt[i++];
  if (i >= fmt.size())
    throw std::runtime_error("format string ends inside the conversion '" + fmt.substr(start) + "'");
  s.conversion = fmt[i++];
  s.text = fmt.substr(start, i - start);
  return i;
}

bool is_integer_conversion(char c) { return std::strchr("diouxX", c) != nullptr; }
bool is_float_conversion(char c) { return std::strchr("fFeEgGaA", c) != nullptr; }

// The spec for the host's snprintf: same flags, width and precision ('*' kept, its value passed
// separately), with the length rewritten for the host type the value is passed as.
std::string host_spec(const Spec& s, const std::string& length) {
  std::string out = "%" + s.flags + s.width;
  if (s.has_precision) out += "." + s.precision;
  return out + length + s.conversion;
}

std::string format_conversion(const Spec& s, ArgumentReader& args, const DeviceMemoryReader& read) {
  const char c = s.conversion;
  // "%5%", "%-%": flags, width or precision on a percent sign print one '%' and read no
  // argument, as the C library the CUDA driver formats with does (glibc ignores them).
  if (c == '%' && s.width != "*" && s.precision != "*") return "%";
  const bool known = is_integer_conversion(c) || is_float_conversion(c) || c == 'c' || c == 's' || c == 'p';
  if (!known) throw std::runtime_error("unsupported conversion '" + s.text + "'");
  std::vector<int> stars;
  if (s.width == "*") stars.push_back(static_cast<int>(static_cast<uint32_t>(args.next(4, s.text + " width"))));
  if (s.precision == "*")
    stars.push_back(static_cast<int>(static_cast<uint32_t>(args.next(4, s.text + " precision"))));
  const std::string& len = s.length;
  if (is_integer_conversion(c)) {
    const bool wide = len == "l" || len == "ll" || len == "q" || len == "z" || len == "j" || len == "t";
    if (wide) return host_format(host_spec(s, "ll"), stars, static_cast<long long>(args.next(8, s.text)));
    if (!len.empty() && len != "h" && len != "hh")
      throw std::runtime_error("unsupported length modifier in '" + s.text + "'");
    return host_format(host_spec(s, len), stars, static_cast<int>(static_cast<uint32_t>(args.next(4, s.text))));
  }
  if (is_float_conversion(c)) {
    // 'L': nvcc compiles long double as double in device code, so %Lf receives a double too.
    if (!len.empty() && len != "l" && len != "L")
      throw std::runtime_error("unsupported length modifier in '" + s.text + "' (device floats are passed as double)");
    const uint64_t bits = args.next(8, s.text);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return host_format(host_spec(s, ""), stars, d);
  }
  if (!len.empty()) throw std::runtime_error("unsupported length modifier in '" + s.text + "'");
  if (c == 'c') return host_format(host_spec(s, ""), stars, static_cast<int>(static_cast<uint32_t>(args.next(4, s.text))));
  const uint64_t ptr = args.next(8, s.text);
  if (c == 'p') return host_format(host_spec(s, ""), stars, reinterpret_cast<void*>(static_cast<uintptr_t>(ptr)));
  // %s: a precision bounds how far the string is read (it need not be NUL-terminated then).
  long precision = -1;
  if (s.precision == "*") precision = stars.back();
  else if (s.has_precision) precision = std::strtol(s.precision.c_str(), nullptr, 10);
  const std::string str = ptr == 0 ? std::string("(null)")
                          : precision >= 0
                              ? read_device_string(read, ptr, std::min<size_t>(size_t(precision), kDeviceStringCap), false,
                                                   "string for " + s.text)
                              : read_device_string(read, ptr, kDeviceStringCap, true, "string for " + s.text);
  return host_format(host_spec(s, ""), stars, str.c_str());
}

}  // namespace

std::string read_device_string(const DeviceMemoryReader& read, uint64_t addr, size_t cap, bool need_nul,
                               const std::string& what) {
  std::string out;
  for (size_t i = 0; i < cap; ++i) {
    char ch = 0;
    if (!read(addr + i, &ch, 1))
      throw DeviceAddressError(what + " at " + hex_text(addr) + ": byte " + std::to_string(i) + " (address " +
                               hex_text(addr + i) + ") cannot be read");
    if (ch == '\0') return out;
    out += ch;
  }
  if (need_nul)
    throw std::runtime_error(what + " at " + hex_text(addr) + " has no terminating NUL within " + std::to_string(cap) +
                             " bytes");
  return out;
}

DevicePrintfResult format_device_printf(const DeviceMemoryReader& read, uint64_t format_addr, uint64_t args_addr) {
  DevicePrintfResult r;
  if (format_addr == 0) {
    r.arguments = -1;
    return r;
  }
  const std::string fmt = read_device_string(read, format_addr, kDeviceStringCap, true, "printf format string");
  ArgumentReader args(read, args_addr);
  for (size_t i = 0; i < fmt.size();) {
    if (fmt[i] != '%') {
      r.text += fmt[i++];
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '%') {
      r.text += '%';
      i += 2;
      continue;
    }
    try {
      Spec s;
      i = parse_spec(fmt, i, s);
      r.text += format_conversion(s, args, read);
    } catch (const DeviceAddressError& e) {
      throw DeviceAddressError("printf(\"" + escaped(fmt) + "\"): " + e.what());
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("printf(\"" + escaped(fmt) + "\"): " + e.what());
    }
  }
  r.arguments = args.count();
  return r;
}

}  // namespace gpusim::isa
