// PTX module structure: header directives, functions and their bodies (scopes, labels,
// guards, statements), debug sections skipped, and the final resolution of labels and calls.
#include "isa/ptx_parser.h"

#include "isa/fma_contraction.h"
#include "isa/ptx_call_barriers.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "isa/cfg.h"
#include "isa/register_operands.h"
#include "isa/ptx_literals.h"
#include "isa/ptx_parser_state.h"

#include <cctype>

namespace gpusim::isa {

uint64_t align_up(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

PtxParser::PtxParser(const std::string& text, const std::string& source_name) : text_(text) {
  m_.source_name = source_name;
  line_starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_starts_.push_back(i + 1);
}

std::string PtxParser::line_text(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  size_t begin = line_starts_[line - 1];
  size_t end = line < line_starts_.size() ? line_starts_[line] : text_.size();
  std::string s(text_.substr(begin, end - begin));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t first = s.find_first_not_of(" \t");
  return first == std::string::npos ? std::string() : s.substr(first);
}

std::string PtxParser::statement_text(size_t first, size_t end) const {
  // Only the statement's own tokens: a copy of the whole line per instruction made memory and
  // time quadratic in the line length (16k instructions on one line took 5.8 GB).
  if (end <= first) return {};
  const std::string_view a = toks_[first].text, b = toks_[end - 1].text;
  std::string s(a.data(), size_t(b.data() + b.size() - a.data()));
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

void PtxParser::fail_at(uint32_t line, uint32_t column, const std::string& message) const {
  throw ParseError(m_.source_name, line, column, message, line_text(line));
}

void PtxParser::fail(const Token& at, const std::string& message) const { fail_at(at.line, at.column, message); }

const Token& PtxParser::take() {
  const Token& t = toks_[pos_];
  if (t.kind == TokenKind::End) fail(t, "unexpected end of input");
  ++pos_;
  return t;
}

void PtxParser::expect(char c, const char* what) {
  if (!peek().is(c)) fail(peek(), std::string("expected ") + what + ", got '" + std::string(peek().text) + "'");
  ++pos_;
}

const Token& PtxParser::expect_word(const char* what) {
  if (peek().kind != TokenKind::Word) fail(peek(), std::string("expected ") + what + ", got '" + std::string(peek().text) + "'");
  return take();
}

uint32_t PtxParser::find_register(std::string_view name) const {
  for (auto it = reg_scopes_.rbegin(); it != reg_scopes_.rend(); ++it)
    if (auto f = it->find(name); f != it->end()) return f->second;
  return kNoReg;
}

uint32_t PtxParser::find_symbol(std::string_view name) const {
  for (auto it = sym_scopes_.rbegin(); it != sym_scopes_.rend(); ++it)
    if (auto f = it->find(name); f != it->end()) return f->second;
  if (auto f = module_symbols_.find(name); f != module_symbols_.end()) return f->second;
  return kNoSymbol;
}

void PtxParser::skip_line(uint32_t line) {
  while (peek().kind != TokenKind::End && peek().line == line) ++pos_;
}

// `.file N "path"[, timestamp, size]` and `.loc N line column[, function_name ..., inlined_at ...]`.
// Line information only feeds reports, so a form this parser does not know is skipped rather
// than refused (ptxas has accepted the file already when it comes from nvcc).
void PtxParser::parse_line_info() {
  const Token& directive = take();
  const uint32_t line = directive.line;
  auto number = [&](size_t ahead, uint32_t& out) {
    const Token& n = peek(ahead);
    if (n.kind != TokenKind::Number || n.line != line) return false;
    const auto [end, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), out);
    return ec == std::errc() && end == n.text.data() + n.text.size();
  };
  uint32_t file = 0, source_line = 0;
  if (directive.text == ".file") {
    if (number(0, file) && peek(1).kind == TokenKind::String && peek(1).line == line)
      m_.source_files[int(file)] = std::string(peek(1).text);
  } else if (number(0, file) && number(1, source_line)) {
    uint32_t column = 0;
    number(2, column);
    loc_file_ = int(file);
    loc_line_ = source_line;
    loc_inlined_file_ = -1;
    loc_inlined_line_ = 0;
    loc_outer_file_ = -1;
    loc_outer_line_ = 0;
    loc_inline_depth_ = 0;
    for (size_t ahead = 2; peek(ahead).kind != TokenKind::End && peek(ahead).line == line; ++ahead) {
      uint32_t at_file = 0, at_line = 0, at_column = 0;
      if (peek(ahead).text == "inlined_at" && number(ahead + 1, at_file) && number(ahead + 2, at_line)) {
        number(ahead + 3, at_column);
        loc_inlined_file_ = int(at_file);
        loc_inlined_line_ = at_line;
        const std::array<uint32_t, 3> site{at_file, at_line, at_column};
        inline_call_sites_[{file, source_line, column}] = site;
        // Up the chain through the call sites' own .locs; bounded, since a crafted file may loop.
        std::array<uint32_t, 3> outer = site;
        loc_inline_depth_ = 1;
        for (auto up = inline_call_sites_.find(outer); up != inline_call_sites_.end() && loc_inline_depth_ < 64;
             up = inline_call_sites_.find(outer)) {
          outer = up->second;
          ++loc_inline_depth_;
        }
        loc_outer_file_ = int(outer[0]);
        loc_outer_line_ = outer[1];
        break;
      }
    }
  }
  skip_line(line);
}

void PtxParser::skip_through(char c) {
  while (!peek().is(c)) take();
  ++pos_;
}

// ".section .debug_xxx { ... }": DWARF data, irrelevant to execution.
void PtxParser::skip_section() {
  const Token& start = take();
  expect_word("a section name");
  if (!peek().is('{')) fail(peek(), "expected '{' after .section name");
  int depth = 0;
  do {
    if (peek().kind == TokenKind::End) fail(start, "unterminated .section block");
    if (peek().is('{')) ++depth;
    if (peek().is('}')) --depth;
    ++pos_;
  } while (depth > 0);
}

Module PtxParser::run() {
  toks_ = tokenize_ptx(text_, m_.source_name);
  while (peek().kind != TokenKind::End) parse_module_item();
  resolve_calls();
  mark_functions_reaching_barriers(m_);
  resolve_init_addresses();
  layout_shared();
  for (Function& f : m_.functions) {
    compute_reconvergence(f);
    contract_multiply_adds(f);  // before annotation: it copies the mul's operands into the add
    annotate_register_operands(f);
  }
  return std::move(m_);
}

// The newest PTX ISA the simulated driver reads: CUDA 13.0's (as ptxas 13.0 and the 13.0 driver's
// JIT, which refuse newer text: "Unsupported .version 9.1; current version is '9.0'").
constexpr unsigned kNewestPtxMajor = 9, kNewestPtxMinor = 0;

void PtxParser::check_ptx_version(const Token& v) const {
  const std::string text(v.text);
  const size_t dot = text.find('.');
  const bool well_formed = dot != std::string::npos && dot > 0 && dot + 1 < text.size() && dot <= 2 &&
                           text.size() - dot - 1 <= 2 &&
                           text.find_first_not_of("0123456789.") == std::string::npos &&
                           text.find('.', dot + 1) == std::string::npos;
  if (!well_formed) fail(v, "'.version " + text + "': expected MAJOR.MINOR (nvcc 13 writes 9.0)");
  const unsigned major = unsigned(std::stoul(text.substr(0, dot))), minor = unsigned(std::stoul(text.substr(dot + 1)));
  if (major > kNewestPtxMajor || (major == kNewestPtxMajor && minor > kNewestPtxMinor))
    throw UnsupportedPtxVersion(m_.source_name, v.line, v.column, "PTX .version " + text + " is newer than this driver reads (CUDA 13.0: up to " +
                std::to_string(kNewestPtxMajor) + "." + std::to_string(kNewestPtxMinor) + ")",
                                line_text(v.line));
}

// The architectures a PTX .target may name (sm_XX with the a/f feature suffixes of sm_90 on),
// as ptxas 13.0 knows them: a typo such as sm_99 is an error there, not a new GPU.
void PtxParser::check_ptx_target(const Token& t) const {
  static constexpr unsigned kKnown[] = {10,  11,  12,  13,  20,  21,  30,  32,  35,  37,  50,  52,  53,
                                        60,  61,  62,  70,  72,  75,  80,  86,  87,  88,  89,  90,  100,
                                        101, 103, 110, 120, 121};
  const std::string text(t.text);
  if (text.rfind("sm_", 0) == 0 && text.size() > 3) {
    size_t end = 3;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    const std::string suffix = text.substr(end);
    if (end > 3 && end - 3 <= 3 && (suffix.empty() || suffix == "a" || suffix == "f")) {
      const unsigned number = unsigned(std::stoul(text.substr(3, end - 3)));
      for (unsigned known : kKnown)
        if (known == number && (suffix.empty() || number >= 90)) return;
    }
  }
  fail(t, "'.target " + text + "': not an architecture PTX can target (sm_75, sm_80, sm_90a, ...)");
}

void PtxParser::parse_module_item() {
  const Token& t = peek();
  if (t.is('@')) {  // "@@DWARF ..." lines
    skip_line(t.line);
    return;
  }
  if (t.kind != TokenKind::Word) fail(t, "unexpected '" + std::string(t.text) + "' at module scope");
  if (t.text == ".version") {
    take();
    const Token& v = take();
    check_ptx_version(v);
    m_.version = std::string(v.text);
  } else if (t.text == ".target") {
    take();
    const Token& first = expect_word("a target name");
    check_ptx_target(first);
    m_.target = std::string(first.text);
    while (peek().is(',')) {
      ++pos_;
      m_.target += "," + std::string(expect_word("a target name").text);
    }
  } else if (t.text == ".address_size") {
    take();
    const Token& n = take();
    if (n.text != "32" && n.text != "64") fail(n, "address size must be 32 or 64");
    m_.address_size = n.text == "64" ? 64 : 32;
  } else if (t.text == ".file" || t.text == ".loc") {
    parse_line_info();
  } else if (t.text == ".section") {
    skip_section();
  } else if (t.text == ".pragma") {
    skip_through(';');
  } else if (t.text == ".visible" || t.text == ".extern" || t.text == ".weak" || t.text == ".common") {
    bool is_extern = false;
    while (peek().is_word(".visible") || peek().is_word(".extern") || peek().is_word(".weak") ||
           peek().is_word(".common"))
      is_extern |= take().text == ".extern";
    if (peek().is_word(".entry") || peek().is_word(".func")) {
      parse_function(peek().text == ".entry", is_extern);
    } else {
      declare_variables(space_of(peek().text), is_extern);
    }
  } else if (t.text == ".entry" || t.text == ".func") {
    parse_function(t.text == ".entry", false);
  } else if (t.text == ".global" || t.text == ".const" || t.text == ".shared") {
    declare_variables(space_of(t.text), false);
  } else {
    fail(t, "unexpected '" + std::string(t.text) + "' at module scope");
  }
}

// Directives between a kernel's parameter list and its body: tuning hints with no semantics
// here, except the cluster shape a kernel requires (.reqnctapercluster, .explicitcluster) and its
// thread limit (.maxntid/.reqntid), kept in the function for the launch checks.
void PtxParser::skip_performance_directives(Function& f) {
  static const std::string_view kDirectives[] = {".maxntid", ".reqntid", ".minnctapersm", ".maxnreg",
                                                 ".maxclusterrank", ".reqnctapercluster",
                                                 ".explicitcluster", ".noreturn", ".blocksareclusters"};
  while (peek().kind == TokenKind::Word) {
    if (peek().text == ".pragma") {
      skip_through(';');
      continue;
    }
    bool known = false;
    for (std::string_view d : kDirectives) known |= peek().text == d;
    if (!known) fail(peek(), "unexpected '" + std::string(peek().text) + "' before a function body");
    const std::string_view name = take().text;
    if (name == ".explicitcluster") f.explicit_cluster = true;
    unsigned dim = 0;
    uint64_t threads = 1;
    while (peek().kind == TokenKind::Number || peek().is(',')) {
      if (peek().kind == TokenKind::Number) {
        const uint64_t v = std::stoull(std::string(peek().text), nullptr, 0);
        if (name == ".reqnctapercluster" && dim < 3) f.required_cluster[dim] = uint32_t(v);
        if (name == ".reqntid" && dim < 3) f.required_block[dim] = uint32_t(std::min<uint64_t>(v, UINT32_MAX));
        threads *= v;
        ++dim;
      }
      ++pos_;
    }
    if ((name == ".maxntid" || name == ".reqntid") && dim > 0 && threads > 0 && threads <= UINT32_MAX)
      f.max_threads_per_block = f.max_threads_per_block ? std::min(f.max_threads_per_block, uint32_t(threads))
                                                        : uint32_t(threads);
    if (name == ".reqnctapercluster")
      for (; dim < 3; ++dim) f.required_cluster[dim] = 1;
    if (name == ".reqntid" && dim > 0)
      for (; dim < 3; ++dim) f.required_block[dim] = 1;
  }
}

void PtxParser::parse_function(bool is_entry, bool is_extern) {
  const Token& kw = take();
  // ".func (.param .b32 ret) name (...)": the optional return list comes first.
  size_t returns_pos = 0;
  if (!is_entry && peek().is('(')) {
    returns_pos = pos_;
    int depth = 0;
    do {
      if (peek().is('(')) ++depth;
      if (peek().is(')')) --depth;
      take();
    } while (depth > 0);
  }
  const Token& name = expect_word("a function name");
  int index = m_.function_index(std::string(name.text));
  if (index >= 0 && defined_.count(uint32_t(index)))
    fail(name, "redefinition of function '" + std::string(name.text) + "'");
  if (index < 0) {
    index = int(m_.functions.size());
    m_.functions.emplace_back();
    m_.functions.back().name = std::string(name.text);
  }
  current_ = index;
  loc_file_ = -1;  // line information does not carry over from the previous function
  loc_line_ = 0;
  loc_inlined_file_ = -1;
  loc_inlined_line_ = 0;
  loc_outer_file_ = -1;
  loc_outer_line_ = 0;
  loc_inline_depth_ = 0;
  inline_call_sites_.clear();
  // Parse the signature into a scratch copy so that a prototype leaves the function untouched.
  const size_t symbols_before = m_.symbols.size();
  const Function saved = m_.functions[size_t(index)];
  Function& f0 = m_.functions[size_t(index)];
  f0.is_entry = is_entry;
  f0.decl_line = kw.line;
  f0.params.clear();
  f0.returns.clear();
  f0.frame_param_bytes = f0.param_bytes = 0;
  sym_scopes_.assign(1, NameTable{});
  reg_scopes_.assign(1, NameTable{});
  size_t after_name = pos_;
  if (returns_pos) {
    pos_ = returns_pos;
    std::vector<uint32_t> rets = parse_param_list(false);
    m_.functions[size_t(index)].returns = rets;
    pos_ = after_name;
  }
  if (peek().is('(')) {
    std::vector<uint32_t> params = parse_param_list(is_entry);
    m_.functions[size_t(index)].params = params;
  }
  skip_performance_directives(m_.functions[size_t(index)]);
  if (peek().is(';')) {  // a prototype: the body comes later (or never, for .extern)
    ++pos_;
    m_.symbols.resize(symbols_before);
    m_.functions[size_t(index)] = saved;
    m_.functions[size_t(index)].is_entry = is_entry;
    sym_scopes_.clear();
    reg_scopes_.clear();
    current_ = -1;
    return;
  }
  if (!peek().is('{')) fail(peek(), "expected '{' or ';' after the function header");
  if (is_extern) fail(peek(), "an .extern function cannot have a body here");
  const Token& open = take();
  defined_.insert(uint32_t(index));
  m_.functions[size_t(index)].has_body = true;
  parse_body(m_.functions[size_t(index)], open);
  resolve_labels(m_.functions[size_t(index)]);
  sym_scopes_.clear();
  reg_scopes_.clear();
  current_ = -1;
}

namespace {
constexpr size_t kMaxBlockDepth = 4096;
}  // namespace

void PtxParser::parse_body(Function& f, const Token& open) {
  std::vector<const Token*> opens{&open};
  reg_scopes_.emplace_back();
  sym_scopes_.emplace_back();
  label_scope_parent_.assign(1, -1);
  open_label_scopes_.assign(1, 0);
  while (!opens.empty()) {
    const Token& t = peek();
    if (t.kind == TokenKind::End)
      fail_at(opens.back()->line, opens.back()->column, "unterminated block: this '{' is never closed");
    if (t.is('{')) {
      // Each level keeps two scopes: millions of nested braces (a hostile file) took 100 times the
      // file's size in memory. nvcc nests a few levels (inline asm blocks, call sequences).
      if (opens.size() >= kMaxBlockDepth)
        fail(t, "blocks nested more than " + std::to_string(kMaxBlockDepth) + " deep");
      opens.push_back(&take());
      reg_scopes_.emplace_back();
      sym_scopes_.emplace_back();
      label_scope_parent_.push_back(open_label_scopes_.back());
      open_label_scopes_.push_back(int(label_scope_parent_.size()) - 1);
    } else if (t.is('}')) {
      take();
      opens.pop_back();
      reg_scopes_.pop_back();
      sym_scopes_.pop_back();
      open_label_scopes_.pop_back();
    } else {
      parse_statement(f);
    }
  }
}

void PtxParser::parse_statement(Function& f) {
  const Token& t = peek();
  if (t.kind == TokenKind::Word && t.text[0] == '.') {
    if (t.text == ".reg") return declare_registers();
    if (t.text == ".loc" || t.text == ".file") return parse_line_info();
    if (t.text == ".pragma") return skip_through(';');
    if (t.text == ".local" || t.text == ".shared" || t.text == ".param" || t.text == ".const" || t.text == ".global")
      return declare_variables(space_of(t.text), false);
    if (t.text == ".extern") {
      take();
      return declare_variables(space_of(peek().text), true);
    }
    fail(t, "unknown directive '" + std::string(t.text) + "'");
  }
  if (t.kind == TokenKind::Word && peek(1).is(':') && peek(2).kind == TokenKind::Word &&
      peek(2).text == ".branchtargets") {
    // "ts: .branchtargets L1, L2, ...;" lists the targets of brx.idx %r, ts.
    std::vector<PendingName>& list = branch_targets_[std::string(t.text)];
    pos_ += 3;
    while (true) {
      const Token& l = expect_word("a label in .branchtargets");
      list.push_back(PendingName{0, std::string(l.text), l.line, l.column});
      if (peek().is(';')) break;
      expect(',', "',' between branch targets");
    }
    take();
    return;
  }
  if (t.kind == TokenKind::Word && peek(1).is(':') && peek(2).kind == TokenKind::Word &&
      peek(2).text == ".callprototype") {
    // "proto: .callprototype (.param .b32 _) _ (...);" names the signature of an indirect
    // call; the call checks the callee's parameters when it executes.
    pos_ += 2;
    return skip_through(';');
  }
  if (t.kind == TokenKind::Word && peek(1).is(':')) {
    const int scope = open_label_scopes_.back();
    const uint32_t pc = uint32_t(f.code.size());
    if (!scoped_labels_.emplace(std::make_pair(scope, std::string(t.text)), pc).second)
      fail(t, "duplicate label '" + std::string(t.text) + "' in the same { } block");
    // Function::labels keeps every label's PC (a later block's namesake under a scoped key).
    if (!f.labels.emplace(std::string(t.text), pc).second)
      f.labels.emplace(std::string(t.text) + "#" + std::to_string(scope), pc);
    pos_ += 2;
    return;
  }
  const size_t first_token = pos_;
  uint32_t guard = kNoReg;
  bool negated = false;
  if (t.is('@')) {
    take();
    if (peek().is('!')) {
      negated = true;
      take();
    }
    const Token& p = expect_word("a guard predicate");
    guard = find_register(p.text);
    if (guard == kNoReg) fail(p, "undeclared register '" + std::string(p.text) + "'");
    if (f.regs[guard].type != DataType::Pred) fail(p, "guard '" + std::string(p.text) + "' is not a .pred register");
  }
  DecodedInstruction d = decode_instruction(toks_, pos_, *this);
  d.inst.guard = guard;
  d.inst.guard_negated = negated;
  d.inst.text = statement_text(first_token, pos_);
  d.inst.source_file = loc_file_;
  d.inst.source_line = loc_line_;
  d.inst.inlined_at_file = loc_inlined_file_;
  d.inst.inlined_at_line = loc_inlined_line_;
  d.inst.inline_outer_file = loc_outer_file_;
  d.inst.inline_outer_line = loc_outer_line_;
  d.inst.inline_depth = loc_inline_depth_;
  const uint32_t pc = uint32_t(f.code.size());
  if (d.label) labels_.push_back(PendingLabel{pc, *d.label, open_label_scopes_.back()});
  if (d.callee) calls_.push_back({uint32_t(current_), pc, *d.callee});
  for (unsigned i = 0; i < d.inst.nops; ++i) {
    const Operand& o = d.inst.ops[i];
    if (o.kind == OperandKind::Special && o.reg >= uint32_t(SpecialReg::ReservedSmemOffsetBegin) &&
        o.reg <= uint32_t(SpecialReg::ReservedSmemOffset1))
      f.reads_reserved_shared = true;
  }
  f.code.push_back(std::move(d.inst));
}

const uint32_t* PtxParser::find_label(int scope, const std::string& name) const {
  for (int s = scope; s >= 0; s = label_scope_parent_[size_t(s)]) {
    auto it = scoped_labels_.find({s, name});
    if (it != scoped_labels_.end()) return &it->second;
  }
  // Not in an enclosing block: a label inside another block, which ptxas does not accept, was
  // taken before labels had scopes; still taken where the function has exactly one of that name.
  const uint32_t* only = nullptr;
  for (const auto& [key, pc] : scoped_labels_) {
    if (key.second != name) continue;
    if (only) return nullptr;
    only = &pc;
  }
  return only;
}

void PtxParser::resolve_labels(Function& f) {
  for (auto& [pc, ref, scope] : labels_) {
    Instruction& in = f.code[pc];
    if (in.op == Opcode::Brx) {
      // The operand names a .branchtargets list: it becomes a vector of label operands.
      auto list = branch_targets_.find(ref.name);
      if (list == branch_targets_.end())
        fail_at(ref.line, ref.column, "'" + ref.name + "' is not a .branchtargets list of this function");
      Operand& v = in.ops[ref.operand];
      v.kind = OperandKind::Vector;
      v.first = uint16_t(in.elems.size());
      v.count = uint16_t(list->second.size());
      for (const PendingName& target : list->second) {
        const uint32_t* at = find_label(scope, target.name);
        if (!at) fail_at(target.line, target.column, "undefined label '" + target.name + "'");
        Operand l;
        l.kind = OperandKind::Label;
        l.reg = *at;
        in.elems.push_back(l);
      }
      continue;
    }
    const uint32_t* at = find_label(scope, ref.name);
    if (!at) fail_at(ref.line, ref.column, "undefined label '" + ref.name + "'");
    f.code[pc].ops[ref.operand].reg = *at;
  }
  labels_.clear();
  scoped_labels_.clear();
  branch_targets_.clear();
}

void PtxParser::resolve_calls() {
  for (const PendingCall& c : calls_) {
    int callee = m_.function_index(c.name.name);
    if (callee < 0) fail_at(c.name.line, c.name.column, "call to undeclared function '" + c.name.name + "'");
    if (m_.functions[size_t(callee)].is_entry)
      fail_at(c.name.line, c.name.column, "cannot call the kernel '" + c.name.name + "'");
    m_.functions[c.function].code[c.pc].ops[c.name.operand].reg = uint32_t(callee);
  }
}

Module parse_ptx(const std::string& text, const std::string& source_name) {
  return PtxParser(text, source_name).run();
}

}  // namespace gpusim::isa
