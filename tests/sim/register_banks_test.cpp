// Register-bank rules (sim/register_banks.h) and the bank allocation (sim/register_bank_assignment.h),
// checked against bank counts worked out by hand: with B banks each serving 2 reads a cycle, an
// instruction reading n registers of one bank pays n - 2 extra cycles, and 5 registers read in
// every combination of 3 cannot be spread over 2 banks without one conflicting triple (pigeonhole:
// some bank holds 3 of them).
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "sim/register_bank_assignment.h"
#include "sim/register_banks.h"

namespace gpusim::sim {
namespace {

std::vector<isa::RegInfo> f32_regs(size_t n) {
  std::vector<isa::RegInfo> regs(n);
  for (size_t i = 0; i < n; ++i) regs[i] = {"%f" + std::to_string(i), isa::DataType::F32};
  return regs;
}

int total_conflicts(const std::vector<std::vector<uint32_t>>& reads, const std::vector<uint16_t>& bank_of, int banks) {
  int sum = 0;
  for (const auto& r : reads) sum += register_bank_conflict_cycles(r, bank_of, banks);
  return sum;
}

TEST(RegisterBanks, ThreeReadsOfOneBankCostOneCycle) {
  const std::vector<uint16_t> bank_of{0, 1, 1, 0, 1, 1};
  EXPECT_EQ(register_bank_conflict_cycles(std::vector<uint32_t>{1, 2, 4}, bank_of, 2), 1);
  EXPECT_EQ(register_bank_conflict_cycles(std::vector<uint32_t>{0, 1, 2}, bank_of, 2), 0);
  EXPECT_EQ(register_bank_conflict_cycles(std::vector<uint32_t>{1, 2, 4, 5}, bank_of, 2), 2);
}

TEST(RegisterBanks, RepeatedRegistersAndPredicatesNeedNoRead) {
  auto regs = f32_regs(8);
  regs[3].type = isa::DataType::Pred;
  EXPECT_EQ(bank_read_registers(std::vector<uint32_t>{1, 1, 1}, regs), (std::vector<uint32_t>{1}));
  EXPECT_EQ(bank_read_registers(std::vector<uint32_t>{5, 3, 1, 5}, regs), (std::vector<uint32_t>{5, 1}));
}

TEST(RegisterBanks, BadInputsAreErrors) {
  const auto regs = f32_regs(4);
  EXPECT_THROW(bank_read_registers(std::vector<uint32_t>{9}, regs), std::invalid_argument);
  const std::vector<uint16_t> bank_of{0, 1};
  EXPECT_THROW(register_bank_conflict_cycles(std::vector<uint32_t>{0}, bank_of, 0), std::invalid_argument);
  EXPECT_THROW(register_bank_conflict_cycles(std::vector<uint32_t>{2}, bank_of, 2), std::invalid_argument);
  EXPECT_THROW(register_bank_conflict_cycles(std::vector<uint32_t>{1}, bank_of, 1), std::invalid_argument);
  EXPECT_THROW(assign_register_banks({{0, 7}}, 4, 2), std::invalid_argument);
  EXPECT_THROW(assign_register_banks({{0}}, 4, 0), std::invalid_argument);
}

// An outside user's microbenchmark: 8 FFMA chains sharing two multiplicands. Whatever the PTX
// numbers of the registers (the old model took r % 2 and charged a cycle per FFMA when all were
// even), a bank-aware allocation spreads every instruction's three sources.
TEST(RegisterBankAssignment, SharedMultiplicandsAreSpreadWhateverTheirNumbers) {
  for (const auto& [m1, m2] : {std::pair<uint32_t, uint32_t>{20, 22}, {21, 23}, {20, 23}}) {
    std::vector<std::vector<uint32_t>> reads;
    for (int rep = 0; rep < 4; ++rep)
      for (uint32_t chain = 0; chain < 16; chain += 2) reads.push_back({chain, m1, m2});
    const auto bank_of = assign_register_banks(reads, 24, 2);
    EXPECT_EQ(total_conflicts(reads, bank_of, 2), 0) << m1 << "," << m2;
    EXPECT_NE(bank_of[m1], bank_of[m2]) << "two banks balance the two multiplicands";
  }
}

TEST(RegisterBankAssignment, UnavoidableConflictsRemainAndNoMore) {
  std::vector<std::vector<uint32_t>> all_triples;
  for (uint32_t a = 0; a < 5; ++a)
    for (uint32_t b = a + 1; b < 5; ++b)
      for (uint32_t c = b + 1; c < 5; ++c) all_triples.push_back({a, b, c});
  ASSERT_EQ(all_triples.size(), 10u);
  // A 3-2 split is the best 2 banks can do: exactly one triple lies in one bank.
  EXPECT_EQ(total_conflicts(all_triples, assign_register_banks(all_triples, 5, 2), 2), 1);
  // Three banks: a 2-2-1 split leaves no bank holding a whole triple.
  EXPECT_EQ(total_conflicts(all_triples, assign_register_banks(all_triples, 5, 3), 3), 0);
  // One bank serves 2 reads a cycle: every 3-source instruction pays one cycle.
  EXPECT_EQ(total_conflicts(all_triples, assign_register_banks(all_triples, 5, 1), 1), 10);
}

TEST(RegisterBankAssignment, DependsOnCodeStructureNotOnRegisterNumbers) {
  // The same instructions with the registers renumbered by a permutation get the same conflicts
  // and the same banks for corresponding registers.
  const std::vector<std::vector<uint32_t>> reads{{0, 1, 2}, {3, 1, 4}, {0, 3, 5}, {2, 4, 5}, {1, 2, 5}, {0, 4, 1}};
  const std::vector<uint32_t> perm{5, 2, 0, 4, 1, 3};
  std::vector<std::vector<uint32_t>> renamed;
  for (const auto& r : reads) {
    renamed.emplace_back();
    for (uint32_t x : r) renamed.back().push_back(perm[x]);
  }
  const auto a = assign_register_banks(reads, 6, 2), b = assign_register_banks(renamed, 6, 2);
  for (uint32_t x = 0; x < 6; ++x) EXPECT_EQ(a[x], b[perm[x]]) << "register " << x;
  EXPECT_EQ(total_conflicts(reads, a, 2), total_conflicts(renamed, b, 2));
}

}  // namespace
}  // namespace gpusim::sim
