// A plain mul.f32 whose product only plain add.f32s read is no instruction on a GPU: ptxas fuses
// it into each add, one FFMA each (isa/fma_contraction.h; the opcodes are checked against ptxas in
// tests/isa/fma_contraction_test.cpp). The timing model must therefore time such a pair as the
// FMA it becomes, not as a dependent mul then add (twice the latency and two issue slots). The
// reference is the same chain written with fma.rn, which is the instruction ptxas emits; a pair
// ptxas keeps apart (mul.rn: a rounding modifier forbids the fusion) stays two instructions.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "sim/gpu_config.h"
#include "tests/sim/profiling_test_support.h"

namespace gpusim::sim {
namespace {

enum class Chain { MulAdd, Fma, MulRnAdd };

// x = x * 1.0001 + 0.5, `steps` times, dependent, then out[tid] = x; `type` f32 or f64.
std::string chain_kernel(Chain chain, const std::string& type, int steps) {
  const bool f64 = type == "f64";
  const std::string reg = f64 ? "%fd" : "%f", scale = f64 ? "0d3FF00068DB8BAC71" : "0f3F800347",
                    half = f64 ? "0d3FE0000000000000" : "0f3F000000";
  std::string body;
  int n = 1;
  body += "  cvt.rn." + type + ".u32 " + reg + "1, %r1;\n";
  for (int i = 0; i < steps; ++i) {
    const std::string x = reg + std::to_string(n), p = reg + std::to_string(n + 1), y = reg + std::to_string(n + 2);
    if (chain == Chain::Fma) {
      body += "  fma.rn." + type + " " + y + ", " + x + ", " + scale + ", " + half + ";\n";
    } else {
      body += std::string("  mul") + (chain == Chain::MulRnAdd ? ".rn." : ".") + type + " " + p + ", " + x + ", " + scale + ";\n";
      body += "  add." + type + " " + y + ", " + p + ", " + half + ";\n";
    }
    n += 2;
  }
  return R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry chain(.param .u64 out)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<4>;
  .reg .)" + std::string(f64 ? "f64 %fd<" : "f32 %f<") + std::to_string(n + 2) + R"(>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
)" + body + "  mul.wide.u32 %rd2, %r1, " + (f64 ? "8" : "4") + ";\n  add.s64 %rd3, %rd1, %rd2;\n  st.global." + type +
         " [%rd3], " + reg + std::to_string(n) + ";\n  ret;\n}\n";
}

constexpr int kSteps = 64;

struct Timed {
  uint64_t cycles = 0;
  uint64_t issued = 0;  // warp-instructions the timing model issued (the stats' instructions.warp)
};

Timed run(Chain chain, const std::string& type) {
  runtime::SimDeviceOptions o;
  o.mode = runtime::SimMode::Timing;
  o.overrides = {"sm.count=1"};
  const runtime::LaunchStats s =
      testing::run_profiled(o, chain_kernel(chain, type, kSteps), "chain", {1, 1, 1}, {32, 1, 1}, 32 * 8);
  return {s.cycles, nlohmann::json::parse(s.report_json)["instructions"]["warp"].get<uint64_t>()};
}

TEST(ContractedMulTiming, APairPtxasFusesIsTimedAsTheFmaItBecomes) {
  const GpuConfig config;
  for (const std::string type : {"f32", "f64"}) {
    const Timed pair = run(Chain::MulAdd, type), fma = run(Chain::Fma, type), apart = run(Chain::MulRnAdd, type);
    // One warp-instruction per step, as the FMA chain: the mul issues nothing.
    EXPECT_EQ(pair.issued, fma.issued) << type;
    EXPECT_EQ(apart.issued, fma.issued + kSteps) << type;
    // The same dependent chain of FMA latencies, within a few cycles, where two dependent
    // instructions per step add a whole latency per step.
    const int latency = type == "f64" ? config.fp64_latency_cycles : config.fp32_latency_cycles;
    EXPECT_NEAR(double(pair.cycles), double(fma.cycles), 8.0) << type;
    EXPECT_GE(apart.cycles, fma.cycles + uint64_t(kSteps * latency)) << type;
  }
}

}  // namespace
}  // namespace gpusim::sim
