// The status line of long timed launches (sim/launch_progress.h): its text, that it attaches to
// the model only when nothing else watches the launch, and that it erases itself.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sim/gpu_config.h"
#include "sim/gpu_model.h"
#include "sim/launch_progress.h"
#include "tests/sim/status_line_text.h"

namespace {

using gpusim::sim::LaunchProgressLine;

using gpusim::test::read_all;

TEST(LaunchProgressLine, FormatsCyclesInstructionsCtasAndRate) {
  EXPECT_EQ(LaunchProgressLine::format("sgemm_tiled", 182000, 9800000, 600, 1024, 16.4),
            "gpusim: sgemm_tiled  cycle 182,000  9.80M warp-inst  600/1024 CTAs started  0.60M warp-inst/s  16 s");
  EXPECT_EQ(LaunchProgressLine::format("k", 999, 123456789, 3, 7, 0.0),
            "gpusim: k  cycle 999  123M warp-inst  3/7 CTAs started  0.00M warp-inst/s  0 s");
  EXPECT_EQ(LaunchProgressLine::format("k", 1234567890, 0, 0, 1, 2.0),
            "gpusim: k  cycle 1,234,567,890  0.00M warp-inst  0/1 CTAs started  0.00M warp-inst/s  2 s");
}

TEST(LaunchProgressLine, PrintsInPlaceAndErasesItselfAtTheEnd) {
  gpusim::sim::GpuModel model(gpusim::sim::load_gpu_config("", {}));
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    LaunchProgressLine line(model, "kern", 64, out, std::chrono::milliseconds(0), std::chrono::milliseconds(0));
    ASSERT_TRUE(line.attached());
    EXPECT_EQ(model.progress_probe(), &line);
    // A second watcher (as a sampler would be) is not displaced.
    LaunchProgressLine second(model, "other", 1, out);
    EXPECT_FALSE(second.attached());
    EXPECT_EQ(model.progress_probe(), &line);
    line.on_progress(2048, 5000000);
  }
  EXPECT_EQ(model.progress_probe(), nullptr);
  const std::string text = read_all(out);
  // The rate depends on the host clock; everything else is fixed.
  const std::string head = "\r\033[Kgpusim: kern  cycle 2,048  5.00M warp-inst  0/64 CTAs started  ";
  const std::string tail = " warp-inst/s  0 s\r\033[K";
  ASSERT_GE(text.size(), head.size() + tail.size()) << text;
  EXPECT_EQ(text.substr(0, head.size()), head) << text;
  EXPECT_EQ(text.substr(text.size() - tail.size()), tail) << text;
  EXPECT_EQ(text.find("gpusim:", 1), text.find("gpusim:")) << text;
  std::fclose(out);
}

TEST(LaunchProgressLine, ShortLaunchPrintsNothing) {
  gpusim::sim::GpuModel model(gpusim::sim::load_gpu_config("", {}));
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    LaunchProgressLine line(model, "kern", 64, out);  // the first print waits two seconds
    line.on_progress(256, 1000);
  }
  EXPECT_EQ(read_all(out), "");
  std::fclose(out);
}

}  // namespace
