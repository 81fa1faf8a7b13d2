// The multiply-add pairs gpusim contracts into one rounding (isa/fma_contraction.h), against the
// pairs ptxas itself fuses into FMA instructions: the same PTX shapes compiled for sm_80, the
// FMA / MUL / ADD opcodes of the cubin counted.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "isa/ptx_parser.h"
#include "tests/ptxas_cubin.h"

namespace gpusim::isa {
namespace {

// A kernel reading a, b, c (double or float) and a flag, with `body` between the loads and ret.
std::string kernel(const std::string& body, bool f32 = false) {
  const std::string t = f32 ? "f32" : "f64", r = f32 ? "%f" : "%fd";
  return ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k(.param .u64 out, .param ." + t +
         " a, .param ." + t + " b, .param ." + t + " c, .param .u32 flag)\n{\n  .reg ." + t + " " + r +
         "<10>;\n  .reg .pred %p<3>;\n  .reg .b64 %rd<4>;\n  .reg .b32 %r<4>;\n  ld.param.u64 %rd1, [out];\n"
         "  cvta.to.global.u64 %rd2, %rd1;\n  ld.param." + t + " " + r + "1, [a];\n  ld.param." + t + " " + r +
         "2, [b];\n  ld.param." + t + " " + r + "3, [c];\n  ld.param.u32 %r1, [flag];\n" + body + "  ret;\n}\n";
}

struct Shape {
  const char* name;
  std::string body;
  unsigned fused;  // add/sub instructions gpusim computes as one FMA
};

std::vector<Shape> shapes() {
  return {
      {"c - a*b, one use", "mul.f64 %fd4, %fd1, %fd2;\nsub.f64 %fd5, %fd3, %fd4;\nst.global.f64 [%rd2], %fd5;\n", 1},
      {"a*b + c", "mul.f64 %fd4, %fd1, %fd2;\nadd.f64 %fd5, %fd4, %fd3;\nst.global.f64 [%rd2], %fd5;\n", 1},
      {"a*b - c", "mul.f64 %fd4, %fd1, %fd2;\nsub.f64 %fd5, %fd4, %fd3;\nst.global.f64 [%rd2], %fd5;\n", 1},
      {"rounding modifiers", "mul.rn.f64 %fd4, %fd1, %fd2;\nadd.rn.f64 %fd5, %fd4, %fd3;\nst.global.f64 [%rd2], %fd5;\n", 0},
      {"mul.rn, plain add", "mul.rn.f64 %fd4, %fd1, %fd2;\nadd.f64 %fd5, %fd4, %fd3;\nst.global.f64 [%rd2], %fd5;\n", 0},
      {"plain mul, add.rn", "mul.f64 %fd4, %fd1, %fd2;\nadd.rn.f64 %fd5, %fd4, %fd3;\nst.global.f64 [%rd2], %fd5;\n", 0},
      {"product also stored",
       "mul.f64 %fd4, %fd1, %fd2;\nadd.f64 %fd5, %fd4, %fd3;\nst.global.f64 [%rd2], %fd5;\nst.global.f64 [%rd2+8], %fd4;\n", 0},
      {"two adds of one product",
       "mul.f64 %fd4, %fd1, %fd2;\nadd.f64 %fd5, %fd4, %fd3;\nsub.f64 %fd6, %fd4, %fd3;\n"
       "st.global.f64 [%rd2], %fd5;\nst.global.f64 [%rd2+8], %fd6;\n", 2},
      {"add in a later block",
       "mul.f64 %fd4, %fd1, %fd2;\nsetp.eq.u32 %p1, %r1, 0;\n@%p1 bra L;\nadd.f64 %fd3, %fd4, %fd3;\nL:\n"
       "st.global.f64 [%rd2], %fd3;\n", 1},
      {"guarded add", "mul.f64 %fd4, %fd1, %fd2;\nsetp.eq.u32 %p1, %r1, 0;\n@%p1 add.f64 %fd3, %fd4, %fd3;\n"
                      "st.global.f64 [%rd2], %fd3;\n", 1},
  };
}

unsigned fused_adds(const std::string& ptx) {
  const Module m = parse_ptx(ptx, "shape.ptx");
  unsigned n = 0;
  for (const Instruction& in : m.functions.at(0).code) n += in.fused_product != 0;
  return n;
}

// Counts of the cubin's instructions by opcode (the low 9 bits of an sm_80 instruction).
struct Opcodes {
  unsigned fma = 0, mul = 0, add = 0;
};
Opcodes count(const std::string& text, bool f32) {
  Opcodes o;
  for (size_t at = 0; at + 16 <= text.size(); at += 16) {
    uint64_t word;
    std::memcpy(&word, text.data() + at, 8);
    const unsigned op = unsigned(word & 0x1ff);
    if (op == (f32 ? 0x23u : 0x2bu)) ++o.fma;      // FFMA / DFMA
    else if (op == (f32 ? 0x20u : 0x28u)) ++o.mul;  // FMUL / DMUL
    else if (op == (f32 ? 0x21u : 0x29u)) ++o.add;  // FADD / DADD
  }
  return o;
}

TEST(FmaContraction, MarksThePairsPtxasFuses) {
  for (const Shape& s : shapes()) EXPECT_EQ(fused_adds(kernel(s.body)), s.fused) << s.name;
  // f32 and .ftz alike; a mul and an add that differ in .ftz are left alone.
  EXPECT_EQ(fused_adds(kernel("mul.ftz.f32 %f4, %f1, %f2;\nadd.ftz.f32 %f5, %f4, %f3;\nst.global.f32 [%rd2], %f5;\n", true)), 1u);
  EXPECT_EQ(fused_adds(kernel("mul.ftz.f32 %f4, %f1, %f2;\nadd.f32 %f5, %f4, %f3;\nst.global.f32 [%rd2], %f5;\n", true)), 0u);
  // A mul operand written after the mul: the add could not read what the mul read.
  EXPECT_EQ(fused_adds(kernel("mul.f64 %fd4, %fd1, %fd2;\nmov.f64 %fd1, %fd3;\nadd.f64 %fd5, %fd4, %fd1;\n"
                              "st.global.f64 [%rd2], %fd5;\n")),
            0u);
}

// Half precision as cuda_fp16's __hmul/__hadd and operators write it: plain mul.f16 + add.f16,
// which ptxas makes one HFMA2 (HMUL2 + HADD2 with .rn).
std::string half_kernel(const std::string& body) {
  return ".version 8.0\n.target sm_80\n.address_size 64\n.visible .entry k(.param .u64 out, .param .b16 a, "
         ".param .b16 b, .param .b16 c)\n{\n  .reg .b16 %h<10>;\n  .reg .b64 %rd<4>;\n  ld.param.u64 %rd1, [out];\n"
         "  cvta.to.global.u64 %rd2, %rd1;\n  ld.param.b16 %h1, [a];\n  ld.param.b16 %h2, [b];\n"
         "  ld.param.b16 %h3, [c];\n" + body + "  ret;\n}\n";
}
const char* kHalfPlain = "mul.f16 %h4, %h1, %h2;\nadd.f16 %h5, %h4, %h3;\nst.global.b16 [%rd2], %h5;\n";
const char* kHalfRn = "mul.rn.f16 %h4, %h1, %h2;\nadd.rn.f16 %h5, %h4, %h3;\nst.global.b16 [%rd2], %h5;\n";

TEST(FmaContraction, HalfPrecisionPairsToo) {
  EXPECT_EQ(fused_adds(half_kernel(kHalfPlain)), 1u);
  EXPECT_EQ(fused_adds(half_kernel(kHalfRn)), 0u);
  const std::string ptxas = test_support::ptxas_path();
  if (ptxas.empty()) GTEST_SKIP() << "ptxas not installed (the CUDA toolkit: scripts/setup.sh)";
  for (const auto& [body, fused] : {std::pair<const char*, unsigned>{kHalfPlain, 1}, {kHalfRn, 0}}) {
    const std::string text = test_support::cubin_text_sections(test_support::ptxas_cubin(ptxas, half_kernel(body), "sm_80"));
    unsigned hfma = 0, hmul = 0;
    for (size_t at = 0; at + 16 <= text.size(); at += 16) {
      uint64_t word;
      std::memcpy(&word, text.data() + at, 8);
      hfma += (word & 0x1ff) == 0x31;  // HFMA2
      hmul += (word & 0x1ff) == 0x32;  // HMUL2
    }
    EXPECT_EQ(hfma, fused) << body;
    EXPECT_EQ(hmul, fused ? 0u : 1u) << body;
  }
}

TEST(FmaContraction, AgreesWithPtxasOpcodes) {
  const std::string ptxas = test_support::ptxas_path();
  if (ptxas.empty()) GTEST_SKIP() << "ptxas not installed (the CUDA toolkit: scripts/setup.sh)";
  for (const Shape& s : shapes()) {
    const std::string text = test_support::cubin_text_sections(test_support::ptxas_cubin(ptxas, kernel(s.body), "sm_80"));
    ASSERT_FALSE(text.empty()) << s.name;
    const Opcodes o = count(text, false);
    EXPECT_EQ(o.fma, s.fused) << s.name;
    EXPECT_EQ(o.mul, s.fused ? 0u : 1u) << s.name;  // a contracted product leaves no multiply
  }
  const std::string f32 = kernel("mul.ftz.f32 %f4, %f1, %f2;\nadd.ftz.f32 %f5, %f4, %f3;\nst.global.f32 [%rd2], %f5;\n", true);
  EXPECT_EQ(count(test_support::cubin_text_sections(test_support::ptxas_cubin(ptxas, f32, "sm_80")), true).fma, 1u);
  // --fmad=false, the switch nvcc's -fmad=false passes on: no FMA at all.
  const std::string plain = shapes()[0].body;
  EXPECT_EQ(count(test_support::cubin_text_sections(test_support::ptxas_cubin(ptxas, kernel(plain), "sm_80", "-O3 --fmad=false")), false).fma,
            0u);
}

}  // namespace
}  // namespace gpusim::isa
