// Declarations: ".reg" registers (with "<N>" ranges), state-space variables (alignment,
// vectors, multi-dimensional arrays, "[]", nested "{}" initializers) and parameter lists,
// each laid out in its space as it is declared (shared memory is laid out in ptx_layout.cpp).
#include <algorithm>

#include "isa/ptx_literals.h"
#include "isa/ptx_parser_state.h"

namespace gpusim::isa {

namespace {

DataType parse_type_name(std::string_view text) {
  for (unsigned i = unsigned(DataType::Pred); i <= unsigned(DataType::F64); ++i)
    if (text.size() > 1 && text[0] == '.' && text.substr(1) == type_name(DataType(i))) return DataType(i);
  return DataType::None;
}

uint64_t elem_bytes(DataType t) { return std::max<uint64_t>(1, type_bits(t) / 8); }

// Sizes PTX may declare. A variable's bytes end up in host memory (the simulated device's
// memory is host memory, and initialisers are expanded at parse time), so absurd declarations
// are refused here, at their file:line, rather than by std::bad_alloc or a wrapped size later.
constexpr uint64_t kMaxStateSpaceBytes = uint64_t(1) << 40;       // 1 TiB: above any GPU's memory
constexpr uint64_t kMaxInitializedBytes = uint64_t(64) << 20;     // an initialiser's expanded image
constexpr uint64_t kMaxConstBytes = uint64_t(64) << 10;           // CUDA's constant memory: 64 KiB
// A function's per-thread frames (.local variables; .param variables of its call sites): CUDA's
// local memory per thread is 512 KiB, and ptxas refuses a larger frame ("uses too much local
// data"). Every lane of every resident warp gets its own copy, so an unchecked frame of
// gigabytes would exhaust host memory as soon as a warp starts.
constexpr uint64_t kMaxFrameBytes = uint64_t(512) << 10;

std::string byte_text(uint64_t bytes) {
  return std::to_string(bytes) + " bytes";
}

}  // namespace

StateSpace PtxParser::space_of(std::string_view d) const {
  if (d == ".global") return StateSpace::Global;
  if (d == ".const") return StateSpace::Const;
  if (d == ".shared") return StateSpace::Shared;
  if (d == ".local") return StateSpace::Local;
  if (d == ".param") return StateSpace::Param;
  fail(peek(), "expected a state space (.global, .const, .shared, .local, .param), got '" + std::string(d) + "'");
}

void PtxParser::declare_registers() {
  take();  // .reg
  const Token& type_tok = expect_word("a register type");
  if (type_tok.text == ".v2" || type_tok.text == ".v4") fail(type_tok, "vector registers are not supported");
  DataType type = parse_type_name(type_tok.text);
  if (type == DataType::None) fail(type_tok, "unknown register type '" + std::string(type_tok.text) + "'");
  Function& f = m_.functions[size_t(current_)];
  auto declare = [&](const Token& at, std::string name) {
    if (!reg_scopes_.back().emplace(name, uint32_t(f.regs.size())).second)
      fail(at, "register '" + name + "' is already declared in this scope");
    f.regs.push_back({std::move(name), type});
  };
  while (true) {
    const Token& name = expect_word("a register name");
    if (peek().is('<')) {
      take();
      const Token& n = take();
      uint64_t count = 0;
      try {
        count = literal_unsigned(n.text);
      } catch (const LiteralError& e) {
        fail(n, e.what());
      }
      if (count > (1u << 20)) fail(n, "register range too large");
      expect('>', "'>' closing the register range");
      for (uint64_t i = 0; i < count; ++i) declare(name, std::string(name.text) + std::to_string(i));
    } else {
      declare(name, std::string(name.text));
    }
    if (peek().is(';')) break;
    expect(',', "',' or ';' in a .reg declaration");
  }
  take();
}

void PtxParser::parse_initializer(VariableDecl& d, uint64_t bytes) {
  int depth = 0;
  do {
    if (peek().is('{')) {
      take();
      ++depth;
      continue;
    }
    if (depth > 0 && peek().is('}')) {
      take();
      --depth;
      if (depth > 0 && peek().is(',')) take();
      continue;
    }
    // A variable's address: `var`, `generic(var)` (either `+ N`), or a byte mask `0xFF00(...)`.
    const bool names_variable = peek().kind == TokenKind::Word &&
                                (peek().text == "generic" || m_.function_index(std::string(peek().text)) < 0);
    if (names_variable || (peek().kind == TokenKind::Number && peek(1).is('('))) {
      parse_address_initializer(d, bytes);
      if (depth > 0 && !peek().is('}')) expect(',', "',' or '}' in an initializer");
      continue;
    }
    bool negative = false;
    if (peek().is('-')) {
      take();
      negative = true;
    }
    const Token& v = take();
    uint64_t bits = 0;
    if (const int fn = v.kind == TokenKind::Word && !negative ? m_.function_index(std::string(v.text)) : -1; fn >= 0) {
      // A function's address (function-pointer tables, virtual-function tables).
      if (bytes != 8) fail(v, "a function address initializes only 64-bit elements");
      bits = function_address(uint32_t(fn));
    } else {
      if (v.kind != TokenKind::Number)
        fail(v, "only numeric and function-address initializers are supported, got '" + std::string(v.text) + "'");
      try {
        bits = literal_bits(v.text, negative, d.elem);
      } catch (const LiteralError& e) {
        fail(v, e.what());
      }
    }
    for (uint64_t i = 0; i < bytes; ++i) d.init.push_back(uint8_t(bits >> (8 * std::min<uint64_t>(i, 7))));
    if (depth > 0 && !peek().is('}')) expect(',', "',' or '}' in an initializer");
  } while (depth > 0);
}

void PtxParser::parse_address_initializer(VariableDecl& d, uint64_t bytes) {
  VariableDecl::PendingAddress p;
  p.address.at = d.init.size();
  p.address.bytes = uint8_t(bytes);
  bool masked = false;
  if (peek().kind == TokenKind::Number) {  // 0xFF00( ... ): one byte of the address
    const Token& m = take();
    try {
      p.address.mask = literal_unsigned(m.text);
    } catch (const LiteralError& e) {
      fail(m, e.what());
    }
    if (p.address.mask == 0) fail(m, "a byte mask of 0 keeps nothing");
    expect('(', "'(' after the byte mask");
    masked = true;
  }
  if (peek().is_word("generic")) {
    take();
    expect('(', "'(' after generic");
    p.name = &expect_word("a variable name");
    expect(')', "')' closing generic(");
    p.address.generic = true;
  } else {
    p.name = &expect_word("a variable name");
  }
  if (peek().is('+') || peek().is('-')) {
    const bool minus = take().is('-');
    const Token& n = take();
    uint64_t v = 0;
    try {
      v = literal_unsigned(n.text);
    } catch (const LiteralError& e) {
      fail(n, e.what());
    }
    p.address.addend = minus ? -int64_t(v) : int64_t(v);
  }
  if (masked) expect(')', "')' closing the byte mask");
  if (!masked && bytes != 8 && bytes != 4) fail(*p.name, "an address initializes only 32- and 64-bit elements (or bytes through a mask)");
  d.init.resize(d.init.size() + bytes, 0);  // written when the module's variables have addresses
  d.addresses.push_back(p);
}

void PtxParser::resolve_init_addresses() {
  for (auto& [symbol, pending] : init_addresses_) {
    const std::string name(pending.name->text);
    const auto it = module_symbols_.find(name);
    if (it == module_symbols_.end())
      fail(*pending.name, "the initializer of '" + m_.symbols[symbol].name + "' names '" + name +
                              "', which is no variable of this module (nor a function declared before it)");
    const Symbol& target = m_.symbols[it->second];
    if (target.space != StateSpace::Global && target.space != StateSpace::Const)
      fail(*pending.name, "the initializer of '" + m_.symbols[symbol].name + "' takes the address of '" + name + "' in ." +
                              std::string(space_name(target.space)) + ", which has none before a launch");
    Symbol::InitAddress a = pending.address;
    a.target = it->second;
    m_.symbols[symbol].init_addresses.push_back(a);
  }
  init_addresses_.clear();
}

std::vector<VariableDecl> PtxParser::parse_variable_names(const Token& space_tok, bool name_list) {
  uint32_t align = 0;
  uint64_t vec = 1;
  bool after_ptr = false;
  bool managed = false;
  DataType elem = DataType::None;
  // Attributes in any order: ".align N", ".vN", the type, and for pointer parameters
  // ".ptr [.space] [.align N]" (which nvcc writes after the type).
  while (peek().kind == TokenKind::Word && peek().text[0] == '.') {
    const Token& a = take();
    if (a.text == ".align") {
      const Token& n = take();
      uint32_t value = 0;
      try {
        value = uint32_t(literal_unsigned(n.text));
      } catch (const LiteralError& e) {
        fail(n, e.what());
      }
      if (value == 0 || (value & (value - 1))) fail(n, "alignment must be a power of two");
      // A ".ptr ... .align" describes the pointee, not the parameter itself.
      if (!after_ptr) align = value;
    } else if (a.text == ".v2" || a.text == ".v4" || a.text == ".v8") {
      vec = uint64_t(a.text[2] - '0');
    } else if (a.text == ".attribute") {
      // ".attribute(.managed)" (a __managed__ variable) or ".attribute(.unified(...))": where the
      // memory lives. A managed variable is noted (the device places it where host and kernels
      // share it); otherwise the variable is an ordinary .global.
      expect('(', "'(' after .attribute");
      for (int depth = 1; depth > 0;) {
        const Token& t = take();
        if (t.kind == TokenKind::End) fail(t, "unterminated .attribute(...)");
        if (t.is('(')) ++depth;
        if (t.is(')')) --depth;
        if (depth == 1 && t.is_word(".managed")) managed = true;
      }
    } else if (a.text.starts_with(".ptr")) {
      after_ptr = true;
    } else if (after_ptr && (a.text == ".global" || a.text == ".shared" || a.text == ".const" || a.text == ".local")) {
      continue;
    } else {
      DataType t = parse_type_name(a.text);
      if (t == DataType::None || t == DataType::Pred || elem != DataType::None)
        fail(a, "unexpected '" + std::string(a.text) + "' in a " + std::string(space_tok.text) + " declaration");
      elem = t;
    }
  }
  if (elem == DataType::None) fail(peek(), "expected a type in the " + std::string(space_tok.text) + " declaration");
  std::vector<VariableDecl> out;
  while (true) {
    VariableDecl d;
    d.at = &expect_word("a variable name");
    d.name = std::string(d.at->text);
    d.elem = elem;
    d.managed = managed;
    uint64_t count = 1;
    while (peek().is('[')) {
      take();
      if (peek().is(']')) {
        d.unsized = true;
      } else {
        const Token& n = take();
        uint64_t dim = 0;
        try {
          dim = literal_unsigned(n.text);
        } catch (const LiteralError& e) {
          fail(n, e.what());
        }
        if (__builtin_mul_overflow(count, dim, &count) || count > kMaxStateSpaceBytes)
          fail(n, "'" + d.name + "' has too many elements (the limit is " + byte_text(kMaxStateSpaceBytes) + ")");
      }
      expect(']', "']'");
    }
    const uint64_t bytes = elem_bytes(elem) * vec;
    if (!d.unsized && (__builtin_mul_overflow(count, bytes, &d.size) || d.size > kMaxStateSpaceBytes))
      fail(*d.at, "'" + d.name + "' is larger than " + byte_text(kMaxStateSpaceBytes) + " (" + std::to_string(count) +
                      " elements of " + byte_text(bytes) + ")");
    d.align = uint32_t(std::max<uint64_t>(align, bytes));
    if (peek().is('=')) {
      const Token& eq = take();
      if (d.size > kMaxInitializedBytes)
        fail(*d.at, "'" + d.name + "' has an initializer and " + byte_text(d.size) +
                        "; initialized variables are limited to " + byte_text(kMaxInitializedBytes));
      parse_initializer(d, elem_bytes(elem));
      if (d.unsized) {
        if (d.init.size() > kMaxInitializedBytes)
          fail(eq, "the initializer of '" + d.name + "' is larger than " + byte_text(kMaxInitializedBytes));
        d.size = d.init.size();
        d.unsized = false;
      }
      if (d.init.size() > d.size) fail(eq, "initializer of '" + d.name + "' is larger than the variable");
      d.init.resize(d.size, 0);
    }
    out.push_back(std::move(d));
    if (!name_list || !peek().is(',')) break;
    take();
  }
  return out;
}

uint32_t PtxParser::add_symbol(const VariableDecl& d, StateSpace space, bool is_extern) {
  Symbol s;
  s.name = d.name;
  s.space = space;
  s.elem = d.elem;
  s.size = d.size;
  s.align = d.align;
  s.is_extern = is_extern;
  s.owner = current_;
  s.init = d.init;
  s.decl_line = d.at->line;
  s.managed = d.managed && space == StateSpace::Global && current_ < 0 && !is_extern;
  const bool in_function = current_ >= 0;
  if (!d.addresses.empty() && (in_function || (space != StateSpace::Global && space != StateSpace::Const)))
    fail(*d.addresses.front().name, "'" + d.name + "': variable addresses initialize only module-scope .global and .const variables");
  auto with_addresses = [&](uint32_t id) {
    for (const VariableDecl::PendingAddress& a : d.addresses) init_addresses_.emplace_back(id, a);
    return id;
  };
  if (d.unsized && !(space == StateSpace::Shared && is_extern))
    fail(*d.at, "'" + d.name + "[]' needs a size or an initializer (only .extern .shared may be unsized)");
  switch (space) {
    case StateSpace::Global: case StateSpace::Const: {
      if (in_function) fail(*d.at, "function-scope ." + std::string(space_name(space)) + " variables are not supported");
      uint64_t& end = space == StateSpace::Global ? m_.global_bytes : m_.const_bytes;
      const uint64_t limit = space == StateSpace::Global ? kMaxStateSpaceBytes : kMaxConstBytes;
      s.offset = align_up(end, s.align);
      if (s.offset > limit || s.size > limit - s.offset)
        fail(*d.at, "'" + d.name + "' does not fit: the module's ." + std::string(space_name(space)) +
                        " variables would need " + std::to_string(s.offset) + " + " + byte_text(s.size) +
                        ", more than the " + byte_text(limit) + " a module may declare");
      end = s.offset + s.size;
      break;
    }
    case StateSpace::Local: {
      if (!in_function) fail(*d.at, "module-scope .local variables are not supported");
      Function& f = m_.functions[size_t(current_)];
      s.offset = align_up(f.local_bytes, s.align);
      if (s.offset > kMaxFrameBytes || s.size > kMaxFrameBytes - s.offset)
        fail(*d.at, "'" + d.name + "' does not fit: the function's ." + std::string(space_name(space)) +
                        " frame would exceed " + byte_text(kMaxFrameBytes) + " per thread (CUDA's local memory limit)");
      f.local_bytes = s.offset + s.size;
      break;
    }
    case StateSpace::Param: {
      if (!in_function) fail(*d.at, ".param variables are only allowed inside functions");
      Function& f = m_.functions[size_t(current_)];
      s.offset = align_up(f.frame_param_bytes, s.align);
      if (s.offset > kMaxFrameBytes || s.size > kMaxFrameBytes - s.offset)
        fail(*d.at, "'" + d.name + "' does not fit: the function's ." + std::string(space_name(space)) +
                        " frame would exceed " + byte_text(kMaxFrameBytes) + " per thread");
      f.frame_param_bytes = s.offset + s.size;
      break;
    }
    case StateSpace::Shared:
      break;  // laid out once every function is known (layout_shared)
    default:
      fail(*d.at, "unsupported state space");
  }
  NameTable& scope = in_function ? sym_scopes_.back() : module_symbols_;
  uint32_t id = uint32_t(m_.symbols.size());
  auto [it, inserted] = scope.emplace(s.name, id);
  if (!inserted) {
    const Symbol& old = m_.symbols[it->second];
    // A module-scope ".extern" declaration may precede or follow the definition.
    if (in_function || !(old.is_extern || is_extern) || old.space != space)
      fail(*d.at, "'" + s.name + "' is already declared in this scope");
    if (is_extern) return it->second;
    m_.symbols[it->second] = std::move(s);
    return with_addresses(it->second);
  }
  m_.symbols.push_back(std::move(s));
  return with_addresses(id);
}

void PtxParser::declare_variables(StateSpace space, bool is_extern) {
  const Token& sp = take();
  for (const VariableDecl& d : parse_variable_names(sp, true)) add_symbol(d, space, is_extern);
  expect(';', "';' after the declaration");
}

std::vector<uint32_t> PtxParser::parse_param_list(bool kernel) {
  expect('(', "'(' opening the parameter list");
  std::vector<uint32_t> ids;
  Function& f = m_.functions[size_t(current_)];
  while (!peek().is(')')) {
    if (!ids.empty()) expect(',', "',' between parameters");
    const Token& kw = expect_word(".param");
    if (kw.text == ".reg") fail(kw, "register parameters (.reg) are not supported; use .param");
    if (kw.text != ".param") fail(kw, "expected .param, got '" + std::string(kw.text) + "'");
    std::vector<VariableDecl> decls = parse_variable_names(kw, false);
    VariableDecl& d = decls[0];
    if (d.unsized) fail(*d.at, "parameter '" + d.name + "' needs a size");
    Symbol s;
    s.name = d.name;
    s.space = StateSpace::Param;
    s.elem = d.elem;
    s.size = d.size;
    s.align = d.align;
    s.owner = current_;
    s.decl_line = d.at->line;
    s.kernel_param = kernel;
    uint64_t& end = kernel ? f.param_bytes : f.frame_param_bytes;
    s.offset = align_up(end, s.align);
    end = s.offset + s.size;
    uint32_t id = uint32_t(m_.symbols.size());
    if (!sym_scopes_.front().emplace(s.name, id).second) fail(*d.at, "duplicate parameter '" + d.name + "'");
    m_.symbols.push_back(std::move(s));
    ids.push_back(id);
  }
  take();
  return ids;
}

}  // namespace gpusim::isa
