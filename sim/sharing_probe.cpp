#include "sim/sharing_probe.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "isa/step.h"

namespace gpusim::sim {

namespace {

// Global memory as `base` holds it, with the probe's writes kept aside (byte by byte: the probe
// runs three CTAs, so simplicity beats speed here).
class CopyOnWriteMemory : public isa::GlobalMemory {
 public:
  explicit CopyOnWriteMemory(isa::GlobalMemory& base) : base_(base) {}
  bool read(uint64_t addr, void* out, unsigned size) override {
    if (!base_.read(addr, out, size)) return false;
    if (!written_.empty()) {
      auto* bytes = static_cast<uint8_t*>(out);
      for (unsigned i = 0; i < size; ++i)
        if (auto it = written_.find(addr + i); it != written_.end()) bytes[i] = it->second;
    }
    return true;
  }
  bool write(uint64_t addr, const void* in, unsigned size) override {
    uint8_t probe[16];
    // Only inside an allocation, as the base would check.
    for (unsigned done = 0; done < size; done += sizeof probe)
      if (!base_.read(addr + done, probe, std::min<unsigned>(sizeof probe, size - done))) return false;
    const auto* bytes = static_cast<const uint8_t*>(in);
    for (unsigned i = 0; i < size; ++i) written_[addr + i] = bytes[i];
    return true;
  }

 private:
  isa::GlobalMemory& base_;
  std::unordered_map<uint64_t, uint8_t> written_;
};

void add_lines(uint64_t addr, uint64_t bytes, uint32_t line, std::unordered_set<uint64_t>& out) {
  for (uint64_t l = addr / line; l <= (addr + (bytes ? bytes : 1) - 1) / line; ++l) out.insert(l);
}

// Runs CTA `id` to its end on `launch` (the probe's copy) and collects the global lines it read.
void run_and_collect(isa::LaunchState& launch, const isa::FunctionalLimits& limits, uint64_t id, uint32_t line,
                     std::unordered_set<uint64_t>& lines) {
  const isa::Dim3& g = launch.grid;
  const isa::Dim3 ctaid{static_cast<uint32_t>(id % g.x), static_cast<uint32_t>(id / g.x % g.y),
                        static_cast<uint32_t>(id / (uint64_t(g.x) * g.y))};
  isa::CtaState cta(launch, ctaid);
  std::vector<isa::MemAccess> trace;
  isa::AffineAccess summary;
  const uint64_t budget = launch.warp_instructions + limits.max_warp_instructions;
  while (true) {
    bool all_done = true, progressed = false;
    for (auto& wp : cta.warps) {
      isa::Warp& w = *wp;
      for (unsigned i = 0; i < limits.slice && !w.done() && !w.at_barrier; ++i) {
        trace.clear();
        summary.lanes = 0;
        if (isa::step_warp(w, cta, launch, &trace, &summary).waiting) break;  // held at barrier.cluster.wait
        progressed = true;
        if (summary.valid()) {
          if (summary.space == isa::StateSpace::Global && !summary.write)
            for (unsigned l = 0; l < 32; ++l)
              if (summary.lanes >> l & 1u) add_lines(summary.lane_address(l), summary.lane_bytes(), line, lines);
        } else {
          for (const isa::MemAccess& a : trace)
            if (a.space == isa::StateSpace::Global && !a.write && !a.atomic) add_lines(a.addr, a.size, line, lines);
        }
      }
      all_done = all_done && w.done();
    }
    if (all_done) return;
    if (launch.warp_instructions > budget)
      throw isa::ExecError(cta.where() + ": instruction budget exceeded in the sharing probe", isa::FaultKind::Runaway);
    if (!cta.release_ready_barriers() && !progressed)
      throw isa::ExecError(isa::describe_barrier_deadlock(cta), isa::FaultKind::Barrier);
  }
}

}  // namespace

SharingProbe probe_data_sharing(const isa::LaunchState& launch, const isa::FunctionalLimits& limits,
                                uint32_t line_bytes) {
  SharingProbe p;
  const uint64_t total = launch.grid.count();
  if (total < 2 || !launch.global) {
    p.why = "a single CTA";
    return p;
  }
  try {
    CopyOnWriteMemory view(*launch.global);
    isa::LaunchState copy = launch;
    copy.global = &view;
    copy.services = nullptr;
    std::unordered_set<uint64_t> first, neighbours;
    run_and_collect(copy, limits, 0, line_bytes, first);
    run_and_collect(copy, limits, 1, line_bytes, neighbours);
    if (launch.grid.x < total) run_and_collect(copy, limits, launch.grid.x, line_bytes, neighbours);
    p.lines = first.size();
    uint64_t shared = 0;
    for (uint64_t l : first) shared += neighbours.count(l);
    p.shared_fraction = first.empty() ? 0.0 : double(shared) / double(first.size());
    p.probed = true;
  } catch (const std::exception&) {
    p.why = "the probe's CTAs faulted (a device-side service, or a fault the real run will report)";
  }
  return p;
}

}  // namespace gpusim::sim
