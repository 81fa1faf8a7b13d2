// The PTX front end on pathological but syntactically valid input (gpusim issue 10): memory that
// stays linear in the input, and declared sizes checked without wrap-around against the limits
// in isa/ptx_declarations.cpp, each refused at its file:line.
#include <gtest/gtest.h>

#include <string>

#include "isa/ptx_parser.h"
#include "tests/isa/parser_test_util.h"

namespace gpusim::isa {
namespace {

std::string module_with(const std::string& declaration) {
  return ".version 8.0\n.target sm_80\n.address_size 64\n" + declaration + "\n.visible .entry k()\n{\nret;\n}\n";
}

// The ParseError message for `ptx`, or "" when it parses.
std::string parse_error(const std::string& ptx) {
  try {
    parse_ptx(ptx, "limits.ptx");
  } catch (const ParseError& e) {
    return e.what();
  }
  return "";
}

TEST(ParserLimits, InstructionTextIsTheStatementNotTheWholeLine) {
  // 16k instructions on one 369 KB line: each kept a copy of the whole line (5.8 GB).
  std::string line;
  for (int i = 0; i < 16000; ++i) line += "add.s32 %r1, %r1, 1; ";
  const Module m = parse_ptx(testing::kernel(line + "\nret;\n"), "one_line.ptx");
  const Function& f = m.functions.at(0);
  ASSERT_EQ(f.code.size(), 16001u);
  size_t total_text = 0;
  for (const Instruction& in : f.code) total_text += in.text.size();
  EXPECT_EQ(f.code[0].text, "add.s32 %r1, %r1, 1;");
  EXPECT_EQ(f.code[0].line, testing::kBodyLine);
  EXPECT_LT(total_text, 2 * line.size());  // linear in the input, not 16000 x the line
}

TEST(ParserLimits, GuardedStatementTextKeepsTheGuard) {
  const Module m = parse_ptx(testing::kernel("@!%p1 bra $L;  mov.u32 %r1, 7;\n$L:\nret;\n"), "guard.ptx");
  EXPECT_EQ(m.functions.at(0).code[0].text, "@!%p1 bra $L;");
  EXPECT_EQ(m.functions.at(0).code[1].text, "mov.u32 %r1, 7;");
}

TEST(ParserLimits, DeeplyNestedBlocksAreRefusedAtTheBraceTooDeep) {
  // 3 million nested braces took 594 MB (two scopes per level).
  std::string body;
  for (int i = 0; i < 5000; ++i) body += "{\n";
  for (int i = 0; i < 5000; ++i) body += "}\n";
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\n" + body + "ret;\n}\n";
  const std::string e = parse_error(ptx);
  EXPECT_NE(e.find("limits.ptx:4101:"), std::string::npos) << e;  // the 4,097th level's brace (line 5 opens the body)
  EXPECT_NE(e.find("blocks nested more than 4096 deep"), std::string::npos) << e;
  std::string shallow;  // what nvcc writes: a few levels
  for (int i = 0; i < 20; ++i) shallow += "{\n";
  for (int i = 0; i < 20; ++i) shallow += "}\n";
  EXPECT_EQ(parse_error(".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\n" + shallow + "ret;\n}\n"), "");
}

TEST(ParserLimits, HugeInitializedGlobalIsRefusedAtItsLine) {
  // Took 4.2 GB and exited 0 before the limit.
  const std::string e = parse_error(module_with(".global .b8 g[2147483648] = {1,2};"));
  EXPECT_NE(e.find("limits.ptx:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("initialized variables are limited to 67108864 bytes"), std::string::npos) << e;
}

TEST(ParserLimits, TerabyteInitializedGlobalIsRefusedBeforeAllocating) {
  // With 2^40 elements the parser died with std::bad_alloc and no location.
  const std::string e = parse_error(module_with(".global .b8 g[1099511627776] = {1,2};"));
  EXPECT_NE(e.find("limits.ptx:4:"), std::string::npos) << e;
}

TEST(ParserLimits, ElementCountTimesSizeMustNotWrap) {
  // 2^62 x 4 bytes wrapped to "size 0" and was accepted.
  const std::string e = parse_error(module_with(".global .b32 g[4611686018427387904];"));
  EXPECT_NE(e.find("limits.ptx:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("too many elements (the limit is 1099511627776 bytes)"), std::string::npos) << e;
  // 2^39 elements pass the count check; 4 bytes each is 2^41 bytes.
  const std::string e1 = parse_error(module_with(".global .b32 g[549755813888];"));
  EXPECT_NE(e1.find("limits.ptx:4:"), std::string::npos) << e1;
  EXPECT_NE(e1.find("larger than 1099511627776 bytes (549755813888 elements of 4 bytes)"), std::string::npos) << e1;
  // Multi-dimensional: 2^32 x 2^32 wraps to 0 as well.
  const std::string e2 = parse_error(module_with(".global .b8 g[4294967296][4294967296];"));
  EXPECT_NE(e2.find("limits.ptx:4:"), std::string::npos) << e2;
  EXPECT_NE(e2.find("too many elements"), std::string::npos) << e2;
}

TEST(ParserLimits, ModuleGlobalsAddUpWithinTheLimit) {
  const std::string e = parse_error(module_with(".global .b8 a[1099511627776];\n.global .b8 b[1];"));
  EXPECT_NE(e.find("limits.ptx:5:"), std::string::npos) << e;
  EXPECT_NE(e.find("'b' does not fit"), std::string::npos) << e;
  EXPECT_EQ(parse_error(module_with(".global .b8 a[1099511627776];")), "");  // exactly the limit parses
}

TEST(ParserLimits, ConstantMemoryIsSixtyFourKiB) {
  // CUDA's constant memory is 64 KiB (CUDA C++ Programming Guide, technical specifications).
  EXPECT_EQ(parse_error(module_with(".const .b8 c[65536];")), "");
  const std::string e = parse_error(module_with(".const .b8 c[65536];\n.const .b8 d[1];"));
  EXPECT_NE(e.find("limits.ptx:5:"), std::string::npos) << e;
  EXPECT_NE(e.find("65536 bytes a module may declare"), std::string::npos) << e;
}

TEST(ParserLimits, LocalFrameIsFiveHundredTwelveKiBPerThread) {
  // CUDA's local memory per thread is 512 KiB (CUDA C++ Programming Guide, technical
  // specifications); ptxas refuses a larger frame. Each lane holds its own copy, so a frame of
  // gigabytes used to end in std::bad_alloc as soon as a warp started.
  const auto kernel_with = [](const std::string& decls) {
    return ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\n" + decls + "\nret;\n}\n";
  };
  EXPECT_EQ(parse_error(kernel_with(".local .b8 a[524288];")), "");
  const std::string e = parse_error(kernel_with(".local .b8 a[524288];\n.local .b8 b[1];"));
  EXPECT_NE(e.find("limits.ptx:7:"), std::string::npos) << e;
  EXPECT_NE(e.find("'b' does not fit"), std::string::npos) << e;
  EXPECT_NE(e.find("524288 bytes per thread"), std::string::npos) << e;
  EXPECT_NE(parse_error(kernel_with(".local .b8 a[1099511627000];")).find("limits.ptx:6:"), std::string::npos);
}

// A binary handed in as PTX (a cubin, a fatbinary, an executable) is named for what it is at 1:1,
// without copying its bytes into the message; it used to print "unexpected character" followed by
// the raw bytes of its first "line".
TEST(ParserLimits, BinaryInputIsNamedNotEchoed) {
  static const char kElfHeadAndEscape[] = "\x7f" "ELF\x02\x01\x01\x00\x00\x00\x1b[2J";
  const std::string elf(kElfHeadAndEscape, sizeof kElfHeadAndEscape - 1);
  std::string e = parse_error(elf);
  EXPECT_NE(e.find("limits.ptx:1:1: error: this is not PTX text but an ELF file"), std::string::npos) << e;
  EXPECT_NE(e.find("nvcc -ptx"), std::string::npos) << e;
  EXPECT_EQ(e.find('\x1b'), std::string::npos) << e;
  e = parse_error(std::string("\x50\xed\x55\xba\x01\x00\x10\x00", 8));
  EXPECT_NE(e.find("not PTX text but a fatbinary"), std::string::npos) << e;
  e = parse_error(module_with("") + std::string("\0\x01", 2));
  EXPECT_NE(e.find("not PTX text but a binary file (a NUL byte here)"), std::string::npos) << e;
  EXPECT_EQ(e.find("limits.ptx:1:1:"), std::string::npos) << "a NUL after the first line is named at its line: " << e;
}

// A non-ASCII character is shown whole (it printed one byte from the middle of a UTF-8 sequence).
TEST(ParserLimits, NonAsciiCharacterIsShownWhole) {
  const std::string e = parse_error(".version 8.0\n.target sm_80\n.visible .entry k\xc3\xbc() { ret; }\n");
  EXPECT_NE(e.find("limits.ptx:3:18: error: unexpected non-ASCII character '\xc3\xbc': PTX is ASCII text"), std::string::npos)
      << e;
}

// A stray control byte is shown escaped, in the message and in the quoted line, and a quoted line
// of megabytes is cut.
TEST(ParserLimits, StrayBytesAreEscapedAndLongLinesCut) {
  std::string e = parse_error(".version 8.0\n.target sm_80 \x1b[31m\n");
  EXPECT_NE(e.find("limits.ptx:2:15: error: unexpected character '\\x1b'"), std::string::npos) << e;
  EXPECT_NE(e.find(".target sm_80 \\x1b[31m"), std::string::npos) << e;
  EXPECT_EQ(e.find('\x1b'), std::string::npos) << e;
  e = parse_error(".version 8.0\n.target sm_80 ?" + std::string(1 << 20, 'x') + "\n");
  EXPECT_NE(e.find("unexpected character '?'"), std::string::npos) << e.substr(0, 200);
  EXPECT_LT(e.size(), 400u);
  EXPECT_NE(e.find(" ..."), std::string::npos) << e;
}

}  // namespace
}  // namespace gpusim::isa
