// Opcode matching, per-position operand types, unit refinement and operand-count checks: the
// decode steps that depend on the opcode but not on operand syntax (see ptx_operands.cpp).
#include "isa/ptx_instruction.h"

#include <array>
#include <unordered_map>

namespace gpusim::isa {

namespace {

struct OperandCount {
  uint8_t min, max;
};

// Operand counts as written (a "%a|%b" pair counts once). Opcodes absent here are not checked.
const std::unordered_map<Opcode, OperandCount>& operand_counts() {
  // Never destroyed (as `names` below): a program may load a module from a static destructor (a
  // launch at exit after cudaDeviceReset), after function-local statics made later are gone.
  static const std::unordered_map<Opcode, OperandCount>& table = *new std::unordered_map<Opcode, OperandCount>([] {
    std::unordered_map<Opcode, OperandCount> t;
    for (Opcode op : {Opcode::Add, Opcode::Sub, Opcode::Mul, Opcode::Div, Opcode::Rem, Opcode::And,
                      Opcode::Or, Opcode::Xor, Opcode::Shl, Opcode::Shr, Opcode::Min, Opcode::Max,
                      Opcode::Copysign, Opcode::Addc, Opcode::Subc, Opcode::Mul24, Opcode::Bmsk,
                      Opcode::Szext})
      t[op] = {3, 3};
    for (Opcode op : {Opcode::Mad, Opcode::Fma, Opcode::Madc, Opcode::Mad24, Opcode::Sad, Opcode::Selp,
                      Opcode::Slct, Opcode::Bfe, Opcode::Prmt, Opcode::Fns, Opcode::Dp4a, Opcode::Dp2a, Opcode::Shf,
                      Opcode::Vadd2, Opcode::Vadd4, Opcode::Vsub2, Opcode::Vsub4, Opcode::Vavrg2, Opcode::Vavrg4,
                      Opcode::Vabsdiff2, Opcode::Vabsdiff4, Opcode::Vmin2, Opcode::Vmin4, Opcode::Vmax2, Opcode::Vmax4})
      t[op] = {4, 4};
    t[Opcode::Alloca] = {2, 3};
    t[Opcode::CreatepolicyFractional] = {1, 2};  // policy{, fraction}
    t[Opcode::CreatepolicyRange] = {4, 4};       // policy, [a], primary-size, total-size
    t[Opcode::Discard] = {2, 2};                 // [a], 128
    t[Opcode::Applypriority] = {2, 2};  // ptr, size{, immAlign}
    t[Opcode::Stacksave] = {1, 1};
    t[Opcode::Stackrestore] = {1, 1};
    for (Opcode op : {Opcode::Abs, Opcode::Neg, Opcode::Not, Opcode::Cnot, Opcode::Popc, Opcode::Clz,
                      Opcode::Bfind, Opcode::Brev, Opcode::Mov, Opcode::Cvta, Opcode::Rcp,
                      Opcode::Sqrt, Opcode::Rsqrt, Opcode::Ex2, Opcode::Lg2, Opcode::Sin, Opcode::Cos,
                      Opcode::Tanh, Opcode::Isspacep, Opcode::Testp, Opcode::Ld, Opcode::Ldu, Opcode::St,
                      Opcode::Red, Opcode::Ldmatrix, Opcode::Movmatrix})
      t[op] = {2, 2};
    t[Opcode::Cvt] = {2, 4};  // cvt.rn.f16x2.f32 d, a, b packs two sources; cvt.pack.sat.u8.s32.b32 d, a, b, c
    t[Opcode::Bfi] = {5, 5};
    t[Opcode::Lop3] = {5, 5};
    t[Opcode::Setp] = {3, 4};
    t[Opcode::Set] = {3, 4};
    t[Opcode::Atom] = {3, 4};
    t[Opcode::Bra] = {1, 1};
    t[Opcode::Brx] = {2, 2};
    for (Opcode op : {Opcode::Ret, Opcode::Exit, Opcode::Trap, Opcode::CpAsyncCommit, Opcode::CpAsyncWaitAll,
                      Opcode::Membar, Opcode::Fence})
      t[op] = {0, 0};
    t[Opcode::CpAsync] = {3, 4};
    t[Opcode::CpAsyncWaitGroup] = {1, 1};
    t[Opcode::CpAsyncMbarrierArrive] = {1, 1};
    t[Opcode::Shfl] = {4, 5};
    t[Opcode::Vote] = {2, 3};
    t[Opcode::Activemask] = {1, 1};
    t[Opcode::Redux] = {3, 3};
    t[Opcode::Match] = {3, 3};
    t[Opcode::BarWarpSync] = {1, 1};
    t[Opcode::Bar] = {1, 4};
    t[Opcode::Barrier] = {1, 4};
    t[Opcode::Nanosleep] = {1, 1};
    t[Opcode::Pmevent] = {1, 1};
    t[Opcode::WmmaLoad] = {2, 3};
    t[Opcode::WmmaStore] = {2, 3};
    t[Opcode::WmmaMma] = {4, 4};
    t[Opcode::Mma] = {4, 6};  // mma.sp adds metadata and the sparsity selector (exec_Mma checks which)
    // d, a, b-desc, scale-d{, imm-scale-a, imm-scale-b{, imm-trans-a}{, imm-trans-b}} (integer forms: 4)
    t[Opcode::WgmmaMmaAsync] = {4, 8};
    for (Opcode op : {Opcode::WgmmaFence, Opcode::WgmmaCommit, Opcode::CpAsyncBulkCommit, Opcode::MembarProxy})
      t[op] = {0, 0};
    t[Opcode::FenceProxy] = {0, 2};  // fence.proxy.tensormap::generic.acquire.gpu [addr], 128
    t[Opcode::WgmmaWaitGroup] = {1, 1};
    t[Opcode::CpAsyncBulkWaitGroup] = {1, 1};
    t[Opcode::CpAsyncBulk] = {3, 6};  // [dst], [src], size{, [mbar]}{, ctaMask}{, cache-policy}
    t[Opcode::ElectSync] = {2, 2};    // %r|%p, membermask
    t[Opcode::CpAsyncBulkTensor] = {2, 5};
    t[Opcode::CpAsyncBulkPrefetch] = {2, 3};        // [src], size{, cache-policy}
    t[Opcode::CpAsyncBulkPrefetchTensor] = {1, 3};  // [tensorMap, {coords}]{, im2col offsets}{, cache-policy}
    t[Opcode::Stmatrix] = {2, 2};
    t[Opcode::Setmaxnreg] = {1, 1};
    t[Opcode::Mapa] = {3, 3};
    t[Opcode::Getctarank] = {2, 2};
    for (Opcode op : {Opcode::StAsync, Opcode::RedAsync}) t[op] = {3, 3};  // [a], b, [mbar]
    for (Opcode op : {Opcode::Griddepcontrol, Opcode::BarrierCluster}) t[op] = {0, 0};
    t[Opcode::Tex] = {2, 4};  // d, [tex, {coords}]{, lod | dPdx, dPdy}
    for (Opcode op : {Opcode::Tld4, Opcode::Suld, Opcode::Sust, Opcode::Txq, Opcode::Suq}) t[op] = {2, 2};
    return t;
  }());
  return table;
}

bool any_float(const Modifiers& m) {
  for (unsigned i = 0; i < m.ntypes; ++i)
    if (type_is_float(m.types[i])) return true;
  return false;
}
bool any_f64(const Modifiers& m) {
  for (unsigned i = 0; i < m.ntypes; ++i)
    if (m.types[i] == DataType::F64) return true;
  return false;
}

}  // namespace

Opcode match_opcode(std::string_view token, size_t& name_length) {
  static const std::unordered_map<std::string_view, Opcode>& names = *new std::unordered_map<std::string_view, Opcode>([] {
    std::unordered_map<std::string_view, Opcode> n;
    for (unsigned i = 0; i < unsigned(Opcode::Count); ++i) n[opcode_name(Opcode(i))] = Opcode(i);
    return n;
  }());
  // Try the whole token, then drop one ".piece" at a time from the end.
  size_t len = token.size();
  while (true) {
    auto it = names.find(token.substr(0, len));
    if (it != names.end()) {
      name_length = len;
      return it->second;
    }
    size_t dot = token.rfind('.', len - 1);
    if (dot == std::string_view::npos || dot == 0) return Opcode::Count;
    len = dot;
  }
}

DataType immediate_type(Opcode op, const Modifiers& m, unsigned index) {
  DataType first = m.ntypes > 0 ? m.types[0] : DataType::U32;
  switch (op) {
    case Opcode::Cvt: return m.types[1];
    case Opcode::Setp: return index == 3 ? DataType::Pred : first;
    case Opcode::Set: return index == 3 ? DataType::Pred : m.types[1];
    case Opcode::Shl: case Opcode::Shr: return index == 2 ? DataType::U32 : first;
    case Opcode::Shf: return index == 3 ? DataType::U32 : first;
    case Opcode::Selp: return index == 3 ? DataType::Pred : first;
    case Opcode::Bfe: return index >= 2 ? DataType::U32 : first;
    case Opcode::Bfi: return index >= 3 ? DataType::U32 : first;
    case Opcode::Bmsk: return DataType::U32;
    case Opcode::Szext: return index == 2 ? DataType::U32 : first;
    case Opcode::Fns: return index == 3 ? DataType::S32 : DataType::U32;
    case Opcode::Prmt: case Opcode::Shfl: case Opcode::Match: case Opcode::Redux:
      return index >= 2 ? DataType::U32 : first;
    case Opcode::Vote: return index == 1 ? DataType::Pred : DataType::U32;
    case Opcode::Brx: return DataType::U32;
    case Opcode::Mul: case Opcode::Mad:  // .wide reads half-width sources; the type names them
      return first;
    case Opcode::Bar: case Opcode::Barrier: case Opcode::BarWarpSync: case Opcode::Nanosleep: case Opcode::Pmevent:
    case Opcode::CpAsync: case Opcode::CpAsyncWaitGroup: case Opcode::WmmaLoad: case Opcode::WmmaStore:
    case Opcode::Activemask: case Opcode::Lop3:
      return op == Opcode::Bar && index == 3 ? DataType::Pred : DataType::U32;
    case Opcode::Isspacep: case Opcode::Prefetch: case Opcode::Prefetchu: return DataType::U64;
    case Opcode::CreatepolicyFractional: return index == 1 ? DataType::F32 : DataType::B64;
    case Opcode::CreatepolicyRange: case Opcode::Discard: case Opcode::Applypriority:
      return index >= 2 ? DataType::U32 : DataType::B64;
    case Opcode::Mma: case Opcode::WmmaMma:  // mma.sp's metadata and selector (4, 5) are .b32
      return index >= 4 ? DataType::U32 : index == 0 ? first : m.types[m.ntypes - 1];
    case Opcode::WgmmaMmaAsync: return DataType::S32;  // scale-d and the +1/-1, 0/1 immediates
    case Opcode::WgmmaWaitGroup: case Opcode::CpAsyncBulk: case Opcode::CpAsyncBulkWaitGroup: case Opcode::ElectSync:
    case Opcode::CpAsyncBulkTensor: case Opcode::Setmaxnreg: case Opcode::CpAsyncBulkPrefetch:
    case Opcode::CpAsyncBulkPrefetchTensor: case Opcode::FenceProxy:
      return DataType::U32;
    case Opcode::Mapa: return index == 2 ? DataType::U32 : first;
    case Opcode::Getctarank: return first;
    case Opcode::Tex: case Opcode::Tld4: return index >= 1 ? m.types[1] : first;  // coordinates, lod, gradients
    case Opcode::Suld: case Opcode::Sust: return index == (op == Opcode::Sust ? 0u : 1u) ? DataType::S32 : first;
    default: return first;
  }
}

Unit refine_unit(Opcode op, const Modifiers& m) {
  switch (op) {
    case Opcode::Add: case Opcode::Sub: case Opcode::Mul: case Opcode::Mad: case Opcode::Fma:
    case Opcode::Rem: case Opcode::Abs: case Opcode::Neg: case Opcode::Min: case Opcode::Max:
    case Opcode::Setp: case Opcode::Set: case Opcode::Slct: case Opcode::Copysign: case Opcode::Testp:
    case Opcode::Cvt:
      if (any_f64(m)) return Unit::Fp64;
      return any_float(m) ? Unit::Fp32 : Unit::Int;
    case Opcode::Div:
      if (any_f64(m)) return Unit::Fp64;
      if (m.approx) return Unit::Sfu;
      return any_float(m) ? Unit::Fp32 : Unit::Int;
    case Opcode::Rcp: case Opcode::Sqrt: case Opcode::Rsqrt: case Opcode::Ex2: case Opcode::Lg2:
    case Opcode::Sin: case Opcode::Cos: case Opcode::Tanh:
      return any_f64(m) ? Unit::Fp64 : Unit::Sfu;
    default:
      return default_unit(op);
  }
}

void check_operand_count(Opcode op, unsigned count, const Token& at, const NameScope& scope) {
  auto it = operand_counts().find(op);
  if (it == operand_counts().end()) return;
  if (count < it->second.min || count > it->second.max) {
    std::string expected = it->second.min == it->second.max
                               ? std::to_string(it->second.min)
                               : std::to_string(it->second.min) + " to " + std::to_string(it->second.max);
    scope.fail(at, std::string(opcode_name(op)) + " takes " + expected + " operand(s), got " + std::to_string(count));
  }
}

void check_vector_operands(const Instruction& inst, const Token& at, const NameScope& scope) {
  // The operand positions that carry data, -1 where none: ld d, [a]; st [a], b; red [a], b;
  // atom d, [a], b{, c}.
  std::array<int, 3> data{-1, -1, -1};
  switch (inst.op) {
    case Opcode::Ld: case Opcode::Ldu: data = {0, -1, -1}; break;
    case Opcode::St: case Opcode::Red: case Opcode::StAsync: case Opcode::RedAsync: data = {1, -1, -1}; break;
    case Opcode::Atom: data = {0, 2, 3}; break;
    default: return;
  }
  const unsigned n = inst.mod.vec;
  for (int position : data) {
    const unsigned i = unsigned(position);
    if (position < 0 || i >= inst.nops) continue;
    const Operand& o = inst.ops[i];
    const unsigned count = o.kind == OperandKind::Vector ? o.count : 1;
    if (count != n && (n > 1 || o.kind == OperandKind::Vector))
      scope.fail(at, std::string(opcode_name(inst.op)) + (n > 1 ? ".v" + std::to_string(n) : std::string()) + ": operand " +
                         std::to_string(i + 1) + " has " + std::to_string(count) + " element(s), the instruction moves " +
                         std::to_string(n));
  }
}

}  // namespace gpusim::isa
