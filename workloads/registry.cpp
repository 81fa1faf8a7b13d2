// The list of workloads `gpusim list` / `gpusim run` know, in a stable order.
#include "workloads/families.h"
#include "workloads/workload.h"

namespace gpusim::workloads {
namespace {

std::vector<std::unique_ptr<Workload>> build_registry() {
  std::vector<std::unique_ptr<Workload>> all;
  all.push_back(make_vecadd_workload());
  all.push_back(make_window_sum_workload(false));
  all.push_back(make_window_sum_workload(true));
  all.push_back(make_sgemm_workload(false));
  all.push_back(make_sgemm_workload(true));
  all.push_back(make_reduce_sum_workload());
  all.push_back(make_softmax_workload());
  all.push_back(make_wmma_gemm_workload());
  all.push_back(make_transpose_workload(false));
  all.push_back(make_transpose_workload(true));
  all.push_back(make_hopper_gemm_workload());
  all.push_back(make_hopper_gemm_cluster_workload());
  all.push_back(make_flash_attention_workload());
  return all;
}

}  // namespace

const std::vector<std::unique_ptr<Workload>>& all_workloads() {
  static const std::vector<std::unique_ptr<Workload>> registry = build_registry();
  return registry;
}

const Workload* find_workload(const std::string& name) {
  for (const auto& w : all_workloads())
    if (w->name() == name) return w.get();
  return nullptr;
}

}  // namespace gpusim::workloads
