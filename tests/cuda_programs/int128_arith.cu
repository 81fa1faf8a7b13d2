// __int128 arithmetic on the device: nvcc lowers 128-bit division and remainder to long carry
// chains that read the carry flag after subtractions (addc after subc.cc), so this checks the
// condition-code semantics end to end. Every result is compared with the host's __int128.
#include <vector>
#include "check.cuh"

using u128 = unsigned __int128;
using s128 = __int128;

__global__ void arith(const unsigned long long* in, unsigned long long* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const u128 a = (u128(in[4 * i]) << 64) | in[4 * i + 1];
  const u128 b = (u128(in[4 * i + 2]) << 64) | in[4 * i + 3];
  const u128 r[5] = {a / b, a % b, u128(s128(a) / s128(b)), u128(s128(a) % s128(b)), a * b + (a >> 3)};
  for (int k = 0; k < 5; ++k) {
    out[10 * i + 2 * k] = (unsigned long long)(r[k] >> 64);
    out[10 * i + 2 * k + 1] = (unsigned long long)r[k];
  }
}

int main() {
  const int n = 512;
  std::vector<unsigned long long> in(4 * n), out(10 * n);
  unsigned long long s = 0x243f6a8885a308d3ull;
  auto next = [&] { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; };
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 4; ++k) in[4 * i + k] = next();
    if (i % 4 == 1) in[4 * i + 2] = 0;                      // divisor below 2^64
    if (i % 4 == 2) in[4 * i + 2] = 0, in[4 * i + 3] >>= 40;  // divisor below 2^24
    if (i % 8 == 3) in[4 * i + 2] = 0, in[4 * i + 3] = 1;     // a / 1
    if (in[4 * i + 2] == 0 && in[4 * i + 3] == 0) in[4 * i + 3] = 7;
  }
  unsigned long long *din, *dout;
  CHECK(cudaMalloc(&din, in.size() * 8));
  CHECK(cudaMalloc(&dout, out.size() * 8));
  CHECK(cudaMemcpy(din, in.data(), in.size() * 8, cudaMemcpyHostToDevice));
  arith<<<n / 128, 128>>>(din, dout, n);
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(out.data(), dout, out.size() * 8, cudaMemcpyDeviceToHost));
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    const u128 a = (u128(in[4 * i]) << 64) | in[4 * i + 1];
    const u128 b = (u128(in[4 * i + 2]) << 64) | in[4 * i + 3];
    const u128 r[5] = {a / b, a % b, u128(s128(a) / s128(b)), u128(s128(a) % s128(b)), a * b + (a >> 3)};
    for (int k = 0; k < 5; ++k) {
      const u128 got = (u128(out[10 * i + 2 * k]) << 64) | out[10 * i + 2 * k + 1];
      if (got != r[k] && bad++ < 5)
        std::fprintf(stderr, "element %d result %d: got %016llx%016llx want %016llx%016llx\n", i, k,
                     (unsigned long long)(got >> 64), (unsigned long long)got, (unsigned long long)(r[k] >> 64),
                     (unsigned long long)r[k]);
    }
  }
  EXPECT(bad == 0);
  std::printf("int128: %d quotients, remainders and products match\nOK\n", n * 5);
  return 0;
}
