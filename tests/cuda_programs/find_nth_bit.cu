// __fns (PTX fns.b32): the position of the n-th set bit of a mask counted up or down from a base
// bit, as warp-aggregation code uses it to pick the k-th active lane. Every result is compared
// with a CPU reference written from the documented semantics: list the set bits at or above base
// (ascending) for a positive offset, at or below it (descending) for a negative one, and take the
// |offset|-th; offset 0 asks whether bit base is set; no such bit gives 0xffffffff.
#include <cstdint>
#include <cstdio>
#include <vector>
#include "check.cuh"

__global__ void fns_all(const uint32_t* mask, const uint32_t* base, const int* offset, uint32_t* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = __fns(mask[i], base[i], offset[i]);
}

// The typical use: the lane that holds the k-th active lane of the warp (k from the lane's id).
__global__ void kth_active_lane(uint32_t* out) {
  const unsigned lane = threadIdx.x & 31;
  if (lane % 3 == 1) return;  // a ragged set of active lanes
  const unsigned active = __activemask();
  out[threadIdx.x] = __fns(active, 0, int(lane % 7) + 1);
}

static uint32_t fns_reference(uint32_t mask, uint32_t base, int offset) {
  if (offset == 0) return (mask >> base) & 1 ? base : 0xffffffffu;
  std::vector<uint32_t> bits;
  if (offset > 0) {
    for (uint32_t b = base; b < 32; ++b)
      if ((mask >> b) & 1) bits.push_back(b);
  } else {
    for (int b = int(base); b >= 0; --b)
      if ((mask >> b) & 1) bits.push_back(uint32_t(b));
  }
  const size_t want = offset > 0 ? size_t(offset) : size_t(-(long long)offset);
  return want <= bits.size() ? bits[want - 1] : 0xffffffffu;
}

int main() {
  // Hand-checked cases from the PTX ISA's examples, then a sweep of pseudo-random ones.
  std::vector<uint32_t> mask{0xaaaaaaaau, 0xaaaaaaaau, 0xaaaaaaaau, 0xaaaaaaaau, 0u, 0xffffffffu, 0x80000001u, 0x80000001u};
  std::vector<uint32_t> base{3, 3, 2, 2, 5, 31, 0, 31};
  std::vector<int> offset{1, -1, 1, -1, 1, 1, 2, -2};
  const uint32_t expected_by_hand[] = {3, 3, 3, 1, 0xffffffffu, 31, 31, 0};
  uint32_t x = 12345;
  auto next = [&] { return x = x * 1664525u + 1013904223u; };
  for (int i = 0; i < 4000; ++i) {
    const uint32_t m = next();
    mask.push_back(i % 5 == 0 ? m & next() & next() : m);  // sparse masks too
    base.push_back(next() % 32);
    const int magnitude = int(next() % 34);
    offset.push_back(next() & 1 ? -magnitude : magnitude);
    offset.back() = i % 97 == 0 ? int(0x80000000u) : offset.back();  // INT_MIN: no bit that far
  }
  const int n = int(mask.size());
  uint32_t *d_mask, *d_base, *d_out;
  int* d_offset;
  CHECK(cudaMalloc(&d_mask, n * sizeof(uint32_t)));
  CHECK(cudaMalloc(&d_base, n * sizeof(uint32_t)));
  CHECK(cudaMalloc(&d_offset, n * sizeof(int)));
  CHECK(cudaMalloc(&d_out, n * sizeof(uint32_t)));
  CHECK(cudaMemcpy(d_mask, mask.data(), n * sizeof(uint32_t), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(d_base, base.data(), n * sizeof(uint32_t), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(d_offset, offset.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  fns_all<<<(n + 127) / 128, 128>>>(d_mask, d_base, d_offset, d_out, n);
  CHECK(cudaGetLastError());
  std::vector<uint32_t> out(n);
  CHECK(cudaMemcpy(out.data(), d_out, n * sizeof(uint32_t), cudaMemcpyDeviceToHost));
  for (int i = 0; i < 8; ++i) EXPECT(out[i] == expected_by_hand[i]);
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    const uint32_t want = fns_reference(mask[i], base[i], offset[i]);
    if (out[i] != want && bad++ < 5)
      std::fprintf(stderr, "__fns(0x%08x, %u, %d) = 0x%x, expected 0x%x\n", mask[i], base[i], offset[i], out[i], want);
  }
  EXPECT(bad == 0);

  CHECK(cudaMemset(d_out, 0xee, 64 * sizeof(uint32_t)));
  kth_active_lane<<<1, 64>>>(d_out);
  CHECK(cudaMemcpy(out.data(), d_out, 64 * sizeof(uint32_t), cudaMemcpyDeviceToHost));
  uint32_t active = 0;
  for (unsigned l = 0; l < 32; ++l) active |= (l % 3 == 1 ? 0u : 1u) << l;
  for (unsigned t = 0; t < 64; ++t) {
    const unsigned lane = t & 31;
    EXPECT(out[t] == (lane % 3 == 1 ? 0xeeeeeeeeu : fns_reference(active, 0, int(lane % 7) + 1)));
  }
  CHECK(cudaFree(d_mask));
  CHECK(cudaFree(d_base));
  CHECK(cudaFree(d_offset));
  CHECK(cudaFree(d_out));
  std::printf("find_nth_bit: OK (%d cases)\n", n);
  return 0;
}
