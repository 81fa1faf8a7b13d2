// The compact register file (isa/register_file.h): lanes as wide as the declared type, checked
// against a plain reference (one 64-bit value per register and lane, as the file stored them
// before) and, end to end, against host arithmetic on kernels whose neighbouring lanes and
// registers have different widths.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "isa/register_file.h"
#include "tests/isa/parser_test_util.h"
#include "tests/isa/ptx_harness.h"

namespace gpusim::isa {
namespace {

// The lane bytes each declared type needs, written out here rather than derived from the code.
const std::map<std::string, unsigned> kLaneBytes = {
    {"pred", 1}, {"b8", 1}, {"u8", 1}, {"s8", 1}, {"b16", 2}, {"u16", 2}, {"f16", 2},
    {"b32", 4}, {"u32", 4}, {"f32", 4}, {"f16x2", 4}, {"b64", 8}, {"s64", 8}, {"f64", 8}};

Function mixed_function() {
  std::string decls;
  for (const auto& [type, bytes] : kLaneBytes) decls += ".reg ." + type + " %x_" + type + "<3>;\n";
  Module m = parse_ptx(".version 9.0\n.target sm_80\n.address_size 64\n.visible .entry k()\n{\n" + decls + "ret;\n}\n", "mixed");
  return m.functions.at(0);
}

TEST(RegisterFile, RowsAreAsWideAsTheirTypesDisjointAndAligned) {
  const Function f = mixed_function();
  uint64_t expected_bytes = 0;
  std::set<std::pair<uint32_t, uint32_t>> rows;  // [begin, end)
  for (const RegInfo& r : f.regs) {
    const std::string t = r.name.substr(3, r.name.size() - 4);  // "%x_b32N" -> "b32"
    ASSERT_TRUE(kLaneBytes.count(t)) << r.name;
    const unsigned bytes = kLaneBytes.at(t);
    EXPECT_EQ(reg_slot::row_bytes(r.slot), 32 * bytes) << r.name;
    const uint32_t begin = reg_slot::row_offset(r.slot), end = begin + 32 * bytes;
    EXPECT_EQ(begin % std::min(32 * bytes, 64u), 0u) << r.name << ": a row of up to a line lies in one line";
    for (const auto& [b, e] : rows) EXPECT_TRUE(end <= b || begin >= e) << r.name << " overlaps another row";
    rows.insert({begin, end});
    EXPECT_LE(end, f.register_bytes);
    expected_bytes += 32 * bytes;
  }
  EXPECT_EQ(f.register_bytes, expected_bytes);
}

TEST(RegisterFile, LanesKeepTheirValuesAgainstAOneWordPerLaneReference) {
  const Function f = mixed_function();
  RegisterFile file(f.register_bytes);
  std::vector<uint64_t> reference(f.regs.size() * 32, 0);
  std::mt19937_64 rng(7);
  auto keep = [&](size_t r, uint64_t v) {
    const unsigned bytes = kLaneBytes.at(f.regs[r].name.substr(3, f.regs[r].name.size() - 4));
    if (f.regs[r].type == DataType::Pred) return uint64_t(v & 1);
    return uint64_t(bytes == 8 ? v : v & ((uint64_t(1) << (8 * bytes)) - 1));
  };
  for (unsigned step = 0; step < 20000; ++step) {
    const size_t r = rng() % f.regs.size();
    const unsigned lane = unsigned(rng() % 32);
    if (step % 3 == 0) {  // a whole-row write under a random mask
      const uint32_t mask = step % 6 == 0 ? ~0u : uint32_t(rng());
      uint64_t vals[32];
      for (unsigned l = 0; l < 32; ++l) vals[l] = keep(r, rng());
      write_register_lanes(file.data(), f.regs[r].slot, mask, vals);
      for (unsigned l = 0; l < 32; ++l)
        if (mask >> l & 1) reference[r * 32 + l] = vals[l];
    } else {
      const uint64_t v = keep(r, rng());
      file.write(f.regs[r].slot, lane, v);
      reference[r * 32 + lane] = v;
    }
    const size_t probe = rng() % f.regs.size();
    uint64_t got[32] = {};
    read_register_lanes(file.data(), f.regs[probe].slot, ~0u, got);
    for (unsigned l = 0; l < 32; ++l) {
      ASSERT_EQ(got[l], reference[probe * 32 + l]) << f.regs[probe].name << " lane " << l << " step " << step;
      ASSERT_EQ(file.read(f.regs[probe].slot, l), reference[probe * 32 + l]);
    }
  }
  const RegisterFile copy = file;  // a copied frame keeps every value
  for (size_t r = 0; r < f.regs.size(); ++r)
    for (unsigned l = 0; l < 32; ++l) ASSERT_EQ(copy.read(f.regs[r].slot, l), reference[r * 32 + l]);
}

}  // namespace
}  // namespace gpusim::isa

namespace gpusim::test {
namespace {

// 128 threads (four warps) whose neighbouring lanes hold different values in 8-, 16-, 32- and
// 64-bit registers and predicates declared next to each other: a write that spilled into the next
// lane or register, or a read that kept a neighbour's bytes, changes some thread's results.
TEST(RegisterFile, MixedWidthKernelMatchesHostArithmetic) {
  std::vector<std::vector<uint64_t>> rows;
  std::mt19937_64 rng(11);
  for (unsigned t = 0; t < 128; ++t) rows.push_back({t % 5 == 0 ? ~0ull - t : rng()});
  const std::string body =
      "cvt.u8.u64 %b, %x;\n  cvt.u16.u64 %h, %x;\n  cvt.u32.u64 %w, %x;\n"
      "  add.u16 %h, %h, 0xff01;\n  add.u32 %w, %w, 7;\n  add.u64 %y, %x, %x;\n"
      "  setp.gt.u16 %p, %h, 0x8000;\n  setp.lt.u32 %q, %w, 0x40000000;\n"
      "  shr.u64 %z, %x, 56;\n  cvt.u8.u64 %c, %z;\n  add.u16 %hb, %h, 3;\n  mul.wide.u32 %yw, %w, %w;";
  const auto got = run_ptx({{"%x", "u64"}},
                           {{"%b", "u8"}, {"%h", "u16"}, {"%w", "u32"}, {"%y", "u64"}, {"%p", "pred"},
                            {"%q", "pred"}, {"%z", "u64"}, {"%c", "u8"}, {"%hb", "u16"}, {"%yw", "u64"}},
                           body, rows);
  for (unsigned t = 0; t < 128; ++t) {
    const uint64_t x = rows[t][0];
    const uint16_t h = uint16_t(uint16_t(x) + 0xff01);
    const uint32_t w = uint32_t(x) + 7;
    const std::vector<uint64_t> want = {x & 0xff, h, w, x + x, h > 0x8000, w < 0x40000000u, x >> 56, (x >> 56) & 0xff,
                                        uint16_t(h + 3), uint64_t(w) * w};
    EXPECT_EQ(got[t], want) << "thread " << t;
  }
}

}  // namespace
}  // namespace gpusim::test
