// A named pipe (FIFO) given as an input file that nobody writes to reads as empty instead of
// blocking gpusim forever in open() (where one SIGTERM did not end it); a pipe that is written
// (a shell's <(...)) is read as a file.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/cli/launch_test_support.h"
#include "tests/run_gpusim.h"

namespace {

using namespace gpusim::test_support;

// gpusim under bash (for <(...)) and `timeout` (a hang ends with status 124 or 137 instead of
// holding the test up).
Outcome run_in_bash(const std::string& arguments) {
  const std::string script = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 timeout -k 5 60 '" + std::string(GPUSIM_BINARY) +
                             "' " + arguments + " 2>&1";
  std::string quoted;
  for (char c : script) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  Outcome o;
  FILE* pipe = popen(("bash -c '" + quoted + "'").c_str(), "r");
  if (!pipe) return o;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) o.output.append(buffer, n);
  const int status = pclose(pipe);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

const std::string kSingle = std::string(GPUSIM_FIXTURES) + "/launch_single.ptx";

TEST(FifoInputs, AnUnwrittenPipeReadsAsEmptyInsteadOfBlocking) {
  TempDir dir;
  const std::string fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Outcome o = run_in_bash("launch '" + fifo + "' --grid 1 --block 32");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "has no kernel")) << o.output;
  o = run_in_bash("run vecadd --size 1024 --config '" + fifo + "'");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_LT(o.exit_code, 124) << o.output;
  EXPECT_TRUE(contains(o.output, "the file sets no parameters")) << o.output;
}

TEST(FifoInputs, AWrittenPipeIsReadWhole) {
  TempDir dir;
  const Outcome o = run_in_bash("launch <(cat '" + kSingle + "') --mode functional --grid 1 --block 32 --arg out:u16:32:'" +
                                dir.file("out.bin") + "' --arg u16:5 --arg u32:32");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  const std::vector<uint16_t> out = from_bytes<uint16_t>(read_bytes(dir.file("out.bin")));
  ASSERT_EQ(out.size(), 32u);
  for (uint16_t i = 0; i < 32; ++i) EXPECT_EQ(out[i], 5 + i);
}

}  // namespace
