// mma.sp / mma.sp::ordered_metadata m16n8k16 and m16n8k32 with 2:4-sparse .f16/.bf16 A
// (isa/mma_sparse.h), run as real PTX: metadata selecting different columns in every chunk, every
// sparsity selector (the lanes it does not name carry junk metadata), .f16 and .f32
// accumulators, and the errors for metadata the ISA leaves undefined.
//
// The reference is independent of the simulator: the registers and metadata words are packed
// here from the ISA's sparse fragment tables, the expected D is the dense product in long double.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/isa/mma_warp_harness.h"

namespace gpusim {
namespace {

using namespace gpusim::test;

// ---------------- mma.sp ----------------

// A 2:4-sparse A: per row and 4-wide chunk, two stored values and their columns within the chunk.
struct SparseCase {
  unsigned k;
  bool bf16;
  std::vector<uint32_t> stored;        // 16 x k/2 codes (row-major), two per chunk
  std::vector<unsigned> first, second;  // per chunk (16 x k/4): the columns of the two stored values
  std::vector<uint32_t> b;             // k x 8 codes, b[k][n]
  std::vector<float> c;                // 16 x 8
};

uint32_t half_code(std::mt19937& rng, bool bf16) {  // a value in [-8, 8) on a 1/64 grid
  const float x = float(int(rng() % 1024) - 512) / 64.0f;
  return bf16 ? bits_of(x) >> 16 : f16_bits((_Float16)x);
}

SparseCase random_sparse_case(unsigned k, bool bf16, bool ordered, uint32_t seed) {
  std::mt19937 rng(seed);
  SparseCase t{k, bf16, std::vector<uint32_t>(16 * k / 2), std::vector<unsigned>(16 * k / 4),
               std::vector<unsigned>(16 * k / 4), std::vector<uint32_t>(k * 8), std::vector<float>(128)};
  for (auto& v : t.stored) v = half_code(rng, bf16);
  for (size_t chunk = 0; chunk < t.first.size(); ++chunk) {
    unsigned x = rng() % 4, y = rng() % 3;
    if (y >= x) ++y;  // two different columns
    if (ordered && x > y) std::swap(x, y);
    t.first[chunk] = x, t.second[chunk] = y;
  }
  for (auto& v : t.b) v = half_code(rng, bf16);
  for (auto& v : t.c) v = float(int(rng() % 2001) - 1000) / 16.0f;
  return t;
}

// The metadata word lane `lane` supplies: the ISA gives the lanes 4g + selector (k16) or
// 4g + 2*selector + {0, 1} (k32) the nibbles of rows g (bits 0-15) and g+8 (bits 16-31), four
// chunks each (k32: the first lane of the pair columns 0-15, the second 16-31); every other
// lane gets junk, which the MMA must ignore.
uint32_t metadata_word(const SparseCase& t, unsigned lane, unsigned selector) {
  const unsigned g = group(lane), th = tig(lane), chunks_per_row = t.k / 4;
  unsigned half = 0;  // which 16 columns this lane describes
  if (t.k == 16) {
    if (th != selector) return 0xdeadbeefu;
  } else {
    if (th / 2 != selector) return 0x5555aaaau;
    half = th % 2;
  }
  uint32_t word = 0;
  for (unsigned upper = 0; upper < 2; ++upper)
    for (unsigned c = 0; c < 4; ++c) {
      const unsigned chunk = (g + 8 * upper) * chunks_per_row + 4 * half + c;
      word |= (t.first[chunk] | t.second[chunk] << 2) << (16 * upper + 4 * c);
    }
  return word;
}

// Registers: compressed A (f16 layout of m16n8k(k/2): a_i at row g + 8*((i/2)%2), compressed
// column 2t + i%2 + 8*(i/4)), B (m16n8k: b_i at row 2t + i%2 + 8*(i/2), column g), C, metadata.
std::vector<std::vector<uint64_t>> pack_sparse_case(const SparseCase& t, unsigned selector, bool f16_acc) {
  const unsigned na = t.k / 8, nb = t.k / 8, kc = t.k / 2;
  std::vector<std::vector<uint64_t>> lanes(32);
  for (unsigned lane = 0; lane < 32; ++lane) {
    const unsigned g = group(lane), th = tig(lane);
    for (unsigned r = 0; r < na; ++r) {
      uint64_t word = 0;
      for (unsigned h = 0; h < 2; ++h) {
        const unsigned i = 2 * r + h, row = g + 8 * ((i / 2) % 2), col = 2 * th + i % 2 + 8 * (i / 4);
        word |= uint64_t(t.stored[row * kc + col]) << (16 * h);
      }
      lanes[lane].push_back(word);
    }
    for (unsigned r = 0; r < nb; ++r) {
      uint64_t word = 0;
      for (unsigned h = 0; h < 2; ++h) {
        const unsigned i = 2 * r + h;
        word |= uint64_t(t.b[(2 * th + i % 2 + 8 * (i / 2)) * 8 + g]) << (16 * h);
      }
      lanes[lane].push_back(word);
    }
    if (f16_acc) {
      for (unsigned r = 0; r < 2; ++r)
        lanes[lane].push_back(f16_bits((_Float16)t.c[acc_row(lane, 2 * r) * 8 + acc_col(lane, 2 * r)]) |
                              uint32_t(f16_bits((_Float16)t.c[acc_row(lane, 2 * r + 1) * 8 + acc_col(lane, 2 * r + 1)]))
                                  << 16);
    } else {
      for (unsigned i = 0; i < 4; ++i) lanes[lane].push_back(bits_of(t.c[acc_row(lane, i) * 8 + acc_col(lane, i)]));
    }
    lanes[lane].push_back(metadata_word(t, lane, selector));
  }
  return lanes;
}

// The dense product: A(row, 4*chunk + first) and A(row, 4*chunk + second) hold the stored pair.
long double sparse_reference(const SparseCase& t, unsigned row, unsigned col, bool f16_acc) {
  auto value = [&](uint32_t code) { return t.bf16 ? bf16_value(code) : f16_value(code); };
  long double sum = f16_acc ? (long double)(_Float16)t.c[row * 8 + col] : (long double)t.c[row * 8 + col];
  for (unsigned kk = 0; kk < t.k; ++kk) {
    const unsigned chunk = row * (t.k / 4) + kk / 4;
    long double a = 0;
    if (kk % 4 == t.first[chunk]) a = value(t.stored[row * (t.k / 2) + 2 * (kk / 4)]);
    if (kk % 4 == t.second[chunk]) a = value(t.stored[row * (t.k / 2) + 2 * (kk / 4) + 1]);
    sum += a * value(t.b[kk * 8 + col]);
  }
  return sum;
}

void check_sparse(const std::string& instruction, const SparseCase& t, unsigned selector, bool f16_acc) {
  const unsigned nc = f16_acc ? 2 : 4;
  const WarpRun r = run_warp(instruction, Operands{t.k / 8, t.k / 8, nc, nc, false, true},
                             pack_sparse_case(t, selector, f16_acc), ", %e, " + std::to_string(selector));
  ASSERT_TRUE(r.error.empty()) << instruction << ": " << r.error;
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < 4; ++i) {
      const unsigned row = acc_row(lane, i), col = acc_col(lane, i);
      const uint64_t got = f16_acc ? (r.d[lane][i / 2] >> (16 * (i % 2))) & 0xffff : r.d[lane][i];
      expect_float(got, sparse_reference(t, row, col, f16_acc), f16_acc,
                   instruction + " selector " + std::to_string(selector) + " D(" + std::to_string(row) + "," +
                       std::to_string(col) + ")");
    }
}

TEST(MmaSparse, M16n8k16F16EverySelectorPicksItsLane) {
  for (unsigned selector = 0; selector < 4; ++selector)
    check_sparse("mma.sp.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32",
                 random_sparse_case(16, false, false, 40 + selector), selector, false);
  check_sparse("mma.sp.sync.aligned.m16n8k16.row.col.f16.f16.f16.f16", random_sparse_case(16, false, false, 45), 2,
               true);
}

TEST(MmaSparse, M16n8k32UsesALanePairForItsMetadata) {
  for (unsigned selector = 0; selector < 2; ++selector)
    check_sparse("mma.sp.sync.aligned.m16n8k32.row.col.f32.bf16.bf16.f32",
                 random_sparse_case(32, true, false, 50 + selector), selector, false);
  check_sparse("mma.sp.sync.aligned.m16n8k32.row.col.f32.f16.f16.f32", random_sparse_case(32, false, false, 52), 1,
               false);
  check_sparse("mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.bf16.bf16.f32",
               random_sparse_case(32, true, true, 53), 0, false);
  check_sparse("mma.sp::ordered_metadata.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32",
               random_sparse_case(16, false, true, 54), 1, false);
}

TEST(MmaSparse, UndefinedMetadataWithNonZeroValuesIsAnError) {
  SparseCase t = random_sparse_case(16, false, false, 60);
  t.first[5] = t.second[5] = 2;  // row 1, chunk 1: a repeated index (0b1010)
  t.stored[1 * 8 + 2] = f16_bits((_Float16)1.5f);
  WarpRun r = run_warp("mma.sp.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32", Operands{2, 2, 4, 4, false, true},
                       pack_sparse_case(t, 0, false), ", %e, 0");
  EXPECT_NE(r.error.find("metadata 0b1010"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("row 1 columns 4..7"), std::string::npos) << r.error;
  // The same pair of zeros is accepted (every placement gives the same product).
  t.stored[1 * 8 + 2] = t.stored[1 * 8 + 3] = 0;
  check_sparse("mma.sp.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32", t, 0, false);
  // A descending pair is fine for mma.sp but undefined for ::ordered_metadata.
  SparseCase d = random_sparse_case(16, false, true, 61);
  std::swap(d.first[3], d.second[3]);
  check_sparse("mma.sp.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32", d, 0, false);
  r = run_warp("mma.sp::ordered_metadata.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32",
               Operands{2, 2, 4, 4, false, true}, pack_sparse_case(d, 0, false), ", %e, 0");
  EXPECT_NE(r.error.find("ordered_metadata needs the first index below the second"), std::string::npos) << r.error;
}

TEST(MmaSparse, SelectorOutOfRangeAndUnsupportedTypesAreErrors) {
  const SparseCase t = random_sparse_case(32, true, false, 62);
  WarpRun r = run_warp("mma.sp.sync.aligned.m16n8k32.row.col.f32.bf16.bf16.f32", Operands{4, 4, 4, 4, false, true},
                       pack_sparse_case(t, 0, false), ", %e, 2");
  EXPECT_NE(r.error.find("sparsity selector must be 0..1, got 2"), std::string::npos) << r.error;
  r = run_warp("mma.sp.sync.aligned.m16n8k32.row.col.f16.bf16.bf16.f16", Operands{4, 4, 2, 2, false, true},
               pack_sparse_case(t, 0, true), ", %e, 0");
  EXPECT_NE(r.error.find("mma.sp: unsupported shape/type combination"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace gpusim
