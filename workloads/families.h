// Factories for each workload family (one .cpp per family); registry.cpp lists them in order.
#pragma once

#include <memory>

#include "workloads/workload.h"

namespace gpusim::workloads {

std::unique_ptr<Workload> make_vecadd_workload();
std::unique_ptr<Workload> make_window_sum_workload(bool shared_memory);
std::unique_ptr<Workload> make_sgemm_workload(bool tiled);
std::unique_ptr<Workload> make_reduce_sum_workload();
std::unique_ptr<Workload> make_softmax_workload();
std::unique_ptr<Workload> make_wmma_gemm_workload();
std::unique_ptr<Workload> make_transpose_workload(bool padded);
std::unique_ptr<Workload> make_hopper_gemm_workload();  // sm_90a
std::unique_ptr<Workload> make_hopper_gemm_cluster_workload();  // sm_90a, 2-CTA clusters, TMA multicast
std::unique_ptr<Workload> make_flash_attention_workload();  // sm_90a

}  // namespace gpusim::workloads
