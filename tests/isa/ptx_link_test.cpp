// The PTX linker (isa/ptx_link.h) on hand-written modules: the linked text is parsed and run on
// the simulated device, and the values the kernel computes are checked against hand counts.
#include "isa/ptx_link.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "isa/ptx_parser.h"
#include "runtime/ptxas_info.h"
#include "runtime/sim_device.h"

namespace gpusim::isa {
namespace {

const char* kHeader = ".version 8.0\n.target sm_80\n.address_size 64\n";

bool runtime_provides(std::string_view name) { return name == "vprintf"; }

// Module A: the kernel. It calls add_k (module B), reads `scale` (B), its own internal `tbl`
// (B has another `tbl`), the weak `wf` (both define it: A's is first), and `sv` (weak here,
// strong in B, so B's wins).
std::string module_a() {
  return std::string(".version 8.0\n.target sm_80\n.address_size 64\n") +
         ".file 1 \"a.cu\"\n"
         ".extern .func (.param .b32 r) add_k(.param .b32 x);\n"
         ".extern .func (.param .b32 r) vprintf(.param .b64 f, .param .b64 a);\n"
         ".extern .global .align 4 .u32 scale;\n"
         ".global .align 4 .u32 tbl = 10;\n"
         ".weak .global .align 4 .u32 sv = 1;\n"
         ".weak .func (.param .b32 r) wf()\n{\n  st.param.b32 [r], 100;\n  ret;\n}\n"
         ".visible .entry k(.param .u64 out)\n{\n"
         "  .reg .b32 %r<12>;\n  .reg .b64 %rd<4>;\n"
         "  .loc 1 7 1\n"
         "  ld.param.u64 %rd1, [out];\n  cvta.to.global.u64 %rd1, %rd1;\n"
         "  mov.u32 %r1, %tid.x;\n"
         "  { .param .b32 x0; .param .b32 r0; st.param.b32 [x0], %r1;\n"
         "    call.uni (r0), add_k, (x0); ld.param.b32 %r2, [r0]; }\n"
         "  { .param .b32 r1; call.uni (r1), wf, (); ld.param.b32 %r3, [r1]; }\n"
         "  ld.global.u32 %r4, [tbl];\n  ld.global.u32 %r5, [scale];\n  ld.global.u32 %r6, [sv];\n"
         "  add.u32 %r7, %r2, %r3;\n  add.u32 %r7, %r7, %r4;\n"
         "  mul.lo.u32 %r8, %r5, 1000;\n  add.u32 %r7, %r7, %r8;\n"
         "  mul.lo.u32 %r9, %r6, 100000;\n  add.u32 %r7, %r7, %r9;\n"
         "  mul.wide.u32 %rd2, %r1, 4;\n  add.u64 %rd3, %rd1, %rd2;\n  st.global.u32 [%rd3], %r7;\n"
         "  ret;\n}\n";
}

// Module B: add_k(x) = x * scale + its own tbl (20).
std::string module_b() {
  return std::string(kHeader) +
         ".file 1 \"b.cu\"\n"
         ".visible .global .align 4 .u32 scale = 3;\n"
         ".global .align 4 .u32 tbl = 20;\n"
         ".visible .global .align 4 .u32 sv = 5;\n"
         ".weak .func (.param .b32 r) wf()\n{\n  st.param.b32 [r], 200;\n  ret;\n}\n"
         ".visible .func (.param .b32 r) add_k(.param .b32 x)\n{\n"
         "  .reg .b32 %r<5>;\n  .loc 1 3 1\n"
         "  ld.param.b32 %r1, [x];\n  ld.global.u32 %r2, [scale];\n  ld.global.u32 %r3, [tbl];\n"
         "  mad.lo.u32 %r4, %r1, %r2, %r3;\n  st.param.b32 [r], %r4;\n  ret;\n}\n";
}

TEST(PtxLink, ResolvesExternsRenamesInternalsAndKeepsTheRightWeakDefinition) {
  const std::string linked = link_ptx({{"a", module_a()}, {"b", module_b()}}, runtime_provides);
  auto dev = runtime::make_sim_device();
  const auto mod = dev->load_ptx("linked.ptx", linked);
  const runtime::DevPtr out = dev->alloc(32 * 4);
  runtime::LaunchConfig cfg;
  cfg.grid = {1, 1, 1};
  cfg.block = {32, 1, 1};
  dev->launch(mod, "k", cfg, runtime::args(out));
  const std::vector<uint32_t> got = dev->download<uint32_t>(out, 32);
  for (uint32_t i = 0; i < 32; ++i) {
    // add_k = 3i + 20 (B's tbl), wf = 100 (A's, first), A's tbl = 10, scale = 3, sv = 5 (strong).
    const uint32_t want = (3 * i + 20) + 100 + 10 + 3 * 1000 + 5 * 100000;
    EXPECT_EQ(got[i], want) << "thread " << i << "\n" << linked;
  }
  uint32_t scale = 0;
  dev->read_symbol(mod, "scale", 0, &scale, 4);
  EXPECT_EQ(scale, 3u);
}

TEST(PtxLink, LineInformationKeepsEachModulesSourceFile) {
  const std::string linked = link_ptx({{"a", module_a()}, {"b", module_b()}}, runtime_provides);
  EXPECT_NE(linked.find(".file 1 \"a.cu\""), std::string::npos) << linked;
  EXPECT_NE(linked.find(".file 2 \"b.cu\""), std::string::npos) << linked;
  EXPECT_NE(linked.find(".loc 2 3 1"), std::string::npos) << linked;  // B's `.loc 1 3 1`
  EXPECT_NE(linked.find(".loc 1 7 1"), std::string::npos) << linked;
  const Module m = parse_ptx(linked, "linked.ptx");
  EXPECT_EQ(m.source_files.at(2), "b.cu");
}

// nvcc -lineinfo -rdc marks inlined code `.loc F L C, function_name $L__info_stringN, inlined_at
// ...`, the label defined in the module's .section .debug_str, which the link leaves behind: the
// linked .loc keeps file, line and column, and ptxas (timing mode's register counts) accepts it.
TEST(PtxLink, InlinedLineInformationNamesNoLabelLeftBehind) {
  std::string b = module_b();
  const std::string plain = "  .loc 1 3 1\n";
  b.replace(b.find(plain), plain.size(), "  .loc 1 3 1, function_name $L__info_string0, inlined_at 1 9 2\n");
  b += ".section .debug_str\n{\n$L__info_string0:\n.b8 95,90,0\n}\n";
  const std::string linked = link_ptx({{"a", module_a()}, {"b", b}}, runtime_provides);
  EXPECT_NE(linked.find(".loc 2 3 1"), std::string::npos) << linked;
  EXPECT_EQ(linked.find("function_name"), std::string::npos) << linked;
  EXPECT_EQ(linked.find("$L__info_string0"), std::string::npos) << linked;
  const Module m = parse_ptx(linked, "linked.ptx");
  EXPECT_EQ(m.source_files.at(2), "b.cu");
  if (runtime::find_ptxas()) {
    EXPECT_NO_THROW(runtime::run_ptxas(linked, "sm_80")) << linked;
  }
}

// nvcc -G -rdc marks each module `.target sm_80, debug` and fills DWARF sections the link leaves
// behind: the linked target drops `debug`, which ptxas (timing mode's register counts) refuses
// without the sections (an outside build engineer's -rdc -G program ran only in functional mode).
TEST(PtxLink, DebugTargetsLinkToAPlainTarget) {
  auto debug = [](std::string m) {
    const std::string plain = ".target sm_80\n";
    return m.replace(m.find(plain), plain.size(), ".target sm_80, debug\n");
  };
  const std::string linked = link_ptx({{"a", debug(module_a())}, {"b", debug(module_b())}}, runtime_provides);
  EXPECT_NE(linked.find(".target sm_80\n"), std::string::npos) << linked;
  EXPECT_EQ(linked.find("debug"), std::string::npos) << linked;
  if (runtime::find_ptxas()) {
    EXPECT_NO_THROW(runtime::run_ptxas(linked, "sm_80")) << linked;
  }
}

TEST(PtxLink, MissingExternNamesTheSymbolAndTheModule) {
  const std::string a = std::string(kHeader) + ".extern .global .align 4 .u32 nothere;\n"
                        ".visible .entry k()\n{\n  .reg .b32 %r1;\n  ld.global.u32 %r1, [nothere];\n  ret;\n}\n";
  try {
    link_ptx({{"first.cu", a}, {"second.cu", std::string(kHeader)}}, runtime_provides);
    FAIL() << "expected a link error";
  } catch (const PtxLinkError& e) {
    EXPECT_NE(std::string(e.what()).find("'nothere'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("first.cu"), std::string::npos) << e.what();
  }
}

TEST(PtxLink, TwoStrongDefinitionsAreAnError) {
  const std::string a = std::string(kHeader) + ".visible .global .align 4 .u32 dup = 1;\n";
  const std::string b = std::string(kHeader) + ".visible .global .align 4 .u32 dup = 2;\n";
  try {
    link_ptx({{"one.cu", a}, {"two.cu", b}}, runtime_provides);
    FAIL() << "expected a link error";
  } catch (const PtxLinkError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'dup'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("one.cu"), std::string::npos) << msg;
    EXPECT_NE(msg.find("two.cu"), std::string::npos) << msg;
  }
}

TEST(PtxLink, OptionalModuleIsLinkedOnlyWhenReferenced) {
  // The library's own .extern is unresolvable: linking it when unused would fail.
  const std::string lib = std::string(".version 9.0\n.target sm_121\n.address_size 64\n") +
                          ".extern .func (.param .b32 r) __cuda_syscall_x();\n"
                          ".visible .func (.param .b32 r) lib_f()\n{\n  st.param.b32 [r], 7;\n  ret;\n}\n";
  const std::string user = std::string(kHeader) + ".visible .entry k()\n{\n  ret;\n}\n";
  const std::string linked = link_ptx({{"user", user}, {"devrt", lib, true}}, runtime_provides);
  EXPECT_EQ(linked.find("lib_f"), std::string::npos) << linked;
  EXPECT_NE(linked.find(".target sm_80"), std::string::npos) << linked;
  EXPECT_NO_THROW(parse_ptx(linked, "linked.ptx"));

  // Linked because a module uses it, the library's own unresolvable function (a driver syscall,
  // as libcudadevrt's cnp* are) stays declared: the program links, its other kernels run, and a
  // call that reaches the syscall faults naming it (a device-side cudaFuncGetAttributes under -rdc).
  const std::string calling_lib = std::string(".version 9.0\n.target sm_121\n.address_size 64\n") +
                                  ".extern .func (.param .b32 r) __cuda_syscall_x();\n"
                                  ".visible .func (.param .b32 r) vprintf(.param .b64 f, .param .b64 a)\n{\n"
                                  "  st.param.b32 [r], 424242;\n  ret;\n}\n"
                                  ".visible .func (.param .b32 r) lib_f()\n{\n  .reg .b32 %r<2>;\n"
                                  "  { .param .b32 r0; call.uni (r0), __cuda_syscall_x, (); ld.param.b32 %r1, [r0]; }\n"
                                  "  st.param.b32 [r], %r1;\n  ret;\n}\n";
  const std::string caller = std::string(kHeader) + ".extern .func (.param .b32 r) lib_f();\n"
                             ".visible .entry uses_lib()\n{\n  { .param .b32 r0; call.uni (r0), lib_f, (); }\n  ret;\n}\n"
                             ".visible .entry plain(.param .u64 out)\n{\n  .reg .b64 %rd1;\n"
                             "  ld.param.u64 %rd1, [out];\n  st.global.u32 [%rd1], 42;\n  ret;\n}\n";
  const std::string with_lib = link_ptx({{"user", caller}, {"devrt", calling_lib, true}}, runtime_provides);
  EXPECT_NE(with_lib.find("__cuda_syscall_x"), std::string::npos) << with_lib;
  // The program's target stays: sm_121 from the library made ptxas refuse the module and
  // cudaFuncGetAttributes report PTX 12.1, and CUB (DeviceSegmentedSort under -rdc) then failed.
  EXPECT_NE(with_lib.find(".target sm_80\n"), std::string::npos) << with_lib;
  EXPECT_EQ(with_lib.find(".target sm_121"), std::string::npos) << with_lib;
  // The library's own definition of a function the simulator provides (libcudadevrt defines the
  // device-side launch entry points over driver syscalls) is left out, only declared: calls keep
  // reaching the simulator's implementation.
  EXPECT_EQ(with_lib.find("424242"), std::string::npos) << with_lib;
  EXPECT_NE(with_lib.find(".extern .func (.param .b32 r) vprintf(.param .b64 f, .param .b64 a)\n;"), std::string::npos)
      << with_lib;
  auto dev = runtime::make_sim_device();
  const auto mod = dev->load_ptx("linked.ptx", with_lib);
  const runtime::DevPtr out = dev->alloc(4);
  runtime::LaunchConfig one;
  one.grid = {1, 1, 1};
  one.block = {1, 1, 1};
  dev->launch(mod, "plain", one, runtime::args(out));
  EXPECT_EQ(dev->download<uint32_t>(out, 1)[0], 42u);
  try {
    dev->launch(mod, "uses_lib", one, {});
    FAIL() << "the syscall has no body";
  } catch (const runtime::KernelFault& e) {
    EXPECT_NE(std::string(e.what()).find("__cuda_syscall_x"), std::string::npos) << e.what();
  }
}

TEST(PtxLink, CollidingDollarStringsStayDistinct) {
  // nvcc names printf format strings $str, $str$1, ... in every module.
  auto mod = [](const std::string& fn, int c0, int c1) {
    return std::string(kHeader) + ".global .align 1 .b8 $str[2] = {" + std::to_string(c0) + ", 0};\n" +
           ".global .align 1 .b8 $str$1[2] = {" + std::to_string(c1) + ", 0};\n" +
           ".visible .func (.param .b32 r) " + fn + "()\n{\n  .reg .b32 %r<4>;\n"
           "  ld.global.u8 %r1, [$str];\n  ld.global.u8 %r2, [$str$1];\n"
           "  mad.lo.u32 %r3, %r1, 256, %r2;\n  st.param.b32 [r], %r3;\n  ret;\n}\n";
  };
  const std::string k = std::string(kHeader) + ".extern .func (.param .b32 r) fa();\n"
                        ".extern .func (.param .b32 r) fb();\n"
                        ".visible .entry k(.param .u64 out)\n{\n  .reg .b32 %r<3>;\n  .reg .b64 %rd1;\n"
                        "  ld.param.u64 %rd1, [out];\n"
                        "  { .param .b32 r0; call.uni (r0), fa, (); ld.param.b32 %r1, [r0]; }\n"
                        "  { .param .b32 r1; call.uni (r1), fb, (); ld.param.b32 %r2, [r1]; }\n"
                        "  st.global.u32 [%rd1], %r1;\n  st.global.u32 [%rd1+4], %r2;\n  ret;\n}\n";
  const std::string linked = link_ptx({{"k", k}, {"a", mod("fa", 1, 2)}, {"b", mod("fb", 3, 4)}}, runtime_provides);
  auto dev = runtime::make_sim_device();
  const auto h = dev->load_ptx("linked.ptx", linked);
  const runtime::DevPtr out = dev->alloc(8);
  runtime::LaunchConfig cfg;
  cfg.grid = {1, 1, 1};
  cfg.block = {1, 1, 1};
  dev->launch(h, "k", cfg, runtime::args(out));
  const std::vector<uint32_t> got = dev->download<uint32_t>(out, 2);
  EXPECT_EQ(got[0], 1u * 256 + 2) << linked;
  EXPECT_EQ(got[1], 3u * 256 + 4) << linked;
}

}  // namespace
}  // namespace gpusim::isa
