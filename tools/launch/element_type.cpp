#include "tools/launch/element_type.h"

#include <array>

namespace gpusim::launch {

namespace {

struct TypeInfo {
  ElementType type;
  const char* name;
  size_t size;
  ElementKind kind;
  char npy_kind;  // numpy's kind letter: 'i' signed, 'u' unsigned, 'f' float
};

constexpr std::array<TypeInfo, 16> kTypes{{
    {ElementType::S8, "s8", 1, ElementKind::Signed, 'i'},
    {ElementType::S16, "s16", 2, ElementKind::Signed, 'i'},
    {ElementType::S32, "s32", 4, ElementKind::Signed, 'i'},
    {ElementType::S64, "s64", 8, ElementKind::Signed, 'i'},
    {ElementType::U8, "u8", 1, ElementKind::Unsigned, 'u'},
    {ElementType::U16, "u16", 2, ElementKind::Unsigned, 'u'},
    {ElementType::U32, "u32", 4, ElementKind::Unsigned, 'u'},
    {ElementType::U64, "u64", 8, ElementKind::Unsigned, 'u'},
    {ElementType::B8, "b8", 1, ElementKind::Bits, 'u'},
    {ElementType::B16, "b16", 2, ElementKind::Bits, 'u'},
    {ElementType::B32, "b32", 4, ElementKind::Bits, 'u'},
    {ElementType::B64, "b64", 8, ElementKind::Bits, 'u'},
    {ElementType::F16, "f16", 2, ElementKind::Float, 'f'},
    {ElementType::BF16, "bf16", 2, ElementKind::Float, 'u'},  // bit patterns: numpy has no bfloat16
    {ElementType::F32, "f32", 4, ElementKind::Float, 'f'},
    {ElementType::F64, "f64", 8, ElementKind::Float, 'f'},
}};

// Names users bring from C, NumPy and Rust, accepted beside PTX's. "int" and "float" are C's
// 32-bit types; "char" is left out (its signedness is the compiler's choice).
struct TypeAlias {
  const char* name;
  ElementType type;
};

constexpr std::array<TypeAlias, 20> kAliases{{
    {"i8", ElementType::S8},       {"i16", ElementType::S16},     {"i32", ElementType::S32},
    {"i64", ElementType::S64},     {"int8", ElementType::S8},     {"int16", ElementType::S16},
    {"int32", ElementType::S32},   {"int64", ElementType::S64},   {"uint8", ElementType::U8},
    {"uint16", ElementType::U16},  {"uint32", ElementType::U32},  {"uint64", ElementType::U64},
    {"int", ElementType::S32},     {"half", ElementType::F16},    {"float16", ElementType::F16},
    {"bfloat16", ElementType::BF16}, {"float", ElementType::F32}, {"float32", ElementType::F32},
    {"double", ElementType::F64},  {"float64", ElementType::F64},
}};

const TypeInfo& info(ElementType t) {
  for (const TypeInfo& i : kTypes)
    if (i.type == t) return i;
  return kTypes[0];  // unreachable: every enumerator is in the table
}

}  // namespace

std::optional<ElementType> parse_element_type(std::string_view name) {
  for (const TypeInfo& i : kTypes)
    if (name == i.name) return i.type;
  for (const TypeAlias& a : kAliases)
    if (name == a.name) return a.type;
  return std::nullopt;
}

const char* element_type_name(ElementType t) { return info(t).name; }
size_t element_size(ElementType t) { return info(t).size; }
ElementKind element_kind(ElementType t) { return info(t).kind; }

std::string element_type_list() {
  std::string list;
  for (const TypeInfo& i : kTypes) list += (list.empty() ? "" : ", ") + std::string(i.name);
  return list + " (also i8-i64, int8-int64, uint8-uint64, int, half, float16, bfloat16, float, float32, double, float64)";
}

std::string npy_descr(ElementType t) {
  const TypeInfo& i = info(t);
  return std::string(i.size == 1 ? "|" : "<") + i.npy_kind + std::to_string(i.size);
}

bool npy_descr_matches(std::string_view descr, ElementType t) {
  const TypeInfo& i = info(t);
  if (descr.size() != 3) return false;
  const char order = descr[0], kind = descr[1], width = descr[2];
  if (width != char('0' + i.size)) return false;
  if (order != '<' && !(order == '|' && i.size == 1)) return false;
  if (i.kind == ElementKind::Bits) return kind == 'i' || kind == 'u' || (kind == 'f' && i.size >= 2);
  return kind == i.npy_kind;
}

}  // namespace gpusim::launch
