// printf-style formatting into a std::string of whatever length the result needs. Report lines
// that carry a kernel's name went through fixed buffers and lost their end (and newline) for the
// 200-500-character mangled names of Thrust and CUB kernels.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>

namespace gpusim::sim {

[[gnu::format(printf, 1, 2)]] inline std::string text_format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int length = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string out;
  if (length > 0) {
    out.resize(size_t(length) + 1);
    std::vsnprintf(out.data(), out.size(), format, again);
    out.resize(size_t(length));
  }
  va_end(again);
  return out;
}

}  // namespace gpusim::sim
