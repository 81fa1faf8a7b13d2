#include "sim/instruction_timing.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "isa/register_use.h"
#include "isa/shared_effects.h"
#include "sim/instruction_expansion.h"
#include "sim/register_bank_assignment.h"
#include "sim/register_banks.h"
#include "sim/wgmma_groups.h"

namespace gpusim::sim {

namespace {

using isa::Instruction;
using isa::Opcode;
using isa::Operand;
using isa::OperandKind;

bool is_half(isa::DataType t) {
  return t == isa::DataType::F16 || t == isa::DataType::F16x2 || t == isa::DataType::BF16 ||
         t == isa::DataType::BF16x2;
}

QueueHint queue_hint(const Instruction& in) {
  switch (in.op) {
    case Opcode::Shfl: case Opcode::Ldmatrix: case Opcode::Movmatrix:
      return QueueHint::Mio;
    case Opcode::CpAsync:  // reads global memory through the LG path, writes shared memory
      return QueueHint::Lg;
    case Opcode::CpAsyncBulk: case Opcode::CpAsyncBulkTensor:  // the SM's TMA unit (sim/tma_unit.h)
    case Opcode::StAsync: case Opcode::RedAsync:                // timed as bulk copies (sim/subcore.cpp)
      return QueueHint::None;
    default:
      break;
  }
  switch (in.mod.space) {
    case isa::StateSpace::Shared: return QueueHint::Mio;
    case isa::StateSpace::Global: case isa::StateSpace::Local: case isa::StateSpace::Param:
      return QueueHint::Lg;
    case isa::StateSpace::Const:  // the constant cache (sim/subcore.cpp)
      return QueueHint::None;
    default:
      return QueueHint::Both;
  }
}

uint16_t to_u16(long long v, const isa::Function& fn, const Instruction& in, const char* what) {
  if (v < 0 || v > 65535)
    throw std::invalid_argument("instruction timing: " + std::string(what) + " of " + std::to_string(v) +
                                " cycles out of range in '" + fn.name + "' line " + std::to_string(in.line));
  return static_cast<uint16_t>(v);
}

// Core cycles a sub-core's tensor cores are busy with an m x n x k warp-level MMA (wmma.mma,
// mma.sync), as the fraction num / den: the dense rate is given per tensor-clock cycle, and this
// legacy path sustains tensor.mma_sync_pct of it (on Hopper only wgmma reaches the dense peak).
struct CoreCycles {
  long long num, den;
  long long whole() const { return num / den; }
};
CoreCycles tensor_core_cycles(const GpuConfig& c, int m, int n, int k) {
  const long long tensor_cycles = c.tensor_mma_cycles(m, n, k);
  return {tensor_cycles * c.core_clock_mhz * 100, 1LL * c.tensor_clock_mhz * c.tensor_mma_sync_pct};
}

// A tensor occupancy of num / den core cycles (at least one) as `interval` and `interval_frac`.
void set_tensor_occupancy(InstTiming& t, CoreCycles cycles, const isa::Function& fn, const Instruction& in) {
  if (cycles.num < cycles.den) cycles = {1, 1};
  t.interval = to_u16(cycles.whole(), fn, in, "tensor occupancy");
  t.interval_frac = static_cast<uint16_t>(((cycles.num % cycles.den) << 16) / cycles.den);
}

// FLOPs per active lane of an FP32/FP64-pipe instruction; 0 for compares, conversions, moves, etc.
uint32_t lane_flops(const Instruction& in) {
  uint32_t per_element = 0;
  switch (in.op) {
    case Opcode::Fma: case Opcode::Mad: per_element = 2; break;
    case Opcode::Add: case Opcode::Sub: per_element = in.fused_product ? 2 : 1; break;  // contracted: an FMA
    case Opcode::Mul: per_element = in.product_fused ? 0 : 1; break;
    default: return 0;
  }
  const bool packed = in.mod.ntypes > 0 && (in.mod.types[0] == isa::DataType::F16x2 || in.mod.types[0] == isa::DataType::BF16x2);
  return packed ? 2 * per_element : per_element;
}

// Times `in` as the SASS sequence ptxas makes of it (a division, a refined or range-checked MUFU
// function): on the ALU pipe of its type, with the sequence's instructions, SFU steps and chain.
void expand(InstTiming& t, const Expansion& e, const Instruction& in, const isa::Function& fn, const GpuConfig& c) {
  const isa::DataType type = in.mod.types[0];
  const bool f64 = type == isa::DataType::F64, f32 = type == isa::DataType::F32;
  t.kind = IssueKind::Alu;
  t.pipe = f64 ? Pipe::Fp64 : f32 ? Pipe::Fp32 : Pipe::Int;
  const int lanes = f64 ? c.fp64_lanes_per_sm : f32 ? c.fp32_lanes_per_sm : c.int_lanes_per_sm;
  const int alu_latency = f64 ? c.fp64_latency_cycles : f32 ? c.fp32_latency_cycles : c.int_latency_cycles;
  t.interval = to_u16(1LL * e.alu_ops * c.issue_interval_cycles(lanes), fn, in, "expanded issue interval");
  t.sfu_interval = to_u16(1LL * e.sfu_ops * c.issue_interval_cycles(c.sfu_lanes_per_sm), fn, in, "SFU interval");
  t.extra_dispatch_cycles = to_u16(e.instructions - 1, fn, in, "expanded dispatch");
  t.latency = to_u16(1LL * e.sfu_chain_steps * c.sfu_latency_cycles + 1LL * e.alu_chain_steps * alu_latency, fn, in,
                     "expanded latency");
  // A sequence that ends in the MUFU (a .ftz double approximation) is waited on as an SFU result.
  t.result_wait = e.alu_chain_steps == 0 ? StallReason::ShortScoreboard : StallReason::Wait;
  t.flops = 0;  // a division is not counted as FLOPs (as Nsight Compute's FP32 counters do not)
}

// Classifies one instruction (everything but its registers).
// `reciprocal_hoisted`: see hoisted_divisor_reciprocals.
InstTiming classify(const Instruction& in, const isa::Function& fn, const GpuConfig& c, bool reciprocal_hoisted) {
  InstTiming t;
  auto alu = [&](Pipe pipe, int latency, int lanes_per_sm, StallReason wait) {
    t.kind = IssueKind::Alu;
    t.pipe = pipe;
    t.latency = to_u16(latency, fn, in, "latency");
    t.interval = to_u16(c.issue_interval_cycles(lanes_per_sm), fn, in, "issue interval");
    t.result_wait = wait;
  };
  auto control = [&](IssueKind kind) {
    t.kind = kind;
    t.pipe = Pipe::Branch;
    t.interval = to_u16(c.issue_interval_cycles(c.int_lanes_per_sm), fn, in, "issue interval");
  };
  switch (in.op) {
    case Opcode::Call: case Opcode::Ret: control(IssueKind::Drain); return t;
    case Opcode::Membar: case Opcode::Fence: control(IssueKind::Fence); return t;
    case Opcode::Nanosleep: control(IssueKind::Sleep); return t;
    case Opcode::CpAsyncCommit: control(IssueKind::CpAsyncCommit); return t;
    case Opcode::CpAsyncWaitAll: control(IssueKind::CpAsyncWait); return t;
    case Opcode::CpAsyncWaitGroup: case Opcode::WgmmaWaitGroup: case Opcode::CpAsyncBulkWaitGroup: {
      const char* name = in.op == Opcode::CpAsyncWaitGroup ? "cp.async.wait_group"
                         : in.op == Opcode::WgmmaWaitGroup ? "wgmma.wait_group" : "cp.async.bulk.wait_group";
      control(in.op == Opcode::CpAsyncWaitGroup ? IssueKind::CpAsyncWait
              : in.op == Opcode::WgmmaWaitGroup ? IssueKind::WgmmaWait : IssueKind::BulkWait);
      if (in.nops < 1 || in.ops[0].kind != OperandKind::Imm)
        throw std::invalid_argument("instruction timing: " + std::string(name) + " needs an immediate group count in '" +
                                    fn.name + "' line " + std::to_string(in.line));
      t.wait_groups = to_u16(static_cast<long long>(in.ops[0].imm), fn, in, "group count");
      return t;
    }
    case Opcode::WgmmaCommit: control(IssueKind::WgmmaCommit); return t;
    case Opcode::CpAsyncBulkCommit: control(IssueKind::BulkCommit); return t;
    case Opcode::WgmmaMmaAsync: {
      // Each of the warpgroup's four warps issues it for its own 16 of the 64 rows, on its own
      // sub-core's tensor cores, at the dense wgmma rate (sim/wgmma_groups.h).
      // A/B element size: every wgmma form has K x element = 256 bits (tf32 k8, f16/bf16 k16,
      // fp8/s8/u8 k32, b1 k256).
      const int input_bits = in.mod.shape_k > 0 && 256 % in.mod.shape_k == 0 ? 256 / in.mod.shape_k : 16;
      if (in.mod.shape_n == 0 || in.mod.shape_k == 0)
        throw std::invalid_argument("instruction timing: wgmma.mma_async without a shape in '" + fn.name + "' line " +
                                    std::to_string(in.line));
      t.kind = IssueKind::Wgmma;
      t.pipe = Pipe::Tensor;
      const WgmmaCoreCycles occupancy = wgmma_warp_core_cycles(c, in.mod.shape_n, in.mod.shape_k, input_bits);
      set_tensor_occupancy(t, {occupancy.num, occupancy.den}, fn, in);
      t.latency = to_u16(c.tensor_wgmma_latency_cycles, fn, in, "wgmma latency");
      t.flops = 2u * 16u * in.mod.shape_n * in.mod.shape_k;
      const bool register_a = in.nops > 1 && in.ops[1].kind == OperandKind::Vector;
      const long long warp_bytes = wgmma_shared_operand_bytes(in.mod.shape_n, in.mod.shape_k, input_bits, register_a) / 4;
      const long long per_cycle = 1LL * c.shared_banks * c.shared_bank_width_bytes;
      t.shared_wavefronts = to_u16((warp_bytes + per_cycle - 1) / per_cycle, fn, in, "wgmma shared-memory cycles");
      return t;
    }
    default:
      break;
  }
  switch (in.unit) {
    case isa::Unit::Int: alu(Pipe::Int, c.int_latency_cycles, c.int_lanes_per_sm, StallReason::Wait); break;
    case isa::Unit::Fp32: {
      const bool half = in.mod.ntypes > 0 && is_half(in.mod.types[0]);
      alu(Pipe::Fp32, half ? c.fp16_latency_cycles : c.fp32_latency_cycles, c.fp32_lanes_per_sm, StallReason::Wait);
      t.flops = lane_flops(in);
      break;
    }
    case isa::Unit::Fp64:
      alu(Pipe::Fp64, c.fp64_latency_cycles, c.fp64_lanes_per_sm, StallReason::Wait);
      t.flops = lane_flops(in);
      break;
    // MUFU results come back through a scoreboard like MIO results (Nsight: short_scoreboard).
    case isa::Unit::Sfu: alu(Pipe::Sfu, c.sfu_latency_cycles, c.sfu_lanes_per_sm, StallReason::ShortScoreboard); break;
    case isa::Unit::Mem:
      t.kind = IssueKind::Memory;
      t.pipe = Pipe::Mem;
      t.queue = queue_hint(in);
      t.interval = to_u16(c.issue_interval_cycles(c.ldst_lanes_per_sm), fn, in, "issue interval");
      // A __constant__ read is one read of the constant cache, not 32 lanes through the LD/ST units
      // (ptxas folds most into the using instruction's operands). Kernel parameters (ld.param)
      // still take the LG path: moving them changed the recorded H200 kernels' predictions by up
      // to 1.6 % through the start-up order alone, which needs the residuals re-derived first.
      if (t.queue == QueueHint::None && in.mod.space == isa::StateSpace::Const) t.interval = 1;
      // An executed memory instruction that touches no memory (an mbarrier query, a prefetch)
      // still makes the round trip through the MIO unit.
      t.latency = to_u16(c.shared_latency_cycles, fn, in, "latency");
      t.result_wait = StallReason::ShortScoreboard;
      break;
    case isa::Unit::Tensor: {
      if (in.mod.shape_m == 0 || in.mod.shape_n == 0 || in.mod.shape_k == 0)
        throw std::invalid_argument("instruction timing: tensor instruction without a shape in '" + fn.name +
                                    "' line " + std::to_string(in.line));
      t.kind = IssueKind::Tensor;
      t.pipe = Pipe::Tensor;
      // Warp-level MMAs (wmma.mma, mma.sync); wgmma.mma_async is classified above.
      const int m = in.mod.shape_m;
      set_tensor_occupancy(t, tensor_core_cycles(c, m, in.mod.shape_n, in.mod.shape_k), fn, in);
      // tensor_mma_latency_cycles is the measured issue-to-result time of a 16x16x16 MMA, which
      // includes its tensor-core occupancy; the rest is a fixed pipeline tail for every shape.
      t.latency = to_u16(std::max(0LL, c.tensor_mma_latency_cycles - tensor_core_cycles(c, 16, 16, 16).whole()), fn, in,
                         "tensor latency");
      t.result_wait = StallReason::Wait;
      t.flops = 2u * m * in.mod.shape_n * in.mod.shape_k;
      break;
    }
    case isa::Unit::Branch: case isa::Unit::Sync:
      control(IssueKind::Control);
      break;
  }
  if (const std::optional<Expansion> e = ptxas_expansion(in, reciprocal_hoisted)) expand(t, *e, in, fn, c);
  return t;
}

}  // namespace

namespace {

// Registers some instruction of `fn` reads (nvcc's virtual registers are written once, so a result
// nobody reads anywhere is dead).
std::vector<bool> registers_read(const isa::Function& fn) {
  std::vector<bool> read(fn.regs.size(), false);
  isa::RegisterUse use;
  for (const Instruction& in : fn.code) {
    isa::register_use(in, use);
    for (uint32_t r : use.sources)
      if (r < read.size()) read[r] = true;
  }
  return read;
}

// ptxas turns an atom whose result is dead into RED where RED has the operation and the atom no
// acquire side (CAS and exchange have no RED form; an acquiring atom must wait for its answer).
// Shared-memory atomics have no reduction form either.
bool becomes_reduction(const Instruction& in, const std::vector<uint32_t>& dsts, const std::vector<bool>& read) {
  if (in.op != isa::Opcode::Atom || dsts.empty()) return false;
  switch (in.mod.atom) {
    case isa::AtomOp::Add: case isa::AtomOp::Min: case isa::AtomOp::Max: case isa::AtomOp::And:
    case isa::AtomOp::Or: case isa::AtomOp::Xor: case isa::AtomOp::Inc: case isa::AtomOp::Dec: break;
    default: return false;
  }
  const isa::MemOrder o = in.mod.order;
  if (o != isa::MemOrder::None && o != isa::MemOrder::Relaxed && o != isa::MemOrder::Release) return false;
  if (in.mod.space == isa::StateSpace::Shared) return false;
  return std::none_of(dsts.begin(), dsts.end(), [&](uint32_t r) { return r < read.size() && read[r]; });
}

}  // namespace

FunctionTiming::FunctionTiming(const isa::Function& fn, const GpuConfig& config, const isa::Module* module)
    : fn_(fn), register_count_(fn.regs.size()) {
  insts_.reserve(fn.code.size() + 1);
  const std::vector<bool> read = registers_read(fn);
  isa::RegisterUse use;
  const std::vector<uint32_t>& srcs = use.sources;
  std::vector<uint32_t>& dsts = use.destinations;
  const std::vector<bool> hoisted = hoisted_divisor_reciprocals(fn);
  std::vector<size_t> alu_pcs;                      // the ALU instructions, whose dispatch reads banks
  std::vector<std::vector<uint32_t>> alu_reads;     // and the registers each reads from them
  for (size_t pc = 0; pc < fn.code.size(); ++pc) {
    const Instruction& in = fn.code[pc];
    InstTiming t = classify(in, fn, config, hoisted[pc]);
    t.commit = isa::may_touch_shared_state(module, in);
    t.commit_reads_only = isa::only_reads_shared_state(module, in);
    t.cluster_barrier_wait = in.op == isa::Opcode::BarrierCluster && in.mod.variant == isa::Variant::Wait;
    t.contracted = in.product_fused;
    isa::register_use(in, use);
    for (uint32_t r : srcs)
      if (r >= register_count_)
        throw std::invalid_argument("instruction timing: register index out of range in '" + fn.name + "' line " +
                                    std::to_string(in.line));
    for (uint32_t r : dsts)
      if (r >= register_count_)
        throw std::invalid_argument("instruction timing: register index out of range in '" + fn.name + "' line " +
                                    std::to_string(in.line));
    if (becomes_reduction(in, dsts, read)) {
      t.result_unread = true;
      dsts.clear();
    }
    // Operand collection conflicts stall the single-cycle dispatch of ALU instructions; memory and
    // tensor instructions read their (many) operands over the cycles their unit is busy anyway.
    if (t.kind == IssueKind::Alu && !t.contracted) {
      alu_pcs.push_back(pc);
      alu_reads.push_back(bank_read_registers(srcs, fn.regs));
    }
    t.regs_first = static_cast<uint32_t>(regs_.size());
    t.nsrc = static_cast<uint16_t>(srcs.size());
    t.ndst = static_cast<uint16_t>(dsts.size());
    regs_.insert(regs_.end(), srcs.begin(), srcs.end());
    regs_.insert(regs_.end(), dsts.begin(), dsts.end());
    insts_.push_back(t);
  }
  const std::vector<uint16_t> bank_of =
      assign_register_banks(alu_reads, register_count_, config.register_banks_per_subcore);
  for (size_t i = 0; i < alu_pcs.size(); ++i)
    insts_[alu_pcs[i]].bank_conflict_cycles = static_cast<uint16_t>(
        register_bank_conflict_cycles(alu_reads[i], bank_of, config.register_banks_per_subcore));
  // The virtual instruction at code.size(): falling off the end returns.
  InstTiming implicit_ret;
  implicit_ret.kind = IssueKind::Drain;
  implicit_ret.pipe = Pipe::Branch;
  implicit_ret.interval = static_cast<uint16_t>(config.issue_interval_cycles(config.int_lanes_per_sm));
  implicit_ret.regs_first = static_cast<uint32_t>(regs_.size());
  insts_.push_back(implicit_ret);
}

const FunctionTiming& InstructionTimingCache::get(const isa::Function& fn, const isa::Module* module) {
  auto it = cache_.find(&fn);
  if (it == cache_.end()) it = cache_.emplace(&fn, std::make_unique<FunctionTiming>(fn, config_, module)).first;
  return *it->second;
}

}  // namespace gpusim::sim
