// GPUSIM_STEP / GPUSIM_STEP_SCRIPT (gpusim exec --step) and GPUSIM_LAUNCH_TABLE: parsed and checked where the simulated
// CUDA libraries read their environment.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "runtime/device.h"
#include "runtime/sim_environment.h"

namespace {

gpusim::runtime::SimEnvironment read(const std::map<std::string, std::string>& vars) {
  return gpusim::runtime::read_sim_environment([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(SimEnvironmentStep, KernelAndLaunchIndex) {
  auto env = read({{"GPUSIM_MODE", "timing"}, {"GPUSIM_STEP", "vector_add:3"}, {"GPUSIM_STEP_SCRIPT", "/tmp/s"}});
  EXPECT_EQ(env.step_kernel, "vector_add");
  EXPECT_EQ(env.step_launch, 3u);
  EXPECT_EQ(env.step_script, "/tmp/s");
  env = read({{"GPUSIM_MODE", "timing"}, {"GPUSIM_STEP", "saxpy"}});
  EXPECT_EQ(env.step_kernel, "saxpy");
  EXPECT_EQ(env.step_launch, 0u);
  EXPECT_TRUE(read({}).step_kernel.empty());
}

TEST(SimEnvironmentStep, BadValuesNameTheVariable) {
  try {
    read({{"GPUSIM_MODE", "timing"}, {"GPUSIM_STEP", "k:x"}});
    FAIL() << "GPUSIM_STEP=k:x accepted";
  } catch (const gpusim::runtime::Error& e) {
    EXPECT_NE(std::string(e.what()).find("GPUSIM_STEP='k:x': expected KERNEL or KERNEL:N"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read({{"GPUSIM_MODE", "timing"}, {"GPUSIM_STEP", ":2"}}), gpusim::runtime::Error);
  try {
    read({{"GPUSIM_STEP", "k"}});  // functional mode by default
    FAIL() << "GPUSIM_STEP accepted in functional mode";
  } catch (const gpusim::runtime::Error& e) {
    EXPECT_NE(std::string(e.what()).find("set GPUSIM_MODE=timing"), std::string::npos) << e.what();
  }
}

// The stepper and the profilers watch one run together (the model fans events out); only VCD
// waveforms, sampled by SystemC's time steps that the stepper does not run, are refused.
TEST(SimEnvironmentStep, CombinesWithTraceAndSourceReportButNotVcd) {
  auto env = read({{"GPUSIM_MODE", "timing"}, {"GPUSIM_STEP", "k"}, {"GPUSIM_TRACE", "/tmp/t.json"},
                   {"GPUSIM_SOURCE_REPORT", "5"}});
  EXPECT_EQ(env.step_kernel, "k");
  EXPECT_EQ(env.device.profiling.trace_path, "/tmp/t.json");
  EXPECT_EQ(env.device.profiling.source_report, 5u);
  try {
    read({{"GPUSIM_MODE", "timing"}, {"GPUSIM_STEP", "k"}, {"GPUSIM_VCD", "/tmp/w.vcd"}});
    FAIL() << "GPUSIM_STEP accepted with GPUSIM_VCD";
  } catch (const gpusim::runtime::Error& e) {
    EXPECT_NE(std::string(e.what()).find("GPUSIM_STEP cannot be combined with GPUSIM_VCD"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

// GPUSIM_LAUNCH_TABLE (gpusim exec --launch-table): the exit table's rows.
TEST(SimEnvironmentLaunchTable, RowsPerLaunchOrPerKernel) {
  using gpusim::runtime::LaunchTableRows;
  EXPECT_EQ(read({}).launch_table, LaunchTableRows::Auto);
  EXPECT_EQ(read({{"GPUSIM_LAUNCH_TABLE", "launches"}}).launch_table, LaunchTableRows::Launches);
  EXPECT_EQ(read({{"GPUSIM_LAUNCH_TABLE", "kernels"}}).launch_table, LaunchTableRows::Kernels);
  try {
    read({{"GPUSIM_LAUNCH_TABLE", "all"}});
    FAIL() << "GPUSIM_LAUNCH_TABLE=all accepted";
  } catch (const gpusim::runtime::Error& e) {
    EXPECT_NE(std::string(e.what()).find("GPUSIM_LAUNCH_TABLE='all': expected launches or kernels"), std::string::npos)
        << e.what();
  }
}

// GPUSIM_LAUNCH_RECORDS (gpusim exec --launch-records): launches the exit report keeps whole.
TEST(SimEnvironmentLaunchRecords, ACountAllOrTheDefault) {
  EXPECT_EQ(read({}).launch_records, gpusim::runtime::kDefaultLaunchRecordsKept);
  EXPECT_EQ(read({{"GPUSIM_LAUNCH_RECORDS", "250"}}).launch_records, 250u);
  EXPECT_EQ(read({{"GPUSIM_LAUNCH_RECORDS", "all"}}).launch_records, UINT64_MAX);
  for (const char* bad : {"0", "-1", "+5", " 5", "5k", "99999999999999999999999"}) {
    try {
      read({{"GPUSIM_LAUNCH_RECORDS", bad}});
      ADD_FAILURE() << "GPUSIM_LAUNCH_RECORDS=" << bad << " accepted";
    } catch (const gpusim::runtime::Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("GPUSIM_LAUNCH_RECORDS='") + bad + "': expected a positive whole number"),
                std::string::npos) << e.what();
    }
  }
}

}  // namespace
