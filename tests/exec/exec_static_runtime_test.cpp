// `gpusim exec` on programs built with nvcc's default static runtime, and on programs whose own
// shared libraries carry it (needed at start-up or opened later, -rdc, stripped), plus the builds
// gpusim refuses before they start (another CUDA version's runtime, stripped or fully static
// programs) and NVIDIA's closed libraries: what a user sees in each case.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/exec/exec_program_checks.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::cuda_program_path;
using gpusim::test_support::exec_program;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

// nvcc's default static runtime, redirected to gpusim's: the same self-checking programs, in
// functional mode (the redirection does not depend on the mode; the timing model's run of a
// static build is compared with the shared build's below).
class StaticRuntime : public ::testing::TestWithParam<std::string> {};

TEST_P(StaticRuntime, PassesInFunctionalMode) {
  const Outcome o = exec_program("--mode functional", GetParam());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "OK")) << o.output;
  EXPECT_TRUE(contains(o.output, "functional mode")) << o.output;
}

INSTANTIATE_TEST_SUITE_P(Programs, StaticRuntime,
                         ::testing::Values("vector_add_static", "symbols_managed_static", "streams_events_static",
                                           "graph_capture_static", "thrust_keys_static", "cdp_recursion_static"));

// The statistics file without what names the program or its run, or times the host.
std::string simulated_statistics(const std::string& path) {
  std::ifstream f(path);
  nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
  if (!j.is_object()) return "(not a JSON object: " + path + ")";
  for (const char* key : {"program", "programs", "exec_session"}) j.erase(key);
  if (j.contains("launches"))
    for (nlohmann::json& l : j["launches"]) l.erase("host_seconds");
  return j.dump(2);
}

// The same source built with either runtime runs the same PTX on the same model: the statistics
// of the static build equal the shared build's, launch by launch.
TEST(Exec, StaticRuntimeBuildSimulatesLikeTheSharedBuild) {
  const std::string shared_stats = ::testing::TempDir() + "/shared_runtime.json";
  const std::string static_stats = ::testing::TempDir() + "/static_runtime.json";
  const Outcome shared = exec_program("--mode timing --stats '" + shared_stats + "'", "vector_add", "30000");
  const Outcome linked = exec_program("--mode timing --stats '" + static_stats + "'", "vector_add_static", "30000");
  ASSERT_EQ(shared.exit_code, 0) << shared.output;
  ASSERT_EQ(linked.exit_code, 0) << linked.output;
  const std::string a = simulated_statistics(shared_stats), b = simulated_statistics(static_stats);
  EXPECT_TRUE(contains(a, "\"kernel\": \"vector_add(float const*, float const*, float*, int)\"")) << a;
  EXPECT_TRUE(contains(a, "\"cycles\"")) << a;
  EXPECT_EQ(a, b);
}

// A library's static runtime registered its kernels before gpusim's libcudart was initialised:
// the library is redirected and registered again, in both modes.
TEST(Exec, LibraryWithItsOwnStaticRuntimeRuns) {
  for (const char* mode : {"functional", "timing"}) {
    const Outcome o = exec_program(std::string("--mode ") + mode, "static_runtime_lib_main");
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_TRUE(contains(o.output, "static_runtime_lib: OK")) << o.output;
    EXPECT_TRUE(contains(o.output, "2 kernel launches")) << o.output;
  }
}

// A needed library combining the static runtime with -rdc registers once, through a counter:
// the loader-audit library redirects it before its constructors run, so it works in both modes.
TEST(Exec, LibraryWithStaticRuntimeAndRelocatableCodeRuns) {
#if defined(GPUSIM_ADDRESS_SANITIZER)
  GTEST_SKIP() << "a sanitizer build's gpusim exec loads no audit library (LeakSanitizer's tracer crashes with one)";
#endif
  for (const char* mode : {"functional", "timing"}) {
    const Outcome o = exec_program(std::string("--mode ") + mode, "static_runtime_lib_rdc_main");
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_TRUE(contains(o.output, "static_runtime_lib: OK")) << o.output;
    EXPECT_TRUE(contains(o.output, "2 kernel launches")) << o.output;
  }
}

// A needed library whose global constructor uses CUDA before main: the loader-audit library
// redirects it as it is mapped, so the constructor reaches gpusim's runtime (it got NVIDIA's, and
// cudaErrorNotSupported, when libcudart redirected the library only after its constructors ran).
TEST(Exec, LibraryWhoseConstructorUsesCudaRuns) {
#if defined(GPUSIM_ADDRESS_SANITIZER)
  GTEST_SKIP() << "a sanitizer build's gpusim exec loads no audit library (LeakSanitizer's tracer crashes with one)";
#endif
  for (const char* mode : {"functional", "timing"}) {
    const Outcome o = exec_program(std::string("--mode ") + mode, "static_runtime_ctor_main");
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_TRUE(contains(o.output, "static_runtime_ctor: OK")) << o.output;
    EXPECT_TRUE(contains(o.output, "1 kernel launch")) << o.output;
  }
}

// Without the audit library (libcudart preloaded by hand, here: LD_AUDIT removed on the way) the
// -rdc library cannot be redirected after its constructors ran: refused by name before the
// program starts.
TEST(Exec, RelocatableStaticRuntimeLibraryWithoutTheAuditLibraryIsRefusedByName) {
  const Outcome o = run_gpusim("exec -- /usr/bin/env -u LD_AUDIT '" + cuda_program_path("static_runtime_lib_rdc_main") + "'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "libstatic_runtime_lib_rdc.so")) << o.output;
  EXPECT_TRUE(contains(o.output, "relocatable device code")) << o.output;
  EXPECT_FALSE(contains(o.output, "static_runtime_lib: OK")) << o.output;
}

// A library opened with dlopen after start-up (a plugin, a language binding's extension module)
// is redirected by the loader-audit library before its constructors run: with -rdc too, and in
// both modes.
TEST(Exec, LibraryOpenedLaterWithItsOwnStaticRuntimeRuns) {
#if defined(GPUSIM_ADDRESS_SANITIZER)
  GTEST_SKIP() << "a sanitizer build's gpusim exec loads no audit library (LeakSanitizer's tracer crashes with one)";
#endif
  for (const char* mode : {"functional", "timing"})
    for (const char* library : {"libstatic_runtime_lib.so", "libstatic_runtime_lib_rdc.so"}) {
      const Outcome o = exec_program(std::string("--mode ") + mode, "static_runtime_dlopen_main",
                             "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/" + library + "'");
      EXPECT_EQ(o.exit_code, 0) << library << "\n" << o.output;
      EXPECT_TRUE(contains(o.output, "static_runtime_dlopen: OK")) << library << "\n" << o.output;
      EXPECT_TRUE(contains(o.output, "2 kernel launches")) << library << "\n" << o.output;
      EXPECT_FALSE(contains(o.output, "could not redirect")) << library << "\n" << o.output;
    }
}

// A plugin host reloading its plugin: every dlclose gives the jump slots near the library's code
// back (the 14th reload found no free memory within reach and the library's calls failed).
TEST(Exec, LibraryWithItsOwnStaticRuntimeReloadedManyTimesRuns) {
#if defined(GPUSIM_ADDRESS_SANITIZER)
  GTEST_SKIP() << "a sanitizer build's gpusim exec loads no audit library (LeakSanitizer's tracer crashes with one)";
#endif
  const int times = 60;
  const Outcome o = exec_program("", "static_runtime_dlopen_main",
                         "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/libstatic_runtime_lib.so' " + std::to_string(times));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  size_t oks = 0;
  for (size_t at = o.output.find("static_runtime_dlopen: OK"); at != std::string::npos;
       at = o.output.find("static_runtime_dlopen: OK", at + 1))
    ++oks;
  EXPECT_EQ(oks, size_t(times)) << o.output;
  EXPECT_FALSE(contains(o.output, "cannot redirect")) << o.output;
  // Its PTX (compute_80, newer than the default chip) is noted once, not at every reload.
  const size_t note = o.output.find("newer than the simulated GPU");
  ASSERT_NE(note, std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("newer than the simulated GPU", note + 1), std::string::npos) << o.output;
}

// A stripped library has no names to find its runtime by: its calls fail, and the driver says
// why once instead of leaving bare error codes.
TEST(Exec, StrippedLibraryOpenedLaterIsNamedOnce) {
  const Outcome o = exec_program("", "static_runtime_dlopen_main",
                         "'" + std::string(GPUSIM_CUDA_PROGRAMS) + "/libstatic_runtime_lib_stripped.so'");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "the library's call failed")) << o.output;
  const std::string said = "libstatic_runtime_lib_stripped.so carries NVIDIA's static CUDA runtime, which gpusim could not redirect";
  const size_t at = o.output.find(said);
  ASSERT_NE(at, std::string::npos) << o.output;
  EXPECT_EQ(o.output.find(said, at + 1), std::string::npos) << o.output;  // once
  EXPECT_TRUE(contains(o.output, "a stripped library")) << o.output;
}

TEST(Exec, ClosedLibraryIsNamedOnce) {
  if (access(cuda_program_path("closed_library").c_str(), X_OK) != 0) GTEST_SKIP() << "built only where the toolkit has cuBLAS";
  const Outcome o = exec_program("", "closed_library");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "closed_library: cublasCreate returned")) << o.output;
  const std::string said = "is one of NVIDIA's closed-source libraries";
  const size_t at = o.output.find(said);
  ASSERT_NE(at, std::string::npos) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: libcublas")) << o.output;
  EXPECT_FALSE(contains(o.output, "could not redirect")) << o.output;
}

TEST(Exec, ClosedFftLibraryIsNamed) {
  if (access(cuda_program_path("closed_fft").c_str(), X_OK) != 0) GTEST_SKIP() << "built only where the toolkit has cuFFT";
  const Outcome o = exec_program("", "closed_fft");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "closed_fft: cufftPlan1d returned")) << o.output;
  EXPECT_TRUE(contains(o.output, "gpusim: libcufft")) << o.output;
  EXPECT_TRUE(contains(o.output, "is one of NVIDIA's closed-source libraries")) << o.output;
}

TEST(Exec, AnotherCudaVersionsRuntimeIsRefusedByName) {
  const Outcome o = exec_program("", "other_cuda_version");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "was built against libcudart.so.12")) << o.output;
  EXPECT_TRUE(contains(o.output, "rebuild it with nvcc 13")) << o.output;
}

TEST(Exec, StrippedStaticRuntimeIsRefusedBeforeStarting) {
  const Outcome o = exec_program("", "vector_add_static_stripped");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "stripped of its symbol table")) << o.output;
  EXPECT_TRUE(contains(o.output, "nvcc -cudart shared")) << o.output;
  EXPECT_FALSE(contains(o.output, "vector_add of")) << o.output;  // the program never started
}

// `-static` leaves no dynamic loader to preload gpusim's runtime with; NVIDIA's static runtime then
// opened gpusim's libcuda.so.1 into a process with a second C library and died in pthread_create
// (exit 139, no message).
TEST(Exec, AFullyStaticProgramIsRefusedBeforeStarting) {
  const Outcome o = exec_program("", "vector_add_fully_static");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_TRUE(contains(o.output, "is statically linked")) << o.output;
  EXPECT_TRUE(contains(o.output, "link it dynamically")) << o.output;
  EXPECT_FALSE(contains(o.output, "vector_add of")) << o.output;  // the program never started
}

}  // namespace

namespace {

// A --stats file says which gpusim made it and, under exec, whether the caches started empty (an
// outside researcher could not tell a cold-cache file from a warm one, nor which build made it).
TEST(Exec, StatisticsNameTheRevisionAndTheCacheControl) {
  const gpusim::test_support::Outcome version = gpusim::test_support::run_gpusim("--version");
  ASSERT_EQ(version.exit_code, 0) << version.output;
  ASSERT_EQ(version.output.rfind("gpusim ", 0), 0u) << version.output;
  std::string revision = version.output.substr(7);
  while (!revision.empty() && (revision.back() == '\n' || revision.back() == '\r')) revision.pop_back();
  ASSERT_FALSE(revision.empty());
  const std::string stats = ::testing::TempDir() + "/revision_stats.json";
  const gpusim::test_support::Outcome o =
      gpusim::test_support::exec_program("--mode timing --cache-control all --stats '" + stats + "'", "vector_add", "3000");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  std::ifstream f(stats);
  const nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
  ASSERT_TRUE(j.is_object()) << stats;
  EXPECT_EQ(j.value("gpusim_revision", ""), revision);
  EXPECT_EQ(j.value("cache_control", ""), "all");
  const std::string run_stats = ::testing::TempDir() + "/revision_run_stats.json";
  const gpusim::test_support::Outcome run =
      gpusim::test_support::run_gpusim("run vecadd --size 4096 --stats '" + run_stats + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream g(run_stats);
  EXPECT_EQ(nlohmann::json::parse(g, nullptr, false).value("gpusim_revision", ""), revision);
}

}  // namespace
