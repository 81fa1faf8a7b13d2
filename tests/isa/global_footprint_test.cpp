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
#include "tests/isa/global_footprint_kernels.h"
#include "isa/launch_state.h"
#include "isa/ptx_parser.h"
#include "isa/step.h"
#include "runtime/device_memory.h"

using namespace gpusim::isa;

namespace {

using footprint_test::kPtx;  // the kernels, tests/isa/global_footprint_kernels.h

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
      last_fault_text = e.what();
      return e.kind();
    }
    return std::nullopt;
  }
  std::string last_fault_text;  // what the last fault_of_next that faulted said

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
  // a scalar access is not called a vector one
  EXPECT_NE(last_fault_text.find("misaligned 4-byte access at address 0x"), std::string::npos) << last_fault_text;
  EXPECT_NE(last_fault_text.find("not a multiple of 4"), std::string::npos) << last_fault_text;
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
  EXPECT_NE(last_fault_text.find("misaligned 16-byte vector access"), std::string::npos) << last_fault_text;
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
