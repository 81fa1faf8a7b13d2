// Tokenizer for PTX text. Produces every token with its 1-based line and column so that the
// parser can report errors at the exact place; comments are dropped here.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gpusim::isa {

// A syntax or semantic error in PTX input, located at file:line:column.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string file, uint32_t line, uint32_t column, const std::string& message,
             const std::string& source_line);
  std::string file;
  uint32_t line = 0, column = 0;
  std::string message;  // without the location prefix
};

// PTX whose .version is newer than the simulated driver reads (CUDA's UNSUPPORTED_PTX_VERSION).
class UnsupportedPtxVersion : public ParseError {
 public:
  using ParseError::ParseError;
};

enum class TokenKind : uint8_t {
  Word,     // identifiers, directives (".reg"), dotted opcodes, registers ("%r1", "%tid.x")
  Number,   // 42, 0x1F, 7U, 0f3F800000, 0d..., 1.5, 1e-3
  String,   // "..." (without the quotes)
  Punct,    // one of , ; : { } [ ] ( ) + - ! @ | < > =
  End,
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string_view text;
  uint32_t line = 0, column = 0;

  bool is(char c) const { return kind == TokenKind::Punct && text.size() == 1 && text[0] == c; }
  bool is_word(std::string_view w) const { return kind == TokenKind::Word && text == w; }
};

// Splits `source` (which must outlive the tokens) into tokens; the last token is End.
// Throws ParseError on an unterminated comment or string or a stray character.
std::vector<Token> tokenize_ptx(std::string_view source, const std::string& file_name);

// The text of 1-based line `line` of `source` as an error message shows it: control bytes as
// \xNN, cut after about 240 characters.
std::string source_line_text(std::string_view source, uint32_t line);

}  // namespace gpusim::isa
