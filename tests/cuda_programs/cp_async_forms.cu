// The operand forms of cp.async, checked against the host: a src-size below the copy size (the
// rest zero-filled) and the ignore-src predicate (PTX 7.5: true zero-fills the whole copy, false
// copies it), each read after cp.async.wait_all and a barrier.
#include <cstdint>
#include <cstdio>

#include "check.cuh"

__global__ void copy_forms(const int* in, int* out) {
  __shared__ __align__(16) int staged[3][4 * 32];
  const unsigned t = threadIdx.x;
  const int* src = in + 4 * t;
  const unsigned partial = unsigned(__cvta_generic_to_shared(&staged[0][4 * t]));
  const unsigned ignored = unsigned(__cvta_generic_to_shared(&staged[1][4 * t]));
  const unsigned kept = unsigned(__cvta_generic_to_shared(&staged[2][4 * t]));
  const unsigned src_bytes = 4 * (t % 5);  // 0, 4, 8, 12, 16 bytes read; the rest zeros
  asm volatile("cp.async.ca.shared.global [%0], [%1], 16, %2;" ::"r"(partial), "l"(src), "r"(src_bytes));
  asm volatile("{\n .reg .pred p;\n setp.ne.u32 p, %2, 0;\n cp.async.cg.shared.global [%0], [%1], 16, p;\n}" ::"r"(ignored),
               "l"(src), "r"(1u));
  asm volatile("{\n .reg .pred p;\n setp.ne.u32 p, %2, 0;\n cp.async.cg.shared.global [%0], [%1], 16, p;\n}" ::"r"(kept),
               "l"(src), "r"(0u));
  asm volatile("cp.async.wait_all;" ::: "memory");
  __syncthreads();
  for (int k = 0; k < 4; ++k) {
    out[(0 * 32 + t) * 4 + k] = staged[0][4 * t + k];
    out[(1 * 32 + t) * 4 + k] = staged[1][4 * t + k];
    out[(2 * 32 + t) * 4 + k] = staged[2][4 * t + k];
  }
}

int main() {
  int host[4 * 32], got[3 * 4 * 32];
  for (int i = 0; i < 4 * 32; ++i) host[i] = 1000 + i;
  int *in = nullptr, *out = nullptr;
  CHECK(cudaMalloc(&in, sizeof host));
  CHECK(cudaMalloc(&out, sizeof got));
  CHECK(cudaMemcpy(in, host, sizeof host, cudaMemcpyHostToDevice));
  copy_forms<<<1, 32>>>(in, out);
  CHECK(cudaMemcpy(got, out, sizeof got, cudaMemcpyDeviceToHost));
  for (int t = 0; t < 32; ++t)
    for (int k = 0; k < 4; ++k) {
      const int word = 4 * t + k;
      EXPECT(got[(0 * 32 + t) * 4 + k] == (k < int(t % 5) ? host[word] : 0));  // src-size
      EXPECT(got[(1 * 32 + t) * 4 + k] == 0);                                   // ignore-src true
      EXPECT(got[(2 * 32 + t) * 4 + k] == host[word]);                          // ignore-src false
    }
  std::printf("cp_async_forms: OK\n");
  return 0;
}
