// `gpusim exec` on the CUDA programs in tests/cuda_programs (built by nvcc, shared or static runtime):
// each program checks its own results against CPU code and exits 0; these tests run it in both
// simulation modes and check what a user sees (exit code, its output, the launch table).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::cuda_program_path;
using gpusim::test_support::exec_program;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

std::string program(const std::string& name) { return cuda_program_path(name); }
std::string config(const std::string& name) { return std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name; }

Outcome exec(const std::string& options, const std::string& name, const std::string& args = "") {
  return exec_program(options, name, args);
}

class SelfChecking : public ::testing::TestWithParam<std::string> {};

TEST_P(SelfChecking, PassesInFunctionalMode) {
#if defined(GPUSIM_ADDRESS_SANITIZER)
  // The program passes, then LeakSanitizer's tracer crashes at exit scanning a dynamic TLS block
  // whose bounds it misreads ("DTLS 6 at 0x11bf-0x12000022c1", signal 11 in the tracer), and
  // without TLS scanning it reports glibc's own pthread_setspecific / dlopen blocks as leaks.
  if (GetParam() == std::string("nvrtc_library")) GTEST_SKIP() << "LeakSanitizer's tracer crashes on this program's dynamic TLS";
#endif
  const Outcome o = exec("--mode functional", GetParam());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "OK")) << o.output;
  EXPECT_TRUE(contains(o.output, "functional mode")) << o.output;
}

TEST_P(SelfChecking, PassesInTimingModeOnTheH100Config) {
  const Outcome o = exec("--mode timing --config '" + config("h100.ini") + "'", GetParam());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "OK")) << o.output;
  EXPECT_TRUE(contains(o.output, "timing mode")) << o.output;
}

INSTANTIATE_TEST_SUITE_P(Programs, SelfChecking,
                         ::testing::Values("vector_add", "multi_module", "streams_events", "symbols_managed", "memcpy2d",
                                           "shared_occupancy", "device_malloc", "grid_sync", "thrust_algorithms", "graph_capture", "graph_manual", "graph_errors", "mempool", "vector_add_uncompressed", "vector_add_lz4",
                                           "vector_add_default_arch", "vector_add_sm90", "hopper_gemm",
                                           "hopper_int8_im2col", "rdc_link", "int128_arith", "atomics16", "launch_bounds", "pitched3d_peer", "thrust_keys",
                                           "host_api_corners", "nvrtc_library", "nvrtc_driver_static", "nvrtc_mixed_api",
                                           "fork_child", "spin_locks", "divergent_collectives", "cdp_recursion", "cdp_streams",
                                           "cdp_errors", "per_thread_stream", "stream_attributes", "allocation_failures",
                                           "driver_entry_point", "host_callbacks", "launch_attributes", "find_nth_bit",
                                           "managed_hints", "graph_composite", "cache_hints", "graph_conditional", "batch_memory",
                                           "l1_bypass", "cp_async_forms",
                                           "driver_jit_link", "driver_vmm", "driver_memory", "driver_contexts", "driver_cooperative",
                                           "driver_graphs", "driver_textures", "mixed_streams", "mixed_managed", "mixed_graphs",
                                           "mixed_kernel_handles", "graph_events_allocs", "runtime_graph_params",
                                           "runtime_user_objects", "runtime_graph_set_params", "grid_sync_debug"));

// Device printf of a driver launch is written at cuCtxSynchronize, as a GPU's is (it waited for
// the process's exit when libcudart, which gpusim exec preloads, held the device).
TEST(Exec, DriverLaunchPrintfAppearsAtTheSynchronisation) {
  const Outcome o = exec("", "driver_contexts");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const size_t device = o.output.find("device printf from a driver launch");
  const size_t host = o.output.find("after cuCtxSynchronize");
  ASSERT_NE(device, std::string::npos) << o.output;
  ASSERT_NE(host, std::string::npos) << o.output;
  EXPECT_LT(device, host) << o.output;
}

// With stdout and stderr on one pipe (a CI log), the program's output (fully buffered there, and
// flushed only after the exit handlers) comes before the launch table: a database user's log had
// the table above the program's last lines. Runtime and driver API programs alike.
TEST(Exec, TheProgramsBufferedOutputComesBeforeTheLaunchTable) {
  for (const char* program : {"vector_add", "driver_contexts"}) {
    const Outcome o = exec("", program);
    ASSERT_EQ(o.exit_code, 0) << o.output;
    const size_t last_line = o.output.rfind(program == std::string("vector_add") ? "elements: OK" : "after cuCtxSynchronize");
    const size_t table = o.output.find("kernel launch");
    ASSERT_NE(last_line, std::string::npos) << o.output;
    ASSERT_NE(table, std::string::npos) << o.output;
    EXPECT_LT(last_line, table) << program << "\n" << o.output;
  }
}

// An output path whose folder does not exist is a usage error before the program starts: --trace
// made every CUDA call of the program fail (cudaErrorInitializationError) and gpusim exit 0;
// --stats was reported only at exit, also with status 0.
TEST(Exec, OutputFoldersAreCheckedBeforeTheProgramStarts) {
  Outcome o = exec("--mode timing --trace /nonexistent_folder/t.json", "vector_add");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--trace /nonexistent_folder/t.json: the folder /nonexistent_folder does not exist")) << o.output;
  EXPECT_FALSE(contains(o.output, "elements: OK")) << o.output;  // the program never ran
  o = exec("--stats /nonexistent_folder/s.json", "vector_add");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_TRUE(contains(o.output, "--stats /nonexistent_folder/s.json: the folder /nonexistent_folder does not exist")) << o.output;
}

// gpusim exec's options decide what a run writes; a GPUSIM_* setting inherited from the caller is
// cleared, and the run says so with the option to use (it was dropped without a word).
TEST(Exec, InheritedSettingsAreNamedWhenCleared) {
  const std::string stats = testing::TempDir() + "/inherited_stats.json";
  setenv("GPUSIM_STATS", stats.c_str(), 1);
  const Outcome o = exec("", "vector_add");
  unsetenv("GPUSIM_STATS");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "note: GPUSIM_STATS=" + stats + " from the environment is ignored; give --stats instead"))
      << o.output;
}

// A forked child's exit() must not print the parent's launch table (nor write its statistics).
TEST(Exec, ForkedChildLeavesTheReportToItsParent) {
  const Outcome o = exec("", "fork_child");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const size_t first = o.output.find("kernel launches on");
  ASSERT_NE(first, std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("kernel launches on", first + 1), std::string::npos) << o.output;
}

// exit() inside a host callback ends the program with that status, the report still printed.
TEST(Exec, ExitInsideAHostCallbackEndsTheProgram) {
  const Outcome o = run_gpusim("exec -- env EXIT_FROM_CALLBACK=7 '" + program("fork_child") + "'");
  EXPECT_EQ(o.exit_code, 7) << o.output;
  EXPECT_TRUE(contains(o.output, "callback: exiting with 7 after seeing 3")) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel launch")) << o.output;
}

TEST(Exec, LaunchTableListsEveryLaunchWithDemangledNames) {
  const Outcome o = exec("--mode timing", "multi_module");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "3 kernel launches")) << o.output;
  EXPECT_TRUE(contains(o.output, "void scale<int>(int*, int, int)")) << o.output;
  EXPECT_TRUE(contains(o.output, "void scale<double>(double*, double, int)")) << o.output;
  EXPECT_TRUE(contains(o.output, "add_offset(int*, int, int)")) << o.output;
  EXPECT_TRUE(contains(o.output, "total")) << o.output;
}

// (On a chip of the program's generation: PTX newer than the chip is noted under --quiet too.)
TEST(Exec, QuietLeavesOnlyTheProgramsOutput) {
  const Outcome o = exec("--quiet --config '" + config("h100.ini") + "'", "vector_add", "1000");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.output.rfind("vector_add of 1000 elements: OK", 0), 0u) << o.output;
  EXPECT_FALSE(contains(o.output, "kernel launch")) << o.output;
}

// GPUSIM_QUIET=1 in gpusim exec's own environment quiets it as --quiet does (the wrapper used to
// overwrite it with 0).
TEST(Exec, QuietFromTheEnvironment) {
  setenv("GPUSIM_QUIET", "1", 1);  // inherited by gpusim through popen
  const Outcome o = run_gpusim("exec -- '" + program("vector_add") + "' 1000");
  unsetenv("GPUSIM_QUIET");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_FALSE(contains(o.output, "kernel launch")) << o.output;
}

TEST(Exec, StatsFileHoldsEveryLaunchWithCycles) {
  const std::string path = ::testing::TempDir() + "/exec_stats.json";
  const Outcome o = exec("--mode timing --quiet --stats '" + path + "'", "vector_add", "5000");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  std::ifstream f(path);
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_TRUE(contains(text.str(), "\"kernel\": \"vector_add(float const*, float const*, float*, int)\"")) << text.str();
  EXPECT_TRUE(contains(text.str(), "\"grid\"")) << text.str();
  EXPECT_FALSE(contains(text.str(), "\"cycles\": 0,")) << text.str();
  // The roofline reads the same file (exec's records wrap each launch's statistics as "timing").
  const Outcome roofline = run_gpusim("roofline --stats '" + path + "' -o '" + ::testing::TempDir() + "/exec_roofline.svg'");
  EXPECT_EQ(roofline.exit_code, 0) << roofline.output;
  EXPECT_TRUE(contains(roofline.output, "vector_add(float const*, float const*, float*, int)")) << roofline.output;
}

TEST(Exec, EventTimeIsTheSimulatedTimeInTimingMode) {
  // 200000 elements on the V100 config (2.4 MB, which the copies leave in the L2): thousands of
  // cycles at 1245 MHz, i.e. a few microseconds; a wall-clock reading of the simulator would be
  // milliseconds.
  const Outcome o = exec("--mode timing --quiet", "vector_add", "200000");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const size_t at = o.output.find("OK (");
  ASSERT_NE(at, std::string::npos) << o.output;
  const double ms = std::stod(o.output.substr(at + 4));
  EXPECT_GT(ms, 0.0005) << o.output;
  EXPECT_LT(ms, 0.1) << o.output;
}

// PTX newer than the simulated chip runs, with a note that a GPU of that capability would refuse
// it; on a chip of its generation there is nothing to say.
TEST(Exec, NewerPtxThanTheSimulatedChipIsNoted) {
  const Outcome older = exec("", "vector_add_sm90");
  ASSERT_EQ(older.exit_code, 0) << older.output;
  EXPECT_TRUE(contains(older.output, "is PTX for compute_90, newer than the simulated GPU")) << older.output;
  EXPECT_TRUE(contains(older.output, "compute capability 7.5")) << older.output;
  // --quiet quiets the launch table, not this: a GPU would refuse the program.
  const Outcome quiet = exec("--quiet", "vector_add_sm90");
  EXPECT_TRUE(contains(quiet.output, "is PTX for compute_90, newer than the simulated GPU")) << quiet.output;
  EXPECT_TRUE(contains(quiet.output, "--config configs/h100.ini simulates a compute_90 GPU")) << quiet.output;
  const Outcome same = exec("--config '" + config("h100.ini") + "'", "vector_add_sm90");
  ASSERT_EQ(same.exit_code, 0) << same.output;
  EXPECT_FALSE(contains(same.output, "newer than the simulated GPU")) << same.output;
}

// With -rdc, a file compiled to SASS only is linked without its kernels' PTX: their launches say
// so (cudaErrorNoKernelImageForDevice, naming the fix), the other file's kernels run.
TEST(Exec, RdcKernelWithoutPtxGetsNoKernelImage) {
  const Outcome o = exec("", "rdc_sass_only");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "rdc_sass_only OK")) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel 'own_kernel(int*)' has no PTX in the program")) << o.output;
  EXPECT_TRUE(contains(o.output, "CUDA_ARCHITECTURES XX-real")) << o.output;
}

TEST(Exec, SassOnlyBinaryGetsOneClearErrorNamingTheNvccFlag) {
  const Outcome o = exec("", "vector_add_sass_only");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "holds no PTX (sm_80 SASS)")) << o.output;
  EXPECT_TRUE(contains(o.output, "-gencode arch=compute_80,code=compute_80")) << o.output;
  EXPECT_TRUE(contains(o.output, "cudaErrorNoKernelImageForDevice")) << o.output;
  // Launched three times, errors checked late: each launch returns the error, the message is said
  // once (an outside user's program printed it at every launch).
  const Outcome again = exec("", "relaunch_no_image");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  size_t said = 0;
  for (size_t at = again.output.find("holds no PTX"); at != std::string::npos; at = again.output.find("holds no PTX", at + 1))
    ++said;
  EXPECT_EQ(said, 1u) << again.output;
  EXPECT_TRUE(contains(again.output, "launch 2: cudaErrorNoKernelImageForDevice")) << again.output;
}

// A device that cannot start (a bad GPUSIM_MODE reaching the program) is said once; no table of
// "0 kernel launches on  (functional mode)" follows with the device's name blank.
TEST(Exec, ADeviceThatCannotStartPrintsNoEmptyTable) {
  const Outcome o = run_gpusim("exec -- env GPUSIM_MODE=bogus '" + program("vector_add") + "'");
  EXPECT_TRUE(contains(o.output, "the simulated CUDA device could not start")) << o.output;
  EXPECT_FALSE(contains(o.output, "kernel launches on")) << o.output;
}

TEST(Exec, UsageErrors) {
  EXPECT_EQ(run_gpusim("exec").exit_code, 2);
  EXPECT_EQ(run_gpusim("exec --mode fast -- /bin/true").exit_code, 2);
  const Outcome missing = run_gpusim("exec -- /nonexistent/program");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.output, "/nonexistent/program: no such file")) << missing.output;
  const Outcome bad_config = run_gpusim("exec --set sm.count=abc -- /bin/true");
  EXPECT_EQ(bad_config.exit_code, 1);
  EXPECT_TRUE(contains(bad_config.output, "sm.count")) << bad_config.output;
}

TEST(Exec, ProgramExitCodeAndArgumentsPassThrough) {
  const Outcome o = run_gpusim("exec -- /bin/sh -c 'echo hello $0; exit 7' world");
  EXPECT_EQ(o.exit_code, 7);
  EXPECT_TRUE(contains(o.output, "hello world")) << o.output;
}

TEST(Exec, UnimplementedFunctionIsNamedOnceAndReturnsAnError) {
  const Outcome o = exec("", "unimplemented_call");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "ipc: cudaErrorNotSupported cudaErrorNotSupported")) << o.output;
  const size_t first = o.output.find("called cudaIpcGetMemHandle");
  ASSERT_NE(first, std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("called cudaIpcGetMemHandle", first + 1), std::string::npos) << o.output;
}

// A copy from a device address outside every allocation says where it is: here just past the end
// of host_api_corners' 256-byte allocation, not only "not device memory".
TEST(Exec, CopyOutsideAnAllocationNamesTheNearestOne) {
  const Outcome o = exec("", "host_api_corners");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  // A launch on a destroyed stream names its kernel and the handle, and is listed as refused (a
  // TA's student read only "unknown or destroyed stream").
  EXPECT_TRUE(contains(o.output, "launch of 'fill(int*, int, int)': unknown or destroyed stream 0x")) << o.output;
  EXPECT_TRUE(contains(o.output, "fill(int*, int, int) <<<(1,1,1), (1,1,1)>>>: cudaErrorInvalidResourceHandle")) << o.output;
  EXPECT_TRUE(contains(o.output, "is not device memory (no cudaMalloc/cudaMallocManaged allocation holds it): just past the "
                                 "end of the 256-byte allocation at 0x"))
      << o.output;
  // A host pointer given as the device side is named as such.
  EXPECT_TRUE(contains(o.output, "allocation holds it): not a device address")) << o.output;
  // cudaFreeHost names the pointer and what it is (a TA's student read only "invalid argument").
  EXPECT_TRUE(contains(o.output, "bytes into the pinned/managed allocation at 0x")) << o.output;
  EXPECT_TRUE(contains(o.output, "is device memory (cudaMalloc): free it with cudaFree")) << o.output;
  EXPECT_TRUE(contains(o.output, "was not returned by cudaMallocHost/cudaHostAlloc/cudaMallocManaged (freed already")) << o.output;
  // A null kernel says it is one (a compression user read "no kernel ... at 0x0" from CUB).
  EXPECT_TRUE(contains(o.output, "the kernel is a null pointer (no kernel function was given")) << o.output;
  // A stream from before cudaDeviceReset is stale, and the message says resets destroy them.
  EXPECT_TRUE(contains(o.output, "(destroyed, by cudaStreamDestroy or cudaDeviceReset, or never created by cudaStreamCreate)"))
      << o.output;
  // cudaEventElapsedTime says which event was never recorded.
  EXPECT_TRUE(contains(o.output, "cudaEventElapsedTime: the end event (0x")) << o.output;
  // A memset there says the same (it said only "not device memory").
  EXPECT_TRUE(contains(o.output, "which is not device memory: just past the end of the 256-byte allocation at 0x"))
      << o.output;
}

// Each misuse in graph_errors (which checks the codes itself) is explained in one line that names
// the call, as every failing runtime call is.
TEST(Exec, GraphAndCaptureMisuseIsNamed) {
  const Outcome o = exec("", "graph_errors");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: cudaMalloc: cudaMalloc is not permitted while a stream captures")) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: cudaStreamEndCapture: a stream forked from the capture did not rejoin")) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: cudaGraphLaunch: unknown or destroyed executable graph (cudaErrorInvalidResourceHandle)")) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: cudaGraphInstantiate: the graph has a dependency cycle")) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: cudaGraphAddEmptyNode: dependency 0 is a node of another graph")) << o.output;
}

// A graph's kernels are timed and listed as ordinary launches (the launch table counts each replay).
TEST(Exec, GraphLaunchesAreListedAsKernelLaunches) {
  const Outcome o = exec("--mode timing", "graph_capture");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "15 kernel launches")) << o.output;  // 3 kernels x 5 replays
}

TEST(Exec, KernelFaultIsTheGpusErrorAndSticky) {
  const Outcome o = exec("", "kernel_fault");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  // As on a GPU, cudaGetLastError right after the launch and cudaEventRecord do not see the fault
  // yet (gpusim's synchronous launch returned it at once: a program's error handling took a path
  // a GPU never takes); the synchronisation does, and every call after it.
  EXPECT_TRUE(contains(o.output, "launch: cudaSuccess\nrecord: cudaSuccess\n")) << o.output;
  EXPECT_TRUE(contains(o.output, "sync: cudaErrorIllegalAddress")) << o.output;
  EXPECT_TRUE(contains(o.output, "later: cudaErrorIllegalAddress")) << o.output;
  EXPECT_TRUE(contains(o.output, "write_past_end")) << o.output;  // the fault report names the kernel
}

// A kernel first launched while the fault's error is sticky runs after cudaDeviceReset: its host
// stub caches the handle __cudaGetKernel gave then (it was left null: "no kernel is registered for
// the host function at 0").
TEST(Exec, AKernelFirstLaunchedDuringAStickyErrorRunsAfterReset) {
  const Outcome o = exec("", "kernel_fault", "reset");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "sticky launch: cudaErrorIllegalAddress; after reset: 1 2 3 4")) << o.output;
}

}  // namespace

namespace {

// The device a program sees is the configuration gpusim simulates (the INI file is the reference).
TEST(Exec, DeviceQueryDescribesTheSimulatedConfiguration) {
  const Outcome v100 = exec("", "device_query");
  ASSERT_EQ(v100.exit_code, 0) << v100.output;
  EXPECT_TRUE(contains(v100.output, "devices=1 current=0")) << v100.output;
  EXPECT_TRUE(contains(v100.output, "cc=7.5 sms=80 warp=32")) << v100.output;  // chip.sm_arch = sm_75, sm.count = 80
  EXPECT_TRUE(contains(v100.output, "global_mib=16384 l2_kib=6144 shared_per_block=49152 optin=98304")) << v100.output;
  const Outcome h100 = exec("--config '" + config("h100.ini") + "' --set sm.count=100", "device_query");
  ASSERT_EQ(h100.exit_code, 0) << h100.output;
  EXPECT_TRUE(contains(h100.output, "cc=9.0 sms=100")) << h100.output;
  EXPECT_TRUE(contains(h100.output, "global_mib=81920 l2_kib=51200")) << h100.output;
  EXPECT_TRUE(contains(h100.output, "bus_bits=5120")) << h100.output;  // 80 channels x 64 bits
}

}  // namespace

namespace {

// Every device printf line arrives, on stdout, between the host lines around the launch and the
// synchronisation (where a GPU prints them), in both modes.
TEST(Exec, DevicePrintfFromManyThreads) {
  for (const char* mode : {"functional", "timing"}) {
    const Outcome o = exec(std::string("--quiet --mode ") + mode, "device_printf");
    ASSERT_EQ(o.exit_code, 0) << o.output;
    const size_t before = o.output.find("host before\n"), after = o.output.find("host after\n");
    ASSERT_NE(before, std::string::npos) << o.output;
    ASSERT_NE(after, std::string::npos) << o.output;
    for (int t = 0; t < 160; ++t)
      for (int r = 0; r < 2; ++r) {
        char line[64];
        if (t % 2 == 0) std::snprintf(line, sizeof line, "even t=%d r=%d v=%.2f\n", t, r, t * 0.5);
        else std::snprintf(line, sizeof line, "odd  t=%d r=%d s=str\n", t, r);
        const size_t at = o.output.find(line);
        ASSERT_NE(at, std::string::npos) << mode << ": missing " << line;
        EXPECT_TRUE(at > before && at < after) << line;
      }
  }
}

// Relocatable device code: both files' printf strings (each file's `$str`) print their own text,
// and GPUSIM_DUMP_PTX writes the linked PTX with each file's part named.
TEST(Exec, RelocatableDeviceCodeLinksBothFilesPrintfStrings) {
  const std::string dir = ::testing::TempDir() + "rdc_dump";
  ASSERT_EQ(std::system(("mkdir -p '" + dir + "'").c_str()), 0);
  setenv("GPUSIM_DUMP_PTX", dir.c_str(), 1);  // the program inherits it through gpusim exec
  const Outcome o = exec("--quiet", "rdc_link");
  unsetenv("GPUSIM_DUMP_PTX");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "main: eval of 300 elements\n")) << o.output;
  EXPECT_TRUE(contains(o.output, "lib: mix of 3 is 16\n")) << o.output;
  EXPECT_TRUE(contains(o.output, "lib: bias 42\n")) << o.output;
  std::ifstream dump(dir + "/rdc_link.fatbin0.linked.compute_80.ptx");
  ASSERT_TRUE(dump.good()) << "no linked PTX in " << dir;
  std::stringstream text;
  text << dump.rdbuf();
  EXPECT_TRUE(contains(text.str(), "prelinked fat binary 0")) << text.str().substr(0, 2000);
  EXPECT_TRUE(contains(text.str(), "prelinked fat binary 1")) << text.str().substr(0, 2000);
}

// A GPUSIM_DUMP_PTX folder that cannot take the file is said once per module (it was skipped
// without a word); the program runs on.
TEST(Exec, PtxDumpThatCannotBeWrittenIsSaid) {
  setenv("GPUSIM_DUMP_PTX", "/nonexistent_dump_folder", 1);
  const Outcome o = exec("--quiet", "vector_add");
  unsetenv("GPUSIM_DUMP_PTX");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: GPUSIM_DUMP_PTX: cannot write /nonexistent_dump_folder/vector_add.fatbin0.")) << o.output;
}

// Dynamic parallelism: every grid launched from the device is its own row of the launch table
// (1 parent + 6 CTAs x 7 children), marked '>' per nesting level, after the grid that launched it;
// the host's launch of maybe_query comes last.
TEST(Exec, DeviceLaunchedGridsAreRowsOfTheLaunchTable) {
  const Outcome o = exec("--mode timing", "cdp_streams");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "44 kernel launches")) << o.output;
  EXPECT_TRUE(contains(o.output, "     1  parent(int*, long long*, int*)")) << o.output;
  EXPECT_TRUE(contains(o.output, "     2  >fill(int*, int)")) << o.output;
  EXPECT_TRUE(contains(o.output, "    43  >tail_check(int const*, long long*, int)")) << o.output;
  EXPECT_TRUE(contains(o.output, "    44  maybe_query(int*, bool)")) << o.output;
}

// The table's rows per kernel: each kernel's launch count as cdp_streams.cu makes them (6 parent
// CTAs: 4 fills, 1 twice_of, 1 scale (2 CTAs), 1 tail check each; then maybe_query from the host),
// grid and block where all launches agree, and the total of every launch.
TEST(Exec, TheLaunchTableSummarisesPerKernelOnRequest) {
  const Outcome o = exec("--launch-table kernels", "cdp_streams");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "44 kernel launches")) << o.output;
  EXPECT_TRUE(contains(o.output, "launches  kernel")) << o.output;
  EXPECT_TRUE(contains(o.output, "        24  >fill(int*, int)                         1,1,1          64,1,1")) << o.output;
  EXPECT_TRUE(contains(o.output, "         6  >scale(int*, int)                        2,1,1          32,1,1")) << o.output;
  EXPECT_TRUE(contains(o.output, "         6  >tail_check(int const*, long long*, int) 1,1,1")) << o.output;
  EXPECT_TRUE(contains(o.output, "         1  parent(int*, long long*, int*)           6,1,1")) << o.output;
  EXPECT_TRUE(contains(o.output, "         1  maybe_query(int*, bool)")) << o.output;
  EXPECT_FALSE(contains(o.output, "        44  ")) << o.output;  // no row per launch
  const Outcome bad = exec("--launch-table rows", "cdp_streams");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "--launch-table 'rows': expected launches or kernels")) << bad.output;
}

// A device-launched grid whose name is too wide for the column keeps its name, shortened, behind
// its nesting marks (tree_sum(int const*, long long*, int, int, int, int) came out blank).
TEST(Exec, DeviceLaunchedKernelsWithLongNamesKeepTheirNames) {
  const Outcome o = exec("--launch-table kernels", "cdp_recursion");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "         2  >tree_sum(...)     ")) << o.output;
  EXPECT_TRUE(contains(o.output, "        16  >>>>tree_sum(...)  ")) << o.output;
}

// A template's instantiations keep rows of their own where their arguments fit the column
// (mma_sync_shapes.cu launches mma_m8n8_int<0> ... <3> once each).
TEST(Exec, PerKernelRowsTellTemplateInstantiationsApart) {
  const Outcome o = exec("--launch-table kernels", "mma_sync_shapes");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  for (const char* kernel : {"mma_m8n8_int<0>(...)", "mma_m8n8_int<1>(...)", "mma_m8n8_int<2>(...)", "mma_m8n8_int<3>(...)"})
    EXPECT_TRUE(contains(o.output, std::string("         1  ") + kernel)) << kernel << "\n" << o.output;
}

// Instantiations whose names collapse to the same text in the kernel column are numbered, per
// launch and per kernel, instead of sharing a row (an outside user's two complex types added up).
TEST(Exec, CollapsedTemplateNamesAreNumbered) {
  const Outcome per_kernel = exec("--launch-table kernels", "template_rows");
  ASSERT_EQ(per_kernel.exit_code, 0) << per_kernel.output;
  EXPECT_TRUE(contains(per_kernel.output, "         1  apply<...>(...) #1")) << per_kernel.output;
  EXPECT_TRUE(contains(per_kernel.output, "         2  apply<...>(...) #2")) << per_kernel.output;
  EXPECT_TRUE(contains(per_kernel.output, "NAME #k: instantiations of one template")) << per_kernel.output;
  const Outcome per_launch = exec("", "template_rows");
  EXPECT_TRUE(contains(per_launch.output, "         1  apply<...>(...) #1")) << per_launch.output;
  EXPECT_TRUE(contains(per_launch.output, "         3  apply<...>(...) #2")) << per_launch.output;
}

// Past 50 launches the table has a row per kernel unless asked for one per launch (thrust_keys:
// 56 launches of Thrust's and CUB's kernels).
TEST(Exec, ManyLaunchesAreSummarisedPerKernel) {
  const Outcome o = exec("", "thrust_keys");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "56 kernel launches")) << o.output;
  EXPECT_TRUE(contains(o.output, "one row per kernel")) << o.output;
  EXPECT_FALSE(contains(o.output, "\n        56  ")) << o.output;
  const Outcome all = exec("--launch-table launches", "thrust_keys");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_TRUE(contains(all.output, "\n        56  ")) << all.output;
  EXPECT_FALSE(contains(all.output, "one row per kernel")) << all.output;
}

// Launch errors returned to device code are also named on stderr with the launching thread.
TEST(Exec, DeviceSideLaunchErrorsAreNamedOnStderr) {
  const Outcome o = exec("", "cdp_errors");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel 'recurse(int)', CTA (0,0,0)")) << o.output;
  EXPECT_TRUE(contains(o.output, "returns cudaErrorLaunchMaxDepthExceeded (65)")) << o.output;
  EXPECT_TRUE(contains(o.output, "returns cudaErrorLaunchPendingCountExceeded (69)")) << o.output;
  EXPECT_TRUE(contains(o.output, "block of 4096 threads exceeds the limit")) << o.output;
  // The 5 launches over the pending limit: the first 3 named, then their count (every thread of
  // a big grid printed its own line).
  EXPECT_TRUE(contains(o.output, "... and 2 more failed device runtime calls")) << o.output;
}

// CDP1's device-side cudaDeviceSynchronize is refused by name, never run as if it had waited.
TEST(Exec, LegacyDeviceSynchronizeIsRefusedByName) {
  const Outcome o = exec("", "cdp1_sync");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "sync: cudaErrorLaunchFailure")) << o.output;
  EXPECT_TRUE(contains(o.output, "device-side cudaDeviceSynchronize (legacy dynamic parallelism, CDP1")) << o.output;
  EXPECT_TRUE(contains(o.output, "kernel 'parent(int*)', CTA (0,0,0), warp 0")) << o.output;
}

}  // namespace
