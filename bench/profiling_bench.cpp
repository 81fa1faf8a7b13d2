// What profiling costs in timing mode (docs/PERFORMANCE.md): the same SGEMM on the timing model
// with profiling off, with a --trace of one SM (to a scratch file), and with
// --source-report. "Off" attaches no observer at all, so it is the plain simulator's speed.
//   warp_inst_per_s  warp-instructions / seconds spent inside launches
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "runtime/sim_device.h"
#include "workloads/workload.h"

namespace {

enum class Profiling { Off, TraceOneSm, SourceReport };

void run_timed(benchmark::State& state, Profiling profiling) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  const gpusim::workloads::Workload* workload = gpusim::workloads::find_workload("sgemm_tiled");
  const std::string trace = (std::filesystem::temp_directory_path() / "gpusim_bench_trace.json").string();
  gpusim::runtime::SimDeviceOptions options;
  options.mode = gpusim::runtime::SimMode::Timing;
  if (profiling == Profiling::TraceOneSm) options.profiling.trace_path = trace;  // SM 0, the whole run
  if (profiling == Profiling::SourceReport) options.profiling.source_report = 10;
  gpusim::workloads::WorkloadParams params;
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  params.size = {n, n, n};
  double warp_instructions = 0, launch_seconds = 0;
  for (auto _ : state) {
    auto device = gpusim::runtime::make_sim_device(options);  // a fresh trace file per iteration
    const gpusim::workloads::WorkloadResult result = workload->run(*device, params);
    if (!result.passed) {
      state.SkipWithError(("sgemm_tiled failed its CPU check: " + result.detail).c_str());
      return;
    }
    for (const auto& launch : result.launches) {
      warp_instructions += static_cast<double>(launch.warp_instructions);
      launch_seconds += launch.host_seconds;
    }
    gpusim::runtime::finish_profiling(*device);
  }
  if (profiling == Profiling::TraceOneSm) {
    state.counters["trace_bytes"] = static_cast<double>(std::filesystem::file_size(trace));
    std::filesystem::remove(trace);
  }
  if (launch_seconds > 0) state.counters["warp_inst_per_s"] = warp_instructions / launch_seconds;
  state.counters["warp_inst"] = benchmark::Counter(warp_instructions, benchmark::Counter::kAvgIterations);
}

void BM_TimingProfilingOff(benchmark::State& state) { run_timed(state, Profiling::Off); }
void BM_TimingTraceOneSm(benchmark::State& state) { run_timed(state, Profiling::TraceOneSm); }
void BM_TimingSourceReport(benchmark::State& state) { run_timed(state, Profiling::SourceReport); }

BENCHMARK(BM_TimingProfilingOff)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TimingTraceOneSm)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TimingSourceReport)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
