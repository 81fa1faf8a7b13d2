// Runs one warp-wide MMA instruction as real PTX on the simulated device, for the mma tests
// (mma_more_shapes_test.cpp, mma_sparse_test.cpp): each lane's registers come from the test
// (packed there from the PTX ISA's fragment tables), D comes back per lane. Also the by-hand
// decoders of f16/bf16/FP8 the tests' references use, independent of isa/numerics.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "runtime/sim_device.h"

namespace gpusim::test {

// ---------------- running one warp-wide MMA ----------------

struct Operands {
  unsigned a = 0, b = 0, c = 0, d = 0;  // registers per lane
  bool wide = false;                    // .b64 registers (f64) instead of .b32
  bool metadata = false;                // mma.sp: a .b32 metadata register %e after C
};

struct WarpRun {
  std::vector<std::vector<uint64_t>> d;  // per lane, the D registers
  std::string error;                     // the launch's fault message
};

inline std::string reg_list(const char* name, unsigned n) {
  std::string s = "{";
  for (unsigned i = 0; i < n; ++i) s += (i ? ", %" : "%") + std::string(name) + std::to_string(i);
  return s + "}";
}

// in[lane] holds that lane's A, B and C registers (and the metadata word last). `instruction`
// is the opcode with its modifiers; `trailing` follows the C operand (", %e, 1" for mma.sp).
inline WarpRun run_warp(const std::string& instruction, const Operands& o, const std::vector<std::vector<uint64_t>>& in,
                 const std::string& trailing = "") {
  const unsigned words = o.a + o.b + o.c + (o.metadata ? 1 : 0);
  const std::string w = o.wide ? "b64" : "b32";
  std::string ptx = ".version 8.7\n.target sm_90a\n.address_size 64\n"
                    ".visible .entry k(.param .u64 p_in, .param .u64 p_out)\n{\n"
                    "  .reg .u32 %tid;\n  .reg .u64 %in, %out, %off;\n  .reg .b32 %e;\n";
  ptx += "  .reg ." + w + " %a<" + std::to_string(o.a) + ">, %b<" + std::to_string(o.b) + ">, %c<" +
         std::to_string(o.c) + ">, %d<" + std::to_string(o.d) + ">;\n";
  ptx += "  mov.u32 %tid, %tid.x;\n  ld.param.u64 %in, [p_in];\n  ld.param.u64 %out, [p_out];\n";
  ptx += "  mul.wide.u32 %off, %tid, " + std::to_string(8 * words) + ";\n  add.u64 %in, %in, %off;\n";
  unsigned slot = 0;
  auto load = [&](const char* name, unsigned n, const std::string& type) {
    for (unsigned i = 0; i < n; ++i)
      ptx += "  ld.global." + type + " %" + name + std::to_string(i) + ", [%in+" + std::to_string(8 * slot++) + "];\n";
  };
  load("a", o.a, w);
  load("b", o.b, w);
  load("c", o.c, w);
  if (o.metadata) ptx += "  ld.global.b32 %e, [%in+" + std::to_string(8 * slot++) + "];\n";
  ptx += "  " + instruction + " " + reg_list("d", o.d) + ", " + reg_list("a", o.a) + ", " + reg_list("b", o.b) + ", " +
         reg_list("c", o.c) + trailing + ";\n";
  ptx += "  mul.wide.u32 %off, %tid, " + std::to_string(8 * o.d) + ";\n  add.u64 %out, %out, %off;\n";
  for (unsigned i = 0; i < o.d; ++i)
    ptx += "  st.global." + w + " [%out+" + std::to_string(8 * i) + "], %d" + std::to_string(i) + ";\n";
  ptx += "  ret;\n}\n";

  std::vector<uint64_t> host_in(size_t(32) * words);
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < words; ++i) host_in[lane * words + i] = in.at(lane).at(i);
  auto dev = runtime::make_sim_device();
  const auto mod = dev->load_ptx("mma_more_shapes_test", ptx);
  const runtime::DevPtr d_in = dev->alloc(host_in.size() * 8), d_out = dev->alloc(size_t(32) * o.d * 8);
  dev->copy_to_device(d_in, host_in.data(), host_in.size() * 8);
  dev->memset(d_out, 0, size_t(32) * o.d * 8);
  runtime::LaunchConfig cfg;
  cfg.grid = {1, 1, 1};
  cfg.block = {32, 1, 1};
  WarpRun r;
  try {
    dev->launch(mod, "k", cfg, runtime::args(d_in, d_out));
  } catch (const std::exception& e) {
    r.error = e.what();
    return r;
  }
  const std::vector<uint64_t> out = dev->download<uint64_t>(d_out, size_t(32) * o.d);
  for (unsigned lane = 0; lane < 32; ++lane)
    r.d.emplace_back(out.begin() + lane * o.d, out.begin() + (lane + 1) * o.d);
  return r;
}

inline unsigned group(unsigned lane) { return lane / 4; }
inline unsigned tig(unsigned lane) { return lane % 4; }

// The accumulator layout every m16n8 shape shares: c_i at row g + 8*(i/2), column 2t + i%2.
inline unsigned acc_row(unsigned lane, unsigned i) { return group(lane) + 8 * (i / 2); }
inline unsigned acc_col(unsigned lane, unsigned i) { return 2 * tig(lane) + i % 2; }

// ---------------- floating-point decoding (by hand, for the reference) ----------------

inline long double f16_value(uint32_t h) {
  const int e = (h >> 10) & 31, m = h & 1023;
  const long double mag = e == 0 ? std::ldexp((long double)m, -24) : std::ldexp((long double)(1024 + m), e - 25);
  return (h & 0x8000) ? -mag : mag;  // callers keep away from f16 inf/NaN
}

inline long double bf16_value(uint32_t h) {
  const uint32_t bits = h << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

inline long double e4m3_value(uint32_t b) {
  const int e = (b >> 3) & 15, m = b & 7;
  if (e == 15 && m == 7) return NAN;  // e4m3 has no infinities, one NaN code per sign
  const long double mag = e == 0 ? std::ldexp((long double)m, -9) : std::ldexp((long double)(8 + m), e - 10);
  return (b & 0x80) ? -mag : mag;
}

inline long double e5m2_value(uint32_t b) {
  const int e = (b >> 2) & 31, m = b & 3;
  long double mag;
  if (e == 31) mag = m == 0 ? INFINITY : NAN;
  else mag = e == 0 ? std::ldexp((long double)m, -16) : std::ldexp((long double)(4 + m), e - 17);
  return (b & 0x80) ? -mag : mag;
}

inline float f32_of(uint64_t bits) {
  const uint32_t b = uint32_t(bits);
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
inline uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
inline uint16_t f16_bits(_Float16 h) {
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}

// Compares a D element with an exact long double value rounded once to the accumulator type.
inline void expect_float(uint64_t got_bits, long double exact, bool f16_result, const std::string& what) {
  if (std::isnan(exact)) {
    if (f16_result) {
      EXPECT_EQ(got_bits & 0x7c00, 0x7c00u) << what;
      EXPECT_NE(got_bits & 0x3ff, 0u) << what << " (NaN expected)";
    } else {
      EXPECT_TRUE(std::isnan(f32_of(got_bits))) << what << " (NaN expected)";
    }
    return;
  }
  if (f16_result)
    EXPECT_EQ(uint16_t(got_bits), f16_bits((_Float16)exact)) << what << " exact " << double(exact);
  else
    EXPECT_EQ(uint32_t(got_bits), bits_of((float)exact)) << what << " exact " << double(exact);
}

}  // namespace gpusim::test
