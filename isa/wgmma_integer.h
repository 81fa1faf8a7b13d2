// The integer datapath of sm_90a's warpgroup MMA (wgmma.mma_async .s32 with .s8/.u8 or .b1
// multiplicands), as a pure function on plain arrays so that tests can check it without a
// running warpgroup; exec_wgmma.cpp moves registers and shared memory in and out of it.
//
// Reference: PTX ISA 9.0, "Asynchronous Warpgroup Level Matrix Multiply-Accumulate":
//   .s8/.u8: D = A * B + C over the integers, K = 32; with .satfinite the result is clamped to
//            [INT32_MIN, INT32_MAX], without it the sum wraps modulo 2^32.
//   .b1 with .and.popc: D = C + sum over k of popc(A[m][k] AND B[k][n]), K = 256; the bits of
//            one k-range are packed eight to a byte, and A and B use the same packing, so the
//            count does not depend on the order of bits inside a byte.
#pragma once

#include <cstdint>
#include <vector>

namespace gpusim::isa::wgmma {

enum class IntInput : uint8_t { S8, U8, B1 };  // B1: each element is one byte of 8 packed bits

// a: m x k elements (row-major), b: k x n, c: m x n 32-bit accumulators (two's complement).
// For B1, k counts bytes (32 for K = 256 bits). Returns d (m x n).
std::vector<uint32_t> integer_multiply_accumulate(unsigned m, unsigned n, unsigned k, const std::vector<uint32_t>& a,
                                                  IntInput a_type, const std::vector<uint32_t>& b, IntInput b_type,
                                                  const std::vector<uint32_t>& c, bool satfinite);

}  // namespace gpusim::isa::wgmma
