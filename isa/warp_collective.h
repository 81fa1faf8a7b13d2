// The check every warp-collective instruction (wmma, mma.sync, ldmatrix, wgmma) makes before it
// runs: all 32 lanes active, or a fault that names the instruction's rule and the active mask.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "isa/exec_context.h"

namespace gpusim::isa {

// `rule` says what the instruction requires ("wmma.mma is warp-collective: ..."); the fault
// message adds the mask that broke it.
inline void require_full_warp(ExecContext& ctx, const std::string& rule, FaultKind kind = FaultKind::Other) {
  if (ctx.mask == 0xffffffffu) return;
  char mask[16];
  std::snprintf(mask, sizeof mask, "0x%08x", ctx.mask);
  ctx.fail_warp(rule + mask, kind);
}

}  // namespace gpusim::isa
