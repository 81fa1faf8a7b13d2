// `gpusim launch` as a user runs it on tests/fixtures/launch_kernels.ptx (nvcc output of
// launch_kernels.cu): the buffers it saves are checked against the same computation on the CPU.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/cli/launch_test_support.h"
#include "tests/run_gpusim.h"

namespace {

using namespace gpusim::test_support;

const std::string kKernels = std::string(GPUSIM_FIXTURES) + "/launch_kernels.ptx";
const std::string kSingle = std::string(GPUSIM_FIXTURES) + "/launch_single.ptx";

Outcome launch(const std::string& arguments) { return run_gpusim("launch " + arguments); }

// The data of a version-1.0 .npy file gpusim wrote, after checking its header names `descr`
// and `shape` (Python's tuple spelling, e.g. "(1000,)").
template <typename T>
std::vector<T> npy_data(const std::string& path, const std::string& descr, const std::string& shape) {
  const NpyParts parts = split_npy_v1(read_bytes(path));
  EXPECT_TRUE(contains(parts.header, "'descr': '" + descr + "'")) << path << ": " << parts.header;
  EXPECT_TRUE(contains(parts.header, "'shape': " + shape)) << path << ": " << parts.header;
  EXPECT_TRUE(contains(parts.header, "'fortran_order': False")) << path << ": " << parts.header;
  return from_bytes<T>(parts.data);
}

// saxpy(n, a, x, y, out, scratch): out = a*x + y + scratch (one fma, as nvcc contracted it),
// then y = 2*y + 1. Every argument kind at once: scalars, in (.npy), inout (raw in, .npy out),
// out, zeros.
TEST(LaunchCommand, SaxpyWithEveryArgumentKind) {
  TempDir dir;
  const unsigned n = 1000;
  const float a = 2.5f;
  std::vector<float> x(n), y(n);
  for (unsigned i = 0; i < n; ++i) {
    x[i] = static_cast<float>(i) * 0.25f - 7.0f;
    y[i] = 1.0f / static_cast<float>(i + 1);
  }
  write_bytes(dir.file("x.npy"), npy_v1(npy_dict("<f4", "(1000,)"), as_bytes(x)));
  write_bytes(dir.file("y.bin"), as_bytes(y));
  const Outcome o = launch(kKernels + " --kernel saxpy --grid 8 --block 128 --mode functional --arg u32:1000 --arg f32:2.5" +
                           " --arg in:f32:" + dir.file("x.npy") + " --arg inout:f32:" + dir.file("y.bin") + ":" +
                           dir.file("y_out.npy") + " --arg out:f32:1000:" + dir.file("out.npy") + " --arg zeros:f32:1000");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "launch saxpy: 8 CTAs")) << o.output;
  EXPECT_TRUE(contains(o.output, "saved    argument 4: 1000 f32 to " + dir.file("out.npy"))) << o.output;

  const std::vector<float> out = npy_data<float>(dir.file("out.npy"), "<f4", "(1000,)");
  const std::vector<float> y_out = npy_data<float>(dir.file("y_out.npy"), "<f4", "(1000,)");
  ASSERT_EQ(out.size(), n);
  ASSERT_EQ(y_out.size(), n);
  for (unsigned i = 0; i < n; ++i) {
    EXPECT_EQ(out[i], std::fma(x[i], a, y[i]) + 0.0f) << i;
    EXPECT_EQ(y_out[i], std::fma(y[i], 2.0f, 1.0f)) << i;
  }
}

// Every scalar type, each at an edge of its range, read back as doubles the kernel computed.
TEST(LaunchCommand, EveryScalarType) {
  TempDir dir;
  const Outcome o = launch(kKernels +
                           " --kernel scalars --grid 1 --block 32 --mode functional --arg s8:-128 --arg s16:-32768"
                           " --arg s32:-2147483648 --arg s64:-1234567890123 --arg u8:255 --arg u16:65535"
                           " --arg u32:4294967295 --arg u64:0xffffffffffff --arg f32:1.5e-3 --arg f64:0x1.8p3"
                           " --arg f16:0.333 --arg out:f64:11:" + dir.file("s.bin"));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const std::vector<double> got = from_bytes<double>(read_bytes(dir.file("s.bin")));  // raw: no header
  // f16 0.333: 0.333 / 2^-12 (the spacing in [0.25, 0.5)) = 1363.97 -> 1364 * 2^-12.
  const std::vector<double> expected = {-128, -32768, -2147483648.0, -1234567890123.0, 255, 65535, 4294967295.0,
                                        281474976710655.0, static_cast<double>(1.5e-3f), 12.0, 0.3330078125};
  EXPECT_EQ(got, expected);
}

// Where every thread of 2-D and 3-D grids of 2-D/3-D blocks ran, against the same indexing on the CPU.
TEST(LaunchCommand, TwoAndThreeDimensionalGrids) {
  TempDir dir;
  struct Case {
    unsigned gx, gy, gz, bx, by, bz;
  };
  for (const Case c : {Case{3, 2, 2, 4, 2, 3}, Case{2, 3, 1, 8, 4, 1}}) {
    const unsigned threads = c.gx * c.gy * c.gz * c.bx * c.by * c.bz;
    const std::string grid = std::to_string(c.gx) + "," + std::to_string(c.gy) + (c.gz > 1 ? "," + std::to_string(c.gz) : "");
    const std::string block = std::to_string(c.bx) + "," + std::to_string(c.by) + (c.bz > 1 ? "," + std::to_string(c.bz) : "");
    const Outcome o = launch(kKernels + " --kernel where_am_i --mode functional --grid " + grid + " --block " + block +
                             " --arg out:u32:" + std::to_string(threads) + ":" + dir.file("w.npy"));
    ASSERT_EQ(o.exit_code, 0) << o.output;
    std::vector<uint32_t> expected(threads);
    for (unsigned bz = 0; bz < c.gz; ++bz)
      for (unsigned by = 0; by < c.gy; ++by)
        for (unsigned bx = 0; bx < c.gx; ++bx)
          for (unsigned tz = 0; tz < c.bz; ++tz)
            for (unsigned ty = 0; ty < c.by; ++ty)
              for (unsigned tx = 0; tx < c.bx; ++tx) {
                const unsigned blk = (bz * c.gy + by) * c.gx + bx;
                const unsigned thr = (tz * c.by + ty) * c.bx + tx;
                expected[blk * c.bx * c.by * c.bz + thr] = (bx << 24) | (by << 20) | (bz << 16) | (tx << 8) | (ty << 4) | tz;
              }
    EXPECT_EQ(npy_data<uint32_t>(dir.file("w.npy"), "<u4", "(" + std::to_string(threads) + ",)"), expected) << grid;
  }
}

// A device as an input (/dev/zero never ends) was read until the host ran out of memory.
TEST(LaunchCommand, DevicesAreRefusedAsInputs) {
  TempDir dir;
  Outcome o = launch(kKernels + " --kernel reverse_blocks --mode functional --grid 1 --block 64 --arg in:s64:/dev/zero"
                     " --arg out:s64:64:" + dir.file("r.npy"));
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "/dev/zero: is a device, not a file")) << o.output;
  o = launch("/dev/zero --grid 1 --block 1");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "'/dev/zero' is a device, not a PTX file")) << o.output;
}

// reverse_blocks reverses each CTA's slice through `extern __shared__` memory sized by --shared;
// without it the shared store is out of bounds, a kernel fault.
TEST(LaunchCommand, DynamicSharedMemory) {
  TempDir dir;
  std::vector<int64_t> in(256);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int64_t>(i) * 1000003 - 5000000000LL;
  write_bytes(dir.file("in.npy"), npy_v1(npy_dict("<i8", "(16, 16)"), as_bytes(in)));
  const std::string common = kKernels + " --kernel reverse_blocks --mode functional --grid 4 --block 64 --arg in:s64:" +
                             dir.file("in.npy") + " --arg out:s64:16x16:" + dir.file("r.npy");
  Outcome o = launch(common + " --shared 512");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "512 bytes dynamic shared")) << o.output;
  const std::vector<int64_t> got = npy_data<int64_t>(dir.file("r.npy"), "<i8", "(16, 16)");
  ASSERT_EQ(got.size(), in.size());
  for (size_t b = 0; b < 4; ++b)
    for (size_t t = 0; t < 64; ++t) EXPECT_EQ(got[b * 64 + t], in[b * 64 + 63 - t]) << b << "," << t;

  o = launch(common);
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "out-of-bounds shared store")) << o.output;
  // The report says why: the kernel's extern __shared__ array got no bytes.
  EXPECT_TRUE(contains(o.output, "its extern __shared__ array is empty")) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim launch --shared BYTES")) << o.output;
}

// A file with one kernel needs no --kernel; u16 arithmetic wraps at 65536.
TEST(LaunchCommand, TheOnlyKernelIsChosen) {
  TempDir dir;
  const Outcome o = launch(kSingle + " --grid 1 --block 128 --mode functional --arg out:u16:100:" + dir.file("i.npy") +
                           " --arg u16:65500 --arg u32:100");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel   iota_u16")) << o.output;
  std::vector<uint16_t> expected(100);
  for (unsigned i = 0; i < 100; ++i) expected[i] = static_cast<uint16_t>((65500 + i) % 65536);
  EXPECT_EQ(npy_data<uint16_t>(dir.file("i.npy"), "<u2", "(100,)"), expected);
}

// Timing mode on a --config file: cycles in the summary and a --stats JSON document naming the kernel.
TEST(LaunchCommand, TimingModeWritesStats) {
  TempDir dir;
  const Outcome o = launch(kKernels + " --kernel saxpy --grid 4 --block 64 --mode timing --arg u32:256 --arg f32:1" +
                           " --arg zeros:f32:256 --arg zeros:f32:256 --arg out:f32:256:" + dir.file("o.bin") +
                           " --arg zeros:f32:256 --stats " + dir.file("s.json") + " --config " + GPUSIM_SOURCE_DIR +
                           "/configs/h100.ini --set sm.count=4");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "timing mode")) << o.output;
  EXPECT_TRUE(contains(o.output, "H100")) << o.output;
  EXPECT_TRUE(contains(o.output, " cycles")) << o.output;
  std::ifstream f(dir.file("s.json"));
  const nlohmann::json stats = nlohmann::json::parse(f, nullptr, false);
  ASSERT_FALSE(stats.is_discarded()) << "--stats is not JSON";
  ASSERT_EQ(stats["launches"].size(), 1u);
  EXPECT_EQ(stats["launches"][0]["kernel"], "saxpy");
  EXPECT_GT(stats["launches"][0]["cycles"].get<uint64_t>(), 0u);
}

// A store past the end of a buffer: the simulator's fault report (kernel, thread, PTX line,
// address), exit status 1, and no output file saved.
TEST(LaunchCommand, KernelFaultReportsAndExits1) {
  TempDir dir;
  const Outcome o = launch(kKernels + " --kernel write_past_end --grid 1 --block 4 --mode functional --arg out:s32:10:" +
                           dir.file("p.npy") + " --arg u32:10");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel fault")) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel 'write_past_end'")) << o.output;
  EXPECT_TRUE(contains(o.output, "out-of-bounds global store")) << o.output;
  EXPECT_TRUE(contains(o.output, "launch_kernels.ptx:")) << o.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("p.npy")));
  // Said even without --stats: a file of that name from an earlier run is not this run's result.
  EXPECT_TRUE(contains(o.output, "output buffers not written: the launch faulted (" + dir.file("p.npy"))) << o.output;
}

TEST(LaunchCommand, HelpAndCommandList) {
  Outcome o = launch("--help");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  for (const char* text : {"--kernel", "--grid", "--block", "--shared", "--arg", "--backend", "--stats", "--config",
                           "--set", "in:TYPE:FILE", "out:TYPE:COUNT:FILE", "inout:TYPE:INPUT:OUTPUT", "zeros:TYPE:COUNT"})
    EXPECT_TRUE(contains(o.output, text)) << text;
  o = run_gpusim("--help");
  EXPECT_TRUE(contains(o.output, "launch")) << o.output;
}

}  // namespace
