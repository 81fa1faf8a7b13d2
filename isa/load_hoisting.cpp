#include "isa/load_hoisting.h"

#include <algorithm>
#include <vector>

#include "isa/register_use.h"

namespace gpusim::isa {
namespace {

bool reads_clock(const Instruction& in) {
  for (unsigned i = 0; i < in.nops; ++i) {
    const Operand& o = in.ops[i];
    if (o.kind != OperandKind::Special) continue;
    const auto r = static_cast<SpecialReg>(o.reg);
    if (r == SpecialReg::Clock || r == SpecialReg::Clock64 || r == SpecialReg::ClockHi || r == SpecialReg::Globaltimer ||
        r == SpecialReg::GlobaltimerLo || r == SpecialReg::GlobaltimerHi)
      return true;
  }
  return false;
}

// Ends a basic block: control leaves or may not continue to the next PC.
bool ends_block(const Instruction& in) {
  switch (in.op) {
    case Opcode::Bra: case Opcode::Call: case Opcode::Ret: case Opcode::Exit: case Opcode::Trap:
      return true;
    default:
      return in.unit == Unit::Branch;
  }
}

bool is_movable_load(const Instruction& in) {
  if (in.op == Opcode::WmmaLoad || in.op == Opcode::Ldmatrix) return true;
  if (in.op != Opcode::Ld) return false;
  const MemOrder o = in.mod.order;
  return o == MemOrder::None || o == MemOrder::Weak;
}

// A plain store to one named state space: loads that cannot touch that space move above it, and
// it keeps its place among everything else that touches memory (isa/load_hoisting.h).
bool is_plain_store(const Instruction& in) {
  if (in.op != Opcode::St) return false;
  const MemOrder o = in.mod.order;
  const StateSpace s = in.mod.space;
  return (o == MemOrder::None || o == MemOrder::Weak) &&
         (s == StateSpace::Global || s == StateSpace::Shared || s == StateSpace::Local);
}

// Whether a movable load may read what a plain store writes. Different named spaces never
// overlap; a generic or unnamed load may be any. ld.global.nc reads data that is read-only for
// the whole kernel (const __restrict__, __ldg): no store of the kernel writes it, which is what
// lets ptxas move it above global stores too.
bool may_alias(const Instruction& load, const Instruction& store) {
  const StateSpace l = load.mod.space;
  if (l == StateSpace::Const || l == StateSpace::Param) return false;  // read-only to the kernel's stores
  if (l == StateSpace::Global && load.mod.nc) return false;
  if (l != StateSpace::Global && l != StateSpace::Shared && l != StateSpace::Local) return true;
  return l == store.mod.space;
}

// Register-only work a load may move above (given no register conflict).
bool is_passable(const Instruction& in) {
  // Matrix multiply-accumulates read and write registers only (their fragments are loaded and
  // stored by separate instructions).
  if (in.op == Opcode::Mma || in.op == Opcode::WmmaMma) return true;
  if (in.unit != Unit::Int && in.unit != Unit::Fp32 && in.unit != Unit::Fp64 && in.unit != Unit::Sfu) return false;
  switch (in.op) {
    case Opcode::Shfl: case Opcode::Vote: case Opcode::Activemask: case Opcode::Redux: case Opcode::Match:
    case Opcode::Movmatrix:
    case Opcode::Nanosleep: case Opcode::Isspacep:
      return false;
    default:
      return !reads_clock(in);
  }
}

bool intersects(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  for (uint32_t x : a)
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  return false;
}

// Instructions that nothing moves across: memory writes, barriers, fences, collectives, clock
// reads, control. They split a block into segments that are scheduled independently.
bool is_fixed(const Instruction& in) { return !is_movable_load(in) && !is_passable(in) && !is_plain_store(in); }

// Whether instruction j must stay after instruction i (i earlier) for memory's sake: loads keep
// their order among themselves, stores theirs, and a load and a store that may touch the same
// bytes keep theirs.
bool memory_ordered(const Instruction& i, const Instruction& j) {
  const bool load_i = is_movable_load(i), load_j = is_movable_load(j);
  const bool store_i = is_plain_store(i), store_j = is_plain_store(j);
  if ((load_i && load_j) || (store_i && store_j)) return true;
  if (load_i && store_j) return may_alias(i, j);
  if (store_i && load_j) return may_alias(j, i);
  return false;
}

// List-schedules one segment [begin, end) of register-only work and plain loads: an instruction
// is ready once everything it depends on is placed; among ready ones, loads and the arithmetic
// that computes their addresses go first, everything else keeps its original order.
// The list scheduler below is quadratic to cubic in a segment's length; a fully unrolled kernel
// can have one straight-line block of a million instructions (minutes and tens of GB). Longer
// blocks are scheduled in consecutive windows of this many instructions, as ptxas's own
// scheduling looks only so far ahead.
constexpr size_t kScheduleWindow = 512;

void schedule_segment(std::vector<Instruction>& code, size_t begin, size_t end) {
  if (end - begin > kScheduleWindow) {
    for (size_t at = begin; at < end; at += kScheduleWindow) schedule_segment(code, at, std::min(end, at + kScheduleWindow));
    return;
  }
  const size_t n = end - begin;
  if (n < 2) return;
  std::vector<RegisterUse> use(n);
  for (size_t i = 0; i < n; ++i) register_use(code[begin + i], use[i]);
  std::vector<std::vector<size_t>> preds(n);
  for (size_t j = 0; j < n; ++j)
    for (size_t i = 0; i < j; ++i) {
      if (memory_ordered(code[begin + i], code[begin + j]) || intersects(use[i].destinations, use[j].sources) ||
          intersects(use[i].sources, use[j].destinations) || intersects(use[i].destinations, use[j].destinations))
        preds[j].push_back(i);
    }
  // Load-feeding: a load, or a (transitive) register producer of one.
  std::vector<bool> feeds(n, false);
  for (size_t j = n; j-- > 0;) {
    if (is_movable_load(code[begin + j])) feeds[j] = true;
    if (!feeds[j]) continue;
    for (size_t i : preds[j])
      if (intersects(use[i].destinations, use[j].sources)) feeds[i] = true;
  }
  std::vector<bool> placed(n, false);
  std::vector<size_t> order;
  order.reserve(n);
  while (order.size() < n) {
    size_t pick = n;
    for (size_t j = 0; j < n; ++j) {
      if (placed[j]) continue;
      bool ready = true;
      for (size_t i : preds[j]) ready = ready && placed[i];
      if (!ready) continue;
      if (pick == n || (feeds[j] && !feeds[pick])) pick = j;
      if (feeds[pick]) break;  // the earliest ready load-feeding instruction wins
    }
    placed[pick] = true;
    order.push_back(pick);
  }
  std::vector<Instruction> scheduled;
  scheduled.reserve(n);
  for (size_t k : order) scheduled.push_back(std::move(code[begin + k]));
  for (size_t k = 0; k < n; ++k) code[begin + k] = std::move(scheduled[k]);
}

}  // namespace

size_t hoist_independent_loads(Function& fn) {
  const size_t n = fn.code.size();
  // Block leaders: the entry, every branch target, and every instruction after a block end.
  std::vector<bool> leader(n + 1, false);
  leader[0] = true;
  for (const auto& [name, pc] : fn.labels)
    if (pc <= n) leader[pc] = true;
  for (size_t pc = 0; pc < n; ++pc) {
    const Instruction& in = fn.code[pc];
    for (unsigned i = 0; i < in.nops; ++i)
      if (in.ops[i].kind == OperandKind::Label && in.ops[i].reg <= n) leader[in.ops[i].reg] = true;
    if (ends_block(in)) leader[pc + 1] = true;
  }
  // Where each instruction came from (source line and column), to count the moved ones.
  std::vector<uint64_t> before;
  before.reserve(n);
  auto position = [](const Instruction& in) { return (uint64_t(in.line) << 32) | in.column; };
  for (const Instruction& in : fn.code) before.push_back(position(in));

  size_t begin = 0;
  for (size_t pc = 0; pc <= n; ++pc) {
    const bool boundary = pc == n || leader[pc] || is_fixed(fn.code[pc]);
    if (!boundary) continue;
    schedule_segment(fn.code, begin, pc);
    begin = pc == n ? n : (is_fixed(fn.code[pc]) ? pc + 1 : pc);
  }
  size_t moved = 0;
  for (size_t pc = 0; pc < n; ++pc)
    if (position(fn.code[pc]) != before[pc]) ++moved;
  return moved;
}

}  // namespace gpusim::isa
