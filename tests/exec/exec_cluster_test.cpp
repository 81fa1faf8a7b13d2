// `gpusim exec` on tests/cuda_programs/cluster_histogram (sm_90a, nvcc 13): a cluster-wide
// histogram through distributed shared memory, checked by the program against a CPU count at
// three sizes and cluster shapes, in both modes; timing mode on configs/h100.ini co-schedules the
// clusters on GPCs, and configs without clusters refuse the launch clearly.
#include <gtest/gtest.h>

#include <string>

#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

const std::string kProgram = std::string(GPUSIM_CUDA_PROGRAMS) + "/cluster_histogram";
std::string config(const std::string& name) { return std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name; }

TEST(ExecCluster, HistogramMatchesTheCpuInFunctionalMode) {
  const Outcome o = run_gpusim("exec --mode functional -- '" + kProgram + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "cluster_histogram: OK")) << o.output;
  EXPECT_FALSE(contains(o.output, "MISMATCH")) << o.output;
}

TEST(ExecCluster, HistogramMatchesTheCpuInTimingModeOnH100) {
  const Outcome o = run_gpusim("exec --mode timing --config '" + config("h100.ini") + "' -- '" + kProgram + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "cluster_histogram: OK")) << o.output;
  // Resident clusters follow the GPC layout: 8 or fewer CTAs of these sizes per SM, so at least
  // one cluster per GPC fits (8 GPCs).
  EXPECT_FALSE(contains(o.output, "cudaOccupancyMaxActiveClusters(cluster of 8, 256 threads): 0")) << o.output;
}

TEST(ExecCluster, TimingModeOnAChipWithoutClustersRefusesTheLaunch) {
  const Outcome o = run_gpusim("exec --mode timing --config '" + config("v100.ini") + "' -- '" + kProgram + "'");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "no thread-block clusters (cluster.gpcs = 0")) << o.output;
  EXPECT_TRUE(contains(o.output, "cluster_histogram")) << o.output;
}

}  // namespace
