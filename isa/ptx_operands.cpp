// Operand syntax of one instruction statement: registers, "%a|%b" pairs, "!%p", immediates,
// "{...}" vectors, "[...]" addresses, special registers, symbols, labels, "_" and the call
// form "call (rets), f, (args)". Produces the decoded Instruction (decode_instruction).
#include <string>

#include "isa/ptx_instruction.h"
#include "isa/ptx_literals.h"
#include "isa/ptx_modifiers.h"
#include "isa/ptx_unimplemented.h"
#include "isa/ptx_video_selectors.h"

namespace gpusim::isa {

namespace {

// The SIMD video instructions, whose register operands may carry element selectors.
bool is_simd_video(Opcode op) {
  switch (op) {
    case Opcode::Vadd2: case Opcode::Vadd4: case Opcode::Vsub2: case Opcode::Vsub4: case Opcode::Vavrg2:
    case Opcode::Vavrg4: case Opcode::Vabsdiff2: case Opcode::Vabsdiff4: case Opcode::Vmin2: case Opcode::Vmin4:
    case Opcode::Vmax2: case Opcode::Vmax4:
      return true;
    default: return false;
  }
}

unsigned simd_video_elements(Opcode op) {
  switch (op) {
    case Opcode::Vadd2: case Opcode::Vsub2: case Opcode::Vavrg2: case Opcode::Vabsdiff2: case Opcode::Vmin2:
    case Opcode::Vmax2:
      return 2;
    default: return 4;
  }
}

// "[handle, {c0, c1, ...}]": an address whose elements are coordinates (tensor maps, textures,
// surfaces).
bool takes_coordinates(Opcode op) {
  return op == Opcode::CpAsyncBulkTensor || op == Opcode::CpAsyncBulkPrefetchTensor || op == Opcode::Tex || op == Opcode::Tld4 || op == Opcode::Suld ||
         op == Opcode::Sust;
}

SpecialReg find_special(std::string_view name) {
  for (unsigned i = 0; i < unsigned(SpecialReg::Count); ++i)
    if (name == special_reg_name(SpecialReg(i))) return SpecialReg(i);
  return SpecialReg::Count;
}

class StatementReader {
 public:
  StatementReader(const std::vector<Token>& toks, size_t& pos, const NameScope& scope)
      : toks_(toks), pos_(pos), scope_(scope) {}

  DecodedInstruction run() {
    const Token& optok = toks_[pos_++];
    size_t len = 0;
    if (optok.kind == TokenKind::Word &&
        is_unimplemented_ptx(optok.text, match_opcode(optok.text, len) == Opcode::Count))
      return read_unimplemented(optok);
    decode_opcode(optok);
    Instruction& inst = out_.inst;
    if (inst.op == Opcode::Call) {
      read_call(optok);
    } else {
      unsigned index = 0;
      while (!peek().is(';')) {
        if (index > 0) expect(',', "',' between operands");
        if (index >= inst.ops.size()) scope_.fail(peek(), "too many operands");
        inst.ops[index] = read_operand(index);
        ++index;
      }
      // `.L2::cache_hint` adds a cache-policy operand at the end of a load, store, atomic or
      // cp.async; the policy changes no result, so the operand is read and dropped.
      const bool policy_operand = inst.op == Opcode::Ld || inst.op == Opcode::Ldu || inst.op == Opcode::St ||
                                  inst.op == Opcode::Atom || inst.op == Opcode::Red || inst.op == Opcode::CpAsync;
      if (inst.mod.cache_hint && policy_operand && index > 0) --index;
      inst.nops = uint8_t(index);
      check_operand_count(inst.op, index, optok, scope_);
      check_vector_operands(inst, optok, scope_);
    }
    expect(';', "';' at the end of the instruction");
    return std::move(out_);
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  const Token& take() {
    const Token& t = toks_[pos_];
    if (t.kind == TokenKind::End) scope_.fail(t, "unexpected end of input inside an instruction");
    ++pos_;
    return t;
  }
  void expect(char c, const char* what) {
    if (!peek().is(c)) scope_.fail(peek(), std::string("expected ") + what + ", got '" + std::string(peek().text) + "'");
    ++pos_;
  }

  // A PTX instruction gpusim does not implement (isa/ptx_unimplemented.h): its operands are
  // skipped, brackets balanced, and it faults only if a warp executes it.
  DecodedInstruction read_unimplemented(const Token& t) {
    Instruction& inst = out_.inst;
    inst.op = Opcode::Unimplemented;
    inst.line = t.line;
    inst.column = t.column;
    int depth = 0;
    while (depth > 0 || !peek().is(';')) {
      const Token& x = take();
      if (x.is('{') || x.is('[') || x.is('(')) ++depth;
      else if ((x.is('}') || x.is(']') || x.is(')')) && depth > 0) --depth;
    }
    expect(';', "';' at the end of the instruction");
    return std::move(out_);
  }

  void decode_opcode(const Token& t) {
    if (t.kind != TokenKind::Word) scope_.fail(t, "expected an instruction, got '" + std::string(t.text) + "'");
    size_t len = 0;
    Opcode op = match_opcode(t.text, len);
    if (op == Opcode::Count) scope_.fail(t, "unknown opcode '" + std::string(t.text) + "'");
    std::vector<ModifierToken> mods;
    size_t p = len;
    while (p < t.text.size()) {
      size_t next = t.text.find('.', p + 1);
      if (next == std::string_view::npos) next = t.text.size();
      mods.push_back({t.text.substr(p, next - p), uint32_t(t.column + p)});
      p = next;
    }
    Instruction& inst = out_.inst;
    inst.op = op;
    try {
      inst.mod = decode_modifiers(op, mods, t.column);
    } catch (const ModifierError& e) {
      scope_.fail_at(t.line, e.column, e.message);
    }
    inst.unit = refine_unit(op, inst.mod);
    inst.line = t.line;
    inst.column = t.column;
  }

  uint64_t read_literal(DataType type) {
    bool negative = false;
    if (peek().is('-')) {
      negative = true;
      ++pos_;
    }
    const Token& t = take();
    if (t.kind != TokenKind::Number) scope_.fail(t, "expected a number, got '" + std::string(t.text) + "'");
    try {
      return literal_bits(t.text, negative, type);
    } catch (const LiteralError& e) {
      scope_.fail(t, e.what());
    }
    __builtin_unreachable();  // NameScope::fail throws
  }

  uint32_t register_or_fail(const Token& t) {
    uint32_t r = scope_.find_register(t.text);
    if (r == kNoReg) scope_.fail(t, "undeclared register '" + std::string(t.text) + "'");
    return r;
  }

  // A register, special register, symbol, label, "_" or literal (no vector, no address).
  Operand read_scalar(unsigned index) {
    Operand o;
    const Instruction& inst = out_.inst;
    if (peek().is('!')) {
      ++pos_;
      o.negate = true;
    }
    if (peek().kind == TokenKind::Number || peek().is('-')) {
      if (o.negate) scope_.fail(peek(), "'!' applies only to predicates");
      o.kind = OperandKind::Imm;
      o.imm = read_literal(immediate_type(inst.op, inst.mod, index));
      return o;
    }
    const Token& t = take();
    if (t.kind != TokenKind::Word) scope_.fail(t, "expected an operand, got '" + std::string(t.text) + "'");
    if (t.text == "_") {
      o.kind = OperandKind::Sink;
      if (peek().is('|')) {  // elect.sync _|%p
        ++pos_;
        o.reg2 = register_or_fail(take());
      }
      return o;
    }
    if (t.text == "WARP_SZ") {  // the PTX ISA's predefined identifier: the warp size, 32
      o.kind = OperandKind::Imm;
      o.imm = 32;
      return o;
    }
    if (uint32_t r = scope_.find_register(t.text); r != kNoReg) {
      o.kind = OperandKind::Reg;
      o.reg = r;
      if (peek().is('|')) {
        ++pos_;
        o.reg2 = register_or_fail(take());
      }
      return o;
    }
    if (const size_t dot = t.text.find('.'); dot != std::string_view::npos && is_simd_video(inst.op)) {
      // A video instruction's element selector or mask ("%r2.b3210": isa/ptx_video_selectors.h).
      if (uint32_t r = scope_.find_register(t.text.substr(0, dot)); r != kNoReg) {
        o.kind = OperandKind::Reg;
        o.reg = r;
        try {
          o.first = parse_video_selector(t.text.substr(dot + 1), index, simd_video_elements(inst.op));
        } catch (const std::invalid_argument& e) {
          scope_.fail(t, e.what());
        }
        return o;
      }
    }
    if (t.text[0] == '%') {
      SpecialReg s = find_special(t.text);
      if (s == SpecialReg::Count) {
        bool looks_special = t.text.find('.') != std::string_view::npos || scope_.find_symbol(t.text) != kNoSymbol;
        scope_.fail(t, std::string(looks_special ? "unknown special register '" : "undeclared register '") +
                           std::string(t.text) + "'");
      }
      o.kind = OperandKind::Special;
      o.reg = uint32_t(s);
      return o;
    }
    if (uint32_t sym = scope_.find_symbol(t.text); sym != kNoSymbol) {
      o.kind = OperandKind::Symbol;
      o.sym = sym;
      if (peek().is('+')) {
        ++pos_;
        o.imm = read_literal(DataType::S64);
      }
      return o;
    }
    const bool branch = inst.op == Opcode::Bra || inst.op == Opcode::Brx;
    if (int fn = branch ? -1 : scope_.find_function(t.text); fn >= 0) {
      o.kind = OperandKind::Function;  // a function's address as a value (mov.u64 %rd, f)
      o.reg = uint32_t(fn);
      return o;
    }
    if (branch) {  // brx.idx: the name of a .branchtargets list, resolved with the labels
      o.kind = OperandKind::Label;
      out_.label = PendingName{index, std::string(t.text), t.line, t.column};
      return o;
    }
    scope_.fail(t, "undeclared identifier '" + std::string(t.text) + "'");
    __builtin_unreachable();  // NameScope::fail throws
  }

  Operand read_address() {
    expect('[', "'['");
    Operand o;
    o.kind = OperandKind::Address;
    if (peek().kind == TokenKind::Number || peek().is('-')) {
      o.imm = read_literal(DataType::S64);
    } else {
      const Token& t = take();
      if (t.kind != TokenKind::Word) scope_.fail(t, "expected an address, got '" + std::string(t.text) + "'");
      if (uint32_t r = scope_.find_register(t.text); r != kNoReg) {
        o.reg = r;
      } else if (uint32_t sym = scope_.find_symbol(t.text); sym != kNoSymbol) {
        o.sym = sym;
      } else {
        scope_.fail(t, std::string(t.text[0] == '%' ? "undeclared register '" : "undeclared symbol '") +
                           std::string(t.text) + "'");
      }
      if (peek().is('+') || peek().is('-')) {
        bool minus = peek().is('-');
        ++pos_;
        o.imm = read_literal(DataType::S64);
        if (minus) o.imm = ~o.imm + 1;
      }
    }
    // cp.async.bulk.tensor's "[tensorMap, {c0, c1, ...}]": the coordinates become the address
    // operand's elements (first/count), the tensor map's address is the address itself.
    if (peek().is(',') && takes_coordinates(out_.inst.op)) {
      ++pos_;
      if (!peek().is('{')) scope_.fail(peek(), "expected '{' starting the tensor coordinates");
      const Operand coords = read_vector(0);
      if (coords.count > 5) scope_.fail(peek(), "a tensor has at most 5 coordinates");
      o.first = coords.first;
      o.count = coords.count;
    }
    expect(']', "']' closing the address");
    return o;
  }

  Operand read_vector(unsigned index) {
    const Token& open = take();
    Operand o;
    o.kind = OperandKind::Vector;
    o.first = uint16_t(out_.inst.elems.size());
    while (true) {
      Operand e = read_scalar(index);
      if (e.kind == OperandKind::Label || e.kind == OperandKind::Symbol)
        scope_.fail(toks_[pos_ - 1], "vector elements must be registers, immediates or '_'");
      out_.inst.elems.push_back(e);
      if (peek().is('}')) break;
      expect(',', "',' or '}' in a vector operand");
    }
    ++pos_;
    o.count = uint16_t(out_.inst.elems.size() - o.first);
    // wgmma.mma_async accumulators: N/2 (f32) or N/4 (f16) registers, N = 8..256 in steps of 8.
    // cp.async.bulk.tensor coordinates: one per dimension, 1..5.
    const bool wgmma_fragment = out_.inst.op == Opcode::WgmmaMmaAsync && o.count <= 128;
    const bool coordinates = takes_coordinates(out_.inst.op) && o.count <= 5;
    if (o.count != 1 && o.count != 2 && o.count != 4 && o.count != 8 && !wgmma_fragment && !coordinates)
      scope_.fail(open, "a vector operand has 1, 2, 4 or 8 elements, got " + std::to_string(o.count));
    return o;
  }

  Operand read_operand(unsigned index) {
    if (peek().is('[')) return read_address();
    if (peek().is('{')) return read_vector(index);
    return read_scalar(index);
  }

  // "(a, b)" of call: plain names of .param symbols.
  Operand read_param_list() {
    expect('(', "'('");
    Operand o;
    o.kind = OperandKind::Vector;
    o.first = uint16_t(out_.inst.elems.size());
    while (!peek().is(')')) {
      if (o.count > 0) expect(',', "',' between call arguments");
      const Token& t = take();
      uint32_t sym = t.kind == TokenKind::Word ? scope_.find_symbol(t.text) : kNoSymbol;
      if (sym == kNoSymbol) scope_.fail(t, "call argument '" + std::string(t.text) + "' is not a declared .param");
      Operand e;
      e.kind = OperandKind::Symbol;
      e.sym = sym;
      out_.inst.elems.push_back(e);
      ++o.count;
    }
    ++pos_;
    return o;
  }

  void read_call(const Token& optok) {
    Instruction& inst = out_.inst;
    inst.nops = 3;
    inst.ops[0] = Operand{};
    inst.ops[0].kind = OperandKind::Vector;
    inst.ops[2] = inst.ops[0];
    if (peek().is('(')) {
      inst.ops[0] = read_param_list();
      expect(',', "',' after the call's return list");
    }
    const Token& target = take();
    if (target.kind != TokenKind::Word) scope_.fail(target, "expected a function name after call");
    const bool indirect = target.text[0] == '%' || scope_.find_register(target.text) != kNoReg;
    if (indirect) {
      // call (rets), %rd, (args), prototype;  the target is a function address in a register.
      inst.ops[1].kind = OperandKind::Reg;
      inst.ops[1].reg = register_or_fail(target);
    } else {
      inst.ops[1].kind = OperandKind::Function;
      out_.callee = PendingName{1, std::string(target.text), target.line, target.column};
    }
    if (peek().is(',')) {
      ++pos_;
      if (!peek().is('(') && indirect) {
        inst.ops[2].first = uint16_t(inst.elems.size());
      } else {
        inst.ops[2] = read_param_list();
        inst.ops[2].first = inst.ops[2].count ? inst.ops[2].first : uint16_t(inst.elems.size());
      }
    }
    if (indirect) {
      // The .callprototype label (or a list of possible targets): the callee's signature is
      // checked against the arguments when the call executes.
      if (!peek().is(',')) scope_.fail(peek(), "an indirect call needs a .callprototype label after its arguments");
      ++pos_;
      const Token& proto = take();
      if (proto.kind != TokenKind::Word) scope_.fail(proto, "expected a .callprototype label");
    } else if (peek().is(',')) {
      scope_.fail(peek(), "a direct call takes no prototype or target list");
    }
  }

  DecodedInstruction out_;
  const std::vector<Token>& toks_;
  size_t& pos_;
  const NameScope& scope_;
};

}  // namespace

DecodedInstruction decode_instruction(const std::vector<Token>& toks, size_t& pos, const NameScope& scope) {
  return StatementReader(toks, pos, scope).run();
}

}  // namespace gpusim::isa
