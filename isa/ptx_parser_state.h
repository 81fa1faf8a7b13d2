// Internal to the PTX front end: the parser's state shared by ptx_parser.cpp (statements and
// functions), ptx_declarations.cpp (variables, registers, parameters) and ptx_layout.cpp.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "isa/ir.h"
#include "isa/ptx_instruction.h"
#include "isa/ptx_lexer.h"

namespace gpusim::isa {

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using NameTable = std::unordered_map<std::string, uint32_t, TransparentHash, std::equal_to<>>;

// A parsed "[.align N] [.vN] .type name[dims] [= init]" before it becomes a Symbol.
struct VariableDecl {
  std::string name;
  DataType elem = DataType::B8;
  uint32_t align = 0;      // 0 = not written
  uint64_t size = 0;       // bytes
  bool unsized = false;    // "name[]"
  bool managed = false;    // .attribute(.managed): a __managed__ variable
  std::vector<uint8_t> init;
  const Token* at = nullptr;
  // Variables whose addresses the initializer holds, resolved by name once the module is read
  // (a linked module may define them later): Symbol::InitAddress with the name's token.
  struct PendingAddress {
    Symbol::InitAddress address;
    const Token* name = nullptr;
  };
  std::vector<PendingAddress> addresses;
};

class PtxParser final : public NameScope {
 public:
  PtxParser(const std::string& text, const std::string& source_name);
  Module run();

  // NameScope
  uint32_t find_register(std::string_view name) const override;
  uint32_t find_symbol(std::string_view name) const override;
  int find_function(std::string_view name) const override { return m_.function_index(std::string(name)); }
  [[noreturn]] void fail(const Token& at, const std::string& message) const override;
  void check_ptx_version(const Token& v) const;  // MAJOR.MINOR, not newer than the driver reads
  void check_ptx_target(const Token& t) const;   // an architecture ptxas knows
  [[noreturn]] void fail_at(uint32_t line, uint32_t column, const std::string& message) const override;

 private:
  // ptx_parser.cpp: module level, functions, bodies.
  void parse_module_item();
  void parse_function(bool is_entry, bool is_extern);
  void parse_body(Function& f, const Token& open);
  void parse_statement(Function& f);
  void skip_line(uint32_t line);
  void parse_line_info();  // .file / .loc
  void skip_through(char c);
  void skip_section();
  void skip_performance_directives(Function& f);
  void resolve_labels(Function& f);
  void resolve_calls();

  // ptx_declarations.cpp: declarations.
  std::vector<VariableDecl> parse_variable_names(const Token& space_tok, bool name_list);
  void parse_initializer(VariableDecl& d, uint64_t elem_bytes);
  // One element of an initializer that names a variable (`var`, `generic(var)`, either `+ N`, or
  // a byte mask `0xFF00(...)` around one); appended to d.addresses at `at` in d.init.
  void parse_address_initializer(VariableDecl& d, uint64_t bytes);
  void resolve_init_addresses();  // after the whole module: names to symbols, checked
  void declare_registers();
  void declare_variables(StateSpace space, bool is_extern);
  std::vector<uint32_t> parse_param_list(bool kernel);
  uint32_t add_symbol(const VariableDecl& d, StateSpace space, bool is_extern);
  StateSpace space_of(std::string_view directive) const;

  // ptx_layout.cpp: shared-memory layout once every function is known.
  void layout_shared();

  const Token& peek(size_t ahead = 0) const { return toks_[pos_ + ahead]; }
  const Token& take();
  void expect(char c, const char* what);
  const Token& expect_word(const char* what);
  std::string line_text(uint32_t line) const;
  std::string statement_text(size_t first_token, size_t end_token) const;  // tokens [first, end)

  std::string_view text_;
  Module m_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::vector<size_t> line_starts_;
  NameTable module_symbols_;
  // Scopes of the function being parsed: [0] holds its parameters, then one per "{".
  std::vector<NameTable> reg_scopes_, sym_scopes_;
  int current_ = -1;  // index of the function being parsed
  int loc_file_ = -1;         // the last .loc's file number (-1: none yet in this function)
  uint32_t loc_line_ = 0;     // and its line
  int loc_inlined_file_ = -1;     // its `inlined_at` call site (-1: not inlined)
  uint32_t loc_inlined_line_ = 0;
  // The outermost call site of that inlined code and how many calls deep it is (nvcc writes a
  // deeper chain as consecutive .locs: `.loc 2 2 73 ..., inlined_at 1 4 3` then `.loc 3 1 73 ...,
  // inlined_at 2 2 73`: the position 2:2:73 is itself inlined at 1:4:3).
  int loc_outer_file_ = -1;
  uint32_t loc_outer_line_ = 0;
  uint32_t loc_inline_depth_ = 0;
  // In this function, each inlined position (file, line, column) of the last .loc naming it and
  // its call site: the links the chain above is followed through.
  std::map<std::array<uint32_t, 3>, std::array<uint32_t, 3>> inline_call_sites_;
  struct PendingCall {
    uint32_t function, pc;
    PendingName name;
  };
  std::vector<PendingCall> calls_;
  std::vector<std::pair<uint32_t, VariableDecl::PendingAddress>> init_addresses_;  // (symbol, address)
  // Labels of the function being parsed. A PTX label is local to its { } block and seen from the
  // blocks inside it (an inline-asm block with its own "DONE:" may be inlined many times, as
  // CUTLASS's barrier waits are): each block is a scope with its parent; [0] is the body.
  std::vector<int> label_scope_parent_, open_label_scopes_;
  std::map<std::pair<int, std::string>, uint32_t> scoped_labels_;  // (scope, name) -> pc
  struct PendingLabel {
    uint32_t pc;
    PendingName name;
    int scope;  // where the reference is
  };
  std::vector<PendingLabel> labels_;
  // The label `name` as seen from `scope`, or nullptr.
  const uint32_t* find_label(int scope, const std::string& name) const;
  std::map<std::string, std::vector<PendingName>> branch_targets_;  // .branchtargets lists of the function
  std::set<uint32_t> defined_;  // functions whose body has been parsed (others are prototypes)  // (pc, label) of the current function
};

uint64_t align_up(uint64_t v, uint64_t a);

}  // namespace gpusim::isa
