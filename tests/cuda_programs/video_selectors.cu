// SIMD video instructions with explicit element selectors and destination masks (inline PTX, as
// old SAD and image code writes them): a and b pick their elements from the 8 bytes (4 halfwords)
// of {b, a}, d's mask says which elements are written (the others are c's, or add nothing with
// .add). Checked against a CPU model written from the PTX ISA's description: bytes in an array,
// picked by the selector's digits (the first digit is the highest element's source).
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "check.cuh"

__global__ void video(const uint32_t* in, uint32_t* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const uint32_t a = in[3 * i], b = in[3 * i + 1], c = in[3 * i + 2];
  uint32_t* o = out + 4 * i;
  asm("vadd4.u32.u32.u32 %0, %1.b3210, %2.b4567, %3;" : "=r"(o[0]) : "r"(a), "r"(b), "r"(c));
  asm("vmax4.s32.s32.s32 %0.b31, %1.b7654, %2.b0123, %3;" : "=r"(o[1]) : "r"(a), "r"(b), "r"(c));
  asm("vsub2.s32.s32.s32.sat %0.h1, %1.h32, %2.h01, %3;" : "=r"(o[2]) : "r"(a), "r"(b), "r"(c));
  asm("vabsdiff4.u32.u32.u32.add %0.b20, %1.b3210, %2.b7654, %3;" : "=r"(o[3]) : "r"(a), "r"(b), "r"(c));
}

// Element e of the pair {b, a} (elements of `bits` bits), sign-extended or not.
static int64_t pick(uint32_t a, uint32_t b, unsigned e, unsigned bits, bool sgn) {
  unsigned char bytes[8];
  std::memcpy(bytes, &a, 4);
  std::memcpy(bytes + 4, &b, 4);
  int64_t v = 0;
  for (unsigned k = 0; k < bits / 8; ++k) v |= int64_t(bytes[e * bits / 8 + k]) << (8 * k);
  if (sgn && (v >> (bits - 1) & 1)) v -= int64_t(1) << bits;
  return v;
}

// The selector "3210" etc. as the source of element i (the last digit is element 0's).
static unsigned source(const char* digits, unsigned i, unsigned elements) { return unsigned(digits[elements - 1 - i] - '0'); }

static uint32_t reference(int which, uint32_t a, uint32_t b, uint32_t c) {
  uint32_t d = 0;
  switch (which) {
    case 0:  // vadd4 u32: every element, modulo 256
      for (unsigned i = 0; i < 4; ++i)
        d |= uint32_t((pick(a, b, source("3210", i, 4), 8, false) + pick(a, b, source("4567", i, 4), 8, false)) & 0xff) << (8 * i);
      return d;
    case 1:  // vmax4 s32 into elements 3 and 1; 2 and 0 are c's
      for (unsigned i = 0; i < 4; ++i) {
        const bool written = i == 3 || i == 1;
        const int64_t x = pick(a, b, source("7654", i, 4), 8, true), y = pick(a, b, source("0123", i, 4), 8, true);
        const uint32_t e = written ? uint32_t(x > y ? x : y) & 0xff : (c >> (8 * i)) & 0xff;
        d |= e << (8 * i);
      }
      return d;
    case 2:  // vsub2 s32 .sat into element 1; element 0 is c's
      for (unsigned i = 0; i < 2; ++i) {
        int64_t r = pick(a, b, source("32", i, 2), 16, true) - pick(a, b, source("01", i, 2), 16, true);
        r = r < -32768 ? -32768 : r > 32767 ? 32767 : r;
        d |= (i == 1 ? uint32_t(r) & 0xffff : c & 0xffff) << (16 * i);
      }
      return d;
    default:  // vabsdiff4 u32 .add over elements 2 and 0
      d = c;
      for (unsigned i : {0u, 2u}) {
        const int64_t x = pick(a, b, i, 8, false), y = pick(a, b, i + 4, 8, false);
        d += uint32_t(x > y ? x - y : y - x);
      }
      return d;
  }
}

int main() {
  const int n = 256;
  uint32_t in[3 * n], out[4 * n];
  uint32_t s = 12345;
  for (uint32_t& v : in) v = s = s * 1664525u + 1013904223u;
  in[0] = 0x7f80ff01u, in[1] = 0x807f01ffu;  // extremes for the saturation and the signs
  uint32_t *din, *dout;
  CHECK(cudaMalloc(&din, sizeof in));
  CHECK(cudaMalloc(&dout, sizeof out));
  CHECK(cudaMemcpy(din, in, sizeof in, cudaMemcpyHostToDevice));
  video<<<n / 64, 64>>>(din, dout, n);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(out, dout, sizeof out, cudaMemcpyDeviceToHost));
  int bad = 0;
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 4; ++k) {
      const uint32_t want = reference(k, in[3 * i], in[3 * i + 1], in[3 * i + 2]);
      if (out[4 * i + k] != want && bad++ < 5)
        std::fprintf(stderr, "element %d, form %d: 0x%08x, expected 0x%08x\n", i, k, out[4 * i + k], want);
    }
  EXPECT(bad == 0);
  CHECK(cudaFree(din));
  CHECK(cudaFree(dout));
  std::printf("video_selectors: OK\n");
  return 0;
}
