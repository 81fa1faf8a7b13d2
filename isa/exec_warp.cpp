// Warp-level collectives: shfl.sync, vote.sync, activemask, redux.sync, match.sync.
// All lanes named in membermask must execute the instruction together; in this SIMT-stack model
// a member on another divergent path cannot, which is reported rather than guessed at.
#include <cstdio>

#include "isa/exec_context.h"
#include "isa/launch_state.h"

namespace gpusim::isa {

namespace {

uint32_t members(ExecContext& ctx, const Operand& mask_op) {
  if (!ctx.mask) return 0;
  const uint32_t m = static_cast<uint32_t>(ctx.get(mask_op, static_cast<unsigned>(__builtin_ctz(ctx.mask))));
  const uint32_t missing = m & ctx.warp().live() & ~ctx.mask;
  if (missing) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "membermask 0x%08x names lanes 0x%08x that are not executing this instruction", m,
                  missing);
    ctx.fail_warp(std::string(opcode_name(ctx.inst->op)) + ".sync: " + buf + " (divergent warp)");
  }
  return m;
}

}  // namespace

void exec_Shfl(ExecContext& ctx, const Instruction& in) {
  members(ctx, in.ops[4]);
  uint64_t src[32] = {};
  for_each_lane(ctx.warp().live(), [&](unsigned l) { src[l] = ctx.get(in.ops[1], l); });
  const ShflMode mode = in.mod.shfl;
  uint64_t out[32];
  bool ok[32];
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const int b = static_cast<int>(ctx.get(in.ops[2], lane) & 31);
    const uint32_t c = static_cast<uint32_t>(ctx.get(in.ops[3], lane));
    const int clamp = static_cast<int>(c & 31);
    const int segmask = static_cast<int>((c >> 8) & 31);
    const int min_lane = static_cast<int>(lane) & segmask;
    const int max_lane = min_lane | (clamp & ~segmask);
    int j = 0;
    bool p = false;
    switch (mode) {
      case ShflMode::Up: j = static_cast<int>(lane) - b; p = j >= max_lane; break;
      case ShflMode::Down: j = static_cast<int>(lane) + b; p = j <= max_lane; break;
      case ShflMode::Bfly: j = static_cast<int>(lane) ^ b; p = j <= max_lane; break;
      case ShflMode::Idx: j = min_lane | (b & ~segmask); p = j <= max_lane; break;
      default: ctx.fail_warp("shfl without a mode");
    }
    if (!p) j = static_cast<int>(lane);
    out[lane] = src[j];
    ok[lane] = p;
  });
  for_each_lane(ctx.mask, [&](unsigned lane) {
    ctx.set(in.ops[0], lane, out[lane]);
    if (in.ops[0].reg2 != kNoReg) ctx.set(in.ops[0].reg2, lane, ok[lane]);
  });
}

void exec_Vote(ExecContext& ctx, const Instruction& in) {
  const uint32_t m = in.nops > 2 ? members(ctx, in.ops[2]) : ctx.mask;
  const uint32_t group = ctx.mask & m;
  uint32_t ballot = 0;
  for_each_lane(group, [&](unsigned l) { ballot |= uint32_t(ctx.get(in.ops[1], l) & 1) << l; });
  uint64_t r = 0;
  switch (in.mod.vote) {
    case VoteMode::All: r = ballot == group; break;
    case VoteMode::Any: r = ballot != 0; break;
    case VoteMode::Uni: r = ballot == 0 || ballot == group; break;
    case VoteMode::Ballot: r = ballot; break;
    default: ctx.fail_warp("vote without a mode");
  }
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, r); });
}

void exec_Activemask(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, ctx.mask); });
}

void exec_Redux(ExecContext& ctx, const Instruction& in) {
  const uint32_t group = ctx.mask & members(ctx, in.ops[2]);
  const bool sgn = type_is_signed(in.mod.types[0]);
  bool first = true;
  uint64_t acc = 0;
  for_each_lane(group, [&](unsigned l) {
    const uint32_t v = static_cast<uint32_t>(ctx.get(in.ops[1], l));
    if (first) { acc = v; first = false; return; }
    switch (in.mod.atom) {
      case AtomOp::Add: acc = uint32_t(acc + v); break;
      case AtomOp::Min: acc = sgn ? uint32_t(std::min<int32_t>(int32_t(acc), int32_t(v))) : std::min<uint32_t>(uint32_t(acc), v); break;
      case AtomOp::Max: acc = sgn ? uint32_t(std::max<int32_t>(int32_t(acc), int32_t(v))) : std::max<uint32_t>(uint32_t(acc), v); break;
      case AtomOp::And: acc &= v; break;
      case AtomOp::Or: acc |= v; break;
      case AtomOp::Xor: acc ^= v; break;
      default: ctx.fail_warp("unsupported redux operation", FaultKind::Unsupported);
    }
  });
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, acc); });
}

void exec_Match(ExecContext& ctx, const Instruction& in) {
  const uint32_t group = ctx.mask & members(ctx, in.ops[2]);
  uint64_t v[32] = {};
  for_each_lane(group, [&](unsigned l) { v[l] = ctx.get(in.ops[1], l); });
  if (in.mod.match == MatchMode::Any) {
    for_each_lane(ctx.mask, [&](unsigned l) {
      uint32_t same = 0;
      for_each_lane(group, [&](unsigned k) { same |= uint32_t(v[k] == v[l]) << k; });
      ctx.set(in.ops[0], l, same);
    });
    return;
  }
  bool all = true;
  const unsigned first = group ? static_cast<unsigned>(__builtin_ctz(group)) : 0;
  for_each_lane(group, [&](unsigned k) { all = all && v[k] == v[first]; });
  for_each_lane(ctx.mask, [&](unsigned l) {
    ctx.set(in.ops[0], l, all ? group : 0);
    if (in.ops[0].reg2 != kNoReg) ctx.set(in.ops[0].reg2, l, all);
  });
}

}  // namespace gpusim::isa
