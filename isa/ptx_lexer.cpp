// PTX tokenizer: comments, words, numbers (incl. 0f/0d hex floats and exponents), strings and
// single-character punctuation, each with its line and column.
#include "isa/ptx_lexer.h"

#include <cctype>

namespace gpusim::isa {

namespace {

std::string format_error(const std::string& file, uint32_t line, uint32_t column,
                         const std::string& message, const std::string& source_line) {
  std::string out = file + ":" + std::to_string(line) + ":" + std::to_string(column) +
                    ": error: " + message;
  if (!source_line.empty()) out += "\n    " + source_line;
  return out;
}

// A byte as an error message shows it: itself if printable, else \xNN (a control byte copied
// to the terminal could be part of an escape sequence).
std::string shown_byte(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  if ((u >= 0x20 && u != 0x7f) || c == '\t') return std::string(1, c);
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
}

// What a file handed in as PTX that is a binary is, when its first bytes say so; nullptr for
// text. A NUL byte never occurs in PTX text.
const char* binary_kind(std::string_view src) {
  const std::string_view head = src.substr(0, 4096);
  if (head.substr(0, 4) == std::string_view("\x7f" "ELF", 4)) return "an ELF file (a cubin, object or executable)";
  if (head.substr(0, 4) == std::string_view("\xb1\x43\x62\x46", 4) || head.substr(0, 4) == std::string_view("\x50\xed\x55\xba", 4))
    return "a fatbinary";
  if (head.find('\0') != std::string_view::npos) return "a binary file";
  return nullptr;
}

bool is_word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '%' || c == '.';
}
bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '.' || c == ':';
}

class Lexer {
 public:
  Lexer(std::string_view src, const std::string& file) : src_(src), file_(file) {}

  std::vector<Token> run() {
    if (const char* kind = binary_kind(src_)) {
      // A text with a stray NUL byte is named at the byte; a binary at its start.
      uint32_t line = 1, col = 1;
      const size_t nul = src_.find('\0');
      if (std::string_view(kind) == "a binary file" && nul != std::string_view::npos && nul < 4096) {
        for (size_t i = 0; i < nul; ++i) {
          ++col;
          if (src_[i] == '\n') ++line, col = 1;
        }
      }
      throw ParseError(file_, line, col,
                       std::string("this is not PTX text but ") + kind +
                           (line > 1 || col > 1 ? " (a NUL byte here)" : "") + ": give the PTX that `nvcc -ptx` writes",
                       "");
    }
    std::vector<Token> out;
    while (true) {
      skip_space_and_comments();
      if (pos_ >= src_.size()) break;
      out.push_back(next());
    }
    Token end;
    end.line = line_;
    end.column = column();
    out.push_back(end);
    return out;
  }

 private:
  uint32_t column() const { return uint32_t(pos_ - line_start_ + 1); }

  void advance() {
    if (src_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }

  [[noreturn]] void fail(uint32_t line, uint32_t col, const std::string& msg) {
    throw ParseError(file_, line, col, msg, source_line_text(src_, line));
  }

  void skip_space_and_comments() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        advance();
      } else if (c == '/' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '/') {
        while (pos_ < src_.size() && src_[pos_] != '\n') advance();
      } else if (c == '/' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '*') {
        uint32_t line = line_, col = column();
        advance();
        advance();
        while (pos_ + 1 < src_.size() && !(src_[pos_] == '*' && src_[pos_ + 1] == '/')) advance();
        if (pos_ + 1 >= src_.size()) fail(line, col, "unterminated /* comment");
        advance();
        advance();
      } else {
        return;
      }
    }
  }

  Token make(TokenKind kind, size_t begin, uint32_t line, uint32_t col) {
    Token t;
    t.kind = kind;
    t.text = src_.substr(begin, pos_ - begin);
    t.line = line;
    t.column = col;
    return t;
  }

  Token next() {
    size_t begin = pos_;
    uint32_t line = line_, col = column();
    char c = src_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c))) return number(begin, line, col);
    if (is_word_start(c)) {
      advance();  // the start character ('%' is not a word character after it)
      // A word that starts with '.' is one directive or type: ".reg.b32" (as CUDA's own headers
      // write in inline asm) is ".reg" then ".b32", as ptxas reads it. Opcodes ("ld.global.u32")
      // and special registers ("%tid.x") keep their dots.
      const bool dot_word = c == '.';
      // ':' only belongs to a word as "::" (".shared::cta"); a single one ends a label.
      while (pos_ < src_.size() && is_word_char(src_[pos_]) && !(dot_word && src_[pos_] == '.') &&
             (src_[pos_] != ':' || (pos_ + 1 < src_.size() && src_[pos_ + 1] == ':') || src_[pos_ - 1] == ':'))
        advance();
      return make(TokenKind::Word, begin, line, col);
    }
    if (c == '"') {
      advance();
      while (pos_ < src_.size() && src_[pos_] != '"' && src_[pos_] != '\n') advance();
      if (pos_ >= src_.size() || src_[pos_] != '"') fail(line, col, "unterminated string literal");
      advance();
      Token t = make(TokenKind::String, begin + 1, line, col);
      t.text = t.text.substr(0, t.text.size() - 1);
      return t;
    }
    static constexpr std::string_view kPunct = ",;:{}[]()+-!@|<>=";
    if (kPunct.find(c) != std::string_view::npos) {
      advance();
      return make(TokenKind::Punct, begin, line, col);
    }
    if (static_cast<unsigned char>(c) >= 0x80) fail(line, col, non_ascii(begin));
    fail(line, col, "unexpected character '" + shown_byte(c) + "'");
  }

  // A non-ASCII character (an identifier typed with an accent, a pasted typographic quote): the
  // whole UTF-8 character when the bytes are one, else the byte, never half a character.
  std::string non_ascii(size_t at) const {
    const unsigned char lead = static_cast<unsigned char>(src_[at]);
    const size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    bool whole = length > 1 && at + length <= src_.size() && lead < 0xf8;
    for (size_t i = 1; whole && i < length; ++i) whole = (static_cast<unsigned char>(src_[at + i]) & 0xc0) == 0x80;
    const std::string shown = whole ? std::string(src_.substr(at, length)) : shown_byte(src_[at]);
    return "unexpected non-ASCII character '" + shown + "': PTX is ASCII text (names are letters, digits, _ $ and .)";
  }

  // Numbers run over letters and dots (hex digits, 0f/0d prefixes, U suffix, decimal points);
  // a sign directly after the exponent letter of a decimal float belongs to the number.
  Token number(size_t begin, uint32_t line, uint32_t col) {
    bool prefixed = pos_ + 1 < src_.size() && src_[pos_] == '0' &&
                    std::string_view("xXfFdD").find(src_[pos_ + 1]) != std::string_view::npos;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '.') {
        advance();
      } else if ((c == '+' || c == '-') && !prefixed && (src_[pos_ - 1] == 'e' || src_[pos_ - 1] == 'E')) {
        advance();
      } else {
        break;
      }
    }
    return make(TokenKind::Number, begin, line, col);
  }

  std::string_view src_;
  const std::string& file_;
  size_t pos_ = 0, line_start_ = 0;
  uint32_t line_ = 1;
};

}  // namespace

ParseError::ParseError(std::string file_name, uint32_t line_no, uint32_t col, const std::string& msg,
                       const std::string& source_line)
    : std::runtime_error(format_error(file_name, line_no, col, msg, source_line)),
      file(std::move(file_name)), line(line_no), column(col), message(msg) {}

std::vector<Token> tokenize_ptx(std::string_view source, const std::string& file_name) {
  return Lexer(source, file_name).run();
}

std::string source_line_text(std::string_view source, uint32_t line) {
  size_t pos = 0;
  for (uint32_t l = 1; l < line; ++l) {
    pos = source.find('\n', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  size_t end = source.find('\n', pos);
  std::string text(source.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
  // Shown as the error's context: control bytes escaped, and no more than a terminal line or two
  // of it (a minified or binary "line" can be megabytes).
  constexpr size_t kShown = 240;
  std::string shown;
  size_t i = 0;
  for (; i < text.size() && shown.size() < kShown; ++i) shown += shown_byte(text[i]);
  if (i < text.size()) shown += " ...";
  return shown;
}

}  // namespace gpusim::isa
