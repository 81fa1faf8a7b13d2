// The sweep spec parser and the expansion into points: grid sizes counted by hand, errors naming
// file:line, point identity independent of where a config lives.
#include <gtest/gtest.h>

#include <set>

#include "tests/cli/cli_test_util.h"
#include "tools/sweep/sweep_spec.h"
#include "workloads/workload.h"

namespace gpusim::cli::sweep {
namespace {

using test_support::scratch_dir;
using test_support::write_file;

std::string spec_error(const std::string& text, const std::string& path = "/tmp/s.ini") {
  try {
    expand_points(parse_sweep_spec(text, path));
  } catch (const SpecError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepSpec, GridIsConfigsTimesWorkloadSizesTimesSetCombinations) {
  const auto dir = scratch_dir("sweep_grid");
  write_file(dir / "a.ini", "[sm]\ncount = 4\n");
  write_file(dir / "b.ini", "[sm]\ncount = 8\n");
  const SweepSpec spec = parse_sweep_spec(
      "configs = a.ini b.ini  # two\n"
      "workloads = vecadd sgemm_tiled\n"
      "sizes.vecadd = 1024 2048 4096\n"
      "set.l1.latency_cycles = 20 30\n"
      "set.dram.channels = 4 8\n"
      "mode = functional\nseed = 7\n",
      (dir / "spec.ini").string());
  const std::vector<SweepPoint> points = expand_points(spec);
  // 2 configs x (3 vecadd sizes + 1 default sgemm size) x (2 x 2 set values) = 32.
  ASSERT_EQ(points.size(), 32u);
  std::set<std::string> ids;
  for (const SweepPoint& p : points) ids.insert(p.id);
  EXPECT_EQ(ids.size(), 32u);
  const SweepPoint& first = points.front();
  EXPECT_EQ(first.workload, "vecadd");
  EXPECT_EQ(first.size, "1024");
  EXPECT_EQ(first.config_path, (dir / "a.ini").string());
  EXPECT_EQ(first.workdir, dir.string());
  const std::vector<std::string> expected = {"run", "vecadd", "--seed", "7", "--size", "1024", "--mode", "functional",
                                             "--config", (dir / "a.ini").string(), "--set", "l1.latency_cycles=20",
                                             "--set", "dram.channels=4"};
  EXPECT_EQ(first.command, expected);
  EXPECT_EQ(points[4].workload, "vecadd");  // sets vary fastest: the 5th point is the second size
  EXPECT_EQ(points[4].size, "2048");
}

TEST(SweepSpec, IdentityDependsOnConfigContentsNotPath) {
  const auto dir = scratch_dir("sweep_identity");
  write_file(dir / "a.ini", "[sm]\ncount = 4\n");
  write_file(dir / "same_as_a.ini", "[sm]\ncount = 4\n");
  write_file(dir / "other.ini", "[sm]\ncount = 5\n");
  const auto points = expand_points(parse_sweep_spec("configs = a.ini same_as_a.ini other.ini\nworkloads = vecadd\n",
                                                     (dir / "s.ini").string()));
  ASSERT_EQ(points.size(), 2u);  // same_as_a.ini is a.ini's point again
  EXPECT_EQ(points[0].config_label, "a.ini");
  EXPECT_EQ(points[1].config_label, "other.ini");
  EXPECT_NE(points[0].id, points[1].id);
  EXPECT_EQ(points[0].id, fnv1a64_hex(point_identity(points[0])));
}

TEST(SweepSpec, Fnv1a64MatchesPublishedVectors) {
  // Reference values of the FNV-1a 64-bit hash (offset basis for "", and "a").
  EXPECT_EQ(fnv1a64_hex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a64_hex("a"), "af63dc4c8601ec8c");
}

TEST(SweepSpec, LaunchAndExecPointsReplaceSize) {
  const auto points = expand_points(parse_sweep_spec(
      "launch.scale = k.ptx --kernel scale --grid 1 --block {size} --arg u32:{size}\n"
      "sizes.scale = 32 64\n"
      "exec.app = ./app --n {size}\nsizes.app = 5\n",
      "/tmp/s.ini"));
  ASSERT_EQ(points.size(), 3u);
  const std::vector<std::string> launch64 = {"launch", "k.ptx", "--kernel", "scale", "--grid", "1", "--block", "64",
                                             "--arg", "u32:64", "--mode", "timing"};
  EXPECT_EQ(points[1].command, launch64);
  const std::vector<std::string> exec5 = {"exec", "--mode", "timing", "--", "./app", "--n", "5"};
  EXPECT_EQ(points[2].command, exec5);
  EXPECT_EQ(points[2].kind, PointKind::Exec);
}

// exec's own options before `--` (a researcher's cold-cache sweep put --cache-control after the
// program's `--`); a program's own `--` stays the program's.
TEST(SweepSpec, ExecOptionsGoBeforeTheProgram) {
  const auto points = expand_points(parse_sweep_spec(
      "exec.cold = --cache-control all -- ./nn {size} -- x\nsizes.cold = 7\nexec.plain = ./app -- y\n", "/tmp/s.ini"));
  ASSERT_EQ(points.size(), 2u);
  const std::vector<std::string> cold = {"exec", "--mode", "timing", "--cache-control", "all", "--", "./nn", "7", "--", "x"};
  EXPECT_EQ(points[0].command, cold);
  const std::vector<std::string> plain = {"exec", "--mode", "timing", "--", "./app", "--", "y"};
  EXPECT_EQ(points[1].command, plain);
  EXPECT_EQ(spec_error("exec.cold = --cache-control all ./nn\n"),
            "/tmp/s.ini:1: exec.cold: gpusim exec options (--cache-control ...) must end with `--` before the program: "
            "exec.cold = --cache-control all -- ./program ARGS");
}

// Found by an adversarial tester: a size that is itself "{size}" replaced forever, and a spec of
// 10^8 points was built in memory (gigabytes) before anything was said.
TEST(SweepSpec, SelfReferentialSizesAndHugeGridsEnd) {
  const auto points = expand_points(parse_sweep_spec(
      "launch.x = k.ptx --kernel k --grid 1 --block 32 --arg zeros:f32:{size}\nsizes.x = {size}\n", "/tmp/s.ini"));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].command[9], "zeros:f32:{size}");
  std::string values;
  for (int i = 0; i < 1000; ++i) values += " " + std::to_string(i + 1);
  const std::string huge = "workloads = vecadd\nset.sm.count =" + values + "\nset.l2.slices =" + values +
                           "\nset.dram.channels =" + values + "\n";
  EXPECT_EQ(spec_error(huge), "/tmp/s.ini: the spec makes over 10000000 points (configs x workloads and sizes x set "
                              "values); a sweep may have at most 1000000");
}

TEST(SweepSpec, ErrorsNameFileAndLine) {
  EXPECT_EQ(spec_error("workloads = vecadd\nbogus = 1\n"),
            "/tmp/s.ini:2: unknown key 'bogus' (expected configs, workloads, sizes.NAME, set.KEY, mode, seed, "
            "launch.NAME, exec.NAME)");
  EXPECT_EQ(spec_error("\nworkloads = vecadd nosuch\n"), "/tmp/s.ini:2: unknown workload 'nosuch' (gpusim list shows them)");
  EXPECT_EQ(spec_error("workloads = vecadd\nmode = fast\n"), "/tmp/s.ini:2: mode must be 'timing' or 'functional'");
  EXPECT_EQ(spec_error("workloads = vecadd\nworkloads = sgemm_tiled\n"), "/tmp/s.ini:2: 'workloads' given twice");
  EXPECT_EQ(spec_error("workloads = vecadd\nsizes.sgemm_tiled = 64x64x64\n"),
            "/tmp/s.ini:2: sizes for 'sgemm_tiled', which is neither in workloads nor a launch./exec. entry");
  // A size of the wrong shape for its workload (a GEMM's MxNxK given as one number) is the spec's
  // error, not one failed point per configuration.
  EXPECT_EQ(spec_error("workloads = vecadd sgemm_tiled\nsizes.sgemm_tiled = 64x64x64 512\n"),
            "/tmp/s.ini:2: size '512' of sgemm_tiled has 1 dimension(s); expected " +
                workloads::find_workload("sgemm_tiled")->size_help());
  EXPECT_EQ(spec_error("workloads = vecadd\nsizes.vecadd = 64x64\n").rfind("/tmp/s.ini:2: size '64x64' of vecadd has 2 dimension(s)", 0), 0u);
  EXPECT_EQ(spec_error("workloads = vecadd\nno equals sign\n"), "/tmp/s.ini:2: expected 'key = value', got 'no equals sign'");
  EXPECT_EQ(spec_error("launch.k = k.ptx --arg u32:{size}\n"), "/tmp/s.ini:1: k uses {size} but no sizes.k line gives sizes");
  EXPECT_EQ(spec_error("# nothing\n"), "/tmp/s.ini:1: no workloads: give `workloads = ...`, `launch.NAME = ...` or `exec.NAME = ...`");
  EXPECT_NE(spec_error("configs = missing.ini\nworkloads = vecadd\n").find("/tmp/s.ini:1: config: cannot open '/tmp/missing.ini'"),
            std::string::npos);
  // A --set key the configuration does not have is caught before anything runs, at its line.
  const std::string bad_key = spec_error("workloads = vecadd\nset.sm.count = 4\nset.sm.no_such_key = 1\n");
  EXPECT_EQ(bad_key.rfind("/tmp/s.ini:3: config default with sm.count=4 sm.no_such_key=1: ", 0), 0u) << bad_key;
  EXPECT_EQ(spec_error("workloads = vecadd\nset.sm.count = 0\n").rfind("/tmp/s.ini:2: config default with sm.count=0: ", 0), 0u);
  // A config that is not an INI file is reported at the configs line.
  EXPECT_EQ(spec_error("workloads = vecadd\nconfigs = /tmp\n").rfind("/tmp/s.ini:2: config /tmp with no --set: ", 0), 0u);
  EXPECT_EQ(spec_error("workloads = vecadd\nseed = 18446744073709551616\n"), "/tmp/s.ini:2: seed 18446744073709551616 does not fit in 64 bits");
}

}  // namespace
}  // namespace gpusim::cli::sweep
