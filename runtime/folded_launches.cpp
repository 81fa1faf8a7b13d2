#include "runtime/folded_launches.h"

#include <nlohmann/json.hpp>

#include "isa/kernel_names.h"

namespace gpusim::runtime {

namespace {

bool same(const Dim3& a, const Dim3& b) { return a.x == b.x && a.y == b.y && a.z == b.z; }

nlohmann::json shape_json(const Dim3& d, bool one) {
  if (!one) return "various";
  return nlohmann::json::array({d.x, d.y, d.z});
}

}  // namespace

void FoldedLaunches::add(const std::string& kernel, unsigned depth, Dim3 grid, Dim3 block, const LaunchStats& stats,
                         bool faulted, uint64_t number) {
  auto [it, fresh] = index_.emplace(std::make_pair(depth, kernel), rows_.size());
  if (fresh) {
    FoldedKernelLaunches row;
    row.kernel = kernel;
    row.depth = depth;
    row.first_launch = number;
    row.grid = grid;
    row.block = block;
    rows_.push_back(std::move(row));
  }
  FoldedKernelLaunches& k = rows_[it->second];
  ++launches_;
  ++k.launches;
  k.one_grid = k.one_grid && same(k.grid, grid);
  k.one_block = k.one_block && same(k.block, block);
  if (faulted) {
    if (k.faulted++ == 0) k.first_fault = number;
    return;  // a faulted launch has no figures
  }
  k.warp_instructions += stats.warp_instructions;
  k.thread_instructions += stats.thread_instructions;
  k.ctas += stats.ctas;
  k.cycles += stats.cycles;
  k.race_hazards += stats.race_hazards;
  k.seconds += stats.seconds;
  k.launch_seconds += stats.launch_seconds;
  k.host_seconds += stats.host_seconds;
}

nlohmann::json folded_launches_json(const FoldedKernelLaunches& k, bool race_check) {
  nlohmann::json j = {{"kernel", isa::demangled_kernel_name(k.kernel)},
                      {"mangled", k.kernel},
                      {"launches", k.launches},
                      {"first_launch", k.first_launch},
                      {"grid", shape_json(k.grid, k.one_grid)},
                      {"block", shape_json(k.block, k.one_block)},
                      {"ctas", k.ctas},
                      {"warp_instructions", k.warp_instructions},
                      {"thread_instructions", k.thread_instructions},
                      {"cycles", k.cycles},
                      {"seconds", k.seconds},
                      {"host_seconds", k.host_seconds},
                      {"faulted", k.faulted}};
  if (k.faulted > 0) j["first_fault"] = k.first_fault;
  if (race_check) j["race_hazards"] = k.race_hazards;
  if (k.depth > 0) j["device_launch_depth"] = k.depth;
  return j;
}

}  // namespace gpusim::runtime
