// Combinations of individually valid modifiers that the PTX ISA nevertheless forbids, checked
// per opcode family after classification (see ptx_modifiers.cpp). Errors point at the
// offending modifier when there is one, otherwise at the opcode.
#include <string>

#include "isa/mma_sparse.h"
#include "isa/ptx_modifiers.h"

namespace gpusim::isa {

namespace {

bool is_rounding_modifier(std::string_view t) {
  return t == ".rn" || t == ".rz" || t == ".rm" || t == ".rp" || t == ".rna" || t == ".rni" ||
         t == ".rzi" || t == ".rmi" || t == ".rpi";
}
bool is_integer_rounding(Rounding r) {
  return r == Rounding::Rni || r == Rounding::Rzi || r == Rounding::Rmi || r == Rounding::Rpi;
}

class Checker {
 public:
  Checker(Opcode op, const Modifiers& m, const std::vector<ModifierToken>& mods, uint32_t opcol)
      : op_(op), m_(m), mods_(mods), opcol_(opcol) {}

  // Fails at the first modifier spelled `text` (or matching `pred`), else at the opcode.
  [[noreturn]] void fail_at(std::string_view text, const std::string& msg) const {
    for (const ModifierToken& t : mods_)
      if (t.text == text) throw ModifierError{t.column, msg};
    throw ModifierError{opcol_, msg};
  }
  [[noreturn]] void fail_at_rounding(const std::string& msg) const {
    for (const ModifierToken& t : mods_)
      if (is_rounding_modifier(t.text)) throw ModifierError{t.column, msg};
    throw ModifierError{opcol_, msg};
  }
  std::string name() const { return opcode_name(op_); }
  DataType type(int i = 0) const { return m_.types[i]; }
  bool is_float(int i = 0) const { return type_is_float(m_.types[i]); }

  // Integer arithmetic takes no floating-point rounding, ftz or approximation.
  void integer_forbids_float_modifiers() const {
    if (is_float()) return;
    if (m_.rnd != Rounding::None)
      fail_at_rounding("rounding modifier is not allowed on integer " + name());
    if (m_.ftz) fail_at(".ftz", ".ftz is not allowed on integer " + name());
    if (m_.approx) fail_at(".approx", ".approx is not allowed on integer " + name());
    if (m_.full) fail_at(".full", ".full is not allowed on integer " + name());
    if (m_.sat && type() != DataType::S32) fail_at(".sat", ".sat on integer " + name() + " requires .s32");
  }
  void float_forbids_integer_modifiers() const {
    if (!is_float()) return;
    if (m_.cc) fail_at(".cc", ".cc is not allowed on floating-point " + name());
    if (m_.rnd != Rounding::None && is_integer_rounding(m_.rnd))
      fail_at_rounding("integer rounding is not allowed on floating-point " + name());
  }

  // st.async / red.async: a shared::cluster (or generic) destination whose completion is signalled
  // on an mbarrier; the PTX ISA's type table for each form.
  void check_async_remote() const {
    if (m_.space != StateSpace::None && m_.space != StateSpace::Shared)
      throw ModifierError{opcol_, name() + " writes shared memory of a cluster CTA: .shared::cluster (or generic)"};
    if (!m_.bulk_mbarrier) throw ModifierError{opcol_, name() + " requires .mbarrier::complete_tx::bytes"};
    const DataType t = type();
    const bool word = t == DataType::B32 || t == DataType::U32 || t == DataType::S32;
    if (op_ == Opcode::StAsync) {
      const bool wide = t == DataType::B64 || t == DataType::F64;
      if (!(word || wide || t == DataType::F32))
        throw ModifierError{opcol_, "st.async takes .b32, .u32, .s32, .f32, .b64 or .f64"};
      if (m_.vec > 4 || (m_.vec == 4 && wide)) fail_at(m_.vec == 4 ? ".v4" : ".v8", "st.async moves at most 16 bytes (.v2, or .v4 of 32-bit values)");
      return;
    }
    if (m_.vec > 1) throw ModifierError{opcol_, "red.async takes no vector"};
    const AtomOp a = m_.atom;
    const bool ok = ((a == AtomOp::Inc || a == AtomOp::Dec) && t == DataType::U32) ||
                    ((a == AtomOp::Min || a == AtomOp::Max) && (t == DataType::U32 || t == DataType::S32)) ||
                    ((a == AtomOp::And || a == AtomOp::Or || a == AtomOp::Xor) && t == DataType::B32) ||
                    (a == AtomOp::Add && (t == DataType::U32 || t == DataType::S32 || t == DataType::U64));
    if (!ok)
      throw ModifierError{opcol_, "red.async forms: .inc/.dec.u32, .min/.max.u32/.s32, .and/.or/.xor.b32, .add.u32/.s32/.u64"};
  }

  void check() const {
    switch (op_) {
      case Opcode::Add: case Opcode::Sub:
        integer_forbids_float_modifiers();
        float_forbids_integer_modifiers();
        break;
      case Opcode::Mul: case Opcode::Mad:
        integer_forbids_float_modifiers();
        float_forbids_integer_modifiers();
        if (!is_float() && m_.mul == MulMode::None)
          throw ModifierError{opcol_, "integer " + name() + " requires .lo, .hi or .wide"};
        if (is_float() && m_.mul != MulMode::None)
          fail_at(m_.mul == MulMode::Lo ? ".lo" : m_.mul == MulMode::Hi ? ".hi" : ".wide",
                  ".lo/.hi/.wide are not allowed on floating-point " + name());
        if (m_.mul == MulMode::Wide && type_bits(type()) == 64)
          fail_at(".wide", name() + ".wide is not defined for 64-bit types");
        if (is_float() && op_ == Opcode::Mad && type() != DataType::F64 && m_.rnd == Rounding::None)
          throw ModifierError{opcol_, "mad.f32 requires a rounding modifier"};
        break;
      case Opcode::Fma:
        if (!is_float()) throw ModifierError{opcol_, "fma requires a floating-point type"};
        float_forbids_integer_modifiers();
        break;
      case Opcode::Div:
        integer_forbids_float_modifiers();
        if (type() == DataType::F32 && m_.rnd == Rounding::None && !m_.approx && !m_.full)
          throw ModifierError{opcol_, "div.f32 requires .approx, .full or a rounding modifier"};
        if (type() == DataType::F64 && m_.rnd == Rounding::None)
          throw ModifierError{opcol_, "div.f64 requires a rounding modifier"};
        break;
      case Opcode::Rcp: case Opcode::Sqrt: case Opcode::Rsqrt: case Opcode::Ex2: case Opcode::Lg2:
      case Opcode::Sin: case Opcode::Cos: case Opcode::Tanh:
        if (!is_float()) throw ModifierError{opcol_, name() + " requires a floating-point type"};
        if ((op_ == Opcode::Rcp || op_ == Opcode::Sqrt) && m_.rnd == Rounding::None && !m_.approx)
          throw ModifierError{opcol_, name() + " requires .approx or a rounding modifier"};
        break;
      case Opcode::Setp: case Opcode::Set: {
        const bool unsigned_cmp = m_.cmp == CmpOp::Lo || m_.cmp == CmpOp::Ls || m_.cmp == CmpOp::Hi || m_.cmp == CmpOp::Hs;
        const bool unordered = m_.cmp >= CmpOp::Equ;
        DataType src = m_.types[m_.ntypes - 1];
        if (unsigned_cmp && type_is_float(src))
          throw ModifierError{opcol_, "unsigned comparison is not allowed on floating-point " + name()};
        if (unordered && !type_is_float(src))
          throw ModifierError{opcol_, "unordered comparison requires a floating-point type"};
        break;
      }
      case Opcode::Cvt: {
        if (m_.pack && !m_.sat) throw ModifierError{opcol_, "cvt.pack requires .sat"};
        if (m_.ntypes == 3 && !m_.pack) throw ModifierError{opcol_, "cvt takes two types (three only with .pack)"};
        const bool dst_float = is_float(0), src_float = is_float(1);
        if (!dst_float && src_float && !is_integer_rounding(m_.rnd) && type(1) != DataType::F16x2)
          throw ModifierError{opcol_, "float-to-integer cvt requires an integer rounding modifier (.rni, .rzi, .rmi, .rpi)"};
        if (!dst_float && !src_float && m_.rnd != Rounding::None)
          fail_at_rounding("rounding modifier is not allowed on integer-to-integer cvt");
        if (dst_float && !src_float && is_integer_rounding(m_.rnd))
          fail_at_rounding("integer rounding is not allowed on integer-to-float cvt");
        break;
      }
      case Opcode::Cvta:
        if (m_.space != StateSpace::Global && m_.space != StateSpace::Shared && m_.space != StateSpace::Local &&
            m_.space != StateSpace::Const && m_.space != StateSpace::Param)
          throw ModifierError{opcol_, "cvta requires .global, .shared, .local, .const or .param"};
        break;
      case Opcode::Ld: case Opcode::Ldu: case Opcode::St:
        if (m_.nc && m_.space != StateSpace::Global)
          fail_at(".nc", "ld.nc is only allowed on .global");
        if (m_.vec > 4 && m_.vec != 8) fail_at(".v8", "invalid vector width");
        break;
      case Opcode::Atom: case Opcode::Red:
        if (m_.space != StateSpace::None && m_.space != StateSpace::Global && m_.space != StateSpace::Shared)
          throw ModifierError{opcol_, name() + " requires .global or .shared (or generic)"};
        if ((m_.atom == AtomOp::Cas || m_.atom == AtomOp::Exch) && op_ == Opcode::Red)
          throw ModifierError{opcol_, "red does not support .cas/.exch"};
        break;
      case Opcode::CpAsync:
        if (m_.space != StateSpace::Shared || m_.space2 != StateSpace::Global)
          throw ModifierError{opcol_, "cp.async requires .shared.global"};
        break;
      case Opcode::CpAsyncBulk:
        // cp.async.bulk.dst.src: shared <- global and shared::cluster <- shared::cta complete on an
        // mbarrier; global <- shared completes in a bulk group.
        if (m_.space2 == StateSpace::None) throw ModifierError{opcol_, "cp.async.bulk needs a destination and a source state space"};
        if (m_.space == StateSpace::Global && (m_.space2 != StateSpace::Shared || !m_.bulk_group))
          throw ModifierError{opcol_, "cp.async.bulk.global.shared::cta requires .bulk_group"};
        if (m_.space == StateSpace::Shared && !m_.bulk_mbarrier)
          throw ModifierError{opcol_, "cp.async.bulk into shared memory requires .mbarrier::complete_tx::bytes"};
        if (m_.multicast && !(m_.space == StateSpace::Shared && m_.space2 == StateSpace::Global))
          fail_at(".multicast::cluster", ".multicast::cluster is only allowed on cp.async.bulk.shared::cluster.global");
        break;
      case Opcode::StAsync: case Opcode::RedAsync: check_async_remote(); break;
      case Opcode::Mbarrier:
        if (m_.sub == SubOp::MbarExpectTx || m_.sub == SubOp::MbarCompleteTx || m_.sub == SubOp::MbarArriveExpectTx)
          if (m_.ntypes != 1 || m_.types[0] != DataType::B64)
            throw ModifierError{opcol_, "mbarrier transaction-count operations take .b64"};
        if (m_.no_complete && m_.sub != SubOp::MbarArrive && m_.sub != SubOp::MbarArriveDrop)
          fail_at(".noComplete", ".noComplete is only allowed on mbarrier.arrive and mbarrier.arrive_drop");
        break;
      case Opcode::Bar: case Opcode::Barrier:
        if (m_.sub == SubOp::BarRed && m_.atom == AtomOp::None)
          throw ModifierError{opcol_, name() + ".red requires .popc, .and or .or"};
        if (m_.sub != SubOp::BarRed && m_.atom != AtomOp::None)
          throw ModifierError{opcol_, "reduction operation only allowed with " + name() + ".red"};
        break;
      case Opcode::WmmaLoad: case Opcode::WmmaStore:
        if (op_ == Opcode::WmmaStore && m_.frag != FragKind::D)
          throw ModifierError{opcol_, "wmma.store only stores the .d fragment"};
        break;
      case Opcode::Mma:  // the one kVariant mma takes is .sp / .sp::ordered_metadata
        if (m_.variant != 0 && m_.variant != tensor::MmaVariant::Sparse && m_.variant != tensor::MmaVariant::SparseOrdered)
          throw ModifierError{opcol_, "mma takes .sp or .sp::ordered_metadata, not another operation modifier"};
        break;
      default:
        break;
    }
  }

 private:
  Opcode op_;
  const Modifiers& m_;
  const std::vector<ModifierToken>& mods_;
  uint32_t opcol_;
};

}  // namespace

void validate_combination(Opcode op, const Modifiers& m, const std::vector<ModifierToken>& mods,
                          uint32_t opcode_column) {
  Checker(op, m, mods, opcode_column).check();
}

}  // namespace gpusim::isa
