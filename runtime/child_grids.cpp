// A host launch's tree of grids (runtime/child_grids.h).
#include "runtime/child_grids.h"

#include <algorithm>

#include "isa/ir.h"

namespace gpusim::runtime {

namespace {

class TreeRun {
 public:
  TreeRun(isa::CdpEnvironment& env, const isa::Module& module, const GridRunner& run,
          const std::function<void(const std::string&)>& diagnostic)
      : env_(env), module_(module), run_(run), diagnostic_(diagnostic) {}

  // Runs one grid, then its children (each with its own subtree) in queue order.
  LaunchStats grid(const isa::Function& kernel, const LaunchConfig& cfg, std::vector<uint8_t> params, unsigned depth) {
    isa::DeviceLaunchQueue queue(env_, module_, depth);
    LaunchStats stats = run_(kernel, cfg, std::move(params), queue);
    report_diagnostics();
    std::vector<isa::ChildLaunch> children = queue.take_children();
    for (size_t i = 0; i < children.size(); ++i) {
      isa::ChildLaunch& c = children[i];
      env_.pending -= std::min<uint64_t>(env_.pending, 1);  // it starts now
      LaunchConfig child_cfg;
      child_cfg.grid = c.grid;
      child_cfg.block = c.block;
      child_cfg.dynamic_shared_bytes = c.dynamic_shared_bytes;
      DeviceLaunchRecord rec;
      rec.kernel = c.kernel->name;
      rec.grid = c.grid;
      rec.block = c.block;
      rec.dynamic_shared_bytes = c.dynamic_shared_bytes;
      rec.depth = depth + 1;
      rec.stream = isa::child_stream_name(c.stream);
      rec.launched_by = c.launched_by;
      const size_t slot = records_.size();  // before its descendants, which run after it
      records_.push_back(rec);
      try {
        records_[slot].stats = grid(*c.kernel, child_cfg, std::move(c.params), depth + 1);
      } catch (const KernelFault& e) {
        env_.pending -= std::min<uint64_t>(env_.pending, children.size() - i - 1);  // never start
        if (fault_described_) throw;  // the deepest faulting grid has named itself
        fault_described_ = true;
        throw KernelFault(std::string(e.what()) + "\n    (in grid '" + rec.kernel + "' at nesting depth " +
                              std::to_string(rec.depth) + ", launched into " + rec.stream + " by " + rec.launched_by +
                              ")",
                          e.kind());
      } catch (const Error&) {
        env_.pending -= std::min<uint64_t>(env_.pending, children.size() - i - 1);
        throw;
      }
    }
    return stats;
  }

  std::vector<DeviceLaunchRecord> take_records() { return std::move(records_); }

 private:
  // The first few failed device runtime calls in full, then a count: every thread of a grid that
  // launches past cudaLimitDevRuntimePendingLaunchCount fails alike (an outside user's 2,048
  // near-identical lines).
  void report_diagnostics() {
    constexpr size_t kShown = 3;
    for (size_t i = 0; i < env_.diagnostics.size() && i < kShown; ++i) diagnostic_(env_.diagnostics[i]);
    if (env_.diagnostics.size() > kShown)
      diagnostic_("... and " + std::to_string(env_.diagnostics.size() - kShown) +
                  " more failed device runtime calls (each returned its error to its thread; the first are above)");
    env_.diagnostics.clear();
  }

  isa::CdpEnvironment& env_;
  const isa::Module& module_;
  const GridRunner& run_;
  const std::function<void(const std::string&)>& diagnostic_;
  std::vector<DeviceLaunchRecord> records_;
  bool fault_described_ = false;
};

}  // namespace

LaunchStats run_grid_tree(isa::CdpEnvironment& env, const isa::Module& module, const isa::Function& kernel,
                          const LaunchConfig& cfg, std::vector<uint8_t> params, const GridRunner& run,
                          const std::function<void(const std::string&)>& diagnostic) {
  TreeRun tree(env, module, run, diagnostic);
  LaunchStats stats = tree.grid(kernel, cfg, std::move(params), 0);
  stats.device_launches = tree.take_records();
  return stats;
}

}  // namespace gpusim::runtime
