// The kernel-argument specifications of `gpusim launch --arg SPEC`, parsed into values (scalars)
// and buffer descriptions (files to upload, buffers to allocate and save). Parsing does no I/O,
// so the parser can be fuzzed on its own.
//
// Grammar (TYPE: s8 s16 s32 s64 u8 u16 u32 u64 b8 b16 b32 b64 f16 bf16 f32 f64):
//   TYPE:VALUE               a scalar: integers in decimal or 0x-hex (bN also take negative
//                            values, two's complement); floats in decimal, 0x hex-float, inf, nan
//   in:TYPE:FILE             a device buffer uploaded from FILE (.npy, otherwise raw binary)
//   out:TYPE:COUNT:FILE      a zero-filled buffer of COUNT elements (decimal N or a shape AxBx...),
//                            saved to FILE after the launch (.npy, otherwise raw binary)
//   inout:TYPE:INPUT:OUTPUT  uploaded from INPUT, saved to OUTPUT (INPUT must not contain ':')
//   zeros:TYPE:COUNT         a zero-filled scratch buffer, not saved
//   rand:TYPE:COUNT[:SEED[:FILE]]  an input of random values (launch/generated_buffer.h; seed 1 by
//                            default), also written to FILE before the launch when given
//   iota:TYPE:COUNT          an input holding 0, 1, 2, ...
//   fill:TYPE:COUNT:VALUE    an input holding VALUE in every element
//   struct:TYPE:VALUE,TYPE:VALUE,...
//                            a struct passed by value: the fields laid out as a C compiler lays
//                            out a struct of those scalar types (each at a multiple of its size,
//                            the whole padded to its largest field)
// A buffer is passed to the kernel as its 64-bit device address.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tools/launch/element_type.h"
#include "tools/launch/generated_buffer.h"

namespace gpusim::launch {

// A malformed specification; the message names the argument index and the spec text.
class ArgSpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ScalarArg {
  ElementType type;
  std::vector<uint8_t> bytes;  // little-endian, element_size(type) bytes (a struct: its C layout)
  size_t struct_fields = 0;    // struct:...: how many fields (type is then b8); 0 for a scalar
};

enum class BufferRole { In, Out, InOut, Zeros };
const char* buffer_role_name(BufferRole r);

struct BufferArg {
  BufferRole role;
  ElementType type;
  std::string input_path;          // In (empty when generated), InOut
  std::string output_path;         // Out, InOut
  std::vector<uint64_t> shape;     // Out, Zeros, generated In: the COUNT given (one entry for a plain N)
  BufferGenerator generator;       // In made by rand:, iota:, fill: instead of read from a file
  std::string generated_copy_path;  // rand:...:FILE: where the generated values are written
};

struct ArgSpec {
  size_t index = 0;                // position among the --arg options, from 0 like the .param list
  std::string text;                // the spec as written
  std::variant<ScalarArg, BufferArg> value;

  bool is_buffer() const { return std::holds_alternative<BufferArg>(value); }
};

// Throws ArgSpecError: "argument 2 ('out:f32:x:c.npy'): element count 'x' is not ...".
ArgSpec parse_arg_spec(std::string_view text, size_t index);

// The scalar bytes of `value` as type `t` (the VALUE part of TYPE:VALUE). Throws
// std::invalid_argument saying what was expected.
std::vector<uint8_t> parse_scalar_value(std::string_view value, ElementType t);

// The FIELDS of struct:FIELDS ("f32:1.5,s32:-2,f64:0.25") in C layout. Throws
// std::invalid_argument naming the field.
ScalarArg parse_struct_value(std::string_view fields);

// COUNT of out/zeros: "5000" or "64x64x3" (decimal: 'x' separates extents); every extent positive, the product (and its size in
// bytes for `t`) representable. Throws std::invalid_argument.
std::vector<uint64_t> parse_shape(std::string_view text, ElementType t);

// --grid / --block: "X", "X,Y" or "X,Y,Z", each in [1, 2^32-1]; missing extents are 1.
struct Extent3 {
  uint32_t x = 1, y = 1, z = 1;
};
// Throws std::invalid_argument naming `option` ("--grid '4,a': 'a' is not a positive integer").
Extent3 parse_extent3(std::string_view text, std::string_view option);

// A non-negative decimal or 0x-hex integer no larger than `max`; throws std::invalid_argument
// naming `option`.
uint64_t parse_unsigned(std::string_view text, uint64_t max, std::string_view option);

uint64_t element_count(const std::vector<uint64_t>& shape);

}  // namespace gpusim::launch
