#include "sim/status_line.h"

namespace gpusim::sim {

StatusLine::StatusLine(std::FILE* out, std::chrono::milliseconds first_after, std::chrono::milliseconds every)
    : out_(out),
      every_(every),
      start_(Clock::now()),
      next_print_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(first_after).count()) {}

StatusLine::~StatusLine() {
  std::lock_guard<std::mutex> lock(print_);
  if (printed_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
  }
}

bool StatusLine::due(Clock::time_point now) {
  const int64_t at = std::chrono::duration_cast<std::chrono::nanoseconds>(now - start_).count();
  int64_t next = next_print_ns_.load(std::memory_order_relaxed);
  if (at < next) return false;
  const int64_t after = at + std::chrono::duration_cast<std::chrono::nanoseconds>(every_).count();
  // Another thread that saw the same period due loses the exchange and prints nothing.
  return next_print_ns_.compare_exchange_strong(next, after, std::memory_order_relaxed);
}

void StatusLine::show(const std::string& text) {
  std::lock_guard<std::mutex> lock(print_);
  std::fprintf(out_, "\r\033[K%s", text.c_str());
  std::fflush(out_);
  printed_ = true;
}

std::string with_commas(uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string millions(double v) {
  char b[32];
  std::snprintf(b, sizeof b, v >= 10e6 ? "%.0fM" : "%.2fM", v / 1e6);
  return b;
}

}  // namespace gpusim::sim
