// Warp-level collectives: shfl.sync, vote.sync, activemask, redux.sync, match.sync.
// All lanes named in membermask must execute the instruction together; in this SIMT-stack model
// a member on another divergent path cannot, which is reported rather than guessed at.
#include <cstdio>

#include "isa/exec_context.h"
#include "isa/launch_state.h"
#include "isa/shared_race_check.h"

namespace gpusim::isa {

namespace {

// Each calling thread must be in its own membermask (CUDA: "must have its own bit set in the
// mask"; the PTX ISA leaves the rest undefined): on a GPU such a lane's result, and whether the
// named lanes wait for it, is anybody's guess, so it is a fault rather than a plausible value.
[[noreturn]] void fail_not_a_member(ExecContext& ctx, unsigned lane, uint32_t membermask) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "lane %u executes %s.sync with membermask 0x%08x, which does not name it: every calling thread must "
                "be in its membermask (undefined behaviour on a GPU)",
                lane, opcode_name(ctx.inst->op), membermask);
  ctx.fail(lane, buf);
}

// Every lane passes its own membermask: the lanes of a warp may run one .sync collective as
// several disjoint groups at once (cooperative_groups' tiled_partition<4> votes with one mask per
// tile of four lanes). groups[l] is lane l's group: its membermask's lanes that execute the
// instruction. A membermask naming a live lane that is on another divergent path is reported.
void member_groups(ExecContext& ctx, const Operand& mask_op, uint32_t groups[32]) {
  uint32_t missing = 0, named = 0;
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint32_t m = static_cast<uint32_t>(ctx.get(mask_op, l));
    if (!(m >> l & 1)) fail_not_a_member(ctx, l, m);
    groups[l] = m & ctx.mask;
    missing |= m & ctx.warp().live() & ~ctx.mask;
    if (m & ctx.warp().live() & ~ctx.mask) named = m;
  });
  if (missing) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "membermask 0x%08x names lanes 0x%08x that are not executing this instruction", named,
                  named & ctx.warp().live() & ~ctx.mask);
    ctx.fail_warp(std::string(opcode_name(ctx.inst->op)) + ".sync: " + buf + " (divergent warp)");
  }
}

}  // namespace

void exec_Shfl(ExecContext& ctx, const Instruction& in) {
  uint32_t groups[32];
  member_groups(ctx, in.ops[4], groups);
  uint64_t src[32] = {};
  for_each_lane(ctx.warp().live(), [&](unsigned l) { src[l] = ctx.get(in.ops[1], l); });
  const ShflMode mode = in.mod.shfl;
  uint64_t out[32];
  bool ok[32];
  int source[32];
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
    source[lane] = j;
  });
  // --racecheck: a lane that read a lane taking no part (exited, missing from a partial warp, or
  // not executing this shuffle with it) got an undefined value on a GPU.
  if (SharedRaceCheck* check = ctx.launch().race_check.get()) {
    const uint32_t live = ctx.warp().live(), present = ctx.warp().present();
    for_each_lane(ctx.mask, [&](unsigned lane) {
      const unsigned j = unsigned(source[lane]);
      if (!ok[lane] || (groups[lane] >> j & 1)) return;
      const AbsentLane why = !(present >> j & 1) ? AbsentLane::OutsideBlock
                             : !(live >> j & 1)  ? AbsentLane::Exited
                                                 : AbsentLane::NotInGroup;
      check->note_absent_shuffle_source(&in, ctx.cta(), ctx.warp().id(), lane, j, why);
    });
  }
  for_each_lane(ctx.mask, [&](unsigned lane) {
    ctx.set(in.ops[0], lane, out[lane]);
    if (in.ops[0].reg2 != kNoReg) ctx.set(in.ops[0].reg2, lane, ok[lane]);
  });
}

void exec_Vote(ExecContext& ctx, const Instruction& in) {
  uint32_t groups[32];
  if (in.nops > 2) member_groups(ctx, in.ops[2], groups);
  else for_each_lane(ctx.mask, [&](unsigned l) { groups[l] = ctx.mask; });  // vote without .sync: the active lanes
  uint32_t votes = 0;
  for_each_lane(ctx.mask, [&](unsigned l) { votes |= uint32_t(ctx.get(in.ops[1], l) & 1) << l; });
  const VoteMode mode = in.mod.vote;
  if (mode != VoteMode::All && mode != VoteMode::Any && mode != VoteMode::Uni && mode != VoteMode::Ballot)
    ctx.fail_warp("vote without a mode");
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint32_t group = groups[l], ballot = votes & group;
    uint64_t r = 0;
    switch (mode) {
      case VoteMode::All: r = ballot == group; break;
      case VoteMode::Any: r = ballot != 0; break;
      case VoteMode::Uni: r = ballot == 0 || ballot == group; break;
      default: r = ballot; break;
    }
    ctx.set(in.ops[0], l, r);
  });
}

void exec_Activemask(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned l) { ctx.set(in.ops[0], l, ctx.mask); });
}

namespace {
uint32_t redux_group(ExecContext& ctx, const Instruction& in, uint32_t group) {
  const bool sgn = type_is_signed(in.mod.types[0]);
  bool first = true;
  uint32_t acc = 0;
  for_each_lane(group, [&](unsigned l) {
    const uint32_t v = static_cast<uint32_t>(ctx.get(in.ops[1], l));
    if (first) { acc = v; first = false; return; }
    switch (in.mod.atom) {
      case AtomOp::Add: acc = acc + v; break;
      case AtomOp::Min: acc = sgn ? uint32_t(std::min<int32_t>(int32_t(acc), int32_t(v))) : std::min<uint32_t>(acc, v); break;
      case AtomOp::Max: acc = sgn ? uint32_t(std::max<int32_t>(int32_t(acc), int32_t(v))) : std::max<uint32_t>(acc, v); break;
      case AtomOp::And: acc &= v; break;
      case AtomOp::Or: acc |= v; break;
      case AtomOp::Xor: acc ^= v; break;
      default: ctx.fail_warp("unsupported redux operation", FaultKind::Unsupported);
    }
  });
  return acc;
}
}  // namespace

// Each lane gets the reduction over its own group; lanes of one group share the computation.
void exec_Redux(ExecContext& ctx, const Instruction& in) {
  uint32_t groups[32];
  member_groups(ctx, in.ops[2], groups);
  uint32_t last_group = 0, last_acc = 0;
  bool have = false;
  for_each_lane(ctx.mask, [&](unsigned l) {
    if (!have || groups[l] != last_group) {
      last_group = groups[l];
      last_acc = redux_group(ctx, in, last_group);
      have = true;
    }
    ctx.set(in.ops[0], l, last_acc);
  });
}

void exec_Match(ExecContext& ctx, const Instruction& in) {
  uint32_t groups[32];
  member_groups(ctx, in.ops[2], groups);
  uint64_t v[32] = {};
  for_each_lane(ctx.mask, [&](unsigned l) { v[l] = ctx.get(in.ops[1], l); });
  if (in.mod.match == MatchMode::Any) {
    for_each_lane(ctx.mask, [&](unsigned l) {
      uint32_t same = 0;
      for_each_lane(groups[l], [&](unsigned k) { same |= uint32_t(v[k] == v[l]) << k; });
      ctx.set(in.ops[0], l, same);
    });
    return;
  }
  for_each_lane(ctx.mask, [&](unsigned l) {
    const uint32_t group = groups[l];
    bool all = true;
    const unsigned first = group ? static_cast<unsigned>(__builtin_ctz(group)) : l;
    for_each_lane(group, [&](unsigned k) { all = all && v[k] == v[first]; });
    ctx.set(in.ops[0], l, all ? group : 0);
    if (in.ops[0].reg2 != kNoReg) ctx.set(in.ops[0].reg2, l, all);
  });
}

}  // namespace gpusim::isa
