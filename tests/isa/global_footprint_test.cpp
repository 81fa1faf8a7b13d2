// isa::global_footprint (the global bytes a warp's next ld/ldu/st will touch, worked out before
// it runs) against two independent references: the memory records step_warp leaves for the same
// instruction, and byte ranges worked out by hand from each kernel's address arithmetic. A `true`
// answer must be exact (every touched byte inside [lo, hi), lo and hi the tight bounds, `write`
// right) and must mean the instruction does not fault; where the answer is `false` because the
// access is misaligned or outside its allocation, step_warp is shown to fault, so `false` was
// needed there.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "isa/global_footprint.h"
#include "isa/launch_state.h"
#include "isa/ptx_parser.h"
#include "isa/step.h"
#include "runtime/device_memory.h"

using namespace gpusim::isa;

namespace {

// Every kernel runs as one warp of 32 threads (t = %tid.x). A comment "@name" marks an instruction
// that a test looks up by name (the marker's line is the instruction's source line).
const char* kPtx = R"(.version 8.0
.target sm_80
.address_size 64

// Scalar and vector shapes over pa (1024 bytes) and pb (256 bytes).
.visible .entry shapes(.param .u64 pa, .param .u64 pb)
{
  .reg .b32 %r<30>;
  .reg .b64 %rd<30>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
  mul.wide.u32 %rd5, %r1, 4;
  add.s64 %rd6, %rd3, %rd5;
  ld.global.u32 %r2, [%rd6];  // @ld_u32
  mul.wide.u32 %rd7, %r1, 12;
  add.s64 %rd8, %rd3, %rd7;
  ld.global.u32 %r3, [%rd8+8];  // @ld_stride12
  mul.wide.u32 %rd9, %r1, 16;
  add.s64 %rd10, %rd3, %rd9;
  ld.global.v4.u32 {%r4, %r5, %r6, %r7}, [%rd10];  // @ld_v4
  ld.global.v2.u64 {%rd11, %rd12}, [%rd10+512];  // @ld_v2_u64
  cvt.u64.u32 %rd13, %r1;
  add.s64 %rd14, %rd3, %rd13;
  ld.global.u8 %r8, [%rd14+3];  // @ld_u8
  xor.b32 %r9, %r1, 31;
  mul.wide.u32 %rd15, %r9, 2;
  add.s64 %rd16, %rd3, %rd15;
  ld.global.s16 %r10, [%rd16+64];  // @ld_s16_descending
  ldu.global.u32 %r11, [%rd3+100];  // @ldu_one_word
  mul.wide.u32 %rd17, %r1, 8;
  add.s64 %rd18, %rd4, %rd17;
  st.global.u32 [%rd18+4], %r2;  // @st_u32
  st.global.v2.u32 [%rd18], {%r3, %r4};  // @st_v2
  ld.global.u64 %rd19, [%rd18];  // @ld_u64
  st.global.u64 [%rd18], %rd11;  // @st_u64
  ld.global.u32 %r12, [%rd4+252];  // @ld_last_word
  mul.wide.u32 %rd20, %r1, 32;
  add.s64 %rd21, %rd3, %rd20;
  ld.global.v8.b32 {%r13, %r14, %r15, %r16, %r17, %r18, %r19, %r20}, [%rd21];  // @ld_v8
  ret;
}

// Addresses naming a module-scope .global variable (256 bytes), as the symbol plus an offset and
// through a register holding the symbol's address.
.global .align 8 .b32 gtable[64];
.visible .entry symbols()
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  mov.u32 %r1, %tid.x;
  ld.global.u32 %r2, [gtable+8];  // @symbol_plus_offset
  mov.u64 %rd1, gtable;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3+128], %r1;  // @symbol_in_register
  ld.global.u32 %r3, [%rd3+132];  // @symbol_past_end
  ret;
}

// Guards and divergence over pa (64 bytes: lanes 16..31 of a + 4t are past its end) and pb
// (128 bytes).
.visible .entry guards(.param .u64 pa, .param .u64 pb)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  .reg .pred %p<10>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
  mul.wide.u32 %rd5, %r1, 4;
  add.s64 %rd6, %rd3, %rd5;
  add.s64 %rd7, %rd4, %rd5;
  setp.lt.u32 %p1, %r1, 16;
  @%p1 ld.global.u32 %r2, [%rd6];  // @low_half
  setp.ge.u32 %p2, %r1, 16;
  @!%p2 st.global.u32 [%rd6], %r1;  // @low_half_negated_guard
  setp.eq.u32 %p3, %r1, 5;
  selp.u64 %rd8, 2, 0, %p3;
  add.s64 %rd9, %rd6, %rd8;
  setp.ne.u32 %p4, %r1, 5;
  and.pred %p5, %p1, %p4;
  @%p5 ld.global.u32 %r3, [%rd9];  // @skips_misaligned_lane_5
  setp.gt.u32 %p6, %r1, 100;
  @%p6 ld.global.u32 %r4, [%rd6];  // @no_lane_load
  @%p6 st.global.u32 [%rd6], %r4;  // @no_lane_store
  setp.eq.u32 %p7, %r1, 9;
  @%p7 ld.global.u32 %r5, [%rd6];  // @lane_9_only
  setp.lt.u32 %p8, %r1, 8;
  @%p8 bra LOW;
  ld.global.u32 %r6, [%rd7];  // @high_path
  bra.uni JOIN;
LOW:
  ld.global.u32 %r6, [%rd6];  // @low_path
JOIN:
  st.global.u32 [%rd7], %r6;  // @after_join
  ret;
}

// Loads of a + 4t + bump, bump = 2 in lane 5 only (misaligned there).
.visible .entry misaligned(.param .u64 pa)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<2>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  ld.global.u32 %r2, [%rd4];  // @aligned_first
  setp.eq.u32 %p1, %r1, 5;
  selp.u64 %rd5, 2, 0, %p1;
  add.s64 %rd6, %rd4, %rd5;
  ld.global.u32 %r3, [%rd6];  // @lane_5_misaligned
  ret;
}

// A 16-byte vector load of a + 16t + bump, bump = 8 in lane 7 only: 8-byte aligned there, which is
// not enough for 16 bytes.
.visible .entry misaligned_vector(.param .u64 pa)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<2>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r1, 16;
  add.s64 %rd4, %rd2, %rd3;
  setp.eq.u32 %p1, %r1, 7;
  selp.u64 %rd5, 8, 0, %p1;
  add.s64 %rd6, %rd4, %rd5;
  ld.global.v4.u32 {%r2, %r3, %r4, %r5}, [%rd6];  // @lane_7_misaligned_v4
  ret;
}

// A load of pa + 4t (it leaves pa's allocation in the warp's cache), then one of pb + 4t + off.
.visible .entry second_access(.param .u64 pa, .param .u64 pb, .param .u64 off)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<12>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  ld.param.u64 %rd3, [off];
  cvta.to.global.u64 %rd4, %rd1;
  cvta.to.global.u64 %rd5, %rd2;
  mul.wide.u32 %rd6, %r1, 4;
  add.s64 %rd7, %rd4, %rd6;
  ld.global.u32 %r2, [%rd7];  // @first
  add.s64 %rd8, %rd5, %rd6;
  add.s64 %rd9, %rd8, %rd3;
  ld.global.u32 %r3, [%rd9];  // @second
  ret;
}

// Lanes 0..15 load from pa + 4t, lanes 16..31 from pb + 4t: two allocations in one instruction.
.visible .entry two_allocations(.param .u64 pa, .param .u64 pb)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<12>;
  .reg .pred %p<2>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
  setp.lt.u32 %p1, %r1, 16;
  selp.b64 %rd5, %rd3, %rd4, %p1;
  mul.wide.u32 %rd6, %r1, 4;
  add.s64 %rd7, %rd5, %rd6;
  ld.global.u32 %r2, [%rd7];  // @split
  ret;
}

// Generic ld/st of a global address (through cvta), which count; then instructions that do not:
// a generic load of shared memory, atom, red, shared memory, arithmetic; last a 16-byte element (.b128), which step_warp does not support.
.visible .entry others(.param .u64 pa)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<12>;
  .reg .b128 %q<2>;
  .shared .align 4 .b32 sm[32];
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  cvta.to.global.u64 %rd2, %rd1;
  cvta.global.u64 %rd3, %rd2;
  mul.wide.u32 %rd4, %r1, 4;
  add.s64 %rd5, %rd3, %rd4;
  ld.u32 %r2, [%rd5];  // @generic_ld
  st.u32 [%rd5], %r1;  // @generic_st
  mov.u64 %rd9, sm;
  cvta.shared.u64 %rd10, %rd9;
  add.s64 %rd11, %rd10, %rd4;
  ld.u32 %r8, [%rd11];  // @generic_shared
  add.s64 %rd6, %rd2, %rd4;
  atom.global.add.u32 %r3, [%rd6], 1;  // @atom
  red.global.add.u32 [%rd6], 1;  // @red
  add.s32 %r4, %r3, 1;  // @add
  mov.u32 %r5, sm;
  shl.b32 %r6, %r1, 2;
  add.s32 %r7, %r5, %r6;
  st.shared.u32 [%r7], %r4;  // @st_shared
  mul.wide.u32 %rd7, %r1, 16;
  add.s64 %rd8, %rd2, %rd7;
  ld.global.b128 %q1, [%rd8];  // @ld_b128
  ret;
}
)";

// What one instruction looked like before and after it ran.
struct Observed {
  const Instruction* inst = nullptr;
  bool known = false;  // global_footprint's answer
  GlobalFootprint fp;
  std::vector<MemAccess> global;  // the trace's records of global memory
};

// A hand-worked footprint of the instruction at `marker`.
struct Expected {
  const char* marker;
  uint64_t lo, hi;
  bool write;
  bool none = false;  // no lane executes: only lo == hi is asked for
};

class GlobalFootprintTest : public ::testing::Test {
 protected:
  void SetUp() override { module = parse_ptx(kPtx, "global_footprint.ptx"); }

  // One CTA of 32 threads (one warp) running `kernel` with the given 64-bit parameters.
  std::unique_ptr<CtaState> cta_for(const std::string& kernel, const std::vector<uint64_t>& args) {
    std::vector<uint8_t> params(args.size() * 8);
    if (!args.empty()) std::memcpy(params.data(), args.data(), params.size());  // (no null pointers to memcpy)
    ls.module = &module;
    ls.kernel = module.find_function(kernel);
    EXPECT_NE(ls.kernel, nullptr) << kernel;
    ls.grid = Dim3{1, 1, 1};
    ls.block = Dim3{32, 1, 1};
    ls.params = std::move(params);
    ls.global = &memory;
    ls.dynamic_shared_base = (ls.kernel->static_shared_bytes + 15) / 16 * 16;
    return std::make_unique<CtaState>(ls, Dim3{0, 0, 0});
  }

  // The source line of the instruction marked "@marker" in kPtx.
  static uint32_t line_of(const std::string& marker) {
    const std::string text = kPtx;
    const size_t at = text.find("// @" + marker + "\n");
    EXPECT_NE(at, std::string::npos) << marker;
    uint32_t line = 1;
    for (size_t i = 0; i < at && i < text.size(); ++i) line += text[i] == '\n';
    return line;
  }

  static const Instruction& next_instruction(Warp& w) { return w.frame().fn->code.at(w.top().pc); }

  // Asks global_footprint about the warp's next instruction, then runs it with a trace (no
  // summary, so that every access is a record). Checks that guarded_lanes names the lanes that
  // executed and that a `true` answer is exact. Throws what step_warp throws.
  Observed step(Warp& w, CtaState& cta) {
    Observed o;
    o.inst = &next_instruction(w);
    o.known = global_footprint(w, cta, ls, memory, o.fp);
    const uint32_t lanes = guarded_lanes(w.frame(), *o.inst, w.top().mask);
    std::vector<MemAccess> trace;
    const StepResult r = step_warp(w, cta, ls, &trace);
    EXPECT_EQ(r.inst, o.inst);
    EXPECT_EQ(lanes, r.executed) << "line " << o.inst->line;
    for (const MemAccess& a : trace)
      if (a.space == StateSpace::Global) o.global.push_back(a);
    if (o.known) expect_exact(o, r.executed);
    return o;
  }

  // A `true` answer against the instruction's own records: lo the lowest byte, hi one past the
  // highest, `write` that of every record, and a record for each executing lane.
  static void expect_exact(const Observed& o, uint32_t executed) {
    const std::string where = "line " + std::to_string(o.inst->line) + ": " + o.inst->text;
    EXPECT_TRUE(o.inst->op == Opcode::Ld || o.inst->op == Opcode::Ldu || o.inst->op == Opcode::St) << where;
    EXPECT_EQ(o.fp.write, o.inst->op == Opcode::St) << where;
    if (o.global.empty()) {
      EXPECT_EQ(executed, 0u) << where;
      EXPECT_EQ(o.fp.lo, o.fp.hi) << where;
      return;
    }
    uint64_t lo = UINT64_MAX, hi = 0;
    uint32_t lanes = 0;
    for (const MemAccess& a : o.global) {
      lo = std::min(lo, a.addr);
      hi = std::max(hi, a.addr + a.size);
      lanes |= 1u << a.lane;
      EXPECT_EQ(a.write, o.fp.write) << where;
    }
    EXPECT_EQ(o.fp.lo, lo) << where;
    EXPECT_EQ(o.fp.hi, hi) << where;
    EXPECT_EQ(lanes, executed) << where;
  }

  // Runs the warp to its end, every step checked; the observations by source line.
  std::map<uint32_t, Observed> run_all(Warp& w, CtaState& cta) {
    std::map<uint32_t, Observed> seen;
    for (int i = 0; i < 1000 && !w.done(); ++i) {
      Observed o = step(w, cta);
      EXPECT_TRUE(seen.emplace(o.inst->line, o).second) << "line " << o.inst->line << " ran twice";
    }
    EXPECT_TRUE(w.done());
    return seen;
  }

  // Runs (checked) until the warp's next instruction is the one at `marker`.
  void run_to(Warp& w, CtaState& cta, const std::string& marker) {
    const uint32_t line = line_of(marker);
    for (int i = 0; i < 1000 && !w.done() && next_instruction(w).line != line; ++i) step(w, cta);
    ASSERT_FALSE(w.done()) << "the warp ended before @" << marker;
  }

  // The fault step_warp reports for the warp's next instruction; none when it runs.
  std::optional<FaultKind> fault_of_next(Warp& w, CtaState& cta) {
    std::vector<MemAccess> trace;
    try {
      step_warp(w, cta, ls, &trace);
    } catch (const ExecError& e) {
      return e.kind();
    }
    return std::nullopt;
  }

  // Every instruction of `seen` is either in `expected` (a `true` answer with exactly the
  // hand-worked range) or answered `false`.
  static void expect_footprints(const std::map<uint32_t, Observed>& seen, const std::vector<Expected>& expected) {
    std::map<uint32_t, const Expected*> by_line;
    for (const Expected& e : expected) by_line[line_of(e.marker)] = &e;
    for (const auto& [line, o] : seen) {
      auto it = by_line.find(line);
      if (it == by_line.end()) {
        EXPECT_FALSE(o.known) << "line " << line << ": " << o.inst->text;
        continue;
      }
      const Expected& e = *it->second;
      EXPECT_TRUE(o.known) << "@" << e.marker;
      EXPECT_EQ(o.fp.write, e.write) << "@" << e.marker;
      if (e.none) {
        EXPECT_EQ(o.fp.lo, o.fp.hi) << "@" << e.marker;
        continue;
      }
      EXPECT_EQ(o.fp.lo, e.lo) << "@" << e.marker;
      EXPECT_EQ(o.fp.hi, e.hi) << "@" << e.marker;
    }
    for (const Expected& e : expected) EXPECT_TRUE(seen.count(line_of(e.marker))) << "@" << e.marker << " did not run";
  }

  Module module;
  LaunchState ls;
  gpusim::runtime::DeviceMemory memory;
};

// Per-lane strides, 1- to 32-byte accesses, ascending and descending lanes, one address for all
// lanes, loads and stores, and an access ending on the allocation's last byte: each range tight.
TEST_F(GlobalFootprintTest, LoadsAndStoresOfEachShapeAreExact) {
  const uint64_t a = memory.allocate(1024), b = memory.allocate(256);
  auto cta = cta_for("shapes", {a, b});
  const auto seen = run_all(*cta->warps[0], *cta);
  expect_footprints(seen, {
      {"ld_u32", a, a + 4 * 31 + 4, false},
      {"ld_stride12", a + 8, a + 8 + 12 * 31 + 4, false},
      {"ld_v4", a, a + 16 * 31 + 16, false},
      {"ld_v2_u64", a + 512, a + 512 + 16 * 31 + 16, false},
      {"ld_u8", a + 3, a + 3 + 31 + 1, false},
      {"ld_s16_descending", a + 64, a + 64 + 2 * 31 + 2, false},
      {"ldu_one_word", a + 100, a + 104, false},
      {"st_u32", b + 4, b + 4 + 8 * 31 + 4, true},
      {"st_v2", b, b + 8 * 31 + 8, true},
      {"ld_u64", b, b + 8 * 31 + 8, false},
      {"st_u64", b, b + 8 * 31 + 8, true},
      {"ld_last_word", b + 252, b + 256, false},
      {"ld_v8", a, a + 32 * 31 + 32, false},
  });
  // The per-lane records of two of them, against addresses worked out here.
  const Observed& stride = seen.at(line_of("ld_stride12"));
  ASSERT_EQ(stride.global.size(), 32u);
  for (unsigned t = 0; t < 32; ++t) EXPECT_EQ(stride.global[t].addr, a + 8 + 12 * t);
  const Observed& v4 = seen.at(line_of("ld_v4"));
  ASSERT_EQ(v4.global.size(), 4u * 32);
  for (unsigned t = 0; t < 32; ++t)
    for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(v4.global[4 * t + i].addr, a + 16 * t + 4 * i);
}

// Module-scope variables: the symbol's address is part of the footprint; one word past the
// variable's end is `false` and faults.
TEST_F(GlobalFootprintTest, ModuleVariablesAreAddressedLikeAllocations) {
  ASSERT_EQ(module.global_bytes, 256u);
  const uint64_t g = memory.allocate(module.global_bytes);
  ls.module_global_base = g;
  auto cta = cta_for("symbols", {});
  Warp& w = *cta->warps[0];
  std::map<uint32_t, Observed> seen;
  for (int i = 0; i < 100 && !w.done() && next_instruction(w).line != line_of("symbol_past_end"); ++i) {
    Observed o = step(w, *cta);
    seen.emplace(o.inst->line, o);
  }
  ASSERT_FALSE(w.done());
  expect_footprints(seen, {{"symbol_plus_offset", g + 8, g + 12, false}, {"symbol_in_register", g + 128, g + 256, true}});
  GlobalFootprint fp;
  EXPECT_FALSE(global_footprint(w, *cta, ls, memory, fp));
  EXPECT_EQ(fault_of_next(w, *cta), FaultKind::IllegalAddress);
}

// Only the lanes that execute count: a guard that leaves out lanes past the allocation's end or
// misaligned gives the executing lanes' range; a guard false in every lane gives `true` with an
// empty range; either side of a divergent branch counts its own lanes only.
TEST_F(GlobalFootprintTest, OnlyExecutingLanesCount) {
  const uint64_t a = memory.allocate(64), b = memory.allocate(128);
  auto cta = cta_for("guards", {a, b});
  const auto seen = run_all(*cta->warps[0], *cta);
  expect_footprints(seen, {
      {"low_half", a, a + 64, false},
      {"low_half_negated_guard", a, a + 64, true},
      {"skips_misaligned_lane_5", a, a + 64, false},
      {"no_lane_load", 0, 0, false, true},
      {"no_lane_store", 0, 0, true, true},
      {"lane_9_only", a + 36, a + 40, false},
      {"high_path", b + 32, b + 128, false},
      {"low_path", a, a + 32, false},
      {"after_join", b, b + 128, true},
  });
  EXPECT_TRUE(seen.at(line_of("no_lane_load")).global.empty());
  EXPECT_TRUE(seen.at(line_of("no_lane_store")).global.empty());
  // guarded_lanes itself, worked out here: lanes 0..15 but 5.
  Warp& w = *(cta = cta_for("guards", {a, b}))->warps[0];
  run_to(w, *cta, "skips_misaligned_lane_5");
  EXPECT_EQ(guarded_lanes(w.frame(), next_instruction(w), w.top().mask), 0xffffu & ~(1u << 5));
}

// One misaligned lane: `false`, and step_warp faults on it.
TEST_F(GlobalFootprintTest, MisalignedLaneIsNotPromised) {
  const uint64_t a = memory.allocate(256);
  auto cta = cta_for("misaligned", {a});
  Warp& w = *cta->warps[0];
  run_to(w, *cta, "lane_5_misaligned");
  GlobalFootprint fp;
  EXPECT_FALSE(global_footprint(w, *cta, ls, memory, fp));
  EXPECT_EQ(fault_of_next(w, *cta), FaultKind::MisalignedAddress);
}

// A 16-byte vector needs 16-byte alignment: a lane aligned to 8 only is `false`, and faults.
TEST_F(GlobalFootprintTest, VectorNeedsItsWholeSizeAligned) {
  const uint64_t a = memory.allocate(1024);
  auto cta = cta_for("misaligned_vector", {a});
  Warp& w = *cta->warps[0];
  run_to(w, *cta, "lane_7_misaligned_v4");
  GlobalFootprint fp;
  EXPECT_FALSE(global_footprint(w, *cta, ls, memory, fp));
  EXPECT_EQ(fault_of_next(w, *cta), FaultKind::MisalignedAddress);
}

// Accesses that leave their allocation (past its end, before its start), both when the warp's
// cached allocation is the one accessed and when it is another: `false`, and step_warp faults.
// The same access in bounds is `true` and exact.
TEST_F(GlobalFootprintTest, AccessOutsideTheAllocationIsNotPromised) {
  const uint64_t a = memory.allocate(128), b = memory.allocate(128);
  struct Case {
    const char* what;
    uint64_t pb, off;
  };
  const Case cases[] = {
      {"past the end of the cached allocation", a, 4},
      {"past the end of another allocation", b, 4},
      {"before the start of the cached allocation", a, uint64_t(-4)},
      {"before the start of another allocation", b, uint64_t(-4)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto cta = cta_for("second_access", {a, c.pb, c.off});
    Warp& w = *cta->warps[0];
    run_to(w, *cta, "second");
    GlobalFootprint fp;
    EXPECT_FALSE(global_footprint(w, *cta, ls, memory, fp));
    EXPECT_EQ(fault_of_next(w, *cta), FaultKind::IllegalAddress);
  }
  for (uint64_t pb : {a, b}) {
    auto cta = cta_for("second_access", {a, pb, 0});
    const auto seen = run_all(*cta->warps[0], *cta);
    expect_footprints(seen, {{"first", a, a + 128, false}, {"second", pb, pb + 128, false}});
  }
}

// The warp's cached allocation released between two instructions (its generation changes): the
// cache must not vouch for it any more.
TEST_F(GlobalFootprintTest, ReleasedAllocationIsNotPromised) {
  const uint64_t a = memory.allocate(128);
  auto cta = cta_for("second_access", {a, a, 0});
  Warp& w = *cta->warps[0];
  run_to(w, *cta, "second");
  memory.release(a);
  GlobalFootprint fp;
  EXPECT_FALSE(global_footprint(w, *cta, ls, memory, fp));
  EXPECT_EQ(fault_of_next(w, *cta), FaultKind::IllegalAddress);
}

// Lanes in two allocations: no one allocation holds them, so `false` (conservative: the
// instruction itself runs).
TEST_F(GlobalFootprintTest, LanesInTwoAllocationsAreNotPromised) {
  const uint64_t a = memory.allocate(64), b = memory.allocate(128);
  auto cta = cta_for("two_allocations", {a, b});
  Warp& w = *cta->warps[0];
  run_to(w, *cta, "split");
  GlobalFootprint fp;
  EXPECT_FALSE(global_footprint(w, *cta, ls, memory, fp));
  EXPECT_EQ(fault_of_next(w, *cta), std::nullopt);
}

// Generic ld/st of a global address are exact like .global ones; a generic load of shared
// memory, atom, red, shared memory and arithmetic are `false`; so is a 16-byte element (.b128),
// which step_warp then refuses.
TEST_F(GlobalFootprintTest, OtherInstructionsAreNotPromised) {
  const uint64_t a = memory.allocate(512);
  auto cta = cta_for("others", {a});
  Warp& w = *cta->warps[0];
  for (const char* m : {"generic_ld", "generic_st"}) {
    SCOPED_TRACE(m);
    run_to(w, *cta, m);
    const Observed o = step(w, *cta);  // checks the range against the records
    EXPECT_TRUE(o.known);
    EXPECT_EQ(o.fp.lo, a);
    EXPECT_EQ(o.fp.hi, a + 128);
    EXPECT_EQ(o.fp.write, std::string(m) == "generic_st");
    EXPECT_EQ(o.global.size(), 32u);
  }
  for (const char* m : {"generic_shared", "atom", "red", "add", "st_shared"}) {
    SCOPED_TRACE(m);
    run_to(w, *cta, m);
    GlobalFootprint fp;
    EXPECT_FALSE(global_footprint(w, *cta, ls, memory, fp));
    step(w, *cta);
  }
  run_to(w, *cta, "ld_b128");
  GlobalFootprint fp;
  EXPECT_FALSE(global_footprint(w, *cta, ls, memory, fp));
  EXPECT_EQ(fault_of_next(w, *cta), FaultKind::Unsupported);
}

// Host memory mapped into the device (managed or mapped pinned memory) lives at the host's own
// address, which may fall in a generic window: a generic access there resolves to that window's
// space, not to global memory, so its bytes are not promised even though an allocation holds them.
TEST_F(GlobalFootprintTest, GenericAddressInAWindowIsNotGlobal) {
  const uint64_t at = kSharedWindowBase + 0x10000;
  void* host = mmap(reinterpret_cast<void*>(at), 4096, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (host == MAP_FAILED || reinterpret_cast<uint64_t>(host) != at) GTEST_SKIP() << "cannot map host memory at the shared window";
  memory.map_host(host, 4096);
  auto cta = cta_for("others", {at});
  Warp& w = *cta->warps[0];
  run_to(w, *cta, "generic_ld");
  GlobalFootprint fp;
  EXPECT_FALSE(global_footprint(w, *cta, ls, memory, fp));
  memory.unmap_host(host);
  munmap(host, 4096);
}

}  // namespace
