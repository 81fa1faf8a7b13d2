// PTX front end on nvcc output: every committed fixture parses, and decoded content matches
// independent references (the C++ layout of the kernel signatures, ptxas -v shared sizes, the
// declared .reg counts in the text, IEEE bit patterns of constants).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <regex>

#include "isa/ptx_parser.h"
#include "isa/source_position.h"
#include "parser_test_util.h"

namespace gpusim::isa {
namespace {

using testing::find_inst;
using testing::parse_fixture;
using testing::read_fixture;

const Function& fn(const Module& m, const std::string& name) {
  const Function* f = m.find_function(name);
  if (!f) throw std::runtime_error("no function " + name);
  return *f;
}

const Symbol& param(const Module& m, const Function& f, unsigned i) { return m.symbols.at(f.params.at(i)); }

TEST(ParserFixtures, EveryFixtureParses) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(GPUSIM_FIXTURES)) {
    if (entry.path().extension() != ".ptx") continue;
    ++count;
    SCOPED_TRACE(entry.path().filename().string());
    try {
      Module m = parse_fixture(entry.path().filename().string());
      EXPECT_FALSE(m.functions.empty());
      for (const Function& f : m.functions) {
        EXPECT_EQ(f.code.empty(), !f.has_body) << f.name;  // only declarations (.extern .func) lack code
        for (const Instruction& in : f.code) {
          if (in.op == Opcode::Bra) {
            EXPECT_LE(in.ops[0].reg, f.code.size());
          }
        }
      }
    } catch (const ParseError& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GE(count, 12);
}

TEST(ParserFixtures, HeaderDirectives) {
  Module m = parse_fixture("vector_ops.ptx");
  EXPECT_EQ(m.version, "9.0");
  EXPECT_EQ(m.target, "sm_80");
  EXPECT_EQ(m.address_size, 64u);
  EXPECT_EQ(m.source_name, "vector_ops.ptx");
}

// Kernel parameters are laid out like a C struct of the arguments (CUDA ABI).
struct Pair { double scale; int offset; char tag; };
struct StructParamArgs { Pair p; char flag; short s; long long* out; };
struct VecAddArgs { const float* a; const float* b; float* c; int n; };

TEST(ParserFixtures, KernelParamLayoutMatchesSignature) {
  Module m = parse_fixture("vector_ops.ptx");
  const Function& sp = fn(m, "struct_param");
  ASSERT_EQ(sp.params.size(), 4u);
  EXPECT_EQ(param(m, sp, 0).offset, offsetof(StructParamArgs, p));
  EXPECT_EQ(param(m, sp, 0).size, sizeof(Pair));
  EXPECT_EQ(param(m, sp, 0).align, alignof(Pair));
  EXPECT_EQ(param(m, sp, 1).offset, offsetof(StructParamArgs, flag));
  EXPECT_EQ(param(m, sp, 2).offset, offsetof(StructParamArgs, s));
  EXPECT_EQ(param(m, sp, 2).size, sizeof(short));
  EXPECT_EQ(param(m, sp, 3).offset, offsetof(StructParamArgs, out));
  EXPECT_EQ(sp.param_bytes, sizeof(StructParamArgs));
  for (unsigned i = 0; i < 4; ++i) EXPECT_TRUE(param(m, sp, i).kernel_param);
  const Function& va = fn(m, "vec_add");
  EXPECT_EQ(param(m, va, 3).offset, offsetof(VecAddArgs, n));
  EXPECT_EQ(param(m, va, 3).size, sizeof(int));
  EXPECT_EQ(va.param_bytes, offsetof(VecAddArgs, n) + sizeof(int));
  EXPECT_TRUE(va.is_entry);
}

// Figures from `ptxas -v -arch=sm_80` (recorded in tests/fixtures/README.md) and the .cu sources.
TEST(ParserFixtures, StaticSharedMatchesPtxas) {
  Module reduce = parse_fixture("shared_reduce.ptx");
  EXPECT_EQ(fn(reduce, "block_sum").static_shared_bytes, 1024u);
  EXPECT_EQ(fn(reduce, "transpose_tile").static_shared_bytes, 32u * 33u * sizeof(float));
  EXPECT_EQ(fn(reduce, "transpose_tile").static_shared_bytes, 4224u);
  EXPECT_EQ(fn(reduce, "dynamic_scale").static_shared_bytes, 0u);
  EXPECT_EQ(fn(parse_fixture("atomics.ptx"), "histogram").static_shared_bytes, 1024u);
  EXPECT_EQ(fn(parse_fixture("cp_async.ptx"), "staged_copy").static_shared_bytes, 2048u);
  // The dynamic array: extern, unsized, at the dynamic base.
  bool found = false;
  for (const Symbol& s : reduce.symbols)
    if (s.space == StateSpace::Shared && s.is_extern) {
      found = true;
      EXPECT_EQ(s.size, 0u);
      EXPECT_EQ(s.offset, 0u);
    }
  EXPECT_TRUE(found);
}

// Declared register counts, counted independently from the ".reg .t %x<N>;" lines.
TEST(ParserFixtures, DeclaredRegistersMatchText) {
  for (const char* name : {"math_funcs.ptx", "control_flow.ptx", "warp_ops.ptx"}) {
    SCOPED_TRACE(name);
    std::string text = read_fixture(name);
    Module m = parse_ptx(text, name);
    // Count per kernel: split the text at ".entry".
    static const std::regex reg_line(R"(\.reg\s+\.\w+\s+([^;]+);)");
    static const std::regex range(R"(<(\d+)>)");
    size_t pos = 0;
    for (const Function& f : m.functions) {
      size_t start = text.find(".entry " + f.name, pos);
      ASSERT_NE(start, std::string::npos);
      size_t end = text.find(".entry ", start + 1);
      std::string body = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      size_t expected = 0;
      for (auto it = std::sregex_iterator(body.begin(), body.end(), reg_line); it != std::sregex_iterator(); ++it)
      {
        std::string names = (*it)[1];
        std::smatch n;
        expected += std::regex_search(names, n, range) ? std::stoul(n[1])
                                                        : size_t(std::count(names.begin(), names.end(), ',') + 1);
      }
      EXPECT_EQ(f.regs.size(), expected) << f.name;
      pos = start + 1;
    }
  }
}

TEST(ParserFixtures, LabelResolvesToTheInstructionAfterIt) {
  Module m = parse_fixture("vector_ops.ptx");
  const Function& va = fn(m, "vec_add");
  ASSERT_TRUE(va.labels.count("$L__BB0_2"));
  const uint32_t target = va.labels.at("$L__BB0_2");
  EXPECT_EQ(va.code.at(target).op, Opcode::Ret);
  EXPECT_EQ(va.code.at(target).line, 52u);  // "$L__BB0_2:" is line 51
  const Instruction& bra = find_inst(va, "bra");
  EXPECT_EQ(bra.ops[0].kind, OperandKind::Label);
  EXPECT_EQ(bra.ops[0].reg, target);
  EXPECT_NE(bra.guard, kNoReg);
  EXPECT_EQ(va.regs[bra.guard].name, "%p1");
}

TEST(ParserFixtures, ConstantsAndGlobalsWithInitializers) {
  Module m = parse_fixture("control_flow.ptx");
  const float weights[4] = {0.25f, 0.5f, 1.5f, -2.0f};
  const double table[3] = {1.0, 2.5, -0.125};
  std::map<std::string, const Symbol*> by_name;
  for (const Symbol& s : m.symbols) by_name[s.name] = &s;
  const Symbol& kw = *by_name.at("kWeights");
  EXPECT_EQ(kw.space, StateSpace::Const);
  ASSERT_EQ(kw.init.size(), sizeof(weights));
  EXPECT_EQ(std::memcmp(kw.init.data(), weights, sizeof(weights)), 0);
  const Symbol& counter = *by_name.at("gCounter");
  EXPECT_EQ(counter.space, StateSpace::Global);
  EXPECT_EQ(counter.offset, 0u);
  ASSERT_EQ(counter.init.size(), 4u);
  EXPECT_EQ(counter.init[0], 42);
  const Symbol& gt = *by_name.at("gTable");
  EXPECT_EQ(gt.offset, 8u);  // after the 4-byte gCounter, aligned to 8
  ASSERT_EQ(gt.init.size(), sizeof(table));
  EXPECT_EQ(std::memcmp(gt.init.data(), table, sizeof(table)), 0);
  EXPECT_EQ(m.global_bytes, 8u + sizeof(table));
  EXPECT_EQ(m.const_bytes, sizeof(weights));
  // ld.const.f32 %f, [kWeights+4]: symbol + offset address; mov.u64 %rd, gTable: symbol value.
  const Instruction& ld = find_inst(fn(m, "use_globals"), "[kWeights+4]");
  EXPECT_EQ(ld.ops[1].kind, OperandKind::Address);
  EXPECT_EQ(ld.ops[1].reg, kNoReg);
  EXPECT_EQ(m.symbols[ld.ops[1].sym].name, "kWeights");
  EXPECT_EQ(ld.ops[1].imm, 4u);
  EXPECT_EQ(ld.mod.space, StateSpace::Const);
  const Instruction& mov = find_inst(fn(m, "use_globals"), "gTable");
  EXPECT_EQ(mov.ops[1].kind, OperandKind::Symbol);
  EXPECT_EQ(m.symbols[mov.ops[1].sym].name, "gTable");
}

TEST(ParserFixtures, CallsAndParamFrames) {
  Module m = parse_fixture("device_call.ptx");
  const Function& poly = fn(m, "_Z4polyfiPKf");
  ASSERT_EQ(poly.returns.size(), 1u);
  ASSERT_EQ(poly.params.size(), 2u);
  EXPECT_EQ(m.symbols[poly.returns[0]].offset, 0u);  // returns first, then params
  EXPECT_EQ(param(m, poly, 0).offset, 4u);
  EXPECT_EQ(param(m, poly, 1).offset, 8u);
  EXPECT_EQ(poly.frame_param_bytes, 16u);
  EXPECT_FALSE(param(m, poly, 0).kernel_param);
  const Function& cross = fn(m, "_Z6cross34Vec3S_");
  EXPECT_EQ(m.symbols[cross.returns[0]].size, 12u);
  EXPECT_EQ(param(m, cross, 1).offset, 24u);

  const Function& k = fn(m, "eval_poly");
  std::vector<const Instruction*> calls;
  for (const Instruction& in : k.code)
    if (in.op == Opcode::Call) calls.push_back(&in);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0]->nops, 3);
  EXPECT_TRUE(calls[0]->mod.uni);
  EXPECT_EQ(calls[0]->ops[1].kind, OperandKind::Function);
  EXPECT_EQ(calls[0]->ops[1].reg, uint32_t(m.function_index("_Z4polyfiPKf")));
  EXPECT_EQ(calls[0]->ops[0].count, 1);
  EXPECT_EQ(calls[0]->ops[2].count, 2);
  const Symbol& arg1 = m.symbols[calls[0]->elems[calls[0]->ops[2].first + 1].sym];
  EXPECT_EQ(arg1.name, "param1");
  EXPECT_EQ(arg1.owner, m.function_index("eval_poly"));
  EXPECT_EQ(calls[2]->ops[1].reg, uint32_t(m.function_index("_Z4bumpPi")));
  EXPECT_EQ(calls[2]->ops[0].count, 0);  // void function: no return list
  EXPECT_EQ(calls[2]->ops[2].count, 1);
  // Call-site .param variables of different scopes never overlap in the caller's frame.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const Symbol& s : m.symbols)
    if (s.owner == m.function_index("eval_poly") && s.space == StateSpace::Param && !s.kernel_param)
      ranges.push_back({s.offset, s.offset + s.size});
  EXPECT_EQ(ranges.size(), 7u);  // (param0, param1, retval0) x 2 + bump's param0
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) EXPECT_LE(ranges[i - 1].second, ranges[i].first);
  EXPECT_LE(ranges.back().second, k.frame_param_bytes);
}

TEST(ParserFixtures, ScopedInlineAsmRegistersAreDistinct) {
  Module m = parse_fixture("half_math.ptx");
  const Function& f = fn(m, "half_ops");
  std::vector<uint32_t> lows;
  for (uint32_t i = 0; i < f.regs.size(); ++i)
    if (f.regs[i].name == "low") {
      lows.push_back(i);
      EXPECT_EQ(f.regs[i].type, DataType::F16);
    }
  ASSERT_GE(lows.size(), 2u);
  // mov.b32 {low,high}, %r2 -- each block's vector destination uses its own "low".
  std::vector<uint32_t> used;
  for (const Instruction& in : f.code)
    if (in.op == Opcode::Mov && in.ops[0].kind == OperandKind::Vector) {
      ASSERT_EQ(in.ops[0].count, 2);
      used.push_back(in.elems[in.ops[0].first].reg);
    }
  ASSERT_EQ(used.size(), lows.size());
  EXPECT_EQ(used, lows);
}

TEST(ParserFixtures, DecodedModifiersAndUnits) {
  Module warp = parse_fixture("warp_ops.ptx");
  const Instruction& shfl = find_inst(fn(warp, "warp_reduce"), "shfl.sync.down.b32");
  EXPECT_EQ(shfl.mod.shfl, ShflMode::Down);
  EXPECT_TRUE(shfl.mod.sync);
  EXPECT_EQ(shfl.nops, 5);
  EXPECT_EQ(shfl.ops[4].kind, OperandKind::Reg);
  EXPECT_EQ(shfl.ops[0].reg2 != kNoReg, shfl.text.find('|') != std::string::npos);
  EXPECT_EQ(find_inst(fn(warp, "warp_votes"), "vote.sync.ballot").mod.vote, VoteMode::Ballot);
  EXPECT_EQ(find_inst(fn(warp, "warp_votes"), "match.any").mod.match, MatchMode::Any);
  EXPECT_EQ(find_inst(fn(warp, "warp_votes"), "redux.sync.add").mod.atom, AtomOp::Add);

  Module tc = parse_fixture("tensor_core.ptx");
  const Instruction& wl = find_inst(fn(tc, "wmma_gemm_tile"), "wmma.load.b");
  EXPECT_EQ(wl.op, Opcode::WmmaLoad);
  EXPECT_EQ(wl.mod.frag, FragKind::B);
  EXPECT_EQ(wl.mod.layout_a, Layout::Col);
  EXPECT_EQ(wl.mod.space, StateSpace::Global);
  EXPECT_EQ(wl.mod.shape_m, 16);
  EXPECT_EQ(wl.mod.shape_k, 16);
  const Instruction& mma = find_inst(fn(tc, "mma_inline"), "mma.sync");
  EXPECT_EQ(mma.op, Opcode::Mma);
  EXPECT_EQ(mma.unit, Unit::Tensor);
  ASSERT_EQ(mma.mod.ntypes, 4);
  EXPECT_EQ(mma.mod.types[0], DataType::F32);
  EXPECT_EQ(mma.mod.types[1], DataType::F16);
  EXPECT_EQ(mma.mod.types[3], DataType::F32);
  EXPECT_EQ(mma.mod.layout_a, Layout::Row);
  EXPECT_EQ(mma.mod.layout_b, Layout::Col);
  EXPECT_EQ(mma.mod.shape_n, 8);
  EXPECT_EQ(mma.ops[1].count, 4);
  EXPECT_EQ(mma.ops[2].count, 2);

  Module cp = parse_fixture("cp_async.ptx");
  const Instruction& cpa = find_inst(fn(cp, "staged_copy"), "cp.async.cg");
  EXPECT_EQ(cpa.op, Opcode::CpAsync);
  EXPECT_EQ(cpa.mod.space, StateSpace::Shared);
  EXPECT_EQ(cpa.mod.space2, StateSpace::Global);
  EXPECT_TRUE(cpa.mod.l2_only);
  EXPECT_EQ(find_inst(fn(cp, "staged_copy"), "cp.async.wait_group").op, Opcode::CpAsyncWaitGroup);

  Module at = parse_fixture("atomics.ptx");
  const Instruction& cas = find_inst(fn(at, "atomic_mix"), "atom.global.cas.b32");
  EXPECT_EQ(cas.mod.atom, AtomOp::Cas);
  EXPECT_EQ(cas.nops, 4);
  EXPECT_EQ(cas.ops[1].kind, OperandKind::Address);
  const Instruction& fadd = find_inst(fn(at, "atomic_mix"), "atom.global.add.f64");
  EXPECT_EQ(fadd.ops[2].imm, std::bit_cast<uint64_t>(1.25));
  EXPECT_EQ(find_inst(fn(at, "atomic_mix"), "atom.global.and.b32").mod.atom, AtomOp::And);

  Module mf = parse_fixture("math_funcs.ptx");
  // __local_depot0[28]: the .local frame, and "mov.u64 %SPL, __local_depot0".
  EXPECT_EQ(fn(mf, "float_math").local_bytes, 28u);
  EXPECT_EQ(find_inst(fn(mf, "float_math"), "__local_depot0").ops[1].kind, OperandKind::Symbol);
  EXPECT_EQ(find_inst(fn(mf, "float_math"), "sin.approx.f32").unit, Unit::Sfu);
  EXPECT_EQ(find_inst(fn(mf, "double_math"), "sqrt.rn.f64").unit, Unit::Fp64);
  EXPECT_EQ(find_inst(fn(mf, "double_math"), "div.rn.f64").unit, Unit::Fp64);
  EXPECT_EQ(find_inst(fn(mf, "float_math"), "fma.rn.f32").unit, Unit::Fp32);
  EXPECT_EQ(find_inst(fn(mf, "double_math"), "mul.hi.s64").mod.mul, MulMode::Hi);
  EXPECT_EQ(find_inst(fn(mf, "double_math"), "mul.hi.s64").unit, Unit::Int);
  const Instruction& mul = find_inst(fn(mf, "float_math"), "0f3F22F983");
  EXPECT_EQ(mul.ops[2].imm, 0x3F22F983u);
  const Instruction& cvt = find_inst(fn(mf, "double_math"), "cvt.rzi.s64.f64");
  EXPECT_EQ(cvt.mod.types[0], DataType::S64);
  EXPECT_EQ(cvt.mod.types[1], DataType::F64);
  EXPECT_EQ(cvt.mod.rnd, Rounding::Rzi);
}

TEST(ParserFixtures, DebugAndLineinfoVariantsDecodeLikeOptimisedCode) {
  Module dbg = parse_fixture("control_flow_debug.ptx");
  Module opt = parse_fixture("control_flow.ptx");
  ASSERT_EQ(dbg.functions.size(), opt.functions.size());
  for (const Function& f : opt.functions) {
    const Function& d = fn(dbg, f.name);
    EXPECT_EQ(d.params.size(), f.params.size());
    EXPECT_EQ(d.param_bytes, f.param_bytes);
  }
  Module li = parse_fixture("device_call_lineinfo.ptx");
  EXPECT_EQ(fn(li, "eval_poly").code.size(), fn(parse_fixture("device_call.ptx"), "eval_poly").code.size());
}


// Code inlined more than one call deep: nvcc writes a .loc per level, each `inlined_at` the
// position of the .loc before it; the chain is followed to the kernel's own line. The expected
// lines are found in the .cu and .h sources.
TEST(ParserFixtures, InlinedCodeNamesTheWholeCallChain) {
  const Module m = parse_fixture("inline_chain.ptx");
  auto line_of = [](const std::string& text, const std::string& needle) {
    const size_t at = text.find(needle);
    EXPECT_NE(at, std::string::npos) << needle;
    return std::to_string(std::count(text.begin(), text.begin() + std::ptrdiff_t(at), '\n') + 1);
  };
  const std::string cu = read_fixture("inline_chain.cu"), h = read_fixture("inline_chain.h");
  const std::string leaf = "inline_chain.h:" + line_of(h, "leaf_square(float x)"),
                    mid = "inline_chain.h:" + line_of(h, "mid_twice(float x)"),
                    outer = "inline_chain.h:" + line_of(h, "outer_shift(float x)");
  std::vector<std::string> three, two;
  for (const Instruction& inst : fn(m, "chain").code)
    if (inst.text.starts_with("fma.rn.f32")) three.push_back(cuda_source_position(inst, m));
  for (const Instruction& inst : fn(m, "chain_of_two").code)
    if (inst.text.starts_with("fma.rn.f32") || inst.text.starts_with("add.f32"))
      two.push_back(cuda_source_position(inst, m));
  const std::string call3 = "inline_chain.cu:" + line_of(cu, "outer_shift(in[t])"),
                    call2 = "inline_chain.cu:" + line_of(cu, "mid_twice(in[t])");
  // chain: x * x + 1 three calls deep, then (...) * 2 - 3 fused at outer_shift's level.
  EXPECT_EQ(three, (std::vector<std::string>{leaf + " inlined at " + mid + " ... at " + call3 + " (3 calls deep)",
                                             outer + " inlined at " + call3}));
  EXPECT_EQ(two, (std::vector<std::string>{leaf + " inlined at " + mid + " inlined at " + call2,
                                           mid + " inlined at " + call2}));
  // The user's line finds the header code called from it, with or without the file named.
  for (const Instruction& inst : fn(m, "chain").code)
    if (inst.text.starts_with("fma.rn.f32")) {
      const uint32_t line = uint32_t(std::stoul(call3.substr(call3.find(':') + 1)));
      EXPECT_TRUE(comes_from_source_line(inst, m, "inline_chain.cu", line));
      EXPECT_TRUE(comes_from_source_line(inst, m, "fixtures/inline_chain.cu", line));
      EXPECT_TRUE(comes_from_source_line(inst, m, "", line));
      EXPECT_FALSE(comes_from_source_line(inst, m, "chain.cu", line));  // a different file's name
      EXPECT_FALSE(comes_from_source_line(inst, m, "inline_chain.h", line));
    }
}

// nvcc -lineinfo: every instruction carries the CUDA line of the last .loc before it. The
// expected lines are found in the .cu source itself, not taken from the parser.
TEST(ParserFixtures, LineInfoMapsInstructionsToCudaSourceLines) {
  const Module li = parse_fixture("device_call_lineinfo.ptx");
  const std::string cu = read_fixture("device_call.cu");
  auto cu_line_of = [&](const std::string& needle) {
    const size_t at = cu.find(needle);
    EXPECT_NE(at, std::string::npos) << needle;
    return uint32_t(std::count(cu.begin(), cu.begin() + std::ptrdiff_t(at), '\n') + 1);
  };
  ASSERT_EQ(li.source_files.count(1), 1u);
  EXPECT_TRUE(li.source_files.at(1).ends_with("device_call.cu"));
  ASSERT_EQ(li.source_files.count(2), 1u);
  EXPECT_TRUE(li.source_files.at(2).ends_with("device_atomic_functions.hpp"));

  const uint32_t horner = cu_line_of("acc = acc * x + coeffs[i]");
  int fmas = 0;
  for (const Instruction& inst : fn(li, "_Z4polyfiPKf").code)
    if (inst.text.starts_with("fma.rn.f32")) {
      ++fmas;
      EXPECT_EQ(inst.source_file, 1);
      EXPECT_EQ(inst.source_line, horner) << inst.text;
    }
  EXPECT_EQ(fmas, 4);
  // atomicAdd is inlined from CUDA's header: the innermost .loc names the header's file.
  bool saw_atom = false;
  for (const Instruction& inst : fn(li, "_Z4bumpPi").code)
    if (inst.text.starts_with("atom.global.add")) {
      saw_atom = true;
      EXPECT_EQ(inst.source_file, 2);
      EXPECT_GT(inst.source_line, 0u);
      // ... inlined at the user's call (`inlined_at 1 14 43`): the line that calls atomicAdd.
      EXPECT_EQ(inst.inlined_at_file, 1);
      EXPECT_EQ(inst.inlined_at_line, cu_line_of("atomicAdd("));
      EXPECT_EQ(cuda_source_position(inst, li), "device_atomic_functions.hpp:" + std::to_string(inst.source_line) +
                                                    " inlined at device_call.cu:" + std::to_string(cu_line_of("atomicAdd(")));
    }
  EXPECT_TRUE(saw_atom);
  // Without -lineinfo there is no position.
  const Module plain = parse_fixture("device_call.ptx");  // a named Module: the loop must not outlive it
  for (const Instruction& inst : fn(plain, "_Z4polyfiPKf").code) {
    EXPECT_EQ(inst.source_file, -1);
    EXPECT_EQ(inst.source_line, 0u);
  }
}

}  // namespace
}  // namespace gpusim::isa
