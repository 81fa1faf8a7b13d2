// The status line of long functional launches (sim/functional_progress_line.h): its text, that
// rounds reported from several threads add up, and that it erases itself.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "isa/functional_executor.h"
#include "sim/functional_progress_line.h"
#include "tests/sim/status_line_text.h"

namespace {

using gpusim::sim::FunctionalProgressLine;

using gpusim::test::read_all;

TEST(FunctionalProgressLine, FormatsInstructionsCtasAndRate) {
  EXPECT_EQ(FunctionalProgressLine::format("spin", 9800000, 3, 1024, 16.4),
            "gpusim: spin  functional  9.80M warp-inst  3/1024 CTAs done  0.60M warp-inst/s  16 s");
  EXPECT_EQ(FunctionalProgressLine::format("k", 1234567890, 0, 1, 2.0),
            "gpusim: k  functional  1235M warp-inst  0/1 CTAs done  617M warp-inst/s  2 s");
}

// Four threads report 1,000 rounds of 256 warp-instructions each, one finishing a CTA every 100
// rounds: the last line printed (every round is due) counts no more than was reported, and once
// all are in, one more round shows the whole.
TEST(FunctionalProgressLine, RoundsFromSeveralThreadsAddUpAndTheLineIsErased) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    FunctionalProgressLine line("kern", 40, out, std::chrono::milliseconds(0), std::chrono::milliseconds(0));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&line] {
        for (int r = 0; r < 1000; ++r) line.on_round(256, r % 100 == 99);
      });
    for (std::thread& t : threads) t.join();
    line.on_round(0, false);
    const std::string text = read_all(out);
    const size_t last = text.rfind("gpusim: kern  functional  ");
    ASSERT_NE(last, std::string::npos) << text.substr(0, 200);
    const std::string whole = "gpusim: kern  functional  1.02M warp-inst  40/40 CTAs done  ";
    EXPECT_EQ(text.compare(last, whole.size(), whole), 0) << text.substr(last);
  }
  const std::string text = read_all(out);
  ASSERT_GE(text.size(), 4u);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");
  std::fclose(out);
}

TEST(FunctionalProgressLine, ShortLaunchPrintsNothing) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    FunctionalProgressLine line("kern", 1, out);  // the first print waits two seconds
    line.on_round(1000, true);
  }
  EXPECT_EQ(read_all(out), "");
  std::fclose(out);
}

}  // namespace
