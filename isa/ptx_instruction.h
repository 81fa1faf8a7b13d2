// Decoding of one PTX instruction statement (opcode token, modifiers, operands) into an
// isa::Instruction. Names are resolved through the parser's current scope; labels and call
// targets, which may be defined later, are handed back for the parser to resolve.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isa/ir.h"
#include "isa/ptx_lexer.h"

namespace gpusim::isa {

// The names visible at an instruction, implemented by the parser.
class NameScope {
 public:
  virtual ~NameScope() = default;
  virtual uint32_t find_register(std::string_view name) const = 0;  // kNoReg when undeclared
  virtual uint32_t find_symbol(std::string_view name) const = 0;    // kNoSymbol when undeclared
  virtual int find_function(std::string_view name) const = 0;       // -1 when undeclared
  [[noreturn]] virtual void fail(const Token& at, const std::string& message) const = 0;
  [[noreturn]] virtual void fail_at(uint32_t line, uint32_t column, const std::string& message) const = 0;
};

// A reference resolved after the statement: a branch label (at the end of the function) or a
// called function (at the end of the module). `operand` indexes Instruction::ops.
struct PendingName {
  unsigned operand = 0;
  std::string name;
  uint32_t line = 0, column = 0;
};

struct DecodedInstruction {
  Instruction inst;
  std::optional<PendingName> label;
  std::optional<PendingName> callee;
};

// Decodes the statement whose opcode token is toks[pos] (a guard has already been consumed),
// through its ';'; on return pos is just past the ';'.
DecodedInstruction decode_instruction(const std::vector<Token>& toks, size_t& pos, const NameScope& scope);

// The opcode whose table name is the longest dotted prefix of `token`; Opcode::Count if none.
// `name_length` receives the length of the matched name.
Opcode match_opcode(std::string_view token, size_t& name_length);

// The type an integer/float literal in operand position `index` is converted to.
DataType immediate_type(Opcode op, const Modifiers& m, unsigned index);

// Throws through `scope` when `op` does not take `count` operands.
void check_operand_count(Opcode op, unsigned count, const Token& at, const NameScope& scope);
// The data operands of ld/ldu/st/atom/red against the instruction's .vN: a vector of exactly N
// elements where N > 1, and no wider vector than that where it is 1 (ptxas: "Argument vector size
// mismatch"); the executors index the elements by N.
void check_vector_operands(const Instruction& inst, const Token& at, const NameScope& scope);

// default_unit refined by the instruction's types and modifiers.
Unit refine_unit(Opcode op, const Modifiers& m);

}  // namespace gpusim::isa
