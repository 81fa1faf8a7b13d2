// The note on PTX newer than the simulated GPU says what to run instead, and the advice works:
// configs/h100.ini up to compute_90; beyond it, the --set it names loads and simulates that
// architecture (the note used to offer configs/h100.ini for compute_100 PTX too, and to users who
// were already running it; an outside build engineer's finding).
#include <gtest/gtest.h>

#include <string>

#include "runtime/rdc_program.h"
#include "sim/gpu_config.h"

namespace {

TEST(NewerPtxAdvice, NamesASettingThatSimulatesThatArchitecture) {
  EXPECT_NE(gpusim::runtime::newer_ptx_advice(90).find("configs/h100.ini"), std::string::npos);
  for (unsigned arch : {100u, 120u}) {
    const std::string advice = gpusim::runtime::newer_ptx_advice(arch);
    EXPECT_EQ(advice.find("h100.ini"), std::string::npos) << advice;
    const size_t at = advice.find("--set ");
    ASSERT_NE(at, std::string::npos) << advice;
    const std::string setting = advice.substr(at + 6, advice.find(' ', at + 6) - at - 6);
    const gpusim::sim::GpuConfig c = gpusim::sim::load_gpu_config("", {setting});
    EXPECT_EQ(c.sm_arch, "sm_" + std::to_string(arch)) << advice;
  }
}

}  // namespace
