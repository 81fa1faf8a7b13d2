// The element and scalar types `gpusim launch` arguments may name (the scalar types a PTX
// kernel .param can have, predicates excepted), with their sizes and .npy dtype strings.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gpusim::launch {

enum class ElementType {
  S8, S16, S32, S64,
  U8, U16, U32, U64,
  B8, B16, B32, B64,
  F16, BF16, F32, F64,
};

enum class ElementKind { Signed, Unsigned, Bits, Float };

// "f32" -> F32, and the C/NumPy/Rust aliases ("float", "int32", "i32", ...) -> the same types;
// nullopt for anything else (names are lower case, as in PTX).
std::optional<ElementType> parse_element_type(std::string_view name);
const char* element_type_name(ElementType t);
size_t element_size(ElementType t);
ElementKind element_kind(ElementType t);
// Every type name, for error messages: "s8, s16, ..., f64".
std::string element_type_list();

// The .npy dtype numpy writes for this type ("<f4", "|u1", ...). numpy has no bfloat16 dtype:
// bf16 elements are stored as their 16-bit patterns, '<u2'; bN as unsigned integers.
std::string npy_descr(ElementType t);
// Whether an .npy file's dtype string holds elements of type `t`: the exact dtype of a typed
// element (byte order '<', or '|' / '<' for one-byte types); for the untyped bN, any integer
// or float dtype of the same width (their bits are taken as they are).
bool npy_descr_matches(std::string_view descr, ElementType t);

}  // namespace gpusim::launch
