// The profiling variables of the simulator's CUDA libraries (GPUSIM_TRACE..., runtime/sim_environment.h):
// read into SimProfilingOptions, bad values named, and refused outside timing mode.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "runtime/device.h"
#include "runtime/sim_environment.h"

namespace gpusim::runtime {
namespace {

SimEnvironment read(const std::map<std::string, std::string>& vars) {
  return read_sim_environment([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(SimEnvironmentProfiling, VariablesReachTheOptions) {
  const SimEnvironment env = read({{"GPUSIM_MODE", "timing"},
                                   {"GPUSIM_TRACE", "/tmp/t.json"},
                                   {"GPUSIM_TRACE_SMS", "0-3"},
                                   {"GPUSIM_TRACE_CYCLES", "100:200"},
                                   {"GPUSIM_TRACE_KERNEL", "vector_add:1"},
                                   {"GPUSIM_SOURCE_REPORT", "7"},
                                   {"GPUSIM_VCD", "/tmp/w.vcd"},
                                   {"GPUSIM_VCD_SM", "2"}});
  const SimProfilingOptions& p = env.device.profiling;
  EXPECT_EQ(p.trace_path, "/tmp/t.json");
  EXPECT_EQ(p.trace_sms, "0-3");
  EXPECT_EQ(p.trace_cycles, "100:200");
  EXPECT_EQ(p.trace_kernel, "vector_add:1");
  EXPECT_EQ(p.source_report, 7u);
  EXPECT_EQ(p.vcd_path, "/tmp/w.vcd");
  EXPECT_EQ(p.vcd_sm, 2);
  EXPECT_FALSE(read({}).device.profiling.any());
}

TEST(SimEnvironmentProfiling, BadValuesAreNamed) {
  for (const std::string bad : {"0", "-1", "ten", "5x"}) {
    try {
      read({{"GPUSIM_MODE", "timing"}, {"GPUSIM_SOURCE_REPORT", bad}});
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("GPUSIM_SOURCE_REPORT='" + bad + "'"), std::string::npos) << e.what();
    }
  }
  try {
    read({{"GPUSIM_TRACE", "/tmp/t.json"}});  // functional mode by default
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("GPUSIM_MODE=timing"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gpusim::runtime
