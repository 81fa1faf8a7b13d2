// The device printf formatter against the host's printf: the argument buffer is laid out as nvcc
// lays it out (each value aligned to its size, ints 4 bytes, long/long long/size_t 8, floats as
// 8-byte doubles, strings and pointers as 8-byte addresses), and the formatted text must equal
// what the host's snprintf prints for the same format and values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "isa/device_printf.h"

using namespace gpusim::isa;

namespace {

// Device memory made of a few regions; everything else is unmapped.
class FakeMemory {
 public:
  uint64_t place(const void* data, size_t size) {
    const uint64_t base = next_;
    regions_[base].assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
    next_ += (size + 0x1000) / 0x1000 * 0x1000 + 0x1000;  // a gap after each region
    return base;
  }
  uint64_t place_string(const std::string& s) { return place(s.c_str(), s.size() + 1); }
  DeviceMemoryReader reader() const {
    return [this](uint64_t addr, void* out, size_t size) {
      auto it = regions_.upper_bound(addr);
      if (it == regions_.begin()) return false;
      --it;
      if (addr - it->first + size > it->second.size()) return false;
      std::memcpy(out, it->second.data() + (addr - it->first), size);
      return true;
    };
  }

 private:
  std::map<uint64_t, std::vector<uint8_t>> regions_;
  uint64_t next_ = 0x10000;
};

// A %s argument: the host prints `text`, the device reads it at its address in FakeMemory.
struct DevString {
  const char* text;
};

// The argument buffer as nvcc builds it (each value aligned to its own size).
class ArgBuffer {
 public:
  explicit ArgBuffer(FakeMemory& mem) : mem_(mem) {}
  template <typename T>
  void push(T v) {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8);
    bytes_.resize((bytes_.size() + sizeof(T) - 1) / sizeof(T) * sizeof(T));
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &v, sizeof(T));
  }
  void push(DevString s) { push(mem_.place_string(s.text)); }
  void push(const void* p) { push(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p))); }
  uint64_t place() { return bytes_.empty() ? 0 : mem_.place(bytes_.data(), bytes_.size()); }

 private:
  FakeMemory& mem_;
  std::vector<uint8_t> bytes_;
};

template <typename T>
T host_value(T v) { return v; }
inline const char* host_value(DevString s) { return s.text; }

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
template <typename... Ts>
std::string host_printf(const char* fmt, Ts... vs) {
  const int n = std::snprintf(nullptr, 0, fmt, host_value(vs)...);
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt, host_value(vs)...);
  out.resize(static_cast<size_t>(n));
  return out;
}
#pragma GCC diagnostic pop

template <typename... Ts>
DevicePrintfResult device_printf(const char* fmt, Ts... vs) {
  FakeMemory mem;
  ArgBuffer args(mem);
  (args.push(vs), ...);
  const uint64_t fmt_addr = mem.place_string(fmt);
  const uint64_t args_addr = args.place();
  return format_device_printf(mem.reader(), fmt_addr, args_addr);
}

template <typename... Ts>
void expect_like_host(const char* fmt, Ts... vs) {
  const DevicePrintfResult r = device_printf(fmt, vs...);
  EXPECT_EQ(r.text, host_printf(fmt, vs...)) << "format: " << fmt;
  EXPECT_EQ(r.arguments, static_cast<int>(sizeof...(Ts))) << "format: " << fmt;
}

TEST(DevicePrintf, IntegerConversions) {
  expect_like_host("%d %i %u %x %X %o %c\n", -42, 7, 4000000000u, 0xbeefu, 0xbeefu, 8u, int('Z'));
  expect_like_host("[%5d] [%-5d] [%05d] [%+d] [% d] [%#x] [%#o] [%.3d]", 42, 42, 42, 42, 42, 255u, 8u, 7);
  expect_like_host("%d %d", std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  // h and hh convert the (int-sized) argument to short / char before printing.
  expect_like_host("%hd %hhu %hx", 70000, 300, 0x12345);
}

TEST(DevicePrintf, EightByteIntegersAreAlignedToEight) {
  // int at 0, long long at 8, int at 16, unsigned long at 24, size_t at 32, int at 40
  expect_like_host("%d %lld %d %lu %zu %d", 1, -1234567890123ll, 2, 18446744073709551615ul, size_t(77), 3);
  expect_like_host("%llx %lX %li", 0xfedcba9876543210ull, 0xabcul, -5l);
}

TEST(DevicePrintf, FloatingPointConversionsTakeDoubles) {
  expect_like_host("%f %.3f %e %E %g %G %a %A", 3.14159, 2.0 / 3, 12345.678, 1e-7, 0.0001234, 1e20, 1.0, -0.5);
  expect_like_host("[%10.4f] [%-12.2e] [%+g] [%08.3f] [%#g]", 3.5, -1234.5, 2.0, -3.25, 1.0);
  // A float argument is promoted to double by the compiler.
  expect_like_host("%f %d %f", static_cast<double>(1.1f), 9, static_cast<double>(-2.75f));
  expect_like_host("%f %e %g %f", std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                   std::nan(""), -0.0);
}

// nvcc compiles long double as double in device code, so %Lf and %Le receive an 8-byte double.
TEST(DevicePrintf, LongDoubleConversionsTakeTheDeviceDouble) {
  const DevicePrintfResult r = device_printf("%Lf|%10.3Le|%Lg", 0.5, -1234.5, 1e-9);
  EXPECT_EQ(r.text, host_printf("%f|%10.3e|%g", 0.5, -1234.5, 1e-9));
  EXPECT_EQ(r.arguments, 3);
}

TEST(DevicePrintf, StarWidthAndPrecisionAreIntArguments) {
  expect_like_host("|%*d|%-*d|%.*f|%*.*e|", 6, 42, 5, 7, 2, 3.14159, 12, 3, 6.02e23);
  expect_like_host("|%*d|", -6, 42);  // a negative * width means left-justified
}

TEST(DevicePrintf, StringsPointersAndPercent) {
  expect_like_host("%s|%10s|%-10s|%.3s|%s", DevString{"alpha"}, DevString{"beta"}, DevString{"gamma"},
                   DevString{"delta"}, DevString{""});
  expect_like_host("%d%% of %s", 50, DevString{"the work"});
  expect_like_host("%p %p", reinterpret_cast<const void*>(uintptr_t(0x7f001234)), reinterpret_cast<const void*>(uintptr_t(0x10)));
  expect_like_host("no conversions at all\n");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
// Flags or a width on a percent sign print one '%' and read nothing (what glibc does).
TEST(DevicePrintf, PercentWithFlagsOrWidthPrintsOnePercent) {
  expect_like_host("[%d][%5%][%-%][%.2%][%d]", 1, 2);
  const DevicePrintfResult r = device_printf("%5%%d", 7);
  EXPECT_EQ(r.text, "%7");
  EXPECT_EQ(r.arguments, 1);
}
#pragma GCC diagnostic pop

TEST(DevicePrintf, StringPrecisionBoundsTheReadAndNullPrintsNull) {
  // The precision limits how far the string is read: no NUL is needed within it.
  FakeMemory mem;
  const char raw[4] = {'a', 'b', 'c', 'd'};  // no terminator
  ArgBuffer args(mem);
  args.push(mem.place(raw, sizeof raw));
  args.push(uint64_t(0));
  const uint64_t fmt = mem.place_string("[%.4s] [%s]");
  const DevicePrintfResult r = format_device_printf(mem.reader(), fmt, args.place());
  EXPECT_EQ(r.text, "[abcd] [(null)]");
  EXPECT_EQ(r.arguments, 2);
}

TEST(DevicePrintf, NullFormatReturnsMinusOne) {
  FakeMemory mem;
  const DevicePrintfResult r = format_device_printf(mem.reader(), 0, 0);
  EXPECT_EQ(r.arguments, -1);
  EXPECT_EQ(r.text, "");
}

TEST(DevicePrintf, BadAddressesAreClearErrors) {
  FakeMemory mem;
  // Unreadable format string.
  try {
    format_device_printf(mem.reader(), 0xdead0000, 0);
    FAIL();
  } catch (const DeviceAddressError& e) {
    EXPECT_NE(std::string(e.what()).find("format string at 0xdead0000"), std::string::npos) << e.what();
  }
  // An argument buffer that ends before the arguments the format needs.
  ArgBuffer short_args(mem);
  short_args.push(1);
  const uint64_t fmt = mem.place_string("%d %d");
  try {
    format_device_printf(mem.reader(), fmt, short_args.place());
    FAIL();
  } catch (const DeviceAddressError& e) {
    EXPECT_NE(std::string(e.what()).find("argument 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("%d %d"), std::string::npos) << e.what();
  }
  // A %s pointing nowhere.
  ArgBuffer bad_string(mem);
  bad_string.push(uint64_t(0x5150000));
  try {
    format_device_printf(mem.reader(), mem.place_string("name=%s"), bad_string.place());
    FAIL();
  } catch (const DeviceAddressError& e) {
    EXPECT_NE(std::string(e.what()).find("0x5150000"), std::string::npos) << e.what();
  }
  // A string without a terminator and without a precision.
  const std::string unterminated(kDeviceStringCap + 10, 'x');
  ArgBuffer long_string(mem);
  long_string.push(mem.place(unterminated.data(), unterminated.size()));
  EXPECT_THROW(format_device_printf(mem.reader(), mem.place_string("%s"), long_string.place()), std::runtime_error);
}

TEST(DevicePrintf, UnsupportedConversionsAreRefused) {
  for (const char* fmt : {"%n", "%Ls", "%ls", "%q", "trailing %", "%5"}) {
    FakeMemory mem;
    ArgBuffer args(mem);
    args.push(uint64_t(0));
    args.push(uint64_t(0));
    try {
      format_device_printf(mem.reader(), mem.place_string(fmt), args.place());
      ADD_FAILURE() << fmt << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(fmt), std::string::npos) << e.what();
    }
  }
}

}  // namespace
