// A host-only program using a CUDA library that carries its own static CUDA runtime
// (static_runtime_lib.cu); checks the library's results against the CPU.
#include <cstdio>
#include <vector>

extern "C" int library_transform(int* host, int n, int factor, const int table[4], unsigned int* launches);

int main() {
  const int n = 1000, factor = 3;
  const int table[4] = {5, -7, 11, 0};
  std::vector<int> v(n), expected(n);
  for (int i = 0; i < n; ++i) v[i] = expected[i] = i - 400;
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < n; ++i) expected[i] = expected[i] * factor + table[i % 4];
  unsigned int launches = 0;
  if (library_transform(v.data(), n, factor, table, &launches) != 0) return 1;
  for (int i = 0; i < n; ++i)
    if (v[i] != expected[i]) {
      std::printf("static_runtime_lib: element %d is %d, expected %d\n", i, v[i], expected[i]);
      return 1;
    }
  if (launches != 2) {
    std::printf("static_runtime_lib: the kernel counted %u launches, expected 2\n", launches);
    return 1;
  }
  std::printf("static_runtime_lib: OK\n");
  return 0;
}
