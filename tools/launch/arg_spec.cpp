#include "tools/launch/arg_spec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cfenv>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

#include "isa/numerics/float_format.h"

namespace gpusim::launch {

namespace {

const char* const kSpecForms =
    "TYPE:VALUE, in:TYPE:FILE, out:TYPE:COUNT:FILE, inout:TYPE:INPUT:OUTPUT, zeros:TYPE:COUNT, "
    "rand:TYPE:COUNT[:SEED[:FILE]], iota:TYPE:COUNT, fill:TYPE:COUNT:VALUE or struct:TYPE:VALUE,TYPE:VALUE,...";

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// A decimal or 0x-hex integer with an optional sign: its magnitude, nullopt when malformed or
// beyond 64 bits.
struct SignedMagnitude {
  bool negative = false;
  uint64_t magnitude = 0;
};
std::optional<SignedMagnitude> parse_integer_text(std::string_view s) {
  SignedMagnitude v;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    v.negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty() || s[0] == '+' || s[0] == '-') return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v.magnitude, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

void store_le(std::vector<uint8_t>& bytes, uint64_t v) {
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(v >> (8 * i));
}

std::vector<uint8_t> parse_integer_scalar(std::string_view value, ElementType t) {
  const size_t bytes = element_size(t);
  const unsigned bits = static_cast<unsigned>(bytes * 8);
  const uint64_t umax = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  const uint64_t smax = umax >> 1;            // largest positive signed value
  const uint64_t neg_limit = smax + 1;        // magnitude of the most negative value
  const ElementKind kind = element_kind(t);
  const std::string name = element_type_name(t);
  std::string range;
  if (kind == ElementKind::Signed) range = "[-" + std::to_string(neg_limit) + ", " + std::to_string(smax) + "]";
  else if (kind == ElementKind::Unsigned) range = "[0, " + std::to_string(umax) + "]";
  else range = "[-" + std::to_string(neg_limit) + ", " + std::to_string(umax) + "] (negative: two's complement)";

  const std::optional<SignedMagnitude> v = parse_integer_text(value);
  if (!v)
    throw std::invalid_argument(quoted(value) + " is not a " + name + " value: expected a decimal or 0x-hex integer in " + range);
  bool fits;
  if (v->negative) fits = kind != ElementKind::Unsigned && v->magnitude <= neg_limit;
  else fits = v->magnitude <= (kind == ElementKind::Signed ? smax : umax);
  if (v->negative && v->magnitude == 0) fits = true;  // "-0"
  if (!fits) throw std::invalid_argument(quoted(value) + " is out of range for " + name + ": expected an integer in " + range);
  const uint64_t bits_value = v->negative ? (0 - v->magnitude) & umax : v->magnitude;
  std::vector<uint8_t> out(bytes);
  store_le(out, bits_value);
  return out;
}

// Decimal, hex-float ("0x1.8p3"), inf or nan, with an optional sign, as type F.
template <typename F>
std::optional<F> parse_float_text(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::chars_format format = std::chars_format::general;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    format = std::chars_format::hex;
    s.remove_prefix(2);
  }
  if (s.empty() || s[0] == '+' || s[0] == '-') return std::nullopt;
  F v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, format);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return negative ? -v : v;
}

// The text's value rounded to double by round-to-odd: toward zero, with the last bit set when that
// was inexact (of the two doubles around the value, the one whose last bit is 1). Rounding that
// to f16 or bf16 (at most 11 bits, far fewer than double's 53) is then correctly rounded, where
// rounding to the nearest double first moves a value just above or below a half-way point onto it
// and the second rounding goes to even. strtod rounds in the current rounding mode (glibc), so the
// two directed parses bracket the value; `nearest` is from_chars' parse of the same text.
double round_to_odd(std::string_view text, double nearest) {
  if (!std::isfinite(nearest)) return nearest;
  const std::string s(text);
  const int mode = std::fegetround();
  std::fesetround(FE_DOWNWARD);
  const double down = std::strtod(s.c_str(), nullptr);
  std::fesetround(FE_UPWARD);
  const double up = std::strtod(s.c_str(), nullptr);
  std::fesetround(mode);
  if (down == up) return nearest;  // exact in double
  uint64_t down_bits;
  std::memcpy(&down_bits, &down, sizeof down);
  return down_bits & 1 ? down : up;
}

std::vector<uint8_t> parse_float_scalar(std::string_view value, ElementType t) {
  const std::string name = element_type_name(t);
  const std::string expected = "expected a decimal or 0x hex-float number, inf or nan";
  std::vector<uint8_t> out(element_size(t));
  if (t == ElementType::F32) {
    const std::optional<float> v = parse_float_text<float>(value);
    if (!v) throw std::invalid_argument(quoted(value) + " is not an f32 value (or is out of its range): " + expected);
    std::memcpy(out.data(), &*v, sizeof(float));
    return out;
  }
  const std::optional<double> v = parse_float_text<double>(value);
  if (!v) throw std::invalid_argument(quoted(value) + " is not an " + name + " value (or is out of range): " + expected);
  if (t == ElementType::F64) {
    std::memcpy(out.data(), &*v, sizeof(double));
    return out;
  }
  const isa::numerics::FloatFormat f = t == ElementType::F16 ? isa::numerics::kF16 : isa::numerics::kBF16;
  const uint64_t bits = isa::numerics::from_double(round_to_odd(value, *v), f, isa::Rounding::Rn);
  if (std::isfinite(*v) && isa::numerics::is_inf(bits, f))
    throw std::invalid_argument(quoted(value) + " is out of range for " + name + " (it rounds to infinity)");
  store_le(out, bits);
  return out;
}

// "TYPE" of a spec, or an error naming the valid types.
ElementType type_field(std::string_view field) {
  if (const std::optional<ElementType> t = parse_element_type(field)) return *t;
  throw std::invalid_argument("unknown type " + quoted(field) + "; types: " + element_type_list());
}

// Splits off the text up to the next ':' (the whole rest when there is none).
std::string_view next_field(std::string_view& rest, bool& had_colon) {
  const size_t colon = rest.find(':');
  had_colon = colon != std::string_view::npos;
  std::string_view field = rest.substr(0, colon);
  rest = had_colon ? rest.substr(colon + 1) : std::string_view();
  return field;
}

BufferArg parse_buffer(BufferRole role, std::string_view rest) {
  const char* const forms[] = {"in:TYPE:FILE", "out:TYPE:COUNT:FILE", "inout:TYPE:INPUT:OUTPUT", "zeros:TYPE:COUNT"};
  const std::string form = forms[static_cast<int>(role)];
  bool colon = false;
  BufferArg b{role, type_field(next_field(rest, colon)), {}, {}, {}, {}, {}};
  if (!colon) throw std::invalid_argument("expected " + form);
  auto need_path = [&](std::string_view path, const char* what) {
    if (path.empty()) throw std::invalid_argument("empty " + std::string(what) + " file name; expected " + form);
    return std::string(path);
  };
  switch (role) {
    case BufferRole::In:
      b.input_path = need_path(rest, "input");
      break;
    case BufferRole::Out: {
      const std::string_view count = next_field(rest, colon);
      if (!colon) throw std::invalid_argument("expected " + form + " (no output file after the count)");
      b.shape = parse_shape(count, b.type);
      b.output_path = need_path(rest, "output");
      break;
    }
    case BufferRole::InOut: {
      const std::string_view input = next_field(rest, colon);
      if (!colon) throw std::invalid_argument("expected " + form + " (no output file after the input file)");
      b.input_path = need_path(input, "input");
      b.output_path = need_path(rest, "output");
      break;
    }
    case BufferRole::Zeros:
      b.shape = parse_shape(rest, b.type);
      break;
  }
  return b;
}

// rand:TYPE:COUNT[:SEED[:FILE]], iota:TYPE:COUNT, fill:TYPE:COUNT:VALUE: an input buffer the
// launch makes.
BufferArg parse_generated(BufferGenerator::Kind kind, std::string_view rest) {
  const char* const form = kind == BufferGenerator::Kind::Random ? "rand:TYPE:COUNT[:SEED[:FILE]]"
                           : kind == BufferGenerator::Kind::Iota ? "iota:TYPE:COUNT"
                                                                 : "fill:TYPE:COUNT:VALUE";
  bool colon = false;
  BufferArg b{BufferRole::In, type_field(next_field(rest, colon)), {}, {}, {}, {}, {}};
  if (!colon) throw std::invalid_argument(std::string("expected ") + form);
  b.generator.kind = kind;
  b.shape = parse_shape(next_field(rest, colon), b.type);
  switch (kind) {
    case BufferGenerator::Kind::Random:
      if (colon) {
        const std::string_view seed = next_field(rest, colon);
        b.generator.seed = parse_unsigned(seed, ~uint64_t(0), "seed");
        if (colon) {
          if (rest.empty()) throw std::invalid_argument(std::string("empty file name; expected ") + form);
          b.generated_copy_path = std::string(rest);
        }
      }
      break;
    case BufferGenerator::Kind::Iota:
      if (colon) throw std::invalid_argument(std::string("expected ") + form + " (nothing after the count)");
      break;
    case BufferGenerator::Kind::Fill:
      if (!colon) throw std::invalid_argument(std::string("expected ") + form + " (no value after the count)");
      b.generator.fill_value = parse_scalar_value(rest, b.type);
      break;
    case BufferGenerator::Kind::None: break;
  }
  return b;
}

}  // namespace

const char* buffer_role_name(BufferRole r) {
  switch (r) {
    case BufferRole::In: return "in";
    case BufferRole::Out: return "out";
    case BufferRole::InOut: return "inout";
    case BufferRole::Zeros: return "zeros";
  }
  return "?";
}

std::vector<uint8_t> parse_scalar_value(std::string_view value, ElementType t) {
  return element_kind(t) == ElementKind::Float ? parse_float_scalar(value, t) : parse_integer_scalar(value, t);
}

uint64_t parse_unsigned(std::string_view text, uint64_t max, std::string_view option) {
  const std::optional<SignedMagnitude> v = parse_integer_text(text);
  if (!v || (v->negative && v->magnitude != 0) || v->magnitude > max)
    throw std::invalid_argument(std::string(option) + " " + quoted(text) + ": expected an integer in [0, " +
                                std::to_string(max) + "]");
  return v->magnitude;
}

std::vector<uint64_t> parse_shape(std::string_view text, ElementType t) {
  std::vector<uint64_t> shape;
  const uint64_t max_elements = (uint64_t(1) << 62) / element_size(t);
  uint64_t product = 1;
  std::string_view rest = text;
  while (true) {
    const size_t x = rest.find('x');
    const std::string_view extent = rest.substr(0, x);
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(extent.data(), extent.data() + extent.size(), value);
    // A number past 64 bits is a size, only too large (it read "is not a positive integer").
    if (ec == std::errc::result_out_of_range && end == extent.data() + extent.size())
      throw std::invalid_argument("element count " + quoted(text) + " is too large");
    if (extent.empty() || ec != std::errc() || end != extent.data() + extent.size() || value == 0)
      throw std::invalid_argument("element count " + quoted(text) + ": " + quoted(extent) +
                                  " is not a positive integer (expected N or a shape like 64x64)");
    if (value > max_elements / product) throw std::invalid_argument("element count " + quoted(text) + " is too large");
    product *= value;
    shape.push_back(value);
    if (x == std::string_view::npos) break;
    rest = rest.substr(x + 1);
  }
  return shape;
}

uint64_t element_count(const std::vector<uint64_t>& shape) {
  uint64_t n = 1;
  for (uint64_t e : shape) n *= e;
  return n;
}

Extent3 parse_extent3(std::string_view text, std::string_view option) {
  uint32_t extents[3] = {1, 1, 1};
  std::string_view rest = text;
  for (int i = 0;; ++i) {
    if (i == 3)
      throw std::invalid_argument(std::string(option) + " " + quoted(text) + ": at most 3 extents (X,Y,Z)");
    const size_t comma = rest.find(',');
    const std::string_view extent = rest.substr(0, comma);
    const std::optional<SignedMagnitude> v = parse_integer_text(extent);
    if (extent.empty() || !v || v->negative || v->magnitude == 0 || v->magnitude > 0xffffffffu || extent[0] == '+')
      throw std::invalid_argument(std::string(option) + " " + quoted(text) + ": " + quoted(extent) +
                                  " is not a positive 32-bit integer (expected X, X,Y or X,Y,Z)");
    extents[i] = static_cast<uint32_t>(v->magnitude);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return Extent3{extents[0], extents[1], extents[2]};
}

ScalarArg parse_struct_value(std::string_view fields) {
  constexpr size_t kMaxFields = 1024;  // a kernel parameter holds at most 32 KiB anyway
  ScalarArg out{ElementType::B8, {}, 0};
  size_t align = 1;
  while (true) {
    const size_t comma = fields.find(',');
    const std::string_view field = fields.substr(0, comma);
    if (++out.struct_fields > kMaxFields) throw std::invalid_argument("more than 1024 struct fields");
    const std::string where = "struct field " + std::to_string(out.struct_fields - 1) + " (" + quoted(field) + ")";
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos) throw std::invalid_argument(where + ": expected TYPE:VALUE");
    const std::optional<ElementType> t = parse_element_type(field.substr(0, colon));
    if (!t) throw std::invalid_argument(where + ": " + quoted(field.substr(0, colon)) + " is not a type (" +
                                        element_type_list() + ")");
    std::vector<uint8_t> bytes;
    try {
      bytes = parse_scalar_value(field.substr(colon + 1), *t);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
    const size_t size = element_size(*t);
    align = std::max(align, size);
    out.bytes.resize((out.bytes.size() + size - 1) / size * size, 0);  // C's padding before the field
    out.bytes.insert(out.bytes.end(), bytes.begin(), bytes.end());
    if (comma == std::string_view::npos) break;
    fields.remove_prefix(comma + 1);
  }
  out.bytes.resize((out.bytes.size() + align - 1) / align * align, 0);  // and after the last one
  return out;
}

ArgSpec parse_arg_spec(std::string_view text, size_t index) {
  ArgSpec spec;
  spec.index = index;
  spec.text = std::string(text);
  try {
    std::string_view rest = text;
    bool colon = false;
    const std::string_view head = next_field(rest, colon);
    if (!colon) throw std::invalid_argument(std::string("expected ") + kSpecForms);
    if (head == "in") spec.value = parse_buffer(BufferRole::In, rest);
    else if (head == "out") spec.value = parse_buffer(BufferRole::Out, rest);
    else if (head == "inout") spec.value = parse_buffer(BufferRole::InOut, rest);
    else if (head == "zeros") spec.value = parse_buffer(BufferRole::Zeros, rest);
    else if (head == "rand") spec.value = parse_generated(BufferGenerator::Kind::Random, rest);
    else if (head == "iota") spec.value = parse_generated(BufferGenerator::Kind::Iota, rest);
    else if (head == "fill") spec.value = parse_generated(BufferGenerator::Kind::Fill, rest);
    else if (head == "struct") spec.value = parse_struct_value(rest);
    else if (const std::optional<ElementType> t = parse_element_type(head))
      spec.value = ScalarArg{*t, parse_scalar_value(rest, *t)};
    else
      throw std::invalid_argument(quoted(head) + " is neither a type (" + element_type_list() +
                                  ") nor a buffer kind (in, out, inout, zeros, rand, iota, fill) nor struct; expected " + kSpecForms);
  } catch (const std::invalid_argument& e) {
    throw ArgSpecError("argument " + std::to_string(index) + " (" + quoted(text) + "): " + e.what());
  }
  return spec;
}

}  // namespace gpusim::launch
