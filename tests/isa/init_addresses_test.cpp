// Variables initialized with other variables' addresses, in the forms nvcc 13 writes them
// (`generic(v)+8`, `{generic($str), ...}`, a packed struct's `0xFF00(generic(v)+4)` bytes, a
// .const pointer to .const data, an own-space `v+4`): parsed into Symbol::init_addresses and
// written by write_init_addresses, compared with the addresses computed here.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "isa/init_addresses.h"
#include "isa/ptx_parser.h"

namespace gpusim::isa {
namespace {

const char* kPtx = R"(.version 8.0
.target sm_80
.address_size 64
.global .align 4 .b8 vals[16] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4};
.global .align 1 .b8 $str[3] = {104, 105};
.global .align 8 .u64 ptr = generic(vals)+8;
.global .align 8 .u64 names[2] = {generic($str), generic(vals)};
.global .align 1 .u8 packed[9] = {97, 0XFF(generic(vals)+4), 0xFF00(generic(vals)+4), 0xFF0000(generic(vals)+4), 0xFF000000(generic(vals)+4), 0xFF00000000(generic(vals)+4), 0xFF0000000000(generic(vals)+4), 0xFF000000000000(generic(vals)+4), 0xFF00000000000000(generic(vals)+4)};
.const .align 4 .b8 cvals[8] = {5, 0, 0, 0, 6};
.const .align 8 .u64 cptr = generic(cvals)+4;
.global .align 4 .u32 own = vals+12;
.global .align 8 .u64 later = generic(defined_after)-4;
.global .align 4 .u32 defined_after[2];
.visible .entry k() { ret; }
)";

uint64_t u64_at(const Symbol& s, size_t at) {
  uint64_t v = 0;
  std::memcpy(&v, s.init.data() + at, 8);
  return v;
}

const Symbol& symbol(const Module& m, const std::string& name) {
  for (const Symbol& s : m.symbols)
    if (s.name == name) return s;
  throw std::runtime_error("no symbol " + name);
}

TEST(InitAddresses, PointersStringTablesPackedBytesAndConstants) {
  Module m = parse_ptx(kPtx, "init.ptx");
  const uint64_t global_base = 0x7f12'3456'0000ull, const_base = 0x7f00'0000'1000ull;
  write_init_addresses(m, global_base, const_base);
  EXPECT_TRUE(init_addresses_need_const_memory(m));
  const uint64_t vals = global_base + symbol(m, "vals").offset;
  EXPECT_EQ(u64_at(symbol(m, "ptr"), 0), vals + 8);
  EXPECT_EQ(u64_at(symbol(m, "names"), 0), global_base + symbol(m, "$str").offset);
  EXPECT_EQ(u64_at(symbol(m, "names"), 8), vals);
  const Symbol& packed = symbol(m, "packed");
  EXPECT_EQ(packed.init[0], 97);
  uint64_t bytes = 0;
  std::memcpy(&bytes, packed.init.data() + 1, 8);
  EXPECT_EQ(bytes, vals + 4);  // each mask's byte, shifted down, in little-endian order
  EXPECT_EQ(u64_at(symbol(m, "cptr"), 0), const_base + symbol(m, "cvals").offset + 4);
  uint32_t own = 0;
  std::memcpy(&own, symbol(m, "own").init.data(), 4);
  EXPECT_EQ(own, uint32_t(vals + 12));  // a .global variable's own-space address is its global one
  EXPECT_EQ(u64_at(symbol(m, "later"), 0), global_base + symbol(m, "defined_after").offset - 4);
}

// Each bad initializer names the variable and the line.
TEST(InitAddresses, BadInitializersAreParseErrors) {
  const std::string head = ".version 8.0\n.target sm_80\n.address_size 64\n";
  struct Case {
    const char* decl;
    const char* says;
  };
  for (const Case& c : {Case{".global .u64 p = generic(nowhere);", "names 'nowhere', which is no variable"},
                        Case{".shared .u32 s[4];\n.global .u64 p = generic(s);", "in .shared, which has none before a launch"},
                        Case{".global .u32 v;\n.global .u16 p = v;", "only 32- and 64-bit elements"},
                        Case{".global .u32 v;\n.global .u8 p[8] = {0(v)};", "a byte mask of 0 keeps nothing"}}) {
    try {
      parse_ptx(head + c.decl + "\n.visible .entry k() { ret; }\n", "bad.ptx");
      ADD_FAILURE() << c.decl << " was accepted";
    } catch (const ParseError& e) {
      EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.ptx:"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace gpusim::isa
