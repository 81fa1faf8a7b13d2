// The check both hosts of static_runtime_lib.cu make (linked at start, or opened with dlopen): the
// library's results against the CPU's.
#pragma once

#include <cstdio>
#include <vector>

using LibraryTransform = int (*)(int* host, int n, int factor, const int table[4], unsigned int* launches);

// 0 when the library computed what the CPU does, 1 otherwise (saying what differed).
inline int check_library_transform(LibraryTransform transform, const char* who) {
  const int n = 1000, factor = 3;
  const int table[4] = {5, -7, 11, 0};
  std::vector<int> v(n), expected(n);
  for (int i = 0; i < n; ++i) v[i] = expected[i] = i - 400;
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < n; ++i) expected[i] = expected[i] * factor + table[i % 4];
  unsigned int launches = 0;
  if (transform(v.data(), n, factor, table, &launches) != 0) {
    std::printf("%s: the library's call failed\n", who);
    return 1;
  }
  for (int i = 0; i < n; ++i)
    if (v[i] != expected[i]) {
      std::printf("%s: element %d is %d, expected %d\n", who, i, v[i], expected[i]);
      return 1;
    }
  if (launches != 2) {
    std::printf("%s: the kernel counted %u launches, expected 2\n", who, launches);
    return 1;
  }
  std::printf("%s: OK\n", who);
  return 0;
}
