// Conversion of PTX numeric literals into register bit patterns.
#include "isa/ptx_literals.h"

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace gpusim::isa {

namespace {

enum class LiteralKind { Integer, HexF32, HexF64, DecimalFloat };

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

uint64_t parse_digits(std::string_view digits, unsigned base, std::string_view whole) {
  if (digits.empty()) throw LiteralError("malformed number '" + std::string(whole) + "'");
  uint64_t v = 0;
  for (char c : digits) {
    int d = digit_value(c);
    if (d >= int(base)) throw LiteralError("malformed number '" + std::string(whole) + "'");
    if (v > (UINT64_MAX - uint64_t(d)) / base)
      throw LiteralError("number '" + std::string(whole) + "' does not fit in 64 bits");
    v = v * base + uint64_t(d);
  }
  return v;
}

LiteralKind classify(std::string_view t) {
  if (t.size() > 1 && t[0] == '0' && (t[1] == 'f' || t[1] == 'F')) return LiteralKind::HexF32;
  if (t.size() > 1 && t[0] == '0' && (t[1] == 'd' || t[1] == 'D')) return LiteralKind::HexF64;
  if (t.size() > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X' || t[1] == 'b' || t[1] == 'B')) return LiteralKind::Integer;
  if (t.find_first_of(".eE") != std::string_view::npos) return LiteralKind::DecimalFloat;
  return LiteralKind::Integer;
}

uint64_t parse_integer(std::string_view t) {
  std::string_view body = t;
  if (!body.empty() && (body.back() == 'U' || body.back() == 'u')) body.remove_suffix(1);
  if (body.size() > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X'))
    return parse_digits(body.substr(2), 16, t);
  if (body.size() > 1 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B'))  // binary, as the PTX ISA lists
    return parse_digits(body.substr(2), 2, t);
  if (body.size() > 1 && body[0] == '0') return parse_digits(body.substr(1), 8, t);
  return parse_digits(body, 10, t);
}

uint64_t mask_to(uint64_t v, unsigned bits) { return bits >= 64 ? v : v & ((uint64_t(1) << bits) - 1); }

uint64_t float_bits_for(double value, DataType type, std::string_view text) {
  switch (type) {
    case DataType::F32: case DataType::TF32: return std::bit_cast<uint32_t>(static_cast<float>(value));
    case DataType::F64: return std::bit_cast<uint64_t>(value);
    default:
      throw LiteralError("a numeric literal for a ." + std::string(type_name(type)) +
                         " operand must be written as raw bits (0x...) ('" + std::string(text) + "')");
  }
}

}  // namespace

uint64_t literal_unsigned(std::string_view text) {
  if (classify(text) != LiteralKind::Integer) throw LiteralError("expected an integer, got '" + std::string(text) + "'");
  return parse_integer(text);
}

uint64_t literal_bits(std::string_view text, bool negative, DataType type) {
  const unsigned bits = type == DataType::Pred ? 1 : (type == DataType::None ? 64 : type_bits(type));
  switch (classify(text)) {
    case LiteralKind::HexF32: {
      if (text.size() != 10) throw LiteralError("0f literal needs exactly 8 hex digits ('" + std::string(text) + "')");
      uint32_t raw = uint32_t(parse_digits(text.substr(2), 16, text));
      if (negative) raw ^= 0x80000000u;
      if (type == DataType::F64) return std::bit_cast<uint64_t>(double(std::bit_cast<float>(raw)));
      return mask_to(raw, bits);
    }
    case LiteralKind::HexF64: {
      if (text.size() != 18) throw LiteralError("0d literal needs exactly 16 hex digits ('" + std::string(text) + "')");
      uint64_t raw = parse_digits(text.substr(2), 16, text);
      if (negative) raw ^= 0x8000000000000000ull;
      if (type == DataType::F32 || type == DataType::TF32)
        return std::bit_cast<uint32_t>(static_cast<float>(std::bit_cast<double>(raw)));
      return mask_to(raw, bits);
    }
    case LiteralKind::DecimalFloat: {
      std::string s(text);
      char* end = nullptr;
      double v = std::strtod(s.c_str(), &end);
      if (end != s.c_str() + s.size()) throw LiteralError("malformed number '" + s + "'");
      if (!type_is_float(type)) throw LiteralError("floating-point literal '" + s + "' for an integer operand");
      return float_bits_for(negative ? -v : v, type, text);
    }
    case LiteralKind::Integer: {
      uint64_t v = parse_integer(text);
      if (type_is_float(type)) {
        double d = static_cast<double>(v);
        return float_bits_for(negative ? -d : d, type, text);
      }
      if (negative) v = ~v + 1;  // two's complement, i.e. sign-extended to 64 bits
      return mask_to(v, bits);
    }
  }
  return 0;
}

}  // namespace gpusim::isa
