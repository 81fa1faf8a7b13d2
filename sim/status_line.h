// One line of status on the terminal while a long launch runs, rewritten in place and erased at
// the end (timing mode: sim/launch_progress.h; functional mode: sim/functional_progress_line.h).
// It first appears after `first_after` of host time and is rewritten at most every `every`, so a
// short launch prints nothing. Safe to drive from several threads: one of them prints per period.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace gpusim::sim {

class StatusLine {
 public:
  using Clock = std::chrono::steady_clock;
  StatusLine(std::FILE* out, std::chrono::milliseconds first_after, std::chrono::milliseconds every);
  ~StatusLine();  // erases the line when one was printed
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;

  // Whether a new line is due at `now`: true for one caller per period (it then calls show()).
  bool due(Clock::time_point now);
  double seconds_at(Clock::time_point now) const { return std::chrono::duration<double>(now - start_).count(); }
  void show(const std::string& text);

 private:
  std::FILE* out_;
  std::chrono::milliseconds every_;
  Clock::time_point start_;
  std::atomic<int64_t> next_print_ns_;  // since start_; read by every caller, so no lock
  std::mutex print_;
  bool printed_ = false;  // under print_
};

// 1234567 -> "1,234,567"
std::string with_commas(uint64_t v);
// 9800000 -> "9.80M", 123456789 -> "123M"
std::string millions(double v);

}  // namespace gpusim::sim
