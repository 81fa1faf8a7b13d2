// `gpusim exec` on tests/cuda_programs/cluster_histogram (sm_90a, nvcc 13): a cluster-wide
// histogram through distributed shared memory, checked by the program against a CPU count at
// three sizes and cluster shapes, in both modes; timing mode on configs/h100.ini co-schedules the
// clusters on GPCs, and configs without clusters refuse the launch clearly. And
// tests/cuda_programs/cluster_async_store: st.async / red.async into a peer CTA completing on its
// mbarrier, and getctarank, checked by the program against a CPU model of the ring exchange.
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

const std::string kAsyncStore = std::string(GPUSIM_CUDA_PROGRAMS) + "/cluster_async_store";

TEST(ExecCluster, AsyncStoresIntoPeersLandInFunctionalMode) {
  const Outcome o = run_gpusim("exec --mode functional --config '" + config("h100.ini") + "' -- '" + kAsyncStore + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "cluster_async_store: OK")) << o.output;
  EXPECT_TRUE(contains(o.output, "cluster of 4, 12 CTAs: ok")) << o.output;
}

// In timing mode the ops take the bulk copies' path (their bytes complete on the receiver's
// mbarrier when the op is done): the exchange must finish, and correctly.
TEST(ExecCluster, AsyncStoresIntoPeersLandInTimingModeOnH100) {
  const Outcome o = run_gpusim("exec --mode timing --config '" + config("h100.ini") + "' -- '" + kAsyncStore + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "cluster_async_store: OK")) << o.output;
}

TEST(ExecCluster, AsyncStoreWithTheMbarrierInAnotherCtaIsAFault) {
  const Outcome o =
      run_gpusim("exec --mode functional --config '" + config("h100.ini") + "' -- '" + kAsyncStore + "' wrongbar");
  EXPECT_EQ(o.exit_code, 3) << o.output;
  EXPECT_TRUE(contains(o.output, "wrongbar: cudaErrorIllegalAddress")) << o.output;
  EXPECT_TRUE(contains(o.output, "st.async: the destination is in CTA rank ")) << o.output;
  EXPECT_TRUE(contains(o.output, "both must be in the same CTA")) << o.output;
  EXPECT_TRUE(contains(o.output, "cluster_async_store.fatbin0.compute_90.ptx:")) << o.output;
}

}  // namespace
