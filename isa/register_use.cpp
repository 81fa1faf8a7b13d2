#include "isa/register_use.h"

namespace gpusim::isa {
namespace {

// Instructions whose first operand is read, not written, even when it is a register.
bool first_operand_is_destination(const Instruction& in) {
  switch (in.op) {
    case Opcode::Bar: case Opcode::Barrier:
      return in.mod.sub == SubOp::BarRed;
    case Opcode::BarWarpSync: case Opcode::Nanosleep: case Opcode::Pmevent: case Opcode::CpAsyncWaitGroup: case Opcode::Bra: case Opcode::Brx:
    case Opcode::Call: case Opcode::Prefetch: case Opcode::Prefetchu: case Opcode::St: case Opcode::Red:
    case Opcode::StAsync: case Opcode::RedAsync:
    case Opcode::WmmaStore: case Opcode::CpAsync: case Opcode::CpAsyncMbarrierArrive:
    case Opcode::CpAsyncBulk: case Opcode::CpAsyncBulkWaitGroup: case Opcode::WgmmaWaitGroup:
    case Opcode::CpAsyncBulkTensor: case Opcode::CpAsyncBulkPrefetch: case Opcode::CpAsyncBulkPrefetchTensor:
    case Opcode::FenceProxy: case Opcode::Stmatrix: case Opcode::Setmaxnreg: case Opcode::Sust:
    case Opcode::Stackrestore:
      return false;
    default:
      return true;
  }
}

void add_reg(std::vector<uint32_t>& out, uint32_t reg) {
  if (reg != kNoReg) out.push_back(reg);
}

// Registers an operand names: a register, an address base, or the registers of a vector.
void operand_regs(const Instruction& in, const Operand& o, std::vector<uint32_t>& out, bool with_second) {
  switch (o.kind) {
    case OperandKind::Reg:
      add_reg(out, o.reg);
      if (with_second) add_reg(out, o.reg2);
      break;
    case OperandKind::Address:
      add_reg(out, o.reg);
      for (unsigned i = 0; i < o.count; ++i) {  // tensor coordinates of cp.async.bulk.tensor
        const Operand& e = in.elems.at(size_t(o.first) + i);
        if (e.kind == OperandKind::Reg) add_reg(out, e.reg);
      }
      break;
    case OperandKind::Sink:  // "_|%p" (elect.sync)
      if (with_second) add_reg(out, o.reg2);
      break;
    case OperandKind::Vector:
      for (unsigned i = 0; i < o.count; ++i) {
        const Operand& e = in.elems.at(size_t(o.first) + i);
        if (e.kind == OperandKind::Reg) add_reg(out, e.reg);
      }
      break;
    default:
      break;
  }
}

}  // namespace

void register_use(const Instruction& in, RegisterUse& use) {
  use.sources.clear();
  use.destinations.clear();
  if (in.op != Opcode::Call) {
    const bool dst_first = in.nops > 0 && first_operand_is_destination(in);
    for (unsigned i = 0; i < in.nops; ++i) {
      if (i == 0 && dst_first) operand_regs(in, in.ops[0], use.destinations, /*with_second=*/true);
      else if (!in.fused_product || i != in.fused_product) operand_regs(in, in.ops[i], use.sources, /*with_second=*/false);
    }
    // A contracted add/sub (isa/fma_contraction.h) reads the mul's operands, not its product.
    if (in.fused_product) {
      operand_regs(in, in.ops[3], use.sources, /*with_second=*/false);
      operand_regs(in, in.ops[4], use.sources, /*with_second=*/false);
    }
  }
  // wgmma.mma_async accumulates into its destination: D is read as well as written.
  if (in.op == Opcode::WgmmaMmaAsync && in.nops > 0) operand_regs(in, in.ops[0], use.sources, /*with_second=*/false);
  if (in.op == Opcode::Call && in.ops[1].kind == OperandKind::Reg) add_reg(use.sources, in.ops[1].reg);  // indirect
  add_reg(use.sources, in.guard);
}

}  // namespace gpusim::isa
