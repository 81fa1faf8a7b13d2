// One built-in workload on V100 cut to a few SMs, sampled or in full: the sampling tests compare
// the two runs of the same launch.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/device.h"
#include "runtime/sim_device.h"
#include "workloads/workload.h"

namespace gpusim::test_support {

struct SampledWorkloadRun {
  workloads::WorkloadResult result;
  nlohmann::json report;  // the launch's report (its "sampling" object when sampled)
};

// Timing mode on configs/v100.ini with sm.count=SMS (with `shadow`: --sample-shadow too).
inline runtime::SimDeviceOptions cut_v100(bool sample, unsigned threads, int sms, bool shadow = false) {
  runtime::SimDeviceOptions o;
  o.threads = threads;
  o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini";
  o.overrides = {"sm.count=" + std::to_string(sms)};
  o.mode = runtime::SimMode::Timing;
  o.sample = sample;
  o.sample_shadow = shadow;
  return o;
}

// `name` at `size` (seed 7) on cut_v100(...); one launch expected.
inline SampledWorkloadRun run_sampled_workload(const std::string& name, std::vector<uint64_t> size, bool sample,
                                               unsigned threads, int sms, bool shadow = false) {
  const workloads::Workload* w = workloads::find_workload(name);
  EXPECT_NE(w, nullptr) << name;
  auto dev = runtime::make_sim_device(cut_v100(sample, threads, sms, shadow));
  workloads::WorkloadParams p;
  p.size = std::move(size);
  p.seed = 7;
  SampledWorkloadRun r;
  r.result = w->run(*dev, p);
  EXPECT_EQ(r.result.launches.size(), 1u) << name;
  if (!r.result.launches.empty()) r.report = nlohmann::json::parse(r.result.launches[0].report_json);
  return r;
}

}  // namespace gpusim::test_support
