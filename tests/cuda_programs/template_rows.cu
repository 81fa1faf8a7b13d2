// Two instantiations of one kernel template whose arguments are too long for the launch table's
// kernel column: the table numbers them instead of adding them up in one row
// (tests/exec/exec_programs_test.cpp).
#include <cstdio>

#include "check.cuh"

struct a_rather_long_amplitude_type_name_for_the_first_instantiation { double re, im; };
struct another_rather_long_amplitude_type_name_for_the_second_one { float re, im; };

template <typename T>
__global__ void apply(T* p, int n) {
  const int i = threadIdx.x;
  if (i < n) p[i].re += 1;
}

int main() {
  a_rather_long_amplitude_type_name_for_the_first_instantiation* a;
  another_rather_long_amplitude_type_name_for_the_second_one* b;
  CHECK(cudaMalloc(&a, 32 * sizeof *a));
  CHECK(cudaMalloc(&b, 32 * sizeof *b));
  apply<<<1, 32>>>(a, 32);
  apply<<<1, 32>>>(b, 32);
  apply<<<1, 32>>>(b, 32);
  CHECK(cudaDeviceSynchronize());
  std::printf("template_rows: OK\n");
  return 0;
}
