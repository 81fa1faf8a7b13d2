// `gpusim compare` and `run --backend both` end to end through the CUDA driver API, with the
// simulator's libcuda.so.1 (build/lib) standing in for NVIDIA's: both the prediction and the
// "measurement" come from the simulator, so what is tested is the plumbing (driver loading,
// device characterisation, event timing, the checked results, the report), not the model.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "tests/run_gpusim.h"
#include "validation/csv.h"

using gpusim::test_support::contains;
using gpusim::test_support::run_gpusim;

namespace {

// Sets environment variables for the child processes of one test and restores them after.
class ScopedEnvironment {
 public:
  void set(const char* name, const std::string& value) {
    const char* old = std::getenv(name);
    saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second)
        setenv(it->first.c_str(), it->second->c_str(), 1);
      else
        unsetenv(it->first.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// The child gpusim finds build/lib/libcuda.so.1 first; functional mode, because gpusim's own
// timing model and the driver's cannot share one SystemC kernel in a process.
void use_simulated_driver(ScopedEnvironment& env) {
  const char* old = std::getenv("LD_LIBRARY_PATH");
  env.set("LD_LIBRARY_PATH", std::string(GPUSIM_LIBDIR) + (old && *old ? ":" + std::string(old) : ""));
  env.set("GPUSIM_MODE", "functional");
  env.set("GPUSIM_QUIET", "1");
  env.set("GPUSIM_CONFIG", std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini");
}

}  // namespace

TEST(CompareThroughSimulatedDriver, VecAddGivesAVerifiedTable) {
  ScopedEnvironment env;
  use_simulated_driver(env);
  const std::string csv = ::testing::TempDir() + "gpusim_simdrv_" + std::to_string(::getpid()) + ".csv";
  const gpusim::test_support::Outcome o = run_gpusim("compare vecadd --config " + std::string(GPUSIM_SOURCE_DIR) +
                                                     "/configs/h100.ini --size 4096 --warmup 0 --reps 2 --no-ubench --csv '" +
                                                     csv + "'");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "characterising cuda:0 gpusim H100")) << o.output;
  EXPECT_TRUE(contains(o.output, "MAPE")) << o.output;

  const gpusim::validation::CsvTable t =
      gpusim::validation::read_csv(csv, {"gpu_name", "workload", "kernel", "predicted_us", "measured_us", "error_pct"});
  ASSERT_EQ(t.rows.size(), 1u);
  const gpusim::validation::CsvRow& r = t.rows[0];
  EXPECT_EQ(r.text("gpu_name").rfind("gpusim H100", 0), 0u) << r.text("gpu_name");
  EXPECT_EQ(r.text("kernel"), "vecadd");
  const double p = r.number("predicted_us"), m = r.number("measured_us");
  EXPECT_GT(p, 0);
  EXPECT_GT(m, 0);  // event-timed through the driver
  EXPECT_NEAR(r.number("error_pct"), 100 * (p - m) / m, 1e-3);
  EXPECT_EQ(r.text("sim_verified"), "yes");
  EXPECT_EQ(r.text("gpu_verified"), "yes");  // the driver's result matched the CPU reference
  std::remove(csv.c_str());
}

TEST(CompareThroughSimulatedDriver, RunOnBothBackendsChecksBothResults) {
  ScopedEnvironment env;
  use_simulated_driver(env);
  const gpusim::test_support::Outcome o = run_gpusim("run vecadd --size 4096 --backend both");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "cuda:0 gpusim ")) << o.output;
  EXPECT_TRUE(contains(o.output, "side by side")) << o.output;
}
