// The `gpusim launch --arg` parser: scalar encodings (checked against hand-computed bytes and
// IEEE encodings), buffer forms, and the errors for each malformed spec.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "tools/launch/arg_spec.h"
#include "tools/launch/element_type.h"
#include "tools/launch/generated_buffer.h"

namespace {

using namespace gpusim::launch;

std::vector<uint8_t> scalar_bytes(const std::string& spec) {
  const ArgSpec a = parse_arg_spec(spec, 0);
  return std::get<ScalarArg>(a.value).bytes;
}

// The error message of a spec that must be rejected ("" when it is accepted).
std::string spec_error(const std::string& spec, size_t index = 3) {
  try {
    parse_arg_spec(spec, index);
  } catch (const ArgSpecError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(LaunchArgSpec, IntegerScalarsAreLittleEndianTwosComplement) {
  EXPECT_EQ(scalar_bytes("u32:5"), (std::vector<uint8_t>{5, 0, 0, 0}));
  EXPECT_EQ(scalar_bytes("u32:0xdeadBEEF"), (std::vector<uint8_t>{0xef, 0xbe, 0xad, 0xde}));
  EXPECT_EQ(scalar_bytes("s8:-128"), (std::vector<uint8_t>{0x80}));
  EXPECT_EQ(scalar_bytes("s16:-2"), (std::vector<uint8_t>{0xfe, 0xff}));
  EXPECT_EQ(scalar_bytes("s64:-1"), std::vector<uint8_t>(8, 0xff));
  EXPECT_EQ(scalar_bytes("u64:18446744073709551615"), std::vector<uint8_t>(8, 0xff));
  EXPECT_EQ(scalar_bytes("u8:255"), (std::vector<uint8_t>{0xff}));
  EXPECT_EQ(scalar_bytes("b16:-1"), (std::vector<uint8_t>{0xff, 0xff}));  // bits: two's complement
  EXPECT_EQ(scalar_bytes("b8:0x80"), (std::vector<uint8_t>{0x80}));
  EXPECT_EQ(scalar_bytes("s32:+7"), (std::vector<uint8_t>{7, 0, 0, 0}));
}

TEST(LaunchArgSpec, FloatScalarsUseTheIeeeEncodings) {
  EXPECT_EQ(scalar_bytes("f32:1.5"), (std::vector<uint8_t>{0x00, 0x00, 0xc0, 0x3f}));   // 0x3fc00000
  EXPECT_EQ(scalar_bytes("f32:-0x1p-2"), (std::vector<uint8_t>{0x00, 0x00, 0x80, 0xbe}));  // -0.25
  EXPECT_EQ(scalar_bytes("f64:0x1.8p3"), (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0x28, 0x40}));  // 12.0
  EXPECT_EQ(scalar_bytes("f32:inf"), (std::vector<uint8_t>{0x00, 0x00, 0x80, 0x7f}));
  EXPECT_EQ(scalar_bytes("f16:1"), (std::vector<uint8_t>{0x00, 0x3c}));
  EXPECT_EQ(scalar_bytes("f16:-2.5"), (std::vector<uint8_t>{0x00, 0xc1}));    // sign 1, exp 16, frac 0x100
  EXPECT_EQ(scalar_bytes("f16:65504"), (std::vector<uint8_t>{0xff, 0x7b}));   // largest finite half
  EXPECT_EQ(scalar_bytes("bf16:1"), (std::vector<uint8_t>{0x80, 0x3f}));      // top half of 0x3f800000
  // Decimal text is rounded once: 1 + 2^-11 is half-way between the halves 1 and 1 + 2^-10, and
  // a digit far down on either side decides it (rounded to a double first, both would tie to 1).
  EXPECT_EQ(scalar_bytes("f16:1.00048828125"), (std::vector<uint8_t>{0x00, 0x3c}));              // tie: even
  EXPECT_EQ(scalar_bytes("f16:1.00048828125000000000001"), (std::vector<uint8_t>{0x01, 0x3c}));   // above: up
  EXPECT_EQ(scalar_bytes("f16:-1.00048828125000000000001"), (std::vector<uint8_t>{0x01, 0xbc}));  // sign kept
  EXPECT_EQ(scalar_bytes("f16:1.00146484374999999999999"), (std::vector<uint8_t>{0x01, 0x3c}));   // below 1+3*2^-11
  // bf16: 1 + 2^-8 lies half-way between 1 and 1 + 2^-7.
  EXPECT_EQ(scalar_bytes("bf16:1.00390625000000000000001"), (std::vector<uint8_t>{0x81, 0x3f}));
  EXPECT_EQ(scalar_bytes("bf16:0x1.02000000000001p0"), (std::vector<uint8_t>{0x81, 0x3f}));  // hex past 53 bits
  // 0.1f = 0x3dcccccd (round to nearest of 0.1).
  EXPECT_EQ(scalar_bytes("f32:0.1"), (std::vector<uint8_t>{0xcd, 0xcc, 0xcc, 0x3d}));
  const std::vector<uint8_t> nan = scalar_bytes("f32:nan");
  float f;
  std::memcpy(&f, nan.data(), 4);
  EXPECT_TRUE(f != f);
}

TEST(LaunchArgSpec, BufferForms) {
  ArgSpec a = parse_arg_spec("in:f32:data/a.npy", 2);
  EXPECT_EQ(a.index, 2u);
  EXPECT_EQ(a.text, "in:f32:data/a.npy");
  auto b = std::get<BufferArg>(a.value);
  EXPECT_EQ(b.role, BufferRole::In);
  EXPECT_EQ(b.type, ElementType::F32);
  EXPECT_EQ(b.input_path, "data/a.npy");

  b = std::get<BufferArg>(parse_arg_spec("out:u16:64x32x2:c:with:colons.bin", 0).value);
  EXPECT_EQ(b.role, BufferRole::Out);
  EXPECT_EQ(b.shape, (std::vector<uint64_t>{64, 32, 2}));
  EXPECT_EQ(element_count(b.shape), 4096u);
  EXPECT_EQ(b.output_path, "c:with:colons.bin");

  b = std::get<BufferArg>(parse_arg_spec("inout:s64:in.npy:out.npy", 0).value);
  EXPECT_EQ(b.role, BufferRole::InOut);
  EXPECT_EQ(b.input_path, "in.npy");
  EXPECT_EQ(b.output_path, "out.npy");

  b = std::get<BufferArg>(parse_arg_spec("zeros:b32:256", 0).value);
  EXPECT_EQ(b.role, BufferRole::Zeros);
  EXPECT_EQ(b.shape, (std::vector<uint64_t>{256}));
}

TEST(LaunchArgSpec, EveryErrorNamesTheArgumentAndTheSpec) {
  std::string e = spec_error("u32:abc");
  EXPECT_TRUE(contains(e, "argument 3 ('u32:abc')")) << e;
  EXPECT_TRUE(contains(e, "[0, 4294967295]")) << e;
  e = spec_error("u8:256");
  EXPECT_TRUE(contains(e, "out of range for u8")) << e;
  e = spec_error("u32:-1");
  EXPECT_TRUE(contains(e, "out of range for u32")) << e;
  e = spec_error("s8:128");
  EXPECT_TRUE(contains(e, "[-128, 127]")) << e;
  e = spec_error("u64:18446744073709551616");
  EXPECT_TRUE(contains(e, "not a u64 value")) << e;
  e = spec_error("f32:1.5x");
  EXPECT_TRUE(contains(e, "not an f32 value")) << e;
  e = spec_error("f32:1e39");
  EXPECT_TRUE(contains(e, "f32")) << e;
  e = spec_error("f16:70000");
  EXPECT_TRUE(contains(e, "out of range for f16")) << e;
  e = spec_error("q32:5");
  EXPECT_TRUE(contains(e, "'q32' is neither a type")) << e;
  EXPECT_TRUE(contains(e, "in:TYPE:FILE")) << e;
  e = spec_error("5", 0);
  EXPECT_TRUE(contains(e, "argument 0 ('5'): expected TYPE:VALUE")) << e;
  e = spec_error("in:f33:a.npy");
  EXPECT_TRUE(contains(e, "unknown type 'f33'")) << e;
  e = spec_error("in:f32:");
  EXPECT_TRUE(contains(e, "empty input file name")) << e;
  e = spec_error("out:f32:10");
  EXPECT_TRUE(contains(e, "out:TYPE:COUNT:FILE")) << e;
  e = spec_error("out:f32:0:c.npy");
  EXPECT_TRUE(contains(e, "'0' is not a positive integer")) << e;
  e = spec_error("out:f32:4xx4:c.npy");
  EXPECT_TRUE(contains(e, "'' is not a positive integer")) << e;
  e = spec_error("zeros:f64:4611686018427387904");
  EXPECT_TRUE(contains(e, "too large")) << e;
  e = spec_error("out:f32:1000000000000000000000:o.npy");  // past 64 bits: too large, not "not an integer"
  EXPECT_TRUE(contains(e, "element count '1000000000000000000000' is too large")) << e;
  e = spec_error("inout:f32:a.npy");
  EXPECT_TRUE(contains(e, "inout:TYPE:INPUT:OUTPUT")) << e;
  e = spec_error("zeros:f32:0x10");  // counts are decimal: 'x' separates a shape's extents
  EXPECT_TRUE(contains(e, "'0' is not a positive integer")) << e;
  e = spec_error("zeros:f32:-3");
  EXPECT_TRUE(contains(e, "'-3' is not a positive integer")) << e;
  e = spec_error("zeros:f32:");
  EXPECT_TRUE(contains(e, "element count ''")) << e;
  e = spec_error("");
  EXPECT_TRUE(contains(e, "argument 3 ('')")) << e;
}

TEST(LaunchArgSpec, ExtentsAndUnsignedOptions) {
  Extent3 e = parse_extent3("7", "--grid");
  EXPECT_EQ(e.x, 7u);
  EXPECT_EQ(e.y, 1u);
  EXPECT_EQ(e.z, 1u);
  e = parse_extent3("2,3,4", "--grid");
  EXPECT_EQ(e.x * 100 + e.y * 10 + e.z, 234u);
  e = parse_extent3("4294967295,1", "--grid");
  EXPECT_EQ(e.x, 4294967295u);
  for (const char* bad : {"0", "1,2,3,4", "a", "", "1,,2", "-1", "4294967296", "1,"}) {
    try {
      parse_extent3(bad, "--block");
      ADD_FAILURE() << bad << " accepted";
    } catch (const std::invalid_argument& ex) {
      EXPECT_TRUE(contains(ex.what(), "--block '" + std::string(bad) + "'")) << ex.what();
    }
  }
  EXPECT_EQ(parse_unsigned("0x400", 0xffffffffu, "--shared"), 1024u);
  EXPECT_THROW(parse_unsigned("4294967296", 0xffffffffu, "--shared"), std::invalid_argument);
  EXPECT_THROW(parse_unsigned("-4", 0xffffffffu, "--shared"), std::invalid_argument);
}

TEST(LaunchArgSpec, ElementTypesAndNpyDtypes) {
  EXPECT_EQ(element_size(ElementType::F16), 2u);
  EXPECT_EQ(element_size(ElementType::S64), 8u);
  EXPECT_EQ(npy_descr(ElementType::F32), "<f4");
  EXPECT_EQ(npy_descr(ElementType::U8), "|u1");
  EXPECT_EQ(npy_descr(ElementType::S16), "<i2");
  EXPECT_EQ(npy_descr(ElementType::F16), "<f2");
  EXPECT_TRUE(npy_descr_matches("<f4", ElementType::F32));
  EXPECT_FALSE(npy_descr_matches("<f8", ElementType::F32));
  EXPECT_FALSE(npy_descr_matches(">f4", ElementType::F32));
  EXPECT_FALSE(npy_descr_matches("<i4", ElementType::U32));
  EXPECT_TRUE(npy_descr_matches("|i1", ElementType::S8));
  EXPECT_TRUE(npy_descr_matches("<u1", ElementType::U8));
  EXPECT_TRUE(npy_descr_matches("<i4", ElementType::B32));  // bits take any dtype of their width
  EXPECT_TRUE(npy_descr_matches("<f8", ElementType::B64));
  EXPECT_FALSE(npy_descr_matches("<u2", ElementType::B32));
  EXPECT_FALSE(npy_descr_matches("|b1", ElementType::U8));  // numpy bool is not an integer
}

// Users write C's, NumPy's and Rust's names: the same widths and encodings as PTX's.
TEST(LaunchArgSpec, CNumpyAndRustTypeNames) {
  EXPECT_EQ(parse_element_type("i32"), ElementType::S32);
  EXPECT_EQ(parse_element_type("int"), ElementType::S32);
  EXPECT_EQ(parse_element_type("uint16"), ElementType::U16);
  EXPECT_EQ(parse_element_type("float"), ElementType::F32);
  EXPECT_EQ(parse_element_type("double"), ElementType::F64);
  EXPECT_EQ(parse_element_type("half"), ElementType::F16);
  EXPECT_EQ(parse_element_type("bfloat16"), ElementType::BF16);
  EXPECT_EQ(parse_element_type("char"), std::nullopt);  // signedness is the compiler's choice
  EXPECT_EQ(parse_element_type("F32"), std::nullopt);   // lower case, as PTX writes them
  // -2 as a 32-bit two's complement integer, 1.5f as IEEE single (0x3FC00000), 0.5 as double.
  EXPECT_EQ(scalar_bytes("int32:-2"), (std::vector<uint8_t>{0xFE, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(scalar_bytes("i64:-2"), (std::vector<uint8_t>{0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(scalar_bytes("float:1.5"), (std::vector<uint8_t>{0x00, 0x00, 0xC0, 0x3F}));
  EXPECT_EQ(scalar_bytes("double:0.5"), (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0xE0, 0x3F}));
  const std::string error = spec_error("out:char:4:x.npy");
  EXPECT_TRUE(contains(error, "char")) << error;
  EXPECT_TRUE(contains(error, "float32")) << error;  // the list names the aliases too
}

}  // namespace

namespace {

// rand:, iota:, fill: inputs the launch makes (a kernel engineer had to write a generator script
// for every input). Checked against the definitions: iota counts, fill repeats the value, rand
// is SplitMix64 of (seed, index) mapped to [-1, 1) (the reference values below are computed here
// from the published SplitMix64 constants) and to [0, 99] for integers.
uint64_t split_mix_reference(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

HostBuffer made(const std::string& spec) {
  const auto b = std::get<BufferArg>(parse_arg_spec(spec, 0).value);
  EXPECT_EQ(b.role, BufferRole::In);
  return generate_buffer(b.generator, b.type, b.shape);
}

TEST(LaunchArgSpec, GeneratedInputs) {
  // The reference is SplitMix64: its published first outputs from state 0.
  EXPECT_EQ(split_mix_reference(0, 0), 0xe220a8397b1dcdafull);
  EXPECT_EQ(split_mix_reference(0, 1), 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(split_mix_reference(0, 2), 0x06c45d188009454full);
  const HostBuffer iota = made("iota:s16:5");
  ASSERT_EQ(iota.bytes.size(), 10u);
  for (int16_t i = 0; i < 5; ++i) {
    int16_t v;
    std::memcpy(&v, iota.bytes.data() + 2 * i, 2);
    EXPECT_EQ(v, i);
  }
  const HostBuffer fill = made("fill:f64:2x3:-0.25");
  ASSERT_EQ(fill.bytes.size(), 48u);
  EXPECT_EQ(fill.shape, (std::vector<uint64_t>{2, 3}));
  for (int i = 0; i < 6; ++i) {
    double v;
    std::memcpy(&v, fill.bytes.data() + 8 * i, 8);
    EXPECT_EQ(v, -0.25);
  }
  const HostBuffer r = made("rand:f32:1000:42");
  const HostBuffer again = made("rand:f32:1000:42");
  const HostBuffer other = made("rand:f32:1000:43");
  EXPECT_EQ(r.bytes, again.bytes);
  EXPECT_NE(r.bytes, other.bytes);
  for (uint64_t i = 0; i < 1000; ++i) {
    float v;
    std::memcpy(&v, r.bytes.data() + 4 * i, 4);
    const double want = 2 * (double(split_mix_reference(42, i) >> 11) * 0x1p-53) - 1;
    ASSERT_EQ(v, float(want)) << i;
    ASSERT_TRUE(v >= -1.0f && v <= 1.0f) << i;
  }
  const HostBuffer ints = made("rand:u32:64");  // seed 1 by default
  for (uint64_t i = 0; i < 64; ++i) {
    uint32_t v;
    std::memcpy(&v, ints.bytes.data() + 4 * i, 4);
    EXPECT_EQ(v, split_mix_reference(1, i) % 100) << i;
  }
  EXPECT_EQ(std::get<BufferArg>(parse_arg_spec("rand:f32:8:3:x.npy", 0).value).generated_copy_path, "x.npy");
  std::string e = spec_error("iota:f32:10:5");
  EXPECT_TRUE(contains(e, "expected iota:TYPE:COUNT (nothing after the count)")) << e;
  e = spec_error("fill:f32:10");
  EXPECT_TRUE(contains(e, "no value after the count")) << e;
  e = spec_error("fill:u8:4:300");
  EXPECT_TRUE(contains(e, "out of range for u8")) << e;
  e = spec_error("rand:f32:0");
  EXPECT_TRUE(contains(e, "is not a positive integer")) << e;
}

}  // namespace
