#include "isa/warpgroup_check.h"

#include <string>

#include "isa/launch_state.h"
#include "isa/warp.h"

namespace gpusim::isa {

namespace {
std::string times(uint32_t n) { return std::to_string(n) + (n == 1 ? " time" : " times"); }
}  // namespace

void check_warpgroup_at_wgmma(ExecContext& ctx) {
  const Warp& me = ctx.warp();
  const CtaState& cta = ctx.cta();
  const unsigned first = me.id() / 4 * 4;
  if (first + 4 > cta.warps.size())
    ctx.fail_warp("wgmma.mma_async is executed by a warpgroup of four warps, but this CTA's " +
                      std::to_string(cta.warps.size() * 32) + " threads leave warp " + std::to_string(me.id()) +
                      "'s warpgroup (warps " + std::to_string(first) + "-" + std::to_string(first + 3) + ") with " +
                      std::to_string(cta.warps.size() - first) + ": launch a multiple of 128 threads",
                  FaultKind::Barrier);
  for (unsigned w = first; w < first + 4; ++w) {
    const Warp& partner = *cta.warps[w];
    const bool gone = partner.done() || partner.live() == 0;
    if (w == me.id() || !gone || partner.wgmma_issued >= me.wgmma_issued) continue;
    ctx.fail_warp("wgmma.mma_async is executed by all four warps of a warpgroup together, but warp " + std::to_string(w) +
                      " of this one (warps " + std::to_string(first) + "-" + std::to_string(first + 3) +
                      ") exited after executing it " + times(partner.wgmma_issued) + ", and this is warp " +
                      std::to_string(me.id()) + "'s execution number " + std::to_string(me.wgmma_issued),
                  FaultKind::Barrier);
  }
}

void check_warpgroup_at_exit(ExecContext& ctx) {
  const Warp& me = ctx.warp();
  const CtaState& cta = ctx.cta();
  const unsigned first = me.id() / 4 * 4;
  for (unsigned w = first; w < first + 4 && w < cta.warps.size(); ++w) {
    const Warp& partner = *cta.warps[w];
    if (w == me.id() || partner.wgmma_issued <= me.wgmma_issued) continue;
    ctx.fail_warp("warp " + std::to_string(me.id()) + " exits after executing wgmma.mma_async " +
                      times(me.wgmma_issued) + ", but warp " + std::to_string(w) + " of its warpgroup (warps " +
                      std::to_string(first) + "-" + std::to_string(first + 3) + ") executed it " +
                      times(partner.wgmma_issued) + ": all four warps of a warpgroup execute each wgmma.mma_async together",
                  FaultKind::Barrier);
  }
}

}  // namespace gpusim::isa
