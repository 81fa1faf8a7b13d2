// Functional-simulation speed: warp-instructions executed per second of host time on SGEMM
// 256x256x256 (naive and tiled). Each iteration is a full Workload::run (inputs, launch, check
// against the CPU reference), so a wrong result stops the benchmark instead of timing it.
//   warp_inst_per_s      warp-instructions / seconds spent inside launches (the executor's rate)
//   warp_inst_per_s_e2e  warp-instructions / wall time of whole iterations (incl. setup, check)
//   warp_inst_per_cpu_s  warp-instructions / process CPU time of whole iterations: the figure to
//                        compare on a shared, loaded machine, where wall time includes waiting
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "runtime/sim_device.h"
#include "workloads/workload.h"

namespace {

void run_functional(benchmark::State& state, const std::string& workload_name) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  const gpusim::workloads::Workload* workload = gpusim::workloads::find_workload(workload_name);
  if (!workload) {
    state.SkipWithError(("unknown workload " + workload_name).c_str());
    return;
  }
  auto device = gpusim::runtime::make_sim_device({});
  gpusim::workloads::WorkloadParams params;
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  params.size = {n, n, n};
  double warp_instructions = 0, thread_instructions = 0, launch_seconds = 0;
  const std::clock_t cpu_start = std::clock();
  for (auto _ : state) {
    const gpusim::workloads::WorkloadResult result = workload->run(*device, params);
    if (!result.passed) {
      state.SkipWithError((workload_name + " failed its CPU check: " + result.detail).c_str());
      return;
    }
    for (const auto& launch : result.launches) {
      warp_instructions += static_cast<double>(launch.warp_instructions);
      thread_instructions += static_cast<double>(launch.thread_instructions);
      launch_seconds += launch.host_seconds;
    }
  }
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  if (cpu_seconds > 0) state.counters["warp_inst_per_cpu_s"] = warp_instructions / cpu_seconds;
  if (launch_seconds > 0) state.counters["warp_inst_per_s"] = warp_instructions / launch_seconds;
  state.counters["warp_inst_per_s_e2e"] = benchmark::Counter(warp_instructions, benchmark::Counter::kIsRate);
  state.counters["warp_inst"] = benchmark::Counter(warp_instructions, benchmark::Counter::kAvgIterations);
  state.counters["lanes_per_warp_inst"] = warp_instructions > 0 ? thread_instructions / warp_instructions : 0;
}

void BM_SgemmNaiveFunctional(benchmark::State& state) { run_functional(state, "sgemm_naive"); }
void BM_SgemmTiledFunctional(benchmark::State& state) { run_functional(state, "sgemm_tiled"); }

BENCHMARK(BM_SgemmNaiveFunctional)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SgemmTiledFunctional)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
