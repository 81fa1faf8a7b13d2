// The operand layouts of sm_90a's warpgroup MMA (wgmma.mma_async), as pure functions so that
// tests can check them without a running warpgroup:
//   - the 64-bit shared-memory matrix descriptor and the address it gives each element of A
//     (M x K) or B (K x N) in the canonical K-major and MN-major layouts, with the 32/64/128-byte
//     swizzles;
//   - which accumulator element and which register-A element each thread's registers hold.
//
// Reference: PTX ISA 9.0, "Asynchronous Warpgroup Level Matrix Multiply-Accumulate": the
// matrix-descriptor format, the canonical shared-memory layouts and the register fragments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gpusim::isa::wgmma {

// Swizzle mode, as encoded in descriptor bits 62-63.
enum class Swizzle : uint8_t { None = 0, B128 = 1, B64 = 2, B32 = 3 };
unsigned swizzle_bytes(Swizzle s);  // 0 (none), 32, 64, 128
const char* swizzle_name(Swizzle s);

struct MatrixDescriptor {
  uint32_t start = 0;          // shared-memory byte address (bits 0-13, in 16-byte units)
  uint32_t leading = 0;        // leading-dimension byte offset (bits 16-29, 16-byte units)
  uint32_t stride = 0;         // stride-dimension byte offset (bits 32-45, 16-byte units)
  uint32_t base_offset = 0;    // matrix base offset (bits 49-51)
  Swizzle swizzle = Swizzle::None;
};
MatrixDescriptor decode_descriptor(uint64_t bits);
std::string describe(const MatrixDescriptor& d);  // "start 0x400, LBO 128, SBO 256, 128B swizzle"

// Byte address in shared memory of element (mn, k) of an operand: `mn` is A's row (M index)
// or B's column (N index); `k` is the K index. `elem_bytes` is 2 for f16/bf16, 4 for tf32,
// 1 for e4m3/e5m2. `k_major`: consecutive K elements are contiguous (the layout for A, and
// for B with imm-trans-b = 0); otherwise consecutive M/N elements are (transposed operands).
// The swizzle is applied to the absolute address (bits [4, 4+b) ^= bits [7, 7+b)), which is
// what makes a descriptor advanced inside a swizzle atom address the right bytes.
uint32_t element_address(const MatrixDescriptor& d, bool k_major, unsigned elem_bytes, unsigned mn, unsigned k);

// Accumulator fragment of m64nN: a warpgroup thread's i-th accumulator element (i < N/2; f32
// accumulators hold one per register, f16 two per register, element 2j in the low half).
struct RowCol {
  unsigned row = 0, col = 0;
};
RowCol accumulator_element(unsigned thread_in_warpgroup, unsigned i);
// Register-A fragment (A is 64 x K with K * elem_bytes = 32): the thread's i-th element of A.
// The four registers hold the elements in order, lowest-numbered in the low bits: 16-bit A has
// 8 elements (two per register), tf32 A 4 (one per register), 8-bit A 16 (four per register).
RowCol register_a_element(unsigned thread_in_warpgroup, unsigned i, unsigned elem_bytes);

}  // namespace gpusim::isa::wgmma
