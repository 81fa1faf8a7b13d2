#include "isa/warp_sync_paths.h"

#include <cstdio>
#include <string>

#include "isa/bit_count.h"
#include "isa/spin_yield.h"

namespace gpusim::isa {

namespace {

// Index of the membermask operand, or -1 for an instruction that has none.
int member_operand(const Instruction& in) {
  switch (in.op) {
    case Opcode::BarWarpSync: return 0;
    case Opcode::Shfl: return 4;
    case Opcode::Vote: return in.nops > 2 ? 2 : -1;
    case Opcode::Match: case Opcode::Redux: return 2;
    default: return -1;
  }
}

std::string hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

// Lanes of the warp waiting somewhere in the innermost frame other than the executing path.
struct Part {
  SimtEntry* entry = nullptr;
  bool parked = false;  // waiting at entry->parked_pc (else at entry->pc, not yet run)
  uint32_t pc = 0;
  uint32_t lanes = 0;
};

struct Parts {
  Part items[32];
  unsigned count = 0;
};

// Where the lanes that are not on the executing path wait, walking the stack from the top down
// the way isa/spin_yield.cpp's split does: lanes parked on an entry wait at its parked PC; an
// entry that has not reached its reconvergence point holds lanes that wait at its PC.
Parts waiting_parts(Warp& warp) {
  Parts out;
  std::vector<SimtEntry>& st = warp.frame().stack;
  uint32_t running = st.back().mask | st.back().parked_mask;
  for (size_t i = st.size() - 1; i-- > 0;) {
    SimtEntry& e = st[i];
    if (e.parked_mask & ~running) out.items[out.count++] = Part{&e, true, e.parked_pc, e.parked_mask & ~running};
    if (e.pc == e.rpc) {
      running |= e.parked_mask;
      continue;
    }
    const uint32_t waiting = e.mask & ~running;
    running |= e.mask | e.parked_mask;
    if (waiting && out.count < 32) out.items[out.count++] = Part{&e, false, e.pc, waiting};
    if (out.count == 32) break;
  }
  return out;
}

// Whether `other` is the same collective as `in` up to its registers, so that running `in`'s
// handler on `other`'s operand values computes `other`'s results.
bool same_form(const Instruction& in, const Instruction& other) {
  if (other.op != in.op || other.nops != in.nops || other.mod.ntypes != in.mod.ntypes ||
      other.mod.types != in.mod.types || other.mod.shfl != in.mod.shfl || other.mod.vote != in.mod.vote ||
      other.mod.match != in.mod.match || other.mod.atom != in.mod.atom)
    return false;
  for (unsigned k = 0; k < in.nops; ++k) {
    const Operand& a = in.ops[k];
    const Operand& b = other.ops[k];
    if (a.kind != b.kind || a.negate != b.negate || a.pred != b.pred || (a.reg2 == kNoReg) != (b.reg2 == kNoReg)) return false;
    if (a.kind == OperandKind::Imm && a.imm != b.imm) return false;
    if (a.kind != OperandKind::Imm && a.kind != OperandKind::Reg) return false;
  }
  return true;
}

uint32_t guard_lanes(const Warp& warp, const Instruction& in, uint32_t lanes) {
  if (in.guard == kNoReg) return lanes;
  const CallFrame& frame = warp.frame();
  uint32_t g = 0;
  for_each_lane(lanes, [&](unsigned l) { g |= uint32_t((frame.reg(in.guard, l) & 1) ^ uint64_t(in.guard_negated)) << l; });
  return g;
}

// Registers of `in` (operands and second destinations) whose values a part's lanes lend.
struct RegisterLoan {
  uint32_t regs[18];
  unsigned count = 0;
  void add(uint32_t r) {
    for (unsigned i = 0; i < count; ++i)
      if (regs[i] == r) return;
    regs[count++] = r;
  }
};

// A part's source register as it was before any loan: one `in` lends may already hold another
// part's value for this lane.
uint64_t saved_or_current(const std::vector<uint64_t>& saved, const RegisterLoan& loan, const CallFrame& frame,
                          uint32_t reg, unsigned lane) {
  for (unsigned i = 0; i < loan.count; ++i)
    if (loan.regs[i] == reg) return saved[size_t(i) * 32 + lane];
  return frame.reg(reg, lane);
}

// Writes a value taken from another register, cut to `reg`'s own width as every register write is.
void put(CallFrame& frame, uint32_t reg, unsigned lane, uint64_t v) {
  frame.set_reg(reg, lane, v & register_value_mask(frame.fn->regs[reg].type));
}

// Runs `handler` once over the executing lanes and the parts' lanes: each part's lanes first get
// their own instruction's source values in the registers `in` reads (saved and restored), and
// afterwards their own destinations get the results.
void run_combined(ExecContext& ctx, const Instruction& in, const Parts& parts, uint32_t part_lanes,
                  void (*handler)(ExecContext&, const Instruction&)) {
  CallFrame& frame = ctx.warp().frame();
  RegisterLoan loan;
  for (unsigned k = 0; k < in.nops; ++k)
    if (in.ops[k].kind == OperandKind::Reg) {
      loan.add(in.ops[k].reg);
      if (in.ops[k].reg2 != kNoReg) loan.add(in.ops[k].reg2);
    }
  std::vector<uint64_t> saved(size_t(loan.count) * 32);
  for (unsigned i = 0; i < loan.count; ++i)
    for (unsigned l = 0; l < 32; ++l) saved[size_t(i) * 32 + l] = frame.reg(loan.regs[i], l);
  // Sources: every operand after the destination, read from the part's own registers first.
  for (unsigned p = 0; p < parts.count; ++p) {
    const Part& part = parts.items[p];
    const Instruction& other = ctx.warp().frame().fn->code[part.pc];
    if (&other == &in) continue;
    for (unsigned k = 1; k < in.nops; ++k) {
      if (in.ops[k].kind != OperandKind::Reg) continue;
      for_each_lane(part.lanes, [&](unsigned l) {
        put(frame, in.ops[k].reg, l, saved_or_current(saved, loan, frame, other.ops[k].reg, l));
      });
    }
  }
  const uint32_t own = ctx.mask;
  ctx.mask = own | part_lanes;
  handler(ctx, in);
  ctx.mask = own;
  // Results into each part's own destinations, after `in`'s registers got their values back.
  for (unsigned p = 0; p < parts.count; ++p) {
    const Part& part = parts.items[p];
    const Instruction& other = ctx.warp().frame().fn->code[part.pc];
    if (&other == &in || in.ops[0].kind != OperandKind::Reg || in.op == Opcode::BarWarpSync) continue;
    uint64_t d[32], d2[32];
    for_each_lane(part.lanes, [&](unsigned l) {
      d[l] = frame.reg(in.ops[0].reg, l);
      if (in.ops[0].reg2 != kNoReg) d2[l] = frame.reg(in.ops[0].reg2, l);
    });
    for (unsigned i = 0; i < loan.count; ++i)
      for_each_lane(part.lanes, [&](unsigned l) { frame.set_reg(loan.regs[i], l, saved[size_t(i) * 32 + l]); });
    for_each_lane(part.lanes, [&](unsigned l) {
      put(frame, other.ops[0].reg, l, d[l]);
      if (other.ops[0].reg2 != kNoReg) put(frame, other.ops[0].reg2, l, d2[l]);
    });
  }
}

}  // namespace

bool is_warp_collective(const Instruction& in) { return member_operand(in) >= 0; }

CrossPathResult run_across_paths(ExecContext& ctx, const Instruction& in,
                                 void (*handler)(ExecContext&, const Instruction&)) {
  Warp& warp = ctx.warp();
  const int mi = member_operand(in);
  if (mi < 0 || ctx.mask == 0) return CrossPathResult::Local;
  // Each lane passes its own membermask (tiles of one warp are separate groups): the lanes any of
  // them names.
  uint32_t members = 0;
  for_each_lane(ctx.mask, [&](unsigned l) { members |= static_cast<uint32_t>(ctx.get(in.ops[mi], l)); });
  uint32_t missing = members & warp.live() & ~ctx.mask;
  if (!missing) return CrossPathResult::Local;
  const uint32_t path = warp.top().mask;
  const std::vector<Instruction>& code = warp.frame().fn->code;
  const std::string what = std::string(in.op == Opcode::BarWarpSync ? "bar.warp.sync" : opcode_name(in.op)) +
                           " membermask " + hex(members);
  if (missing & path)
    ctx.fail_warp(what + " names lanes " + hex(missing & path) + " of the executing path whose guard is false",
                  FaultKind::Barrier);
  const Parts all = waiting_parts(warp);
  Parts meet;
  uint32_t met = 0;
  std::string elsewhere;
  for (unsigned p = 0; p < all.count; ++p) {
    const Part& part = all.items[p];
    if (!(part.lanes & missing)) continue;
    const bool ready = part.pc < code.size() && (part.lanes & ~members) == 0 && same_form(in, code[part.pc]) &&
                       (part.parked ? part.entry->parked_mask == part.lanes : part.entry->mask == part.lanes);
    if (ready) {
      meet.items[meet.count++] = part;
      met |= part.lanes;
    } else if (elsewhere.empty()) {
      elsewhere = "lanes " + hex(part.lanes & missing) + " wait at PC " + std::to_string(part.pc) +
                  (part.pc < code.size() ? " (line " + std::to_string(code[part.pc].line) + ": " + code[part.pc].text + ")"
                                         : " (the function's end)");
      // They wait where this path rejoins them, at the same collective: the sides of the branch
      // reach it a different number of times (one lane's __syncwarp() inside an `if`, then all
      // lanes' after it), which CUDA leaves undefined; gpusim cannot hold those lanes past it.
      if (part.pc < code.size() && same_form(in, code[part.pc]) && warp.top().rpc == part.pc)
        elsewhere += ", where this branch rejoins them, to run that one: the lanes reach " +
                     std::string(in.op == Opcode::BarWarpSync ? "__syncwarp()" : "the collective") +
                     " a different number of times on the two sides of the branch (CUDA: every lane named in the "
                     "mask must reach a corresponding one; undefined otherwise)";
    }
  }
  if ((missing & ~met) == 0) {
    uint32_t executing = 0;
    for (unsigned p = 0; p < meet.count; ++p) executing |= guard_lanes(warp, code[meet.items[p].pc], meet.items[p].lanes);
    run_combined(ctx, in, meet, executing, handler);
    for (unsigned p = 0; p < meet.count; ++p) {
      Part& part = meet.items[p];
      if (part.parked) part.entry->parked_pc += 1;
      else part.entry->pc += 1;
    }
    return CrossPathResult::Executed;
  }
  if (yield_to_waiting_lanes(warp)) return CrossPathResult::Yielded;
  if (elsewhere.empty())
    elsewhere = "lanes " + hex(missing & ~met) + " are not in this function's divergent paths (a caller's frame)";
  ctx.fail_warp(what + " waits for lanes that can never arrive: " + elsewhere, FaultKind::Barrier);
}

}  // namespace gpusim::isa
